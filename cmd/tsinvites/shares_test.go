package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// shareTailnet is a fake tailnet of 200 devices: 40 with tag:ci (ci-00 ... ci-39), two
// named servers (db-1, web-1) and 158 others.
func shareTailnet(t *testing.T) (*tsinvitestest.Server, map[string]string) {
	t.Helper()
	var devices []tsinvites.Device
	for i := range 40 {
		devices = append(devices, tsinvites.Device{Hostname: fmt.Sprintf("ci-%02d", i), Tags: []string{"tag:ci"}})
	}
	devices = append(devices, tsinvites.Device{Hostname: "db-1"}, tsinvites.Device{Hostname: "web-1"})
	for i := range 158 {
		devices = append(devices, tsinvites.Device{Hostname: fmt.Sprintf("host-%03d", i), Tags: []string{"tag:other"}})
	}
	srv, envs := credentialFake(t, tsinvitestest.WithDevices(devices...))
	return srv, envs["API key"]
}

// TestSharesDoneWhen is issue 26's "done when" through the command line: a file
// sharing tag:ci with three contractors and two named servers with one more person
// makes 122 invites in 42 create calls (one a device); a second plan is empty; after
// some accept and the file drops a contractor, --prune deletes exactly that
// contractor's pending invites, and the accepted ones are reported, not deleted.
func TestSharesDoneWhen(t *testing.T) {
	t.Parallel()
	srv, vars := shareTailnet(t)
	file := filepath.Join(t.TempDir(), "shares.csv")
	write := func(contractors ...string) {
		t.Helper()
		lines := []string{"device,email,allowExitNode"}
		for _, c := range contractors {
			lines = append(lines, "tag:ci,"+c+",")
		}
		lines = append(lines, "db-1,ops@partner.org,", "web-1.example.com,ops@partner.org,true")
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	step := func(code int, args ...string) outcome {
		t.Helper()
		got := cli(t, vars, append([]string{"shares", args[0], "-f", file}, args[1:]...)...)
		if got.code != code {
			t.Fatalf("shares %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got.code, code, got.stdout, got.stderr)
		}
		return got
	}
	write("c1@contractor.dev", "c2@contractor.dev", "c3@contractor.dev")
	step(exitOK, "apply", "--yes")
	if n, calls := len(srv.DeviceInvites()), srv.RequestCount(tsinvitestest.OpCreateDeviceInvite); n != 122 || calls != 42 {
		t.Fatalf("apply made %d invites in %d create calls, want 122 in 42", n, calls)
	}
	if got := step(exitOK, "plan", "--detailed-exitcode", "--prune"); !strings.Contains(got.stdout, `"changes": []`) {
		t.Errorf("the second plan is not empty:\n%s", got.stdout)
	}

	accepted, pendingC3 := acceptSome(t, srv)
	write("c1@contractor.dev", "c2@contractor.dev")
	before := srv.RequestCount(tsinvitestest.OpDeleteDeviceInvite)
	got := step(exitOK, "apply", "--prune", "--yes", "-o", "json")
	if deletes := srv.RequestCount(tsinvitestest.OpDeleteDeviceInvite) - before; deletes != len(pendingC3) || deletes != 30 {
		t.Errorf("--prune sent %d deletes, want 30 (c3's pending invites)", deletes)
	}
	checkPruned(t, srv, pendingC3, accepted)
	// The plan goes to stderr with -o json: each accepted share of c3 is reported.
	if n := strings.Count(got.stderr, "= accepted  c3@contractor.dev on ci-"); n != 10 || !strings.Contains(got.stderr, "not in the list, left alone") {
		t.Errorf("the plan reports %d accepted shares of c3, want 10:\n%s", n, got.stderr)
	}
	if got := step(exitOK, "plan", "--detailed-exitcode", "--prune"); !strings.Contains(got.stdout, `"changes": []`) {
		t.Errorf("the plan after pruning is not empty:\n%s", got.stdout)
	}
}

// acceptSome accepts, as their people, 10 invites of c3 (the contractor
// TestSharesDoneWhen drops) and the first of c1's, 15 in all; it gives the invites
// accepted and c3's still pending.
func acceptSome(t *testing.T, srv *tsinvitestest.Server) (accepted, pendingC3 map[string]bool) {
	t.Helper()
	accepted = map[string]bool{} // of c3, the contractor dropped, and of c1
	byC3 := 0
	for _, inv := range srv.DeviceInvites() {
		if (inv.Email == "c3@contractor.dev" && byC3 < 10) || (inv.Email == "c1@contractor.dev" && len(accepted) < 15) {
			if err := srv.AcceptDeviceInviteAs(inv.ID, inv.Email); err != nil {
				t.Fatal(err)
			}
			accepted[inv.ID] = true
			if inv.Email == "c3@contractor.dev" {
				byC3++
			}
		}
	}
	pendingC3 = map[string]bool{}
	for _, inv := range srv.DeviceInvites() {
		if inv.Email == "c3@contractor.dev" && !inv.Accepted {
			pendingC3[inv.ID] = true
		}
	}
	return accepted, pendingC3
}

// checkPruned: after --prune, c3's pending invites are gone, the accepted ones kept,
// 92 left.
func checkPruned(t *testing.T, srv *tsinvitestest.Server, pendingC3, accepted map[string]bool) {
	t.Helper()
	left := map[string]bool{}
	for _, inv := range srv.DeviceInvites() {
		left[inv.ID] = true
	}
	for id := range pendingC3 {
		if left[id] {
			t.Errorf("c3's pending invite %s was not deleted", id)
		}
	}
	for id := range accepted {
		if !left[id] {
			t.Errorf("accepted invite %s was deleted", id)
		}
	}
	if n := len(left); n != 122-30 {
		t.Errorf("%d invites left, want 92", n)
	}
}
