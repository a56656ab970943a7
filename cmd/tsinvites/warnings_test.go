package main

import (
	"strings"
	"testing"
)

// A --keep that matches no member is planned with a warning on stderr naming it, not
// in the plan on stdout (issue 25 item 7; before, a typo passed silently while the
// person it meant could be planned for suspension); one that is not a bare address is
// refused with exit 2, nothing sent.
func TestKeepThatMatchesNobodyIsWarned(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	got := invocation{args: []string{"plan", "--offboard", "--max-offboard", "100", "--keep", "ci-bto@example.com", "-f", "-"}, stdin: "email\na@example.com\n", vars: vars}.run(t)
	want := `tsinvites: warning: Keep entry "ci-bto@example.com" matches no member of the tailnet: check it for a typo`
	if got.code != exitOK || !strings.Contains(got.stderr, want) || strings.Contains(got.stdout, "warning: ") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %q on stderr only", got.code, got.stdout, got.stderr, want)
	}
	for _, k := range []string{"bo\u200bb@example.com", "Bob <bob@example.com>", "mailto:bob@example.com", " bob@example.com"} {
		before := srv.TotalRequests()
		got := invocation{args: []string{"plan", "--offboard", "--keep", k, "-f", "-"}, stdin: "email\na@example.com\n", vars: vars}.run(t)
		if sent := srv.TotalRequests() - before; got.code != exitUsage || sent != 0 {
			t.Errorf("--keep %+q: exit %d, %d requests; want 2 and none", k, got.code, sent)
		}
	}
}
