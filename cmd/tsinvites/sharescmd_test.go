package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
)

// TestSharesCommands runs each devices and shares command against the sample fake
// (devices n40001..n40004; device invites 50001, accepted, and 50002, pending, of the
// gameserver n40003): exit code, what stdout holds, and never an invite URL without
// --show-urls.
func TestSharesCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     []string
		stdin    string
		code     int
		inStdout string
	}{
		{[]string{"devices", "list", "-o", "table"}, "", 0, "n40003   gameserver.example.com"},
		{[]string{"devices", "list", "--tag", "tag:ci", "-o", "csv"}, "", 0, "n40002,40002,build-2.example.com,build-2,tag:ci,linux"},
		{[]string{"devices", "list", "--hostname", "nope", "-o", "json"}, "", 0, "[]"},
		{[]string{"shares", "list", "-o", "table"}, "", 0, "accepted by pal@partner.org"},
		{[]string{"shares", "list", "--device", "n40003", "-o", "csv"}, "", 0, "50002,n40003,gameserver.example.com,friend@partner.org,true,false,false,,"},
		{[]string{"shares", "list", "--device", "40003", "--device", "GameServer", "-o", "csv"}, "", 0, "50002,n40003,gameserver.example.com,friend@partner.org,true,false,false,,"},
		{[]string{"shares", "list", "--device", "gameserver.example.com", "-o", "json"}, "", 0, `"id": "50002"`},
		{[]string{"shares", "list", "--device", "tag:ci", "-o", "json"}, "", 0, "[]"},
		{[]string{"shares", "list", "--device", "n40003", "--device", "n99", "-o", "json"}, "", 2, ""},
		{[]string{"shares", "list", "--device", "a b"}, "", 2, ""},
		{[]string{"shares", "list", "--show-urls", "-o", "csv"}, "", 0, "https://login.tailscale.com/admin/invite/"},
		{[]string{"shares", "get", "50002", "99", "-o", "json"}, "", 3, `"email": "friend@partner.org"`},
		{[]string{"shares", "delete", "50002", "-o", "json"}, "", 0, `"done": 1`},
		{[]string{"shares", "delete", "-", "--dry-run", "-o", "table"}, "50001\n50002\n", 0, "would be deleted: device invite 50002"},
		{[]string{"shares", "resend", "50001", "-o", "json"}, "", 1, `"status": "failed"`},
		{[]string{"shares", "create", "--device", "n40001", "--email", "a@partner.org", "--email", "b@partner.org", "-o", "csv"}, "", 0, ",n40001,build-1.example.com,b@partner.org,false,false,false,,"},
		{[]string{"shares", "create", "--device", "n40001", "--link", "--multi-use", "--show-urls", "-o", "table"}, "", 0, "https://login.tailscale.com/admin/invite/"},
		{[]string{"shares", "create", "--device", "n40001", "--link"}, "", 2, ""},
		{[]string{"shares", "create", "--device", "n40001", "--email", "not-an-address"}, "", 2, ""},
		{[]string{"shares", "create", "--email", "a@partner.org"}, "", 2, ""},
		{[]string{"shares", "create", "--device", "n99", "--email", "a@partner.org"}, "", 2, ""},
		{[]string{"shares", "create", "--device", "build-2", "--email", "a@partner.org", "-o", "csv"}, "", 0, ",n40002,build-2.example.com,a@partner.org,false,false,false,,"},
		{[]string{"shares", "create", "--device", "tag:ci", "--email", "a@partner.org"}, "", 2, ""},
		{[]string{"shares", "accept", "-", "-o", "table"}, "https://login.tailscale.com/admin/invite/nosuchcode\n", 1, ""},
		{[]string{"shares", "accept", "nosuchcode"}, "", 1, ""},
		{[]string{"shares", "plan", "-f", "../../examples/shares.csv", "--prune", "-o", "table"}, "", 0, "+ create    kim@partner.org on gameserver.example.com (device n40003)"},
		{[]string{"shares", "plan", "-f", "../../examples/shares.csv", "--detailed-exitcode", "-o", "csv"}, "", 4, "create,n40001,build-1.example.com,ann@contractor.dev,false,,,"},
		{[]string{"shares", "plan", "-f", "-"}, "device,email\nbuild,a@partner.org\n", 2, ""},
		{[]string{"shares", "apply", "-f", "../../examples/shares.csv", "-o", "json"}, "", 2, ""},
		{[]string{"shares", "apply", "-f", "../../examples/shares.csv", "--yes", "-o", "csv"}, "", 0, "create,,,ann@contractor.dev,,,"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			_, vars := sampleServer(t)
			got := invocation{args: tt.args, stdin: tt.stdin, vars: vars}.run(t)
			if got.code != tt.code || !strings.Contains(got.stdout, tt.inStdout) {
				t.Errorf("exit %d, want %d; stdout %q, want it to hold %q; stderr:\n%s", got.code, tt.code, got.stdout, tt.inStdout, got.stderr)
			}
			showURLs := strings.Contains(strings.Join(tt.args, " "), "--show-urls")
			if strings.Contains(got.stdout+got.stderr, "/admin/invite/") != showURLs && tt.code == 0 {
				t.Errorf("an invite URL was printed (or not) against --show-urls:\n%s%s", got.stdout, got.stderr)
			}
			if strings.Contains(got.stdout+got.stderr, "nosuchcode") {
				t.Errorf("the accept argument was echoed:\n%s%s", got.stdout, got.stderr)
			}
		})
	}
}

