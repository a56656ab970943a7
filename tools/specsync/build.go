package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// Header starts the document Build makes (api/openapi.yaml).
const Header = `# Written by "make spec" from Tailscale's OpenAPI document and api/overlay.yaml: do not
# edit by hand. Change api/overlay.yaml and run "make spec UPSTREAM=..." again (see the
# README's "Regenerating" section).
`

// ExtractionHeader starts the extraction Build makes (api/upstream.yaml).
const ExtractionHeader = `# Written by "make spec": Tailscale's user-invites operations as its OpenAPI document
# declares them, converted to OpenAPI 3.0.3, BEFORE api/overlay.yaml. Nothing is generated
# from this file: it is kept so that "git diff" and the report show what upstream changed,
# even where the overlay replaces it. Do not edit by hand.
`

// Result is what Build makes of an upstream document.
type Result struct {
	Doc        []byte   // the OpenAPI 3.0.3 document, as written to api/openapi.yaml
	Extraction []byte   // upstream's operations in 3.0.3, before the overlay (api/upstream.yaml)
	Operations []string // the operationIds kept
	Converted  []string // what the 3.1 → 3.0.3 conversion changed
	Warnings   []string // the overlay's warnings
}

// Build extracts the operations tagged tag from the upstream document, converts the
// extraction to OpenAPI 3.0.3, applies the overlay, and returns the result in its
// written form. It returns an error, and no document, if any step fails, if an overlay
// action matches nothing, or if the result is not a valid OpenAPI 3.0.3 document.
func Build(ctx context.Context, upstream, overlayDoc []byte, tag string) (*Result, error) {
	root, ops, err := Extract(ctx, upstream, tag)
	if err != nil {
		return nil, err
	}
	converted, err := Downgrade(root)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3.0.3: %w", err)
	}
	extraction, err := encode(root, ExtractionHeader)
	if err != nil {
		return nil, err
	}
	if err := Validate(ctx, extraction); err != nil {
		return nil, fmt.Errorf("the extraction, before the overlay: %w", err)
	}
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("read the overlay: %w", err)
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("the overlay is not valid: %w", err)
	}
	warnings, err := ov.ApplyToStrict(root)
	if err != nil {
		return nil, fmt.Errorf("apply the overlay (has upstream changed what it targets?): %w", err)
	}
	out, err := encode(root, Header)
	if err != nil {
		return nil, err
	}
	if err := Validate(ctx, out); err != nil {
		return nil, err
	}
	return &Result{Doc: out, Extraction: extraction, Operations: ops, Converted: converted, Warnings: warnings}, nil
}

// Encode writes the document in one canonical form: Header, block style, two-space
// indent, quotes only where YAML needs them, no comments, and each operation's
// responses in status-code order (an overlay appends the responses it adds).
func Encode(root *yaml.Node) ([]byte, error) { return encode(root, Header) }

func encode(root *yaml.Node, header string) ([]byte, error) {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		doc = doc.Content[0]
	}
	sortResponses(doc)
	normalize(doc)
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// normalize removes styles and comments, so that the form depends on the content only.
func normalize(n *yaml.Node) {
	n.Style = 0
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	if n.Kind == yaml.ScalarNode && n.Tag == "" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		normalize(c)
	}
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func sortResponses(doc *yaml.Node) {
	paths := get(doc, "paths")
	if paths == nil {
		return
	}
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		for _, m := range methods {
			resp := get(get(item, m), "responses")
			if resp == nil || resp.Kind != yaml.MappingNode {
				continue
			}
			type pair struct{ k, v *yaml.Node }
			var pairs []pair
			for j := 0; j+1 < len(resp.Content); j += 2 {
				pairs = append(pairs, pair{resp.Content[j], resp.Content[j+1]})
			}
			slices.SortStableFunc(pairs, func(a, b pair) int { return strings.Compare(codeKey(a.k.Value), codeKey(b.k.Value)) })
			resp.Content = resp.Content[:0]
			for _, p := range pairs {
				resp.Content = append(resp.Content, p.k, p.v)
			}
		}
	}
}

// codeKey orders 200 < 2XX < 400 < ... < default.
func codeKey(code string) string {
	if _, err := strconv.Atoi(strings.ReplaceAll(strings.ToUpper(code), "X", "9")); err == nil && len(code) == 3 {
		return "0" + strings.ToUpper(code)
	}
	return "1" + code
}

// Validate loads the document with kin-openapi (the library oapi-codegen and the SDK's
// spec tests use) and checks that it is a valid OpenAPI 3.0.3 document.
func Validate(ctx context.Context, doc []byte) error {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return fmt.Errorf("the result does not load: %w", err)
	}
	if t.OpenAPI != "3.0.3" {
		return fmt.Errorf("the result is OpenAPI %s, want 3.0.3", t.OpenAPI)
	}
	if err := t.Validate(ctx); err != nil {
		return fmt.Errorf("the result is not a valid OpenAPI 3.0.3 document: %w", err)
	}
	return nil
}
