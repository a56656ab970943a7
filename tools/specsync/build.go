package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
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
const ExtractionHeader = `# Written by "make spec": the operations of Tailscale's API that the Makefile's
# SPEC_SELECT keeps, as its OpenAPI document declares them, every $ref replaced by what
# it points to (so that no name upstream gives its components is left), converted to
# OpenAPI 3.0.3, BEFORE api/overlay.yaml. Nothing
# is generated from this file: it is kept so that "git diff" and the report show what
# upstream changed, even where the overlay replaces it. Do not edit by hand.
`

// Result is what Build makes of an upstream document.
type Result struct {
	Doc        []byte   // the OpenAPI 3.0.3 document, as written to api/openapi.yaml
	Extraction []byte   // upstream's operations in 3.0.3, before the overlay (api/upstream.yaml)
	Operations []string // the operationIds kept
	Converted  []string // what the 3.1 → 3.0.3 conversion changed
	Warnings   []string // the overlay's warnings
	Gone       []string // the overlay actions that matched nothing, skipped
}

// Build keeps the selected operations of the upstream document (YAML or JSON) with
// every reference replaced by its target, converts them to OpenAPI 3.0.3, applies the
// overlay, and returns the result in its written form. It returns an error, and no
// document, if any step fails or if the extraction or the result is not a valid
// OpenAPI 3.0.3 document. An overlay action that matches nothing is skipped and listed
// in Result.Gone: the caller decides (run counts each as a breaking change).
func Build(ctx context.Context, upstream, overlayDoc []byte, sel Selection) (*Result, error) {
	parsed, err := parseDocument(upstream)
	if err != nil {
		return nil, fmt.Errorf("read the upstream document: %w", err)
	}
	root, ops, err := Extract(parsed, sel)
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
	res, err := applyAndCheck(ctx, root, overlayDoc)
	if err != nil {
		return nil, &ExtractedError{Extraction: extraction, Err: err}
	}
	res.Extraction, res.Operations, res.Converted = extraction, ops, converted
	return res, nil
}

// ExtractedError is Build's error for a failure after the extraction was made (in the
// overlay or the result's checks): the caller can still compare the extraction with the
// previous one, which often shows why (upstream renamed what the overlay names).
type ExtractedError struct {
	Extraction []byte // as Result.Extraction
	Err        error
}

func (e *ExtractedError) Error() string { return e.Err.Error() }
func (e *ExtractedError) Unwrap() error { return e.Err }

// applyAndCheck applies the overlay to the extraction's tree and checks the result: the
// second half of Build.
func applyAndCheck(ctx context.Context, root *yaml.Node, overlayDoc []byte) (*Result, error) {
	ov, err := overlay.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("read the overlay: %w", err)
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("the overlay is not valid: %w", err)
	}
	warnings, gone, err := applyOverlay(ov, root)
	if err != nil {
		return nil, err
	}
	out, err := encode(root, Header)
	if err != nil {
		return nil, err
	}
	err = refWithSiblings(root, "")
	if err == nil {
		err = Validate(ctx, out)
	}
	if err != nil && len(gone) > 0 {
		return nil, &GoneError{Gone: gone, Consequence: err}
	}
	if err != nil {
		return nil, err
	}
	return &Result{Doc: out, Warnings: warnings, Gone: gone}, nil
}

// GoneError is Build's error when overlay actions matched nothing and the result is
// therefore not valid: the actions are the cause, the validation error a consequence.
type GoneError struct {
	Gone        []string // the actions that matched nothing, as Result.Gone
	Consequence error
}

func (e *GoneError) Error() string {
	return fmt.Sprintf("%d overlay action(s) matched nothing:\n  %s\n"+
		"Upstream moved, renamed or dropped what they are about. Edit each one in the overlay\n"+
		"(api/overlay.yaml) so that its target (or copy source) matches upstream's document\n"+
		"again, or remove it if what it changed is gone; then run make spec again.\n"+
		"Without them the result is not valid (a consequence): %v",
		len(e.Gone), strings.Join(e.Gone, "\n  "), e.Consequence)
}

