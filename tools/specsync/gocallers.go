package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Rule ids of the changes GoChanges reports, besides oasdiff's.
const (
	ruleGoSignature    = "go-signature-changed"
	ruleGoRenamed      = "go-operation-renamed"
	ruleGoNameRemoved  = "go-type-removed"
	ruleServerPath     = "server-path-changed"
	ruleParameterReach = "go-parameter-reaches-users"
)

// GoChanges reports what a change of api/openapi.yaml does to Go callers of the
// generated code, which oasdiff (judging the wire) does not see: a generated method
// whose signature changes (the first optional query parameter of an operation adds a
// params argument to ListUserInvitesWithResponse and its kin, which users call through
// Client.API()), an operationId renamed (the methods are named after it), a component
// gone (its Go type is), and the server's path moved (every request goes elsewhere). All
// of these are breaking. For each optional parameter added, one line says how it
// reaches users: sdkDir, if not empty, holds the SDK's hand-written Go files, and a
// params type they name is one the wrapper takes.
func GoChanges(before, after []byte, sdkDir string) ([]Change, error) {
	b, err := openapi3.NewLoader().LoadFromData(before)
	if err != nil {
		return nil, fmt.Errorf("load the previous document: %w", err)
	}
	a, err := openapi3.NewLoader().LoadFromData(after)
	if err != nil {
		return nil, fmt.Errorf("load the new document: %w", err)
	}
	var changes []Change
	if pb, pa := serverPath(b), serverPath(a); pb != pa {
		changes = append(changes, Change{ID: ruleServerPath, Level: "error", Breaking: true,
			Text: fmt.Sprintf("the server's path moves from %q to %q: every request goes to the new path, and a BaseURL or proxy set up for the old one no longer fits", pb, pa)})
	}
	wrapped := wrapperParams(sdkDir)
	for _, path := range sortedKeys(b.Paths.Map()) {
		itemA := a.Paths.Value(path)
		for method, opB := range b.Paths.Value(path).Operations() {
			if itemA == nil || itemA.GetOperation(method) == nil {
				continue // oasdiff reports it
			}
			opA := itemA.GetOperation(method)
			changes = append(changes, operationChanges(method+" "+path, b.Paths.Value(path), opB, itemA, opA, wrapped)...)
		}
	}
	if b.Components != nil && a.Components != nil {
		for _, name := range sortedKeys(b.Components.Schemas) {
			if a.Components.Schemas[name] == nil {
				changes = append(changes, Change{ID: ruleGoNameRemoved, Level: "error", Operation: "", Breaking: true,
					Text: fmt.Sprintf("the schema %s is gone, and with it the Go type %s", name, name)})
			}
		}
		for _, name := range sortedKeys(b.Components.Parameters) {
			if a.Components.Parameters[name] == nil {
				changes = append(changes, Change{ID: ruleGoNameRemoved, Level: "error", Breaking: true,
					Text: fmt.Sprintf("the parameter %s is gone, and with it the Go type %s", name, name)})
			}
		}
	}
	return changes, nil
}

// operationChanges compares one operation's Go-visible shape before and after.
func operationChanges(where string, itemB *openapi3.PathItem, opB *openapi3.Operation, itemA *openapi3.PathItem, opA *openapi3.Operation, wrapped map[string]bool) []Change {
	goName := upperFirst(opB.OperationID)
	methods := fmt.Sprintf("%sWithResponse, %s and New%sRequest", goName, goName, goName)
	var changes []Change
	if opA.OperationID != opB.OperationID {
		changes = append(changes, Change{ID: ruleGoRenamed, Level: "error", Operation: where, Breaking: true,
			Text: fmt.Sprintf("operationId %s becomes %s: the generated %s are renamed after it", opB.OperationID, opA.OperationID, methods)})
		return changes
	}
	sigB, sigA := goSignature(itemB, opB), goSignature(itemA, opA)
	if sigB != sigA {
		text := fmt.Sprintf("the generated %s change signature, (%s) → (%s): Go code calling them through Client.API() must change", methods, sigB, sigA)
		changes = append(changes, Change{ID: ruleGoSignature, Level: "error", Operation: where, Breaking: true, Text: text})
	}
	before := map[string]bool{}
	for _, p := range allParams(itemB, opB) {
		before[p.In+" "+p.Name] = true
	}
	for _, p := range allParams(itemA, opA) {
		if p.In == openapi3.ParameterInPath || before[p.In+" "+p.Name] || p.Required {
			continue
		}
		var text string
		switch {
		case sigB != sigA:
			text = fmt.Sprintf("the new %s parameter %s reaches users through Client.API() only (%sWithResponse's new %sParams), since the Client's wrapper leaves it unset", p.In, p.Name, goName, goName)
		case wrapped[goName+"Params"]:
			text = fmt.Sprintf("the new %s parameter %s reaches users with no edit: a field of tsinvites.%sParams, which the Client's wrapper takes", p.In, p.Name, goName)
		default:
			text = fmt.Sprintf("the new %s parameter %s reaches users through Client.API(): a field of tsinvites.%sParams, which the Client's wrapper does not take", p.In, p.Name, goName)
		}
		changes = append(changes, Change{ID: ruleParameterReach, Level: "info", Operation: where, Text: text})
	}
	return changes
}

