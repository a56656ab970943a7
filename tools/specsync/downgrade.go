package main

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Downgrade rewrites an OpenAPI 3.1 document (as a YAML tree) into its OpenAPI 3.0.3
// form, in place, and returns one note per change, for the report. A 3.0 document is
// left alone. Constructs that have no 3.0.3 form are errors, never silently dropped.
//
// No library we use does this: speakeasy-api/openapi only upgrades (3.0 → 3.1/3.2),
// kin-openapi reads 3.0, and oapi-codegen v2.8 generates from 3.0 only. The rewrite
// covers what a JSON Schema 2020-12 schema may say that 3.0's schema dialect cannot:
//
//	type: [T, "null"]                → type: T, nullable: true
//	anyOf/oneOf: [..., {type: null}] → the rest, nullable: true
//	const: v                         → enum: [v]
//	examples: [a, ...] (in a schema) → example: a
//	exclusiveMinimum: n (a number)   → minimum: n, exclusiveMinimum: true (same for max)
//	$ref with sibling keywords       → allOf: [{$ref}] with the siblings
//	$comment                         → removed
//
// and, outside schemas: the version line, info.summary, license.identifier,
// jsonSchemaDialect, webhooks, and summary/description next to a non-schema $ref
// (which 3.0 ignores) are removed.
func Downgrade(root *yaml.Node) ([]string, error) {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	version := get(doc, "openapi")
	if version == nil {
		return nil, fmt.Errorf("no openapi version")
	}
	switch {
	case strings.HasPrefix(version.Value, "3.0."):
		return nil, nil
	case !strings.HasPrefix(version.Value, "3.1."):
		return nil, fmt.Errorf("openapi %s: only 3.0 and 3.1 are supported", version.Value)
	}
	d := &downgrader{}
	d.notef("/openapi", "version %s → 3.0.3", version.Value)
	version.Value, version.Tag, version.Style = "3.0.3", "!!str", 0

	for _, k := range []string{"jsonSchemaDialect", "webhooks"} {
		if del(doc, k) {
			d.notef("/"+k, "removed (not in OpenAPI 3.0)")
		}
	}
	if info := get(doc, "info"); info != nil {
		if del(info, "summary") {
			d.notef("/info/summary", "removed (not in OpenAPI 3.0)")
		}
		if lic := get(info, "license"); lic != nil && del(lic, "identifier") {
			d.notef("/info/license/identifier", "removed (not in OpenAPI 3.0)")
		}
	}
	if comps := get(doc, "components"); comps != nil {
		if get(comps, "pathItems") != nil {
			return nil, fmt.Errorf("/components/pathItems: no OpenAPI 3.0 form")
		}
		if schemas := get(comps, "schemas"); schemas != nil {
			for i := 0; i+1 < len(schemas.Content); i += 2 {
				d.schema(schemas.Content[i+1], "/components/schemas/"+escape(schemas.Content[i].Value))
			}
		}
	}
	d.walk(doc, "")
	if len(d.errs) > 0 {
		return d.notes, fmt.Errorf("no OpenAPI 3.0.3 form for:\n  %s", strings.Join(d.errs, "\n  "))
	}
	return d.notes, nil
}

type downgrader struct {
	notes, errs []string
}

func (d *downgrader) notef(ptr, format string, args ...any) {
	d.notes = append(d.notes, ptr+": "+fmt.Sprintf(format, args...))
}

func (d *downgrader) errorf(ptr, format string, args ...any) {
	d.errs = append(d.errs, ptr+": "+fmt.Sprintf(format, args...))
}

