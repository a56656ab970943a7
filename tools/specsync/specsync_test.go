package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	// fixture is Tailscale's own OpenAPI 3.1 document, byte for byte (see
	// TestFixtureIsTailscalesDocument). Constructs it lacks are tested with small
	// documents written in the tests.
	fixture       = "testdata/tailscale-v2-openapi.yaml"
	fixtureSHA256 = "adea589f29902bfedaf06fb4cb9ae79cd76d2df849d7471ed70028a144814e7c"

	overlayPath = "../../api/overlay.yaml"
	apiDocPath  = "../../api/openapi.yaml"
	upstreamDoc = "../../api/upstream.yaml" // the extraction before the overlay
)

var (
	// wantOperations are the operations tagged UserInvites, in document order.
	wantOperations = []string{"listUserInvites", "createUserInvites", "getUserInvite", "deleteUserInvite", "resendUserInvite"}
	userInvites    = Selection{Tags: []string{"UserInvites"}}

	// apiSelect is the Makefile's SPEC_SELECT, read from it (so that an operation the
	// project selects is never a copy to edit here): the operations api/openapi.yaml
	// holds; apiSelection is it as a Selection (apiOperations gives their operationIds).
	apiSelect    = makefileSelect()
	apiSelection = selectionOf(apiSelect)
)

// apiOperations returns the operationIds apiSelection keeps in the fixture: those its
// -operation names, and those carrying one of its tags, read from the fixture itself.
func apiOperations(t *testing.T) []string {
	t.Helper()
	ops := slices.Clone(apiSelection.Operations)
	paths := at(t, parse(t, read(t, fixture)), "paths")
	for i := 1; i < len(paths.Content); i += 2 {
		for _, m := range methods {
			op := get(paths.Content[i], m)
			if op == nil || get(op, "operationId") == nil || slices.Contains(ops, get(op, "operationId").Value) {
				continue
			}
			if tags := get(op, "tags"); tags != nil && slices.ContainsFunc(values(tags), func(tag string) bool { return slices.Contains(apiSelection.Tags, tag) }) {
				ops = append(ops, get(op, "operationId").Value)
			}
		}
	}
	return ops
}

// makefileSelect reads the words of the Makefile's "SPEC_SELECT := " line (nil when
// there is none: TestMakefileSelection says so).
func makefileSelect() []string {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		return nil
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "SPEC_SELECT := "); ok {
			return strings.Fields(rest)
		}
	}
	return nil
}

// selectionOf turns -tag T and -operation ID words into a Selection.
func selectionOf(words []string) Selection {
	var sel Selection
	for i := 0; i+1 < len(words); i += 2 {
		switch words[i] {
		case "-tag":
			sel.Tags = append(sel.Tags, words[i+1])
		case "-operation":
			sel.Operations = append(sel.Operations, words[i+1])
		}
	}
	return sel
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, b []byte) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// at returns the node at the path of mapping keys, failing the test if it is missing.
func at(t *testing.T, n *yaml.Node, keys ...string) *yaml.Node {
	t.Helper()
	if n.Kind == yaml.DocumentNode {
		n = n.Content[0]
	}
	for _, k := range keys {
		next := get(n, k)
		if next == nil {
			t.Fatalf("no %q in %v", k, keys)
		}
		n = next
	}
	return n
}

func values(seq *yaml.Node) []string {
	var vs []string
	for _, c := range seq.Content {
		vs = append(vs, c.Value)
	}
	return vs
}

// yamlNode parses one YAML value, for edits.
func yamlNode(t *testing.T, s string) *yaml.Node {
	t.Helper()
	return parse(t, []byte(s)).Content[0]
}

