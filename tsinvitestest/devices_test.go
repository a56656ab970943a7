package tsinvitestest_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// sampleDevices are three devices: two tagged tag:ci (one also tag:linux), one given
// its own ID.
func sampleDevices() []tsinvites.Device {
	return []tsinvites.Device{
		{Hostname: "build-1", Tags: []string{"tag:ci", "tag:linux"}, Os: "linux", Addresses: []string{"100.64.0.1"}},
		{Hostname: "build-2", Tags: []string{"tag:ci"}},
		{ID: "777", Hostname: "game", Name: "game.example.ts.net"},
	}
}

// hostnames lists the devices' hostnames.
func hostnames(devices []tsinvites.Device) []string {
	var out []string
	for _, d := range devices {
		out = append(out, d.Hostname)
	}
	return out
}

// TestDevicesList: WithDevices' devices are listed in order, with IDs, node IDs and
// names filled in, and filtered by every tag given and by hostname.
func TestDevicesList(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithDevices(sampleDevices()...))
	c := srv.Client()
	all, err := c.ListDevices(t.Context(), tsinvites.ListTailnetDevicesParams{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hostnames(all); !slices.Equal(got, []string{"build-1", "build-2", "game"}) {
		t.Fatalf("devices %v", got)
	}
	if d := all[0]; d.ID == "" || d.NodeID == "" || d.Name != "build-1."+tsinvitestest.DefaultTailnet {
		t.Errorf("a device without ID, node ID and name got ID %q, node ID %q, name %q", d.ID, d.NodeID, d.Name)
	}
	if d := all[2]; d.ID != "777" || d.Name != "game.example.ts.net" {
		t.Errorf("a device's own ID and name were changed: %q, %q", d.ID, d.Name)
	}
	if !slices.EqualFunc(srv.Devices(), all, func(a, b tsinvites.Device) bool { return a.ID == b.ID }) {
		t.Error("Devices() differs from the list")
	}
	for _, tc := range []struct {
		tags []string
		host string
		want []string
	}{
		{tags: []string{"tag:ci"}, want: []string{"build-1", "build-2"}},
		{tags: []string{"tag:ci", "tag:linux"}, want: []string{"build-1"}},
		{tags: []string{"tag:none"}, want: nil},
		{host: "game", want: []string{"game"}},
		{tags: []string{"tag:ci"}, host: "game", want: nil},
	} {
		var p tsinvites.ListTailnetDevicesParams
		if tc.tags != nil {
			p.Tags = &tc.tags
		}
		if tc.host != "" {
			p.Hostname = &tc.host
		}
		got, err := c.ListDevices(t.Context(), p)
		if err != nil || !slices.Equal(hostnames(got), tc.want) {
			t.Errorf("tags %v hostname %q: %v, %v; want %v", tc.tags, tc.host, hostnames(got), err, tc.want)
		}
	}
}

// TestDeviceInvites: device invites are made per device (by ID or node ID), listed per
// device, got, and accepted through the API and by AcceptDeviceInviteAs.
func TestDeviceInvites(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithDevices(sampleDevices()...),
		tsinvitestest.WithKeyUser("owner@example.com"), tsinvitestest.WithClock(func() time.Time { return now }))
	c, ctx := srv.Client(), t.Context()
	devices := srv.Devices()
	made, err := c.CreateDeviceInvites(ctx, devices[0].NodeID,
		tsinvites.CreateDeviceInviteRequest{Email: "a@partner.org", AllowExitNode: true},
		tsinvites.CreateDeviceInviteRequest{MultiUse: true})
	if err != nil || len(made) != 2 {
		t.Fatalf("create: %v, %v", made, err)
	}
	if _, err := c.CreateDeviceInvites(ctx, "777", tsinvites.CreateDeviceInviteRequest{Email: "b@partner.org"}); err != nil {
		t.Fatal(err)
	}
	emailed, link := made[0], made[1]
	if !emailed.AllowExitNode || !emailed.LastEmailSentAt.Equal(now) || emailed.InviteURL == "" || !link.MultiUse || !link.Created.Equal(now) {
		t.Errorf("created %+v and %+v", emailed, link)
	}
	listed, err := c.ListDeviceInvites(ctx, devices[0].ID)
	if err != nil || len(listed) != 2 || listed[0].ID != emailed.ID || listed[1].ID != link.ID {
		t.Fatalf("list of the first device: %+v, %v", listed, err)
	}

	accepted, err := c.AcceptDeviceInvite(ctx, emailed.InviteURL)
	if err != nil || accepted.AcceptedBy.LoginName != "owner@example.com" || accepted.Device.ID != devices[0].ID || !accepted.Device.IncludeExitNode {
		t.Fatalf("accept by URL: %+v, %v", accepted, err)
	}
	if _, err := c.AcceptDeviceInvite(ctx, emailed.InviteURL); err == nil {
		t.Error("a single-use invite was accepted twice")
	}
	code := link.InviteURL[strings.LastIndex(link.InviteURL, "/")+1:]
	for _, who := range []string{"c@elsewhere.org", "d@elsewhere.org"} {
		if err := srv.AcceptDeviceInviteAs(link.ID, who); err != nil {
			t.Errorf("AcceptDeviceInviteAs(multi-use, %s): %v", who, err)
		}
	}
	if _, err := c.AcceptDeviceInvite(ctx, code); err != nil {
		t.Errorf("accept a multi-use invite by its code: %v", err)
	}
	got, err := c.GetDeviceInvite(ctx, link.ID)
	if err != nil || !got.Accepted || got.AcceptedBy.LoginName != "c@elsewhere.org" {
		t.Errorf("get the multi-use invite: %+v, %v; want accepted by its first acceptor", got, err)
	}
	if err := srv.AcceptDeviceInviteAs("404", "x@elsewhere.org"); err == nil {
		t.Error("AcceptDeviceInviteAs of no invite: no error")
	}

}

