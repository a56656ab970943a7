package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// runSpecTogether is runSpec with stdout and stderr written to one buffer, in the order
// a terminal shows them.
func runSpecTogether(t *testing.T, upstream []byte) (int, string) {
	t.Helper()
	dir := t.TempDir()
	in, out, extraction := filepath.Join(dir, "tailscale.yaml"), filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "upstream.yaml")
	for path, b := range map[string][]byte{in: upstream, out: read(t, apiDocPath), extraction: read(t, upstreamDoc)} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var both bytes.Buffer
	args := append([]string{"-upstream", in, "-overlay", overlayPath, "-out", out, "-extraction", extraction, "-sdk", "../.."}, apiSelect...)
	code := run(context.Background(), args, &both, &both)
	return code, both.String()
}

// renameOperationID gives the operation whose operationId is from the operationId to.
func renameOperationID(t *testing.T, doc *yaml.Node, from, to string) {
	t.Helper()
	paths := at(t, doc, "paths")
	for i := 1; i < len(paths.Content); i += 2 {
		for _, m := range methods {
			if id := get(get(paths.Content[i], m), "operationId"); id != nil && id.Value == from {
				id.Value = to
				return
			}
		}
	}
	t.Fatalf("the fixture has no operation %s", from)
}

// An operationId the selection names that upstream renamed is reported with its likely
// successor: the operation now at the same method and path (api/upstream.yaml says
// where the old one was).
func TestRenamedOperationNamesItsSuccessor(t *testing.T) {
	upstream := variant(t, func(doc *yaml.Node) { renameOperationID(t, doc, "approveUser", "approveTailnetUser") })
	code, out := runSpecTogether(t, upstream)
	t.Logf("output:\n%s", out)
	if code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
	for _, want := range []string{`"approveUser"`, `"approveTailnetUser"`, "POST /users/{userId}/approve", "SPEC_SELECT"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not mention %s", want)
		}
	}
}

// An operation gone from its place too is reported as gone, with where it was.
func TestRemovedOperationSaysWhereItWas(t *testing.T) {
	upstream := variant(t, func(doc *yaml.Node) { del(at(t, doc, "paths"), "/users/{userId}/approve") })
	code, out := runSpecTogether(t, upstream)
	if code != exitError || !strings.Contains(out, `"approveUser"`) || !strings.Contains(out, "nothing is at POST /users/{userId}/approve") {
		t.Errorf("exit code %d, output:\n%s", code, out)
	}
}

// When upstream renames a property the overlay names (listUsers' users), the overlay's
// actions fail; before their failures, the output shows upstream's own change, which
// explains them: the comparison of api/upstream.yaml with the new extraction.
func TestRenamedPropertyShowsUpstreamsChangeFirst(t *testing.T) {
	upstream := variant(t, func(doc *yaml.Node) {
		props := at(t, doc, "paths", "/tailnet/{tailnet}/users", "get", "responses", "200", "content", "application/json", "schema", "properties")
		for i := 0; i < len(props.Content); i += 2 {
			if props.Content[i].Value == "users" {
				props.Content[i].Value = "members"
			}
		}
	})
	code, out := runSpecTogether(t, upstream)
	t.Logf("output:\n%s", out)
	if code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
	change := strings.Index(out, "`users` from the response")
	added := strings.Index(out, "members")
	failures := strings.Index(out, "matched nothing")
	if change < 0 || added < 0 || failures < 0 || change > failures || added > failures {
		t.Errorf("want upstream's change (users removed at %d, members added at %d) before the overlay's failures (at %d)", change, added, failures)
	}
}

// The report names every operation the selection adds, by operationId, method and path.
func TestReportNamesAddedOperations(t *testing.T) {
	upstream := variant(t, func(doc *yaml.Node) { addPatchOperation(t, doc) })
	code, out := runSpecTogether(t, upstream)
	if code != exitOK || !strings.Contains(out, "Operations added to ") || !strings.Contains(out, "updateUserInvite (PATCH /user-invites/{userInviteId})") {
		t.Errorf("exit code %d, output:\n%s", code, out)
	}
}

// listTailnetDevices' filters: a query parameter upstream declares on the devices list
// (a real name, such as isEphemeral) reaches ListTailnetDevicesParams, which
// Client.ListDevices takes, with no overlay edit; the pseudo-parameter the overlay
// replaces, once gone upstream, stops make spec and is named.
func TestDeviceFilters(t *testing.T) {
	devicesGet := []string{"paths", "/tailnet/{tailnet}/devices"}
	t.Run("new real filter", func(t *testing.T) {
		upstream := variant(t, func(doc *yaml.Node) {
			params := at(t, doc, append(devicesGet, "parameters")...)
			params.Content = append(params.Content, yamlNode(t, "{name: isEphemeral, in: query, schema: {type: boolean}}"))
		})
		code, out := runSpecTogether(t, upstream)
		if code != exitOK || strings.Contains(out, "  BREAKING ") ||
			!strings.Contains(out, "parameter isEphemeral reaches users with no edit: a field of tsinvites.ListTailnetDevicesParams") {
			t.Errorf("exit code %d, output:\n%s", code, out)
		}
	})
	t.Run("pseudo-parameter gone", func(t *testing.T) {
		upstream := variant(t, func(doc *yaml.Node) {
			params := at(t, doc, append(devicesGet, "parameters")...)
			params.Content = slices.DeleteFunc(params.Content, func(p *yaml.Node) bool {
				return get(p, "name") != nil && strings.Contains(get(p, "name").Value, "filters")
			})
		})
		code, out := runSpecTogether(t, upstream)
		if code != exitBreaking || !strings.Contains(out, "<field>=<value> filters") || !strings.Contains(out, "matches nothing") {
			t.Errorf("exit code %d, output:\n%s", code, out)
		}
	})
}
