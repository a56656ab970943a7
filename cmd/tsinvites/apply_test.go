package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// writeFile writes content to name in a new temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApplyFileFormats applies the same list from CSV, YAML and JSON files, then plans
// again: nothing is left to do.
func TestApplyFileFormats(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"invites.csv":  desiredCSV,
		"invites.yaml": "- email: amelie@example.com\n  role: admin\n- email: contractor@partner.org\n- {email: bob@example.com, role: admin}\n- email: dave@example.com\n  role: auditor\n",
		"invites.json": `[{"email": "amelie@example.com", "role": "admin"}, {"email": "contractor@partner.org"},
			{"email": "bob@example.com", "role": "admin"}, {"email": "dave@example.com", "role": "auditor"}]`,
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, vars := sampleServer(t)
			path := writeFile(t, name, content)
			got := cli(t, vars, "apply", "-f", path, "--prune", "--yes", "-o", "json")
			if got.code != exitOK {
				t.Fatalf("apply: exit %d\n%s", got.code, got.stderr)
			}
			want := []string{"amelie@example.com admin", "bob@example.com admin", "contractor@partner.org member", "dave@example.com auditor"}
			var open []string
			for _, inv := range srv.Invites() {
				open = append(open, inv.Email+" "+string(inv.Role))
			}
			slices.Sort(open)
			if diff := cmp.Diff(want, open); diff != "" {
				t.Errorf("open invites (-want +got):\n%s", diff)
			}
			got = cli(t, vars, "plan", "-f", path, "--prune", "-o", "table")
			if got.code != exitOK || !strings.Contains(got.stdout, "No changes: 4 open invites match the list;") {
				t.Errorf("second plan: exit %d\n%s%s", got.code, got.stdout, got.stderr)
			}
		})
	}
}

// TestApplyConfirmation: on a terminal apply asks, and only "yes" goes ahead.
func TestApplyConfirmation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer string
		code   int
	}{{"yes\n", exitOK}, {"y\n", exitFailed}, {"", exitFailed}, {"no\n", exitFailed}} {
		t.Run(fmt.Sprintf("%q", tc.answer), func(t *testing.T) {
			t.Parallel()
			srv, vars := sampleServer(t)
			path := writeFile(t, "invites.csv", desiredCSV)
			before := srv.TotalRequests()
			got := invocation{args: []string{"apply", "-f", path, "-o", "table"}, stdin: tc.answer, vars: vars, stdinTTY: true}.run(t)
			if got.code != tc.code || !strings.Contains(got.stderr, `Apply 2 changes to tailnet "-"? Only 'yes' is accepted: `) {
				t.Errorf("exit %d, want %d; stderr:\n%s", got.code, tc.code, got.stderr)
			}
			sent := srv.TotalRequests() - before
			if tc.code != exitOK && (sent != 2 || !strings.Contains(got.stderr, "apply cancelled; nothing was sent")) {
				t.Errorf("declined: %d requests (want only the lists of invites and users); stderr:\n%s", sent, got.stderr)
			}
			if tc.code == exitOK && sent != 4 { // create dave and bob's new invite, delete bob's old one
				t.Errorf("confirmed: %d requests, want 4 (list invites and users, create, delete)", sent)
			}
		})
	}
}

// TestApplyPartlyDoneThenAgain: a failure half-way gives exit 3 and says which changes
// are not done; running apply again finishes, creating nothing twice.
func TestApplyPartlyDoneThenAgain(t *testing.T) {
	t.Parallel()
	var desired strings.Builder
	desired.WriteString("email,role\n")
	for i := range 150 {
		fmt.Fprintf(&desired, "p%03d@example.com,member\n", i)
	}
	f, vars := middleServer(t, func(*tsinvitestest.Fake, *http.Request) {}, tsinvitestest.WithInvites(
		tsinvites.CreateUserInviteRequest{Email: "old@example.com"}))
	path := writeFile(t, "invites.csv", desired.String())
	// Two create batches, then the prune of old@: its delete is refused.
	f.InjectFault(tsinvitestest.OpDelete, 1, tsinvitestest.Fault{Status: http.StatusForbidden})
	got := invocation{args: []string{"apply", "-f", path, "--prune", "--yes", "-o", "json"}, vars: vars, stderrTTY: true}.run(t)
	if got.code != exitPartial {
		t.Fatalf("first apply: exit %d, want %d\n%s", got.code, exitPartial, got.stderr)
	}
	if !strings.Contains(got.stderr, "applying") {
		t.Errorf("no progress bar for 151 changes on a terminal:\n%q", got.stderr)
	}
	var rep report
	if err := json.Unmarshal([]byte(got.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, got.stdout)
	}
	if rep.Done != 150 || rep.Failed != 1 || !strings.Contains(got.stderr, "applied 150 of 151 changes; 1 failed") {
		t.Errorf("report: done %d failed %d; stderr:\n%s", rep.Done, rep.Failed, got.stderr)
	}
	last := rep.Results[len(rep.Results)-1]
	if last.Action != reconcile.ActionDelete || last.Status != reconcile.StatusFailed || !strings.HasPrefix(last.Error, "403 forbidden") {
		t.Errorf("last result %+v, want the delete failed with 403", last)
	}

	creates := f.RequestCount(tsinvitestest.OpCreate)
	got = cli(t, vars, "apply", "-f", path, "--prune", "--yes", "-o", "table")
	if got.code != exitOK || !strings.Contains(got.stdout, "- delete    old@example.com (member, invite 1): not in the list") {
		t.Errorf("second apply: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	if n := f.RequestCount(tsinvitestest.OpCreate) - creates; n != 0 {
		t.Errorf("the second apply sent %d creates, want 0", n)
	}
	if n := len(f.Invites()); n != 150 {
		t.Errorf("%d open invites, want 150", n)
	}
}

// TestApplyThousandThenJoined: 1,000 people applied from a file, 300 of them accept
// their invites, and the next plan shows 300 joined and nothing to create, in two
// requests (the invites and the users).
func TestApplyThousandThenJoined(t *testing.T) {
	t.Parallel()
	f, vars := middleServer(t, func(*tsinvitestest.Fake, *http.Request) {})
	var desired strings.Builder
	desired.WriteString("email,role\n")
	for i := range 1000 {
		fmt.Fprintf(&desired, "p%04d@example.com,member\n", i)
	}
	path := writeFile(t, "people.csv", desired.String())
	if got := cli(t, vars, "apply", "-f", path, "--yes", "-o", "json"); got.code != exitOK {
		t.Fatalf("apply: exit %d\n%s", got.code, got.stderr)
	}
	if n := f.RequestCount(tsinvitestest.OpCreate); n != 10 {
		t.Errorf("%d create calls, want 10 of 100", n)
	}
	for _, inv := range f.Invites()[:300] {
		if err := f.AcceptInvite(inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	before := f.TotalRequests()
	got := cli(t, vars, "plan", "-f", path, "--detailed-exitcode", "-o", "table")
	if got.code != exitOK || !strings.Contains(got.stdout, "No changes: 700 open invites match the list; 300 joined.") {
		t.Errorf("plan: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	if n := f.TotalRequests() - before; n > 3 {
		t.Errorf("the plan took %d requests, want at most 3", n)
	}
}
