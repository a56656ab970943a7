package main

import (
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	got := cli(t, nil, "version")
	first, _, _ := strings.Cut(got.stdout, "\n")
	if got.code != exitOK || first != "tsinvites "+tsinvites.Version || !strings.Contains(got.stdout, "go1.") {
		t.Errorf("exit %d; stdout %q", got.code, got.stdout)
	}
	got = cli(t, nil, "version", "-o", "json")
	if got.code != exitOK || !strings.Contains(got.stdout, `"version": "`+tsinvites.Version+`"`) {
		t.Errorf("-o json: exit %d; stdout %q", got.code, got.stdout)
	}
}

// TestVersionFlag: --version (and -v) print what the version command prints.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	want := cli(t, nil, "version")
	for _, flag := range []string{"--version", "-v"} {
		got := cli(t, nil, flag)
		if got.code != exitOK || got.stdout != want.stdout || got.stderr != "" {
			t.Errorf("%s: exit %d; stdout %q, want %q; stderr %q", flag, got.code, got.stdout, want.stdout, got.stderr)
		}
	}
}
