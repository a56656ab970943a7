package main

import (
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestSharesDeviceNames: shares create and shares list take --device as a plan's file
// does (reconcile's one rule): create refuses a name or a tag that names two devices,
// naming both, and sends no create; list takes a tag for all its devices; a name a plan
// would refuse is refused before anything is sent, as a device (never "invite ID").
func TestSharesDeviceNames(t *testing.T) {
	t.Parallel()
	srv, envs := credentialFake(t, tsinvitestest.WithDevices(
		tsinvites.Device{Name: "web-a.example.ts.net", Hostname: "web", Tags: []string{"tag:web"}},
		tsinvites.Device{Name: "web-b.example.ts.net", Hostname: "web", Tags: []string{"tag:web"}},
	))
	vars := envs["API key"]
	for _, name := range []string{"web", "tag:web"} {
		got := cli(t, vars, "shares", "create", "--device", name, "--email", "a@partner.org")
		if got.code != exitUsage || !strings.Contains(got.stderr, "web-a.example.ts.net (n40001)") || !strings.Contains(got.stderr, "web-b.example.ts.net (n40002)") {
			t.Errorf("create --device %s: exit %d, want 2 naming both devices; stderr %s", name, got.code, got.stderr)
		}
	}
	if n := srv.RequestCount("createDeviceInvites"); n != 0 {
		t.Errorf("%d creates sent for a device that names two", n)
	}
	for _, name := range []string{"web-a", "WEB-B.example.ts.net."} {
		if got := cli(t, vars, "shares", "create", "--device", name, "--email", "b@partner.org"); got.code != exitOK {
			t.Errorf("create --device %s: exit %d; stderr %s", name, got.code, got.stderr)
		}
	}
	got := cli(t, vars, "shares", "list", "--device", "tag:web", "-o", "csv")
	if got.code != exitOK || !strings.Contains(got.stdout, ",n40001,web-a.example.ts.net,b@partner.org,") || !strings.Contains(got.stdout, ",n40002,web-b.example.ts.net,b@partner.org,") {
		t.Errorf("list --device tag:web: exit %d, want the invites of both devices:\n%s%s", got.code, got.stdout, got.stderr)
	}
	total := srv.TotalRequests()
	for _, args := range [][]string{
		{"shares", "list", "--device", "a b"},
		{"shares", "list", "--device", "tag:"},
		{"shares", "create", "--device", "n1\t", "--email", "a@partner.org"},
	} {
		got := cli(t, vars, args...)
		if got.code != exitUsage || !strings.Contains(got.stderr, "--device: device") || strings.Contains(got.stderr, "invite ID") {
			t.Errorf("%v: exit %d, want 2 and the device's problem; stderr %s", args, got.code, got.stderr)
		}
	}
	if sent := srv.TotalRequests() - total; sent != 0 {
		t.Errorf("the refused names sent %d requests", sent)
	}
}

// TestSharesIDWording: the ID arguments of shares get, delete and resend are named
// device invite IDs in their errors, those of get, delete and resend invite IDs
// (before, every one said "invite ID").
func TestSharesIDWording(t *testing.T) {
	t.Parallel()
	_, vars := sampleServer(t)
	for _, tt := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"shares", "get", "-"}, "\n", "no device invite IDs on stdin"},
		{[]string{"shares", "delete", "50002", "50002", "--dry-run"}, "", "device invite ID 50002 is given twice"},
		{[]string{"shares", "resend", " "}, "", `device invite ID " ": want an ID`},
		{[]string{"delete", "12", "12", "--dry-run"}, "", "tsinvites: invite ID 12 is given twice"},
	} {
		got := invocation{args: tt.args, stdin: tt.stdin, vars: vars}.run(t)
		if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) {
			t.Errorf("%v: exit %d, want 2 and %q; stderr %s", tt.args, got.code, tt.want, got.stderr)
		}
	}
}
