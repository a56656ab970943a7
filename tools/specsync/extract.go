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
	doc := upstream
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("the upstream document is not a mapping")
	}
	version := get(doc, "openapi")
	if version == nil {
		return nil, nil, fmt.Errorf("the upstream document has no openapi version")
	}
	paths := get(doc, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("the upstream document has no paths")
	}
	d := &dereferencer{root: doc, v31: strings.HasPrefix(version.Value, "3.1.")}

	out := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range []string{"openapi", "info", "jsonSchemaDialect", "servers", "security", "externalDocs"} {
		if v := get(doc, k); v != nil {
			set(out, k, deepCopy(v))
		}
	}
	keptPaths := &yaml.Node{Kind: yaml.MappingNode}
	var kept []string
	usedTags := map[string]bool{}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		path, item := paths.Content[i].Value, unalias(paths.Content[i+1])
		ptr := "/paths/" + escape(path)
		if ref := get(item, "$ref"); ref != nil {
			target, err := resolvePointer(doc, ref.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", ptr, err)
			}
			item = unalias(target)
		}
		if get(item, "additionalOperations") != nil {
			return nil, nil, fmt.Errorf("%s: OpenAPI 3.2 additional operations are not supported", ptr)
		}
		// The other operations go before dereferencing: what they refer to is not ours.
		// So do the path item's extensions.
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
		if len(ops) == 0 {
			continue
		}
		selected, err := d.object(selected, ptr)
		if err != nil {
			return nil, nil, err
		}
		pushDownParameters(selected)
		kept = append(kept, ops...)
		keptPaths.Content = append(keptPaths.Content, scalar(path), selected)
	}
	if len(kept) == 0 {
		return nil, nil, fmt.Errorf("no operation is %s", sel)
	}
	for _, id := range sel.Operations {
		if !slices.Contains(kept, id) {
			return nil, nil, fmt.Errorf("no operation has the operationId %q", id)
		}
	}
	if tags := get(doc, "tags"); tags != nil {
		keptTags := &yaml.Node{Kind: yaml.SequenceNode}
		for _, t := range tags.Content {
			if name := get(t, "name"); name != nil && usedTags[name.Value] {
				keptTags.Content = append(keptTags.Content, deepCopy(t))
			}
		}
		if len(keptTags.Content) > 0 {
			set(out, "tags", keptTags)
		}
	}
	set(out, "paths", keptPaths)

	// Security schemes are named by the requirements, never referenced.
	schemes := &yaml.Node{Kind: yaml.MappingNode}
	upstreamSchemes := get(get(doc, "components"), "securitySchemes")
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
	for _, req := range requirements {
		for _, name := range keys(req) {
			if get(schemes, name) != nil {
				continue
			}
			scheme := get(upstreamSchemes, name)
			if scheme == nil {
				return nil, nil, fmt.Errorf("the security scheme %q is required but not declared", name)
			}
			scheme, err := d.object(scheme, "/components/securitySchemes/"+escape(name))
			if err != nil {
				return nil, nil, err
			}
			set(schemes, name, scheme)
		}
	}
	if len(schemes.Content) > 0 {
		set(out, "components", mapping("securitySchemes", schemes))
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{out}}, kept, nil
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