// walk finds the schemas outside components/schemas (the value of every "schema" key)
// and the non-schema references, everywhere but inside schemas.
func (d *downgrader) walk(n *yaml.Node, ptr string) {
	switch n.Kind {
	case yaml.MappingNode:
		if get(n, "$ref") != nil && !strings.HasPrefix(ptr, "/components/schemas/") {
			for _, k := range []string{"summary", "description"} {
				if del(n, k) {
					d.notef(ptr, "removed the %s next to $ref (OpenAPI 3.0 ignores it)", k)
				}
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			p := ptr + "/" + escape(key)
			switch {
			case ptr == "/components" && key == "schemas":
				// done by Downgrade
			case key == "schema" && val.Kind == yaml.MappingNode:
				d.schema(val, p)
			default:
				d.walk(val, p)
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.walk(c, fmt.Sprintf("%s/%d", ptr, i))
		}
	}
}

// unsupported lists JSON Schema 2020-12 keywords with no OpenAPI 3.0 form.
var unsupported = []string{
	"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$schema", "$vocabulary",
	"prefixItems", "contains", "minContains", "maxContains", "if", "then", "else",
	"dependentSchemas", "dependentRequired", "unevaluatedItems", "unevaluatedProperties",
	"patternProperties", "propertyNames", "contentEncoding", "contentMediaType", "contentSchema",
}

// schema downgrades one schema and the schemas inside it.
func (d *downgrader) schema(s *yaml.Node, ptr string) {
	if s.Kind != yaml.MappingNode {
		// additionalProperties: true/false is 3.0 too; a boolean schema elsewhere is not.
		if s.Kind == yaml.ScalarNode && s.Tag == "!!bool" && !strings.HasSuffix(ptr, "/additionalProperties") {
			d.errorf(ptr, "boolean schema")
		}
		return
	}
	if del(s, "$comment") {
		d.notef(ptr, "removed $comment")
	}
	for _, k := range unsupported {
		if get(s, k) != nil {
			d.errorf(ptr, "keyword %s", k)
		}
	}
	d.refSiblings(s, ptr)
	d.typeList(s, ptr)
	d.nullAlternatives(s, ptr)
	if c := get(s, "const"); c != nil {
		del(s, "const")
		set(s, "enum", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{c}})
		d.notef(ptr, "const → enum with one value")
	}
	if ex := get(s, "examples"); ex != nil && ex.Kind == yaml.SequenceNode {
		del(s, "examples")
		if len(ex.Content) > 0 && get(s, "example") == nil {
			set(s, "example", ex.Content[0])
		}
		d.notef(ptr, "examples → example (the first)")
	}
	d.exclusiveBounds(s, ptr)
	d.subschemas(s, ptr)
}

// refSiblings rewrites the schema s (at ptr), if it has a $ref with sibling keywords,
// into allOf: [{$ref}] with those siblings: 3.0 ignores a $ref's siblings; allOf keeps
// them meaning something.
func (d *downgrader) refSiblings(s *yaml.Node, ptr string) {
	ref := get(s, "$ref")
	if ref == nil || len(s.Content) <= 2 {
		return
	}
	var rest []*yaml.Node
	for i := 0; i+1 < len(s.Content); i += 2 {
		if s.Content[i].Value != "$ref" {
			rest = append(rest, s.Content[i], s.Content[i+1])
		}
	}
	s.Content = append([]*yaml.Node{scalar("allOf"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{mapping("$ref", ref)}}}, rest...)
	d.notef(ptr, "$ref with siblings → allOf: [$ref]")
}

// typeList rewrites a list of types in the schema s (at ptr) into one type, nullable if
// the list has "null"; a list of more than one other type, or type: null, is an error.
func (d *downgrader) typeList(s *yaml.Node, ptr string) {
	t := get(s, "type")
	if t == nil {
		return
	}
	if t.Kind != yaml.SequenceNode {
		if t.Value == "null" {
			d.errorf(ptr, "type: null")
		}
		return
	}
	var types, all []string
	for _, c := range t.Content {
		all = append(all, c.Value)
		if c.Value != "null" {
			types = append(types, c.Value)
		}
	}
	was := "[" + strings.Join(all, ", ") + "]"
	switch {
	case len(types) != 1:
		d.errorf(ptr, "type %s", was)
	case len(all) == 1:
		*t = *scalar(types[0])
		d.notef(ptr, "type %s → type: %s", was, types[0])
	default:
		*t = *scalar(types[0])
		set(s, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		d.notef(ptr, "type %s → type: %s, nullable: true", was, types[0])
	}
}

// nullAlternatives removes a {type: null} member of the schema's (at ptr) anyOf or oneOf
// and makes the schema nullable instead; one alternative left becomes allOf.
func (d *downgrader) nullAlternatives(s *yaml.Node, ptr string) {
	for _, k := range []string{"anyOf", "oneOf"} {
		alts := get(s, k)
		if alts == nil || alts.Kind != yaml.SequenceNode {
			continue
		}
		i := slices.IndexFunc(alts.Content, func(c *yaml.Node) bool {
			t := get(c, "type")
			return len(c.Content) == 2 && t != nil && t.Value == "null"
		})
		if i < 0 {
			continue
		}
		alts.Content = slices.Delete(alts.Content, i, i+1)
		set(s, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		d.notef(ptr, "%s member {type: null} → nullable: true", k)
		if len(alts.Content) == 1 && get(s, "allOf") == nil {
			// One alternative left: allOf says the same and generates a plain type.
			set(s, "allOf", alts)
			del(s, k)
		}
	}
}

// exclusiveBounds rewrites a numeric exclusiveMinimum or exclusiveMaximum of the schema
// s (at ptr) into minimum/maximum with a boolean exclusive flag; it is an error if the
// schema has the plain bound too.
func (d *downgrader) exclusiveBounds(s *yaml.Node, ptr string) {
	for _, b := range [][2]string{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
		if v := get(s, b[0]); v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!bool" {
			if get(s, b[1]) != nil {
				d.errorf(ptr, "both %s and %s", b[0], b[1])
				continue
			}
			set(s, b[1], scalarTagged(v.Value, v.Tag))
			*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
			d.notef(ptr, "%s: n → %s: n, %s: true", b[0], b[1], b[0])
		}
	}
}

// subschemas downgrades the schemas inside the schema s (at ptr).
func (d *downgrader) subschemas(s *yaml.Node, ptr string) {
	for i := 0; i+1 < len(s.Content); i += 2 {
		key, val := s.Content[i].Value, s.Content[i+1]
		p := ptr + "/" + escape(key)
		switch key {
		case "properties":
			for j := 0; j+1 < len(val.Content); j += 2 {
				d.schema(val.Content[j+1], p+"/"+escape(val.Content[j].Value))
			}
		case "items", "not", "additionalProperties":
			d.schema(val, p)
		case "allOf", "anyOf", "oneOf":
			for j, c := range val.Content {
				d.schema(c, fmt.Sprintf("%s/%d", p, j))
			}
		}
	}
}

// get returns the value of key in the mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set sets key in the mapping m: in place if present, at the end otherwise.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// del removes key from the mapping m and says whether it was there.
func del(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return true
		}
	}
	return false
}

func scalar(v string) *yaml.Node { return scalarTagged(v, "!!str") }

func scalarTagged(v, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

func mapping(key string, v *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar(key), v}}
}

// escape escapes a JSON pointer token.
func escape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
