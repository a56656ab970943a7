package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// dereferencer replaces each internal $ref by a copy of what it points to, recursively,
// so that the result names no component. It refuses external references and cycles.
//
// It knows where OpenAPI puts schemas, objects, maps of named objects and plain data
// (examples, defaults, enums, extensions), so that a "$ref" key inside data, or a
// property named "example", is taken for what it is. What a reference says next to
// $ref follows the upstream's version: in 3.1 a Reference Object's summary and
// description replace the target's, and a schema's other keywords apply with it
// (annotations are merged into the copy, assertions make allOf: [copy] with them); in
// 3.0 they are ignored, as that version says.
//
// No library we use does this as needed: speakeasy-api/openapi's Inline moves cyclic
// schemas to $defs, which OpenAPI 3.0 lacks, and keeps 3.0's ignored siblings.
type dereferencer struct {
	root  *yaml.Node // the upstream document, never modified
	v31   bool       // the upstream is OpenAPI 3.1
	stack []string   // the references being replaced, to find cycles
}

// annotations are the schema keywords that describe rather than constrain: next to a
// $ref, they are merged into the copy of its target.
var annotations = []string{"title", "description", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment"}

// object returns a copy of the OpenAPI object n (not a schema) with every reference
// replaced; ptr locates n, for errors.
func (d *dereferencer) object(n *yaml.Node, ptr string) (*yaml.Node, error) {
	n = unalias(n)
	if ref := get(n, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode {
		target, err := d.follow(ref.Value, ptr, d.object)
		if err != nil {
			return nil, err
		}
		if d.v31 && target.Kind == yaml.MappingNode {
			if v := get(n, "description"); v != nil {
				set(target, "description", deepCopy(v))
			}
			// summary is a field of Example and Path Item objects only.
			if v := get(n, "summary"); v != nil && (get(target, "summary") != nil || get(target, "value") != nil || get(target, "externalValue") != nil) {
				set(target, "summary", deepCopy(v))
			}
		}
		return target, nil
	}
	out := shallowCopy(n)
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			v, err := d.object(c, ptr+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, v)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := ptr + "/" + escape(k.Value)
			var err error
			switch objectChildKind(k.Value, v) {
			case kindSchema:
				v, err = d.schema(v, p)
			case kindObjectMap:
				v, err = d.eachValue(v, p, d.object, extensible(k.Value))
			case kindSchemaMap:
				v, err = d.eachValue(v, p, d.schema, false)
			case kindObject:
				v, err = d.object(v, p)
			default:
				v = deepCopy(v)
			}
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, deepCopy(k), v)
		}
	default:
		return deepCopy(n), nil
	}
	return out, nil
}

// schema returns a copy of the schema n with every reference replaced.
func (d *dereferencer) schema(n *yaml.Node, ptr string) (*yaml.Node, error) {
	n = unalias(n)
	if n.Kind != yaml.MappingNode {
		return deepCopy(n), nil // true, false
	}
	if ref := get(n, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode {
		return d.schemaRef(n, ref.Value, ptr)
	}
	out := shallowCopy(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := ptr + "/" + escape(k.Value)
		var err error
		switch schemaChildKind(k.Value, v) {
		case kindSchema:
			v, err = d.schema(v, p)
		case kindSchemaMap:
			v, err = d.eachValue(v, p, d.schema, false)
		case kindSchemaList:
			v, err = d.eachItem(v, p, d.schema)
		case kindObject:
			if k.Value == "discriminator" && get(v, "mapping") != nil {
				return nil, fmt.Errorf("%s/mapping: a discriminator mapping names components: not supported", p)
			}
			v, err = d.object(v, p)
		default:
			v = deepCopy(v)
		}
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, deepCopy(k), v)
	}
	return out, nil
}

// schemaRef returns a copy of the schema n (at ptr), which has the $ref ref, with the
// reference replaced by its target. The keywords next to $ref are ignored in 3.0; in 3.1
// annotations alone are merged into the target, and with an assertion among them they
// become a schema with allOf: [target].
func (d *dereferencer) schemaRef(n *yaml.Node, ref, ptr string) (*yaml.Node, error) {
	target, err := d.follow(ref, ptr, d.schema)
	if err != nil {
		return nil, err
	}
	if !d.v31 || len(n.Content) == 2 {
		return target, nil
	}
	siblings := &yaml.Node{Kind: yaml.MappingNode}
	assertions := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "$ref" {
			siblings.Content = append(siblings.Content, n.Content[i], n.Content[i+1])
			assertions = assertions || !slices.Contains(annotations, k) && !strings.HasPrefix(k, "x-")
		}
	}
	siblings, err = d.schema(siblings, ptr)
	if err != nil {
		return nil, err
	}
	if !assertions && target.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(siblings.Content); i += 2 {
			set(target, siblings.Content[i].Value, siblings.Content[i+1])
		}
		return target, nil
	}
	if all := get(siblings, "allOf"); all != nil && all.Kind == yaml.SequenceNode {
		all.Content = append([]*yaml.Node{target}, all.Content...)
		return siblings, nil
	}
	siblings.Content = append([]*yaml.Node{scalar("allOf"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{target}}}, siblings.Content...)
	return siblings, nil
}

