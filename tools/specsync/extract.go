package main

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Selection says which operations of the upstream document to keep: those carrying
// one of Tags, and those whose operationId is one of Operations.
type Selection struct {
	Tags       []string
	Operations []string
}

func (s Selection) keeps(op *yaml.Node) bool {
	if id := get(op, "operationId"); id != nil && slices.Contains(s.Operations, id.Value) {
		return true
	}
	if tags := get(op, "tags"); tags != nil {
		for _, t := range tags.Content {
			if slices.Contains(s.Tags, t.Value) {
				return true
			}
		}
	}
	return false
}

func (s Selection) String() string {
	var parts []string
	if len(s.Tags) > 0 {
		parts = append(parts, "tagged "+strings.Join(s.Tags, ", "))
	}
	if len(s.Operations) > 0 {
		parts = append(parts, "named "+strings.Join(s.Operations, ", "))
	}
	return strings.Join(parts, " or ")
}

// Extract returns a new document holding the selected operations of the upstream
// document (a YAML tree, which JSON is too), each with every $ref replaced by what it
// points to, and the operationIds kept, in document order. No component of upstream is
// left but the security schemes the security requirements name (those are named, not
// referenced): so the names upstream gives its components do not reach the result.
//
// A path item's parameters other than path parameters move to each of its operations
// (after the operation's own, unless it has one of the same name and place): it means
// the same in OpenAPI, and oapi-codegen gives only an operation's parameters their Go
// types, so that a query parameter upstream adds on the path reaches the generated
// params type like any other, with no overlay action naming it.
//
// Around the paths it keeps openapi, info, jsonSchemaDialect, servers, security,
// externalDocs and the tags the kept operations use; webhooks, extensions and other
// tags are not about these operations.
func Extract(upstream *yaml.Node, sel Selection) (*yaml.Node, []string, error) {
	doc, paths, v31, err := upstreamRoot(upstream)
	if err != nil {
		return nil, nil, err
	}
	d := &dereferencer{root: doc, v31: v31}

	out := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range []string{"openapi", "info", "jsonSchemaDialect", "servers", "security", "externalDocs"} {
		if v := get(doc, k); v != nil {
			set(out, k, deepCopy(v))
		}
	}
	keptPaths, kept, usedTags, err := d.extractPaths(paths, sel)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSelected(kept, sel); err != nil {
		return nil, nil, err
	}
	if tags := keptTags(doc, usedTags); tags != nil {
		set(out, "tags", tags)
	}
	set(out, "paths", keptPaths)

	schemes, err := d.securitySchemes(securityRequirements(out, keptPaths))
	if err != nil {
		return nil, nil, err
	}
	if len(schemes.Content) > 0 {
		set(out, "components", mapping("securitySchemes", schemes))
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{out}}, kept, nil
}

// upstreamRoot returns the root mapping of the upstream document and its paths, and
// whether it is OpenAPI 3.1; it is an error if the document has no openapi version or
// no paths.
func upstreamRoot(upstream *yaml.Node) (doc, paths *yaml.Node, v31 bool, err error) {
	doc = upstream
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, nil, false, fmt.Errorf("the upstream document is not a mapping")
	}
	version := get(doc, "openapi")
	if version == nil {
		return nil, nil, false, fmt.Errorf("the upstream document has no openapi version")
	}
	paths = get(doc, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, nil, false, fmt.Errorf("the upstream document has no paths")
	}
	return doc, paths, strings.HasPrefix(version.Value, "3.1."), nil
}

// extractPaths returns the paths that hold operations sel keeps, each path item holding
// only those operations, dereferenced and with its parameters pushed down; also the
// operationIds kept, in document order, and the tags the kept operations use.
func (d *dereferencer) extractPaths(paths *yaml.Node, sel Selection) (keptPaths *yaml.Node, kept []string, usedTags map[string]bool, err error) {
	keptPaths = &yaml.Node{Kind: yaml.MappingNode}
	usedTags = map[string]bool{}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		path := paths.Content[i].Value
		ptr := "/paths/" + escape(path)
		item, err := d.pathItem(paths.Content[i+1], ptr)
		if err != nil {
			return nil, nil, nil, err
		}
		// The other operations go before dereferencing: what they refer to is not ours.
		// So do the path item's extensions.
		selected, ops, err := selectOperations(item, ptr, sel, usedTags)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(ops) == 0 {
			continue
		}
		selected, err = d.object(selected, ptr)
		if err != nil {
			return nil, nil, nil, err
		}
		pushDownParameters(selected)
		kept = append(kept, ops...)
		keptPaths.Content = append(keptPaths.Content, scalar(path), selected)
	}
	return keptPaths, kept, usedTags, nil
}

