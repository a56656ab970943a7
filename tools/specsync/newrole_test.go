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
)

// TestNewUpstreamRoleReachesUsers: a role Tailscale adds to its document reaches users
// through "make spec" and "go generate" alone, with no hand edit: Client.Create sends
// it, "tsinvites create --role" accepts it and lists it in its help, and the fake API
// takes it. It works on a copy of the repository, so it costs a build (about a minute on
// a cold cache).
func TestNewUpstreamRoleReachesUsers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go is not on PATH")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	copyRepo(t, repo, work)

	real, err := os.ReadFile("testdata/tailscale-v2-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Every role enum of the document gets one more value, after auditor.
	variant := regexp.MustCompile(`(?m)^(\s*)- auditor\n`).ReplaceAll(real, []byte("${1}- auditor\n${1}- security-reviewer\n"))
	if bytes.Equal(variant, real) {
		t.Fatal("the variant did not change the document")
	}
	upstream := filepath.Join(work, "variant.yaml")
	if err := os.WriteFile(upstream, variant, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(t.Context(), append([]string{"-upstream", upstream,
		"-overlay", filepath.Join(work, "api/overlay.yaml"),
		"-out", filepath.Join(work, "api/openapi.yaml"),
		"-extraction", filepath.Join(work, "api/upstream.yaml")}, apiSelect...), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "security-reviewer") {
		t.Fatalf("specsync exit %d, report does not name the new role:\n%s\n%s", code, out.String(), errOut.String())
	}

	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
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