// variant returns the fixture edited by edit, as upstream might change it.
func variant(t *testing.T, edit func(doc *yaml.Node)) []byte {
	t.Helper()
	doc := parse(t, read(t, fixture))
	edit(doc)
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Positions in the fixture that the variants edit.
var (
	listPath       = []string{"paths", "/tailnet/{tailnet}/user-invites"}
	createItemPath = []string{"paths", "/tailnet/{tailnet}/user-invites", "post", "requestBody", "content", "application/json", "schema", "items"}
	userInvitePath = []string{"components", "schemas", "UserInvite"}
)

func build(t *testing.T, upstream []byte) *Result {
	t.Helper()
	res, err := Build(context.Background(), upstream, read(t, overlayPath), apiSelection)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestFixtureIsTailscalesDocument(t *testing.T) {
	sum := sha256.Sum256(read(t, fixture))
	if got := hex.EncodeToString(sum[:]); got != fixtureSHA256 {
		t.Errorf("%s has sha256 %s, want %s (Tailscale's document, unchanged)", fixture, got, fixtureSHA256)
	}
}

func TestExtract(t *testing.T) {
	root, ops, err := Extract(parse(t, read(t, fixture)), userInvites)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ops, wantOperations) {
		t.Errorf("operations = %v, want %v", ops, wantOperations)
	}
	doc := root.Content[0]
	if got, want := keys(at(t, doc, "paths")), []string{"/tailnet/{tailnet}/user-invites", "/user-invites/{userInviteId}", "/user-invites/{userInviteId}/resend"}; !slices.Equal(got, want) {
		t.Errorf("paths = %v, want %v", got, want)
	}
	if got := keys(at(t, doc, "components")); !slices.Equal(got, []string{"securitySchemes"}) {
		t.Errorf("components has %v, want securitySchemes only", got)
	}
	if got := keys(at(t, doc, "components", "securitySchemes")); !slices.Equal(got, []string{"bearerAuth"}) {
		t.Errorf("securitySchemes = %v", got)
	}
	tags := at(t, doc, "tags")
	if len(tags.Content) != 1 || get(tags.Content[0], "name").Value != "UserInvites" {
		t.Errorf("tags = %v, want UserInvites only", tags.Content)
	}
	// The role enum reached through two references and a 3.1 description override.
	role := at(t, doc, "paths", "/user-invites/{userInviteId}", "get", "responses", "200", "content", "application/json", "schema", "properties", "role", "enum")
	if !slices.Contains(values(role), "it-admin") {
		t.Errorf("role enum = %v", values(role))
	}
	if got := at(t, doc, "paths", "/user-invites/{userInviteId}", "get", "responses", "404", "description").Value; got != "User invite not found." {
		t.Errorf("404 description = %q, want the one next to upstream's $ref", got)
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"$ref", "listTailnetDevices", "getDevice", "deviceInviteId", "listUsers", "/users", "webhooks", "x-displayName: Devices"} {
		if bytes.Contains(out, []byte(other)) {
			t.Errorf("the extraction mentions %q", other)
		}
	}
}

// TestExtractByOperationID: one more operation is kept by its operationId, without its
// tag's others (as listUsers is).
func TestExtractByOperationID(t *testing.T) {
	root, ops, err := Extract(parse(t, read(t, fixture)), Selection{Tags: []string{"UserInvites"}, Operations: []string{"listUsers"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"listUsers"}, wantOperations...); !sameElements(ops, want) {
		t.Errorf("operations = %v, want %v", ops, want)
	}
	if got := values(at(t, root, "tags")); len(at(t, root, "tags").Content) != 2 {
		t.Errorf("tags = %v, want Users and UserInvites", got)
	}
	if _, _, err := Extract(parse(t, read(t, fixture)), Selection{Operations: []string{"noSuchOperation"}}); err == nil {
		t.Error("an unknown operationId was accepted")
	}
}

// TestMakefileSelection: the tests keep what "make spec" keeps.
func TestMakefileSelection(t *testing.T) {
	if len(apiSelect) == 0 || len(apiSelect)%2 != 0 || !slices.Contains(apiSelection.Tags, "UserInvites") || !slices.Contains(apiSelection.Tags, "DeviceInvites") ||
		!slices.Contains(apiSelection.Operations, "listUsers") || !slices.Contains(apiSelection.Operations, "listTailnetDevices") {
		t.Errorf("the Makefile's SPEC_SELECT is %q: want -tag and -operation pairs, UserInvites, DeviceInvites, listUsers and listTailnetDevices among them", apiSelect)
	}
}

func sameElements(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestDereference covers what the real document does not: each case is a small
// document and what its operation's response becomes.
func TestDereference(t *testing.T) {
	const head = "openapi: %s\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      tags: [T]\n      responses:\n        '200':\n"
	for _, c := range []struct {
		name, version, response, components string
		want                                string // the 200 response, as JSON
		wantErr                             string
	}{
		{
			name: "response description next to $ref (3.1)", version: "3.1.0",
			response:   "          $ref: '#/components/responses/R'\n          description: mine\n",
			components: "  responses:\n    R: {description: theirs, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}\n  schemas:\n    S: {type: string}\n",
			want:       `{"content":{"application/json":{"schema":{"type":"string"}}},"description":"mine"}`,
		},
		{
			name: "siblings of $ref ignored (3.0)", version: "3.0.3",
			response:   "          $ref: '#/components/responses/R'\n          description: mine\n",
			components: "  responses:\n    R: {description: theirs}\n",
			want:       `{"description":"theirs"}`,
		},
		{
			name: "schema $ref with annotations", version: "3.1.0",
			response:   "          description: d\n          content: {application/json: {schema: {$ref: '#/components/schemas/S', description: mine, example: x}}}\n",
			components: "  schemas:\n    S: {type: string, description: theirs}\n",
			want:       `{"content":{"application/json":{"schema":{"description":"mine","example":"x","type":"string"}}},"description":"d"}`,
		},
		{
			name: "schema $ref with assertions", version: "3.1.0",
			response:   "          description: d\n          content: {application/json: {schema: {$ref: '#/components/schemas/S', maxLength: 3}}}\n",
			components: "  schemas:\n    S: {type: string}\n",
			want:       `{"content":{"application/json":{"schema":{"allOf":[{"type":"string"}],"maxLength":3}}},"description":"d"}`,
		},
		{
			name: "$ref in data, property named example", version: "3.1.0",
			response:   "          description: d\n          content: {application/json: {schema: {type: object, properties: {example: {$ref: '#/components/schemas/S'}}, example: {$ref: not-a-reference}}}}\n",
			components: "  schemas:\n    S: {type: string}\n",
			want:       `{"content":{"application/json":{"schema":{"example":{"$ref":"not-a-reference"},"properties":{"example":{"type":"string"}},"type":"object"}}},"description":"d"}`,
		},
		{
			name: "cycle", version: "3.1.0",
			response:   "          description: d\n          content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}\n",
			components: "  schemas:\n    Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}\n",
			wantErr:    "$ref cycle #/components/schemas/Node → #/components/schemas/Node",
		},
		{
			name: "external reference", version: "3.1.0",
			response: "          $ref: 'other.yaml#/components/responses/R'\n",
			wantErr:  `$ref "other.yaml#/components/responses/R": only references inside the document`,
		},
		{
			name: "dangling reference", version: "3.1.0",
			response: "          $ref: '#/components/responses/Gone'\n",
			wantErr:  `$ref "#/components/responses/Gone": nothing at "components"`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(head, "%s", c.version, 1) + c.response
			if c.components != "" {
				doc += "components:\n" + c.components
			}
			root, _, err := Extract(parse(t, []byte(doc)), Selection{Tags: []string{"T"}})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := at(t, root, "paths", "/a", "get", "responses", "200").Decode(&got); err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(got)
			if string(j) != c.want {
				t.Errorf("got  %s\nwant %s", j, c.want)
			}
		})
	}
}

// TestDowngradeRealDocument converts the 3.1 constructs of Tailscale's whole document,
// not only those the extraction keeps, and refuses the one that has no 3.0 form.
func TestDowngradeRealDocument(t *testing.T) {
	notes, err := Downgrade(parse(t, read(t, fixture)))
	const noForm = "/paths/~1tailnet~1{tailnet}~1device-attributes/patch/responses/200/content/application~1json/schema: type: null"
	if err == nil || !strings.Contains(err.Error(), noForm) {
		t.Errorf("error = %v, want one naming %s", err, noForm)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{
		"/openapi: version 3.1.0 → 3.0.3",
		"type [boolean, null] → type: boolean, nullable: true",
		"anyOf member {type: null} → nullable: true",
		"$ref with siblings → allOf: [$ref]",
		"removed the description next to $ref",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no note %q", want)
		}
	}
}

// TestDowngradeConstructs: the 3.1 constructs Tailscale's document does not use today.
func TestDowngradeConstructs(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1", summary: s, license: {name: MIT, identifier: MIT}}
jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base
webhooks: {}
paths: {}
components:
  schemas:
    S:
      $comment: c
      type: object
      properties:
        k: {const: x}
        e: {type: string, examples: [a, b]}
        n: {type: integer, exclusiveMinimum: 0}
        r: {$ref: "#/components/schemas/T", description: d}
    T: {type: string}
`
	root := parse(t, []byte(doc))
	notes, err := Downgrade(root)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{
		"/jsonSchemaDialect: removed", "/webhooks: removed", "/info/summary: removed", "/info/license/identifier: removed",
		"/components/schemas/S: removed $comment",
		"/components/schemas/S/properties/k: const → enum",
		"/components/schemas/S/properties/e: examples → example",
		"/components/schemas/S/properties/n: exclusiveMinimum: n → minimum: n, exclusiveMinimum: true",
		"/components/schemas/S/properties/r: $ref with siblings → allOf: [$ref]",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no note %q in:\n%s", want, all)
		}
	}
	out, err := Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(context.Background(), out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestDowngradeRefuses(t *testing.T) {
	for name, schema := range map[string]string{
		"two types":   "type: [string, integer]",
		"type null":   "type: \"null\"",
		"prefixItems": "type: array\nprefixItems: [{type: string}]",
		"if":          "if: {type: string}\nthen: {minLength: 1}",
		"$defs":       "$defs: {A: {type: string}}",
		"bool schema": "type: object\nproperties: {a: true}",
	} {
		t.Run(name, func(t *testing.T) {
			doc := "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    S:\n" +
				indent(schema, "      ")
			if _, err := Downgrade(parse(t, []byte(doc))); err == nil || !strings.Contains(err.Error(), "/components/schemas/S") {
				t.Errorf("Downgrade(%s) = %v, want an error naming the schema", schema, err)
			}
		})
	}
}

func TestDowngradeKeeps30(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    S:
      type: object
      additionalProperties: false
      properties:
        n: {type: integer, minimum: 1, exclusiveMinimum: true}
        m: {anyOf: [{$ref: "#/components/schemas/T"}, {type: "null"}]}
    T: {type: string}
`
	root := parse(t, []byte(doc))
	notes, err := Downgrade(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/components/schemas/S/properties/m: anyOf member {type: null} → nullable: true"; !slices.Contains(notes, want) {
		t.Errorf("notes %q lack %q", notes, want)
	}
	out, err := Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(context.Background(), out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"additionalProperties: false", "minimum: 1\n          exclusiveMinimum: true", "nullable: true", "allOf:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by) + "\n"
}

// TestReproducesAPIFiles: make spec on Tailscale's real document (the fixture) makes
// the committed api/openapi.yaml and api/upstream.yaml, byte for byte, and writes
// nothing.
func TestReproducesAPIFiles(t *testing.T) {
	res := build(t, read(t, fixture))
	for _, f := range []struct {
		path string
		got  []byte
	}{{apiDocPath, res.Doc}, {upstreamDoc, res.Extraction}} {
		if !bytes.Equal(f.got, read(t, f.path)) {
			got := filepath.Join(t.TempDir(), filepath.Base(f.path))
			if err := os.WriteFile(got, f.got, 0o644); err != nil {
				t.Fatal(err)
			}
			d, _ := exec.Command("diff", "-u", f.path, got).CombinedOutput()
			t.Errorf("the fixture and the overlay do not make %s (run make spec UPSTREAM=tools/specsync/%s):\n%s", f.path, fixture, d)
		}
	}
	if !sameElements(res.Operations, apiOperations(t)) {
		t.Errorf("operations = %v", res.Operations)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("overlay warnings: %q", res.Warnings)
	}

	sr := runSpec(t, read(t, fixture))
	if sr.code != exitOK || sr.openapiChanged || sr.upstreamChanged {
		t.Errorf("exit %d, openapi.yaml changed %v, upstream.yaml changed %v\n%s%s", sr.code, sr.openapiChanged, sr.upstreamChanged, sr.stdout, sr.stderr)
	}
	if n := strings.Count(sr.stdout, "none: the document means the same as before."); n != 2 {
		t.Errorf("the report has %d empty sections, want 2:\n%s", n, sr.stdout)
	}
	if !strings.Contains(sr.stdout, "nothing written") {
		t.Errorf("the report does not say nothing was written:\n%s", sr.stdout)
	}
}

// TestFixtureRoleEnumsAgree: the overlay keeps UserInvite's role enum as UserRole and
// drops the create body's copy, which must therefore be the same list.
func TestFixtureRoleEnumsAgree(t *testing.T) {
	doc := parse(t, read(t, fixture))
	invite := values(at(t, doc, append(userInvitePath, "properties", "role", "enum")...))
	create := values(at(t, doc, append(createItemPath, "properties", "role", "enum")...))
	if !slices.Equal(invite, create) || len(invite) == 0 {
		t.Errorf("role enums differ: UserInvite %v, create body %v", invite, create)
	}
}

// specRun is what one run of the tool did, in a directory holding copies of the
// committed api/openapi.yaml and api/upstream.yaml.
type specRun struct {
	code                            int
	stdout, stderr                  string
	openapi, upstream               []byte // the files after the run
	openapiChanged, upstreamChanged bool
}

func runSpec(t *testing.T, upstream []byte, flags ...string) specRun {
	t.Helper()
	dir := t.TempDir()
	in, out, extraction := filepath.Join(dir, "tailscale.yaml"), filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "upstream.yaml")
	for path, b := range map[string][]byte{in: upstream, out: read(t, apiDocPath), extraction: read(t, upstreamDoc)} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"-upstream", in, "-overlay", overlayPath, "-out", out, "-extraction", extraction, "-sdk", "../.."}, apiSelect...)
	args = append(args, flags...)
	r := specRun{code: run(context.Background(), args, &stdout, &stderr), stdout: stdout.String(), stderr: stderr.String()}
	r.openapi, r.upstream = read(t, out), read(t, extraction)
	r.openapiChanged = !bytes.Equal(r.openapi, read(t, apiDocPath))
	r.upstreamChanged = !bytes.Equal(r.upstream, read(t, upstreamDoc))
	return r
}