// TestSharesApplySavedPlan: shares apply --plan applies a plan saved by shares plan -o
// json as it is; applied twice, the second finds each change's starting point gone and
// skips it, sending no create. A saved plan of invites, and --prune with --plan, are
// refused before anything is sent.
func TestSharesApplySavedPlan(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	saved := cli(t, vars, "shares", "plan", "-f", "../../examples/shares.csv", "-o", "json")
	if saved.code != exitOK {
		t.Fatalf("shares plan: exit %d: %s", saved.code, saved.stderr)
	}
	apply := func() outcome {
		return invocation{args: []string{"shares", "apply", "--plan", "-", "--yes", "-o", "json"}, stdin: saved.stdout, vars: vars}.run(t)
	}
	if got := apply(); got.code != exitOK || !strings.Contains(got.stdout, `"done": 5`) {
		t.Errorf("shares apply --plan: exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	before := srv.RequestCount("createDeviceInvites")
	if got := apply(); got.code != exitOK || !strings.Contains(got.stdout, `"skipped": 5`) || srv.RequestCount("createDeviceInvites") != before {
		t.Errorf("shares apply --plan again: exit %d, %d creates sent\n%s\n%s", got.code, srv.RequestCount("createDeviceInvites")-before, got.stdout, got.stderr)
	}
	invitesPlan := invocation{args: []string{"plan", "-f", "-", "-o", "json"}, stdin: "email\nz@example.com\n", vars: vars}.run(t)
	total := srv.TotalRequests()
	for _, tt := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"shares", "apply", "--plan", "-", "--yes"}, invitesPlan.stdout},
		{[]string{"shares", "apply", "--plan", "-", "--prune", "--yes"}, saved.stdout},
		{[]string{"shares", "apply", "--plan", "-", "-f", "x.csv", "--yes"}, saved.stdout},
	} {
		if got := (invocation{args: tt.args, stdin: tt.stdin, vars: vars}).run(t); got.code != exitUsage {
			t.Errorf("%v: exit %d, want 2; stderr %s", tt.args, got.code, got.stderr)
		}
	}
	if sent := srv.TotalRequests() - total; sent != 0 {
		t.Errorf("the refused applies sent %d requests", sent)
	}
}

// TestSharesAccept: shares accept takes an invite's URL from stdin (or its code as the
// argument), accepts it as the key's user and prints the device shared, never the URL
// or the code.
func TestSharesAccept(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	made, err := srv.Client().CreateDeviceInvites(t.Context(), "n40001", tsinvites.CreateDeviceInviteRequest{MultiUse: true})
	if err != nil {
		t.Fatal(err)
	}
	url := made[0].InviteURL
	code := url[strings.LastIndex(url, "/")+1:]
	for _, inv := range []invocation{
		{args: []string{"shares", "accept", "-", "-o", "table"}, stdin: url + "\n", vars: vars},
		{args: []string{"shares", "accept", code, "-o", "json"}, vars: vars},
	} {
		got := inv.run(t)
		if got.code != exitOK || !strings.Contains(got.stdout, "build-1.example.com") {
			t.Errorf("%v: exit %d; stdout %q; stderr %q", inv.args, got.code, got.stdout, got.stderr)
		}
		if strings.Contains(got.stdout+got.stderr, code) {
			t.Errorf("%v: the invite's code was printed:\n%s%s", inv.args, got.stdout, got.stderr)
		}
	}
	if inv := srv.DeviceInvites(); !slices.ContainsFunc(inv, func(d tsinvites.DeviceInvite) bool { return d.ID == made[0].ID && d.Accepted }) {
		t.Errorf("the invite is not accepted: %v", inv)
	}
}