// TestDeviceInviteResendAndDelete: an emailed device invite is resent once a minute, one
// without email not at all, and a deleted one is gone.
func TestDeviceInviteResendAndDelete(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) // fixed: the second resend is within the minute
	srv := tsinvitestest.Start(t, tsinvitestest.WithDevices(sampleDevices()...), tsinvitestest.WithClock(func() time.Time { return now }))
	c, ctx := srv.Client(), t.Context()
	made, err := c.CreateDeviceInvites(ctx, "777", tsinvites.CreateDeviceInviteRequest{Email: "b@partner.org"}, tsinvites.CreateDeviceInviteRequest{})
	if err != nil || len(made) != 2 {
		t.Fatalf("create: %v, %v", made, err)
	}
	pending, link := made[0], made[1]
	if status, body := send(t, srv, "POST", "/api/v2/device-invites/"+pending.ID+"/resend", srv.Token(), ""); status != 200 {
		t.Errorf("first resend: %d %s", status, body)
	}
	if status, body := send(t, srv, "POST", "/api/v2/device-invites/"+pending.ID+"/resend", srv.Token(), ""); status != 429 {
		t.Errorf("second resend within a minute: %d %s, want 429", status, body)
	}
	if status, body := send(t, srv, "POST", "/api/v2/device-invites/"+link.ID+"/resend", srv.Token(), ""); status != 400 {
		t.Errorf("resend of an invite without email: %d %s, want 400", status, body)
	}
	if err := c.DeleteDeviceInvite(ctx, pending.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDeviceInvite(ctx, pending.ID); !tsinvites.IsNotFound(err) {
		t.Errorf("get after delete: %v, want not found", err)
	}
	if n := len(srv.DeviceInvites()); n != 1 {
		t.Errorf("%d device invites left, want 1", n)
	}
	if _, err := c.ListDeviceInvites(ctx, "no-such-device"); !tsinvites.IsNotFound(err) {
		t.Errorf("invites of no device: %v, want not found", err)
	}
}

// TestDeviceInvitesTokensNoUserOwns: an OAuth token may list devices and read and delete
// device invites, with the scopes for it, and may not create, resend or accept them.
func TestDeviceInvitesTokensNoUserOwns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scopes            []string
		read, del, listDv int
	}{
		{nil, 200, 200, 200},
		{[]string{"device_invites:read", "devices:core:read"}, 200, 403, 200},
		{[]string{"users"}, 403, 403, 403},
	} {
		opts := []tsinvitestest.Option{tsinvitestest.WithDevices(sampleDevices()...), tsinvitestest.WithOAuthClient("id", "secret")}
		if tc.scopes != nil {
			opts = append(opts, tsinvitestest.WithScopes(tc.scopes...))
		}
		srv := tsinvitestest.Start(t, opts...)
		made, err := srv.Client().CreateDeviceInvites(t.Context(), "777", tsinvites.CreateDeviceInviteRequest{Email: "a@partner.org"})
		if err != nil {
			t.Fatal(err)
		}
		_, out := postForm(t, srv, "/api/v2/oauth/token", formType, url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}})
		tok, _ := out["access_token"].(string)
		id := made[0].ID
		for _, r := range []struct {
			method, path, body string
			want               int
		}{
			{"GET", "/api/v2/tailnet/-/devices", "", tc.listDv},
			{"GET", "/api/v2/device/777/device-invites", "", tc.read},
			{"GET", "/api/v2/device-invites/" + id, "", tc.read},
			{"POST", "/api/v2/device/777/device-invites", `[{"email":"b@partner.org"}]`, 403},
			{"POST", "/api/v2/device-invites/" + id + "/resend", "", 403},
			{"POST", "/api/v2/device-invites/-/accept", `{"invite":"` + made[0].InviteURL + `"}`, 403},
			{"DELETE", "/api/v2/device-invites/" + id, "", tc.del},
		} {
			if status, body := send(t, srv, r.method, r.path, tok, r.body); status != r.want {
				t.Errorf("scopes %v: %s %s: %d %s, want %d", tc.scopes, r.method, r.path, status, body, r.want)
			}
		}
	}
}