func (e *GoneError) Unwrap() error { return e.Consequence }

// refWithSiblings returns an error naming the first mapping under n (at ptr) that has
// a $ref and other keys: in OpenAPI 3.0 the others are ignored, and validators differ
// on whether they are allowed. An overlay "update" that merges a $ref into what
// upstream declares makes one; remove what is there first.
func refWithSiblings(n *yaml.Node, ptr string) error {
	if n.Kind == yaml.DocumentNode {
		return refWithSiblings(n.Content[0], ptr)
	}
	if n.Kind == yaml.MappingNode && get(n, "$ref") != nil && len(n.Content) > 2 && !isExampleValue(ptr) {
		return fmt.Errorf("%s: a $ref with sibling keys %v (the overlay merged a $ref into an upstream value: remove that value first)", ptr, slices.DeleteFunc(keys(n), func(k string) bool { return k == "$ref" }))
	}
	for i, c := range n.Content {
		child := ptr
		switch n.Kind {
		case yaml.MappingNode:
			if i%2 == 0 {
				continue
			}
			child += "/" + escape(n.Content[i-1].Value)
		case yaml.SequenceNode:
			child += fmt.Sprintf("/%d", i)
		}
		if err := refWithSiblings(c, child); err != nil {
			return err
		}
	}
	return nil
}

// isExampleValue reports whether ptr is inside an example, where $ref is data.
func isExampleValue(ptr string) bool {
	return strings.Contains(ptr, "/example/") || strings.Contains(ptr, "/examples/") || strings.HasSuffix(ptr, "/example")
}

// applyOverlay applies the overlay's actions to root one by one. An action whose target
// (or copy source) matches nothing is skipped and listed in gone: upstream moved or
// dropped what it is about. Any other failure is an error.
func applyOverlay(ov *overlay.Overlay, root *yaml.Node) (warnings, gone []string, err error) {
	for i, a := range ov.Actions {
		one := *ov
		one.Actions = []overlay.Action{a}
		where := fmt.Sprintf("action %d (%s)", i+1, a.Target)
		missing := ""
		for _, sel := range []struct{ what, path string }{{"target", a.Target}, {"copy source", a.Copy}} {
			if sel.path == "" || missing != "" {
				continue
			}
			path, err := one.NewPath(sel.path, nil)
			if err != nil {
				return nil, nil, fmt.Errorf("overlay %s: %w", where, err)
			}
			if len(path.Query(root)) == 0 {
				missing = fmt.Sprintf("action %d: %s %s matches nothing", i+1, sel.what, sel.path)
			}
		}
		if missing != "" {
			gone = append(gone, missing)
			continue
		}
		w, err := one.ApplyToStrict(root)
		if err != nil {
			return nil, nil, fmt.Errorf("overlay %s: %w", where, err)
		}
		for _, x := range w {
			warnings = append(warnings, where+": "+x)
		}
	}
	return warnings, gone, nil
}

// Encode writes the document in one canonical form: Header, block style, two-space
// indent, quotes only where YAML needs them, no comments, and keys in the order of
// canonicalize, so that the bytes depend on the content only.
func Encode(root *yaml.Node) ([]byte, error) { return encode(root, Header) }

func encode(root *yaml.Node, header string) ([]byte, error) {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		doc = doc.Content[0]
	}
	canonicalize(doc)
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

// normalize removes styles, comments and anchors, so that the form depends on the
// content only.
func normalize(n *yaml.Node) {
	n.Style = 0
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	n.Anchor = ""
	if n.Kind == yaml.ScalarNode && n.Tag == "" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		normalize(c)
	}
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

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
	// Examples are upstream's documentation, and the overlay drops them: one that no
	// longer fits its schema must not stop a refresh.
	if err := t.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		return fmt.Errorf("the result is not a valid OpenAPI 3.0.3 document: %w", err)
	}
	return nil
}