type derefFunc func(n *yaml.Node, ptr string) (*yaml.Node, error)

// eachValue applies f to each value of the mapping m, a map of named objects. If m is
// extensible, its x- keys are extensions (data), not names.
func (d *dereferencer) eachValue(m *yaml.Node, ptr string, f derefFunc, extensible bool) (*yaml.Node, error) {
	m = unalias(m)
	out := shallowCopy(m)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if extensible && strings.HasPrefix(k.Value, "x-") {
			out.Content = append(out.Content, deepCopy(k), deepCopy(v))
			continue
		}
		v, err := f(v, ptr+"/"+escape(k.Value))
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, deepCopy(k), v)
	}
	return out, nil
}

// extensible says whether the map of named objects under key k (paths, responses) may
// hold x- extensions too; in the others (properties, headers, ...) a name may start
// with x-.
func extensible(k string) bool { return k == "paths" || k == "responses" }

// eachItem applies f to each item of the sequence s.
func (d *dereferencer) eachItem(s *yaml.Node, ptr string, f derefFunc) (*yaml.Node, error) {
	s = unalias(s)
	out := shallowCopy(s)
	for i, c := range s.Content {
		v, err := f(c, ptr+"/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, v)
	}
	return out, nil
}

// follow resolves the reference ref (found at ptr) and dereferences its target with f.
func (d *dereferencer) follow(ref, ptr string, f derefFunc) (*yaml.Node, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("%s: $ref %q: only references inside the document are supported", ptr, ref)
	}
	if i := slices.Index(d.stack, ref); i >= 0 {
		return nil, fmt.Errorf("%s: $ref cycle %s → %s: a cycle has no inline form, and api/upstream.yaml has no components", ptr, strings.Join(d.stack[i:], " → "), ref)
	}
	target, err := resolvePointer(d.root, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ptr, err)
	}
	d.stack = append(d.stack, ref)
	defer func() { d.stack = d.stack[:len(d.stack)-1] }()
	return f(target, strings.TrimPrefix(ref, "#"))
}

// resolvePointer returns the node the fragment ref ("#/components/schemas/X") points to
// in doc.
func resolvePointer(doc *yaml.Node, ref string) (*yaml.Node, error) {
	frag, err := url.PathUnescape(strings.TrimPrefix(ref, "#"))
	if err != nil {
		return nil, fmt.Errorf("$ref %q: %w", ref, err)
	}
	n := doc
	if frag == "" {
		return n, nil
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, fmt.Errorf("$ref %q: not a JSON pointer", ref)
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		n = unalias(n)
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			next = get(n, tok)
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return nil, fmt.Errorf("$ref %q: nothing at %q", ref, tok)
		}
		n = next
	}
	return n, nil
}

// The kinds of values in an OpenAPI document, as far as references and key order go.
type valueKind int

const (
	kindData       valueKind = iota // examples, defaults, enums, extensions, scalars
	kindObject                      // an OpenAPI object, or a list of them
	kindObjectMap                   // a map of named OpenAPI objects (paths, responses, ...)
	kindSchema                      // a schema
	kindSchemaMap                   // a map of named schemas (properties, components.schemas)
	kindSchemaList                  // a list of schemas (allOf, ...)
)

// objectChildKind says what the value v of key k in an OpenAPI object is.
func objectChildKind(k string, v *yaml.Node) valueKind {
	switch {
	case strings.HasPrefix(k, "x-"), k == "example", k == "value", k == "default" && v.Kind != yaml.MappingNode, k == "enum":
		return kindData
	case k == "schema":
		return kindSchema
	case k == "schemas":
		return kindSchemaMap
	case v.Kind == yaml.MappingNode && slices.Contains(objectMaps, k):
		return kindObjectMap
	case v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode:
		return kindObject
	}
	return kindData
}

// objectMaps are the keys whose value, when a mapping, maps names to objects.
var objectMaps = []string{
	"paths", "webhooks", "responses", "content", "headers", "encoding", "links", "callbacks",
	"examples", "parameters", "requestBodies", "securitySchemes", "pathItems", "variables",
}

// schemaChildKind says what the value v of key k in a schema is.
func schemaChildKind(k string, v *yaml.Node) valueKind {
	switch k {
	case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
		return kindSchemaMap
	case "items", "not", "additionalProperties", "if", "then", "else", "contains", "propertyNames",
		"unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema":
		if v.Kind == yaml.SequenceNode {
			return kindSchemaList // items as a tuple (before 2020-12)
		}
		return kindSchema
	case "allOf", "anyOf", "oneOf", "prefixItems":
		return kindSchemaList
	case "discriminator", "xml", "externalDocs":
		return kindObject
	}
	return kindData
}

// unalias returns what an alias node stands for.
func unalias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// shallowCopy returns n without its children.
func shallowCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	c.Anchor = ""
	return &c
}

// deepCopy returns a copy of n, aliases expanded.
func deepCopy(n *yaml.Node) *yaml.Node {
	n = unalias(n)
	c := shallowCopy(n)
	for _, child := range n.Content {
		c.Content = append(c.Content, deepCopy(child))
	}
	return c
}
