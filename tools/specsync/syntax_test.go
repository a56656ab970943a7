package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// shareNodes writes the document as YAML emitters that keep shared nodes (PyYAML)
// write it: every mapping or sequence equal to one earlier in the document becomes an
// alias of it (&id001 ... *id001). It returns the text and how many aliases it wrote,
// and of those how many replace a tags list.
func shareNodes(t *testing.T, b []byte) (out []byte, aliases, tagAliases int) {
	t.Helper()
	doc := parse(t, b)
	seen := map[string]*yaml.Node{}
	anchors := 0
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		for i, c := range n.Content {
			childKey := ""
			if n.Kind == yaml.MappingNode && i%2 == 1 {
				childKey = n.Content[i-1].Value
			}
			if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
				enc, err := yaml.Marshal(c)
				if err != nil {
					t.Fatal(err)
				}
				if first, ok := seen[string(enc)]; ok {
					if first.Anchor == "" {
						anchors++
						first.Anchor = fmt.Sprintf("id%03d", anchors)
					}
					n.Content[i] = &yaml.Node{Kind: yaml.AliasNode, Value: first.Anchor, Alias: first}
					aliases++
					if childKey == "tags" {
						tagAliases++
					}
					continue
				}
				seen[string(enc)] = c
			}
			walk(c, childKey)
		}
	}
	walk(doc, "")
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out, aliases, tagAliases
}

// TestSyntaxDoesNotMatter: the same document written otherwise makes the same
// api/openapi.yaml and api/upstream.yaml, byte for byte.
func TestSyntaxDoesNotMatter(t *testing.T) {
	real := read(t, fixture)
	want := build(t, real)
	shared, aliases, tagAliases := shareNodes(t, real)
	if aliases == 0 || tagAliases == 0 || !bytes.Contains(shared, []byte("*id")) {
		t.Fatalf("the shared-nodes variant has %d aliases, %d of tags lists", aliases, tagAliases)
	}
	var v any
	if err := yaml.Unmarshal(real, &v); err != nil {
		t.Fatal(err)
	}
	asJSON, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(real, []byte("\n"), []byte("\r\n"))
	for name, doc := range map[string][]byte{
		"anchors and aliases":          shared,
		"byte-order mark":              append([]byte("\ufeff"), real...),
		"CRLF":                         crlf,
		"byte-order mark and CRLF":     append([]byte("\ufeff"), crlf...),
		"JSON":                         asJSON,
		"JSON with a byte-order mark":  append([]byte("\ufeff"), asJSON...),
		"anchors and aliases, as CRLF": bytes.ReplaceAll(shared, []byte("\n"), []byte("\r\n")),
	} {
		t.Run(name, func(t *testing.T) {
			got := build(t, doc)
			if !bytes.Equal(got.Doc, want.Doc) || !bytes.Equal(got.Extraction, want.Extraction) {
				t.Errorf("a different api/openapi.yaml (%v) or api/upstream.yaml (%v)", !bytes.Equal(got.Doc, want.Doc), !bytes.Equal(got.Extraction, want.Extraction))
			}
			if !sameElements(got.Operations, want.Operations) { // JSON's sorted keys reorder them
				t.Errorf("operations %v, want %v", got.Operations, want.Operations)
			}
		})
	}
}

// TestMergeKeys: a merge key (<<) adds the pairs the mapping lacks; an alias inside its
// own anchor is refused.
func TestMergeKeys(t *testing.T) {
	doc, err := parseDocument([]byte("base: &b {type: string, description: base}\nx:\n  <<: *b\n  description: mine\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]string
	if err := doc.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if x := got["x"]; len(x) != 2 || x["type"] != "string" || x["description"] != "mine" {
		t.Errorf("x = %v, want the type merged and its own description", x)
	}
	if _, err := parseDocument([]byte("a: &a\n  b: *a\n")); err == nil || !strings.Contains(err.Error(), "inside its own anchor") {
		t.Errorf("a self-alias: %v", err)
	}
}

// TestOneKinOpenAPIVersion: specsync validates api/openapi.yaml with the kin-openapi the
// SDK's tests and the fake use, so that a document one accepts the other does not refuse.
func TestOneKinOpenAPIVersion(t *testing.T) {
	version := func(gomod string) string {
		for line := range strings.Lines(string(read(t, gomod))) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/getkin/kin-openapi" {
				return f[1]
			}
		}
		t.Fatalf("%s does not require kin-openapi", gomod)
		return ""
	}
	if sdk, ours := version("../../go.mod"), version("go.mod"); sdk != ours {
		t.Errorf("the SDK's go.mod has kin-openapi %s, specsync's %s: align them", sdk, ours)
	}
}