// pathItem returns the path item item (at ptr), or what its $ref points to; a path item
// with OpenAPI 3.2 additional operations is an error.
func (d *dereferencer) pathItem(item *yaml.Node, ptr string) (*yaml.Node, error) {
	item = unalias(item)
	if ref := get(item, "$ref"); ref != nil {
		target, err := resolvePointer(d.root, ref.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ptr, err)
		}
		item = unalias(target)
	}
	if get(item, "additionalOperations") != nil {
		return nil, fmt.Errorf("%s: OpenAPI 3.2 additional operations are not supported", ptr)
	}
	return item, nil
}

// selectOperations returns the path item (at ptr) without its extensions and the
// operations sel does not keep, and the operationIds of those it keeps; it adds the tags
// of those to usedTags. A kept operation with no operationId is an error.
func selectOperations(item *yaml.Node, ptr string, sel Selection, usedTags map[string]bool) (*yaml.Node, []string, error) {
	var ops []string
	selected := &yaml.Node{Kind: yaml.MappingNode}
	for j := 0; j+1 < len(item.Content); j += 2 {
		k, v := item.Content[j].Value, item.Content[j+1]
		switch {
		case strings.HasPrefix(k, "x-"):
			continue
		case slices.Contains(methods, k):
			if !sel.keeps(v) {
				continue
			}
			id := get(v, "operationId")
			if id == nil {
				return nil, nil, fmt.Errorf("%s/%s: a kept operation has no operationId", ptr, k)
			}
			ops = append(ops, id.Value)
			if tags := get(v, "tags"); tags != nil {
				for _, t := range tags.Content {
					usedTags[t.Value] = true
				}
			}
		}
		selected.Content = append(selected.Content, item.Content[j], v)
	}
	return selected, ops, nil
}

// checkSelected says whether sel selected anything, and every operation it names.
func checkSelected(kept []string, sel Selection) error {
	if len(kept) == 0 {
		return fmt.Errorf("no operation is %s", sel)
	}
	for _, id := range sel.Operations {
		if !slices.Contains(kept, id) {
			return &MissingOperationError{ID: id}
		}
	}
	return nil
}

// MissingOperationError is Extract's error for an operationId the selection names that
// no operation of the upstream document has. Upstream may have renamed it:
// FindSuccessor says where it was and what is there now.
type MissingOperationError struct {
	ID        string
	Was       string // where the previous extraction had it, such as "POST /users/{userId}/approve"; "" if unknown
	Successor string // the operationId of the operation upstream now has at Was; "" if none
}

func (e *MissingOperationError) Error() string {
	msg := fmt.Sprintf("no operation has the operationId %q", e.ID)
	switch {
	case e.Successor != "":
		return msg + fmt.Sprintf(": upstream's operation at %s, where it was, is now %q, its likely successor.\n"+
			"Rename it in the Makefile's SPEC_SELECT (the generated Go names follow the operationId:\n"+
			"the wrapper's calls of them need the new names), then run make spec again", e.Was, e.Successor)
	case e.Was != "":
		return msg + fmt.Sprintf(", and nothing is at %s, where it was: upstream dropped or moved it.\n"+
			"Remove it from the Makefile's SPEC_SELECT, or select the operation that replaces it", e.Was)
	}
	return msg
}

// FindSuccessor fills e.Was from the previous extraction (api/upstream.yaml; nothing
// when nil or when it does not hold e.ID) and e.Successor from the upstream document:
// the operationId of the operation at the same method and path.
func (e *MissingOperationError) FindSuccessor(previousExtraction []byte, upstream *yaml.Node) {
	if previousExtraction == nil {
		return
	}
	previous, err := parseDocument(previousExtraction)
	if err != nil {
		return
	}
	_, prevPaths, _, err := upstreamRoot(previous)
	if err != nil {
		return
	}
	for i := 0; i+1 < len(prevPaths.Content); i += 2 {
		for _, m := range methods {
			if id := get(get(prevPaths.Content[i+1], m), "operationId"); id != nil && id.Value == e.ID {
				e.Was = strings.ToUpper(m) + " " + prevPaths.Content[i].Value
				e.Successor = operationIDAt(upstream, prevPaths.Content[i].Value, m)
				return
			}
		}
	}
}

