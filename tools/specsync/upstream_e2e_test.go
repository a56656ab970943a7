package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// e2eProbe is a test written into the copy of the repository: the fake answers the
// operation the document added, which it does not implement, with 501 naming it, and
// a listUserInvites call through Client.API() takes the new params argument.
const e2eProbe = `package tsinvitestest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

func TestE2EProbe(t *testing.T) {
	srv := tsinvitestest.Start(t, tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "a@example.com"}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPatch, srv.URL+"/api/v2/user-invites/1", strings.NewReader(` + "`" + `{"role":"admin"}` + "`" + `))
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(body), "updateUserInvite") {
		t.Errorf("PATCH: %d %s, want 501 naming updateUserInvite", resp.StatusCode, body)
	}
	state := tsinvites.ListUserInvitesParamsStateOpen
	list, err := srv.Client().API().ListUserInvitesWithResponse(t.Context(), "-", &tsinvites.ListUserInvitesParams{State: &state})
	if err != nil || list.JSON200 == nil || len(*list.JSON200) != 1 {
		t.Errorf("ListUserInvitesWithResponse with the new state parameter: %v %v", list, err)
	}
}
`

// TestUpstreamChangesReachUsers: additions Tailscale may make to its document reach
// users through "make spec" (accepting what breaks Go callers) and "go generate"
// alone, with no hand edit anywhere: a role (Client.Create sends it, "tsinvites create
// --role" takes it and lists it in its help, the fake takes it), a query parameter on
// listUserInvites, a new operation on the user-invites paths (the fake answers it 501),
// and a response code upstream starts to declare that the overlay adds too (resend's
// 429). Then go build, go vet and the tests of the fake, the internal packages and the
// CLI pass on the regenerated copy. It works on one copy of the repository and costs a
// build (one to a few minutes on a cold cache): skipped with -short; make check runs it.
func TestUpstreamChangesReachUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a copy of the repository; run without -short (make check does)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go is not on PATH")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	copyRepo(t, repo, work)

	// Every role enum of the document gets one more value, after auditor.
	real := read(t, fixture)
	roled := regexp.MustCompile(`(?m)^(\s*)- auditor\n`).ReplaceAll(real, []byte("${1}- auditor\n${1}- security-reviewer\n"))
	if bytes.Equal(roled, real) {
		t.Fatal("the role variant did not change the document")
	}
	doc := parse(t, roled)
	set(at(t, doc, append(listPath, "get")...), "parameters", yamlNode(t, "[{name: state, in: query, schema: {type: string, enum: [open, expired]}}]"))
	addPatchOperation(t, doc)
	addResend429(t, doc)
	variant, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	upstream := filepath.Join(work, "variant.yaml")
	if err := os.WriteFile(upstream, variant, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(t.Context(), append([]string{"-upstream", upstream,
		"-overlay", filepath.Join(work, "api/overlay.yaml"),
		"-out", filepath.Join(work, "api/openapi.yaml"),
		"-extraction", filepath.Join(work, "api/upstream.yaml"),
		"-sdk", work, "-accept-breaking"}, apiSelect...), &out, &errOut)
	report := out.String()
	if code != 0 {
		t.Fatalf("specsync exit %d:\n%s\n%s", code, report, errOut.String())
	}
	for _, want := range []string{"security-reviewer", "PATCH /user-invites/{userInviteId}", "[go-signature-changed]", "parameter state reaches users through Client.API() only", "with 1 breaking change(s) accepted"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not mention %q:\n%s", want, report)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "tsinvitestest/e2e_probe_test.go"), []byte(e2eProbe), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TAILSCALE_API_KEY=", "GOFLAGS=-mod=mod")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	goCmd("generate", "./...")
	goCmd("build", "./...")
	goCmd("vet", "./...")
	goCmd("vet", "-C", "bench", "./...")
	goCmd("test", "-count=1", "./tsinvitestest/...", "./internal/...", "./cmd/tsinvites/...")
	help := goCmd("run", "./cmd/tsinvites", "create", "--help")
	if !strings.Contains(help, "security-reviewer") {
		t.Errorf("create --help does not list the new role:\n%s", help)
	}
	created := goCmd("run", "./cmd/tsinvites", "--fake", "create", "--email", "sam@example.com", "--role", "security-reviewer", "-o", "json")
	if !strings.Contains(created, `"role": "security-reviewer"`) && !strings.Contains(created, `"role":"security-reviewer"`) {
		t.Errorf("create --role security-reviewer on the fake:\n%s", created)
	}
}

// copyRepo copies the repository's files (not .git or bin) into dst.
func copyRepo(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && (d.Name() == ".git" || rel == "bin") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