// addProperty adds the property name (a YAML schema) to the schema s.
func addProperty(t *testing.T, s *yaml.Node, name, schema string) {
	t.Helper()
	props := at(t, s, "properties")
	props.Content = append(props.Content, scalar(name), yamlNode(t, schema))
}

// rename renames the component kind/from to to, and every reference to it.
func rename(t *testing.T, doc *yaml.Node, kind, from, to string) {
	t.Helper()
	m := at(t, doc, "components", kind)
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == from {
			m.Content[i].Value = to
		}
	}
	old, ref := "#/components/"+kind+"/"+from, "#/components/"+kind+"/"+to
	var n int
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		for i := 0; i+1 < len(x.Content); i += 2 {
			if x.Kind == yaml.MappingNode && x.Content[i].Value == "$ref" && x.Content[i+1].Value == old {
				x.Content[i+1].Value = ref
				n++
			}
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(doc)
	if n == 0 {
		t.Fatalf("no reference to %s", old)
	}
}

// TestNewUpstream runs the tool on variants of Tailscale's document, as a new version
// of it might be, against the committed api/ files.
func TestNewUpstream(t *testing.T) {
	type want int
	const (
		additive     want = iota // exit 0, the change reported (not breaking), both files written
		breaking                 // exit 3, the change reported BREAKING, nothing written
		unchanged                // exit 0, nothing to report, nothing written
		upstreamOnly             // exit 0, api/openapi.yaml the same, api/upstream.yaml written
		refused                  // exit 1, the overlay actions that matched nothing the headline, nothing written
	)
	for _, c := range []struct {
		name     string
		upstream func(t *testing.T) []byte
		want     want
		report   []string // in the report (stdout), each
	}{
		{
			name: "new role",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					for _, p := range [][]string{userInvitePath, createItemPath} {
						enum := at(t, doc, append(p, "properties", "role", "enum")...)
						enum.Content = append(enum.Content, scalar("security-admin"))
					}
				})
			},
			want:   additive,
			report: []string{"security-admin", "[response-property-enum-value-added]", "[request-property-enum-value-added]"},
		},
		{
			name: "new optional field in UserInvite",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					addProperty(t, at(t, doc, userInvitePath...), "expiresAt", "{type: string, format: date-time}")
				})
			},
			want:   additive,
			report: []string{"expiresAt`", "[response-optional-property-added]"},
		},
		{
			// Its first query parameter adds a params argument to the generated
			// ListUserInvitesWithResponse, which users call through Client.API().
			name: "new optional query parameter on listUserInvites",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					set(at(t, doc, append(listPath, "get")...), "parameters", yamlNode(t, "[{name: role, in: query, schema: {type: string}}]"))
				})
			},
			want: breaking,
			report: []string{"GET /tailnet/{tailnet}/user-invites", "role`", "[new-optional-request-parameter]",
				"ListUserInvitesWithResponse", "params *ListUserInvitesParams", "[go-signature-changed]",
				"parameter role reaches users through Client.API() only"},
		},
		{
			name: "new optional query parameter on listUsers",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					params := at(t, doc, "paths", "/tailnet/{tailnet}/users", "parameters")
					params.Content = append(params.Content, yamlNode(t, "{name: status, in: query, schema: {type: string}}"))
				})
			},
			want:   additive,
			report: []string{"GET /tailnet/{tailnet}/users", "[new-optional-request-parameter]", "parameter status reaches users with no edit: a field of tsinvites.ListUsersParams"},
		},
		{
			name: "new operation on the user-invites paths",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) { addPatchOperation(t, doc) })
			},
			want:   additive,
			report: []string{"PATCH /user-invites/{userInviteId}", "[endpoint-added]"},
		},
		{
			name: "resend declares 429, which the overlay adds",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) { addResend429(t, doc) })
			},
			want:   upstreamOnly,
			report: []string{"POST /user-invites/{userInviteId}/resend", "429"},
		},
		{
			name: "server path moved",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					url := at(t, doc, "servers").Content[0]
					set(url, "url", scalar(strings.Replace(get(url, "url").Value, "/api/v2", "/api/v3", 1)))
				})
			},
			want:   breaking,
			report: []string{`moves from "/api/v2" to "/api/v3"`, "[server-path-changed]"},
		},
		{
			name: "path parameter renamed",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					set(at(t, doc, "components", "parameters", "tailnet"), "name", scalar("tailnetName"))
					paths := at(t, doc, "paths")
					for i := 0; i < len(paths.Content); i += 2 {
						paths.Content[i].Value = strings.ReplaceAll(paths.Content[i].Value, "{tailnet}", "{tailnetName}")
					}
				})
			},
			want: refused,
		},
		{
			name: "operation removed",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) { del(at(t, doc, "paths"), "/user-invites/{userInviteId}/resend") })
			},
			want: breaking,
			report: []string{"POST /user-invites/{userInviteId}/resend", "[api-path-removed-without-deprecation]",
				"BREAKING action", "$.paths['/user-invites/{userInviteId}/resend'].post matches nothing"},
		},
		{
			name: "field type changed",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					tailnetID := at(t, doc, append(userInvitePath, "properties", "tailnetId")...)
					set(tailnetID, "type", scalar("string"))
					del(tailnetID, "format")
					del(tailnetID, "example")
				})
			},
			want:   breaking,
			report: []string{"tailnetId`", "[response-property-type-changed]"},
		},
		{
			name: "required field added to the create body",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					item := at(t, doc, createItemPath...)
					addProperty(t, item, "expiresIn", "{type: integer}")
					set(item, "required", yamlNode(t, "[expiresIn]"))
				})
			},
			want:   breaking,
			report: []string{"expiresIn`", "[new-required-request-property]"},
		},
		{
			name: "role dropped from the create body's enum only",
			// The overlay replaces that enum by UserRole, so api/openapi.yaml does not
			// change; the report on api/upstream.yaml shows it, and it is breaking.
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					enum := at(t, doc, append(createItemPath, "properties", "role", "enum")...)
					enum.Content = slices.DeleteFunc(enum.Content, func(n *yaml.Node) bool { return n.Value == "auditor" })
				})
			},
			want:   breaking,
			report: []string{"auditor`", "[request-property-enum-value-removed]"},
		},
		{
			name: "optional field removed",
			// An overlay action describes it: that action matches nothing, and says so.
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					del(at(t, doc, append(userInvitePath, "properties")...), "inviteUrl")
				})
			},
			want:   breaking,
			report: []string{"inviteUrl`", "[response-optional-property-removed]", "$.components.schemas.UserInvite.properties.inviteUrl matches nothing"},
		},
		{
			name: "new Devices operation",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					paths := at(t, doc, "paths")
					paths.Content = append(paths.Content, scalar("/tailnet/{tailnet}/devices/archived"), yamlNode(t, `
parameters: [{$ref: '#/components/parameters/tailnet'}]
get:
  operationId: listArchivedDevices
  tags: [Devices]
  responses:
    '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Device'}}}}}
    '404': {$ref: '#/components/responses/404'}
`))
				})
			},
			want: unchanged,
		},
		{
			name: "changed unrelated schema",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					addProperty(t, at(t, doc, "components", "schemas", "Key"), "archived", "{type: boolean}")
					set(at(t, doc, "components", "schemas", "Key"), "description", scalar("Changed."))
				})
			},
			want: unchanged,
		},
		{
			name: "components renamed",
			upstream: func(t *testing.T) []byte {
				return variant(t, func(doc *yaml.Node) {
					rename(t, doc, "schemas", "UserInvite", "Invite")
					rename(t, doc, "schemas", "Error", "Problem")
					rename(t, doc, "parameters", "tailnet", "TailnetName")
					rename(t, doc, "parameters", "userInviteId", "InviteID")
					rename(t, doc, "responses", "404", "NotFound")
					rename(t, doc, "responses", "500", "ServerError")
				})
			},
			want: unchanged,
		},
		{
			name: "the same document as JSON, keys sorted",
			upstream: func(t *testing.T) []byte {
				var v map[string]any
				if err := yaml.Unmarshal(read(t, fixture), &v); err != nil {
					t.Fatal(err)
				}
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte(`{"components":`)) {
					t.Fatalf("not JSON with sorted keys: %.40s", b)
				}
				return b
			},
			want: unchanged,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			upstream := c.upstream(t)
			r := runSpec(t, upstream)
			t.Logf("report:\n%s%s", r.stdout, r.stderr)
			for _, w := range c.report {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the report does not mention %s", w)
				}
			}
			switch c.want {
			case additive:
				if r.code != exitOK {
					t.Errorf("exit code %d, want %d", r.code, exitOK)
				}
				if strings.Contains(r.stdout, "  BREAKING ") {
					t.Error("the report marks a change BREAKING")
				}
				if !r.openapiChanged || !r.upstreamChanged {
					t.Errorf("written: api/openapi.yaml %v, api/upstream.yaml %v; want both", r.openapiChanged, r.upstreamChanged)
				}
				if !bytes.Equal(r.openapi, build(t, upstream).Doc) {
					t.Error("api/openapi.yaml is not what Build makes")
				}
			case breaking:
				if r.code != exitBreaking {
					t.Errorf("exit code %d, want %d", r.code, exitBreaking)
				}
				if !strings.Contains(r.stdout, "  BREAKING ") {
					t.Error("the report marks nothing BREAKING")
				}
				if !strings.Contains(r.stderr, "-accept-breaking") {
					t.Errorf("stderr does not say how to accept:\n%s", r.stderr)
				}
				if r.openapiChanged || r.upstreamChanged {
					t.Errorf("written: api/openapi.yaml %v, api/upstream.yaml %v; want neither", r.openapiChanged, r.upstreamChanged)
				}
				accepted := runSpec(t, upstream, "-accept-breaking")
				if accepted.code != exitOK || !accepted.upstreamChanged || !strings.Contains(accepted.stdout, "breaking change(s) accepted") {
					t.Errorf("with -accept-breaking: exit %d, api/upstream.yaml written %v:\n%s%s", accepted.code, accepted.upstreamChanged, accepted.stdout, accepted.stderr)
				}
			case upstreamOnly:
				if r.code != exitOK || r.openapiChanged || !r.upstreamChanged {
					t.Errorf("exit code %d, api/openapi.yaml written %v, api/upstream.yaml written %v; want 0, false, true", r.code, r.openapiChanged, r.upstreamChanged)
				}
			case refused:
				first, _, _ := strings.Cut(r.stderr, "\n")
				if r.code != exitError || !strings.Contains(first, "overlay action(s) matched nothing") {
					t.Errorf("exit code %d, stderr starts %q; want 1 and the overlay actions first", r.code, first)
				}
				if !strings.Contains(r.stderr, "api/overlay.yaml") || !strings.Contains(r.stderr, "matches nothing") {
					t.Errorf("stderr does not name the actions and the overlay:\n%s", r.stderr)
				}
				if r.openapiChanged || r.upstreamChanged {
					t.Errorf("written: api/openapi.yaml %v, api/upstream.yaml %v; want neither", r.openapiChanged, r.upstreamChanged)
				}
			case unchanged:
				if r.code != exitOK {
					t.Errorf("exit code %d, want %d", r.code, exitOK)
				}
				if n := strings.Count(r.stdout, "none: the document means the same as before."); n != 2 {
					t.Errorf("the report has %d empty sections, want 2", n)
				}
				if r.openapiChanged || r.upstreamChanged {
					t.Errorf("written: api/openapi.yaml %v, api/upstream.yaml %v; want neither", r.openapiChanged, r.upstreamChanged)
				}
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), nil, &stdout, &stderr); code != exitUsage {
		t.Errorf("without -upstream: exit code %d, want %d", code, exitUsage)
	}
	if code := run(context.Background(), []string{"-no-such-flag"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("with an unknown flag: exit code %d, want %d", code, exitUsage)
	}
}

