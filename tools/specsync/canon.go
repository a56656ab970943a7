package main

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// canonicalize puts the keys of every mapping of the document doc in one order that
// depends on the keys only, never on the order upstream wrote them in (Tailscale's
// JSON, say, may come with sorted keys): the fields of each OpenAPI object and schema
// in the order of objectOrder and schemaOrder, then the others alphabetically, then
// extensions; the names of a map (paths, properties, components) alphabetically,
// responses by status code. Lists keep their order.
func canonicalize(doc *yaml.Node) { canon(doc, kindObject) }

// objectOrder orders the fields of OpenAPI objects (one list for all: each object has
// a few of them).
var objectOrder = []string{
	"openapi", "info", "jsonSchemaDialect", "operationId", "name", "in", "url", "title",
	"summary", "description", "termsOfService", "contact", "license", "identifier", "email",
	"version", "variables", "servers", "security", "tags", "externalDocs",
	"type", "scheme", "bearerFormat", "flows", "openIdConnectUrl",
	"required", "deprecated", "allowEmptyValue", "style", "explode", "allowReserved",
	"parameters", "get", "put", "post", "delete", "options", "head", "patch", "trace",
	"requestBody", "content", "schema", "encoding", "headers", "links", "responses", "callbacks",
	"example", "examples", "value", "externalValue",
	"paths", "webhooks", "components", "securitySchemes", "schemas", "requestBodies", "pathItems",
}

// schemaOrder orders the keywords of a schema.
var schemaOrder = []string{
	"$ref", "type", "format", "title", "description", "nullable", "enum", "const", "default",
	"multipleOf", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum",
	"minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "uniqueItems",
	"required", "properties", "additionalProperties", "minProperties", "maxProperties",
	"allOf", "oneOf", "anyOf", "not", "discriminator", "readOnly", "writeOnly", "deprecated",
	"xml", "externalDocs", "example", "examples",
}

func canon(n *yaml.Node, kind valueKind) {
	n = unalias(n)
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			canon(c, kind)
		}
		return
	case yaml.SequenceNode:
		for _, c := range n.Content {
			switch kind {
			case kindSchemaList:
				canon(c, kindSchema)
			default:
				canon(c, kind)
			}
		}
		return
	case yaml.MappingNode:
	default:
		return
	}
	var rank func(k string) int
	switch kind {
	case kindObject:
		rank = rankIn(objectOrder)
	case kindSchema:
		rank = rankIn(schemaOrder)
	default:
		rank = func(string) int { return 0 }
	}
	sortMapping(n, func(a, b string) int {
		if xa, xb := strings.HasPrefix(a, "x-"), strings.HasPrefix(b, "x-"); xa != xb {
			return cmp.Compare(boolInt(xa), boolInt(xb))
		}
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if kind == kindObjectMap || kind == kindSchemaMap {
			return strings.Compare(codeKey(a), codeKey(b))
		}
		return strings.Compare(a, b)
	})
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch kind {
		case kindObject:
			canon(v, objectChildKind(k, v))
		case kindSchema:
			canon(v, schemaChildKind(k, v))
		case kindObjectMap:
			canon(v, kindObject)
		case kindSchemaMap:
			canon(v, kindSchema)
		default:
			canon(v, kindData)
		}
	}
}

// rankIn returns the rank of a key in order; keys not in it come after, all alike.
func rankIn(order []string) func(string) int {
	return func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortMapping sorts the pairs of the mapping m by key, stably.
func sortMapping(m *yaml.Node, compare func(a, b string) int) {
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return compare(a.k.Value, b.k.Value) })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// codeKey orders status codes first (200 < 2XX < 400 < ...), then other names
// (default, or the names of a map that are not codes) alphabetically.
func codeKey(code string) string {
	if _, err := strconv.Atoi(strings.ReplaceAll(strings.ToUpper(code), "X", "9")); err == nil && len(code) == 3 {
		return "0" + strings.ToUpper(code)
	}
	return "1" + code
}