// operationIDAt returns the operationId of the upstream document's operation at path
// and method, or "".
func operationIDAt(upstream *yaml.Node, path, method string) string {
	_, paths, _, err := upstreamRoot(upstream)
	if err != nil {
		return ""
	}
	if id := get(get(unalias(get(paths, path)), method), "operationId"); id != nil {
		return id.Value
	}
	return ""
}

// keptTags returns copies of the upstream document's tags that usedTags holds, or nil
// if there are none.
func keptTags(doc *yaml.Node, usedTags map[string]bool) *yaml.Node {
	tags := get(doc, "tags")
	if tags == nil {
		return nil
	}
	kept := &yaml.Node{Kind: yaml.SequenceNode}
	for _, t := range tags.Content {
		if name := get(t, "name"); name != nil && usedTags[name.Value] {
			kept.Content = append(kept.Content, deepCopy(t))
		}
	}
	if len(kept.Content) == 0 {
		return nil
	}
	return kept
}

// securityRequirements returns the security requirements of the result out: its own,
// then those of each operation in keptPaths.
func securityRequirements(out, keptPaths *yaml.Node) []*yaml.Node {
	var requirements []*yaml.Node
	if s := get(out, "security"); s != nil {
		requirements = append(requirements, s.Content...)
	}
	for i := 1; i < len(keptPaths.Content); i += 2 {
		for _, m := range methods {
			if s := get(get(keptPaths.Content[i], m), "security"); s != nil {
				requirements = append(requirements, s.Content...)
			}
		}
	}
	return requirements
}

// securitySchemes returns the upstream's security schemes the requirements name (in the
// order they are first named), dereferenced. Security schemes are named by the
// requirements, never referenced; naming one upstream does not declare is an error.
func (d *dereferencer) securitySchemes(requirements []*yaml.Node) (*yaml.Node, error) {
	schemes := &yaml.Node{Kind: yaml.MappingNode}
	upstreamSchemes := get(get(d.root, "components"), "securitySchemes")
	for _, req := range requirements {
		for _, name := range keys(req) {
			if get(schemes, name) != nil {
				continue
			}
			scheme := get(upstreamSchemes, name)
			if scheme == nil {
				return nil, fmt.Errorf("the security scheme %q is required but not declared", name)
			}
			scheme, err := d.object(scheme, "/components/securitySchemes/"+escape(name))
			if err != nil {
				return nil, err
			}
			set(schemes, name, scheme)
		}
	}
	return schemes, nil
}

// keys returns the keys of the mapping m.
func keys(m *yaml.Node) []string {
	var ks []string
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		ks = append(ks, m.Content[i].Value)
	}
	return ks
}

// pushDownParameters moves the path item's parameters that are not in the path to each
// of its operations, as Extract says.
func pushDownParameters(item *yaml.Node) {
	params := get(item, "parameters")
	if params == nil {
		return
	}
	var stay, move []*yaml.Node
	for _, p := range params.Content {
		if in := get(p, "in"); in != nil && in.Value == "path" {
			stay = append(stay, p)
		} else {
			move = append(move, p)
		}
	}
	if len(move) == 0 {
		return
	}
	for _, m := range methods {
		op := get(item, m)
		if op == nil {
			continue
		}
		own := get(op, "parameters")
		if own == nil {
			own = &yaml.Node{Kind: yaml.SequenceNode}
			set(op, "parameters", own)
		}
		for _, p := range move {
			if !hasParameter(own, p) {
				own.Content = append(own.Content, deepCopy(p))
			}
		}
	}
	if len(stay) == 0 {
		del(item, "parameters")
		return
	}
	params.Content = stay
}

// hasParameter reports whether the list holds a parameter of p's name and place.
func hasParameter(list, p *yaml.Node) bool {
	for _, q := range list.Content {
		if get(q, "name").Value == get(p, "name").Value && get(q, "in").Value == get(p, "in").Value {
			return true
		}
	}
	return false
}