// TestRunWithoutPreviousFiles: the first run writes both files and compares nothing.
func TestRunWithoutPreviousFiles(t *testing.T) {
	dir := t.TempDir()
	out, extraction := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "upstream.yaml")
	var stdout, stderr bytes.Buffer
	args := append([]string{"-upstream", fixture, "-overlay", overlayPath, "-out", out, "-extraction", extraction}, apiSelect...)
	code := run(context.Background(), args, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit code %d:\n%s", code, stderr.String())
	}
	if !bytes.Equal(read(t, out), read(t, apiDocPath)) || !bytes.Equal(read(t, extraction), read(t, upstreamDoc)) {
		t.Error("the files written are not the committed ones")
	}
	if !strings.Contains(stdout.String(), "no previous") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

// addPatchOperation adds PATCH /user-invites/{userInviteId} (updateUserInvite, tagged
// UserInvites: a new operation the selection keeps), which sets an invite's role.
func addPatchOperation(t *testing.T, doc *yaml.Node) {
	t.Helper()
	item := at(t, doc, "paths", "/user-invites/{userInviteId}")
	set(item, "patch", yamlNode(t, `
operationId: updateUserInvite
summary: Update a user invite
tags: [UserInvites]
requestBody:
  required: true
  content: {application/json: {schema: {type: object, properties: {role: {type: string, enum: [member, admin]}}}}}
responses:
  '200': {description: The invite., content: {application/json: {schema: {$ref: '#/components/schemas/UserInvite'}}}}
`))
}

// addResend429 makes upstream declare resend's 429, which the overlay adds too.
func addResend429(t *testing.T, doc *yaml.Node) {
	t.Helper()
	responses := at(t, doc, "paths", "/user-invites/{userInviteId}/resend", "post", "responses")
	set(responses, "429", yamlNode(t, `{description: Resent too recently., content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}`))
}