// goSignature is what the generated methods of an operation take after the context:
// the path parameters in the path's order with their Go types, a params struct when
// the operation has any other parameter, and the JSON body.
func goSignature(item *openapi3.PathItem, op *openapi3.Operation) string {
	params := allParams(item, op)
	var parts []string
	hasParams := false
	for _, p := range params {
		if p.In != openapi3.ParameterInPath {
			hasParams = true
		}
	}
	for _, p := range params {
		if p.In == openapi3.ParameterInPath {
			parts = append(parts, p.Name+" "+p.Type)
		}
	}
	if hasParams {
		parts = append(parts, "params *"+upperFirst(op.OperationID)+"Params")
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, mt := range sortedKeys(op.RequestBody.Value.Content) {
			parts = append(parts, "body "+mt+" "+schemaType(op.RequestBody.Value.Content[mt].Schema))
		}
	}
	return strings.Join(parts, ", ")
}

// goParam is a parameter as the generated code sees it.
type goParam struct {
	Name, In, Type string
	Required       bool
}

// allParams returns the operation's parameters (the path item's, overridden by the
// operation's of the same name and place), path parameters in the order of the path.
func allParams(item *openapi3.PathItem, op *openapi3.Operation) []goParam {
	var out []goParam
	add := func(refs openapi3.Parameters) {
		for _, r := range refs {
			if r == nil || r.Value == nil {
				continue
			}
			typ := schemaType(r.Value.Schema)
			if r.Ref != "" {
				typ = r.Ref[strings.LastIndex(r.Ref, "/")+1:]
			}
			gp := goParam{Name: r.Value.Name, In: r.Value.In, Type: typ, Required: r.Value.Required}
			out = slices.DeleteFunc(out, func(q goParam) bool { return q.Name == gp.Name && q.In == gp.In })
			out = append(out, gp)
		}
	}
	add(item.Parameters)
	add(op.Parameters)
	return out
}

// schemaType names a schema as the generated code would: its component, or its type
// and format.
func schemaType(s *openapi3.SchemaRef) string {
	switch {
	case s == nil || s.Value == nil:
		return "any"
	case s.Ref != "":
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	case s.Value.Items != nil:
		return "[]" + schemaType(s.Value.Items)
	}
	return strings.Join(s.Value.Type.Slice(), "|") + ":" + s.Value.Format
}

// serverPath is the path of the document's first server URL, without a trailing slash.
func serverPath(doc *openapi3.T) string {
	if len(doc.Servers) == 0 {
		return ""
	}
	u, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		return doc.Servers[0].URL
	}
	return strings.TrimSuffix(u.Path, "/")
}

var paramsTypeName = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*Params\b`)

// wrapperParams returns the generated params types (ListUsersParams) that the SDK's
// hand-written Go files in dir name; none for an empty dir.
func wrapperParams(dir string) map[string]bool {
	found := map[string]bool{}
	if dir == "" {
		return found
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, ".gen.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, name := range paramsTypeName.FindAllString(string(b), -1) {
			found[name] = true
		}
	}
	return found
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
