package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/speakeasy-api/openapi/openapi"
	"gopkg.in/yaml.v3"
)

// Extract keeps the operations of the upstream document that carry tag, and every
// component they reference (transitively); nothing else. It returns the kept document
// as a YAML tree, still in the upstream's OpenAPI version, and the operationIds kept.
//
// The work is speakeasy-api/openapi's: Snip removes the other operations, then runs
// Clean, which drops every component, tag and security scheme no longer reachable from
// the remaining paths and security requirements.
func Extract(ctx context.Context, upstream []byte, tag string) (*yaml.Node, []string, error) {
	doc, _, err := openapi.Unmarshal(ctx, bytes.NewReader(upstream), openapi.WithSkipValidation())
	if err != nil {
		return nil, nil, fmt.Errorf("load upstream document: %w", err)
	}
	if doc.Paths == nil {
		return nil, nil, fmt.Errorf("upstream document has no paths")
	}
	var remove []openapi.OperationIdentifier
	var kept []string
	for path, item := range doc.Paths.All() {
		if item.IsReference() {
			return nil, nil, fmt.Errorf("path %s is a $ref: not supported", path)
		}
		pi := item.GetObject()
		if pi.AdditionalOperations != nil && pi.AdditionalOperations.Len() > 0 {
			return nil, nil, fmt.Errorf("path %s has OpenAPI 3.2 additional operations: not supported", path)
		}
		for method, op := range pi.All() {
			if slices.Contains(op.Tags, tag) {
				kept = append(kept, op.GetOperationID())
				continue
			}
			remove = append(remove, openapi.OperationIdentifier{Path: path, Method: strings.ToUpper(string(method))})
		}
	}
	if len(kept) == 0 {
		return nil, nil, fmt.Errorf("no operation has the tag %q", tag)
	}
	// Webhooks are not operations the SDK calls, and OpenAPI 3.0 has none.
	doc.Webhooks = nil
	if _, err := openapi.Snip(ctx, doc, remove); err != nil {
		return nil, nil, fmt.Errorf("keep the %s operations: %w", tag, err)
	}
	var buf bytes.Buffer
	if err := openapi.Marshal(ctx, doc, &buf); err != nil {
		return nil, nil, fmt.Errorf("write the extraction: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &root); err != nil {
		return nil, nil, fmt.Errorf("read back the extraction: %w", err)
	}
	return &root, kept, nil
}
