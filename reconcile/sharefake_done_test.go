package reconcile_test

import (
	"testing"

	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestSharePlanDoneWhenFake is issue 26's done-when against the fake API
// (tsinvitestest), through a *tsinvites.Client whose every request and answer is
// checked against the document: 200 devices (40 with tag:ci); sharing tag:ci with three
// contractors and two servers with one more person creates 122 invites in 42 create
// calls; a second plan is empty; after some accept (AcceptDeviceInviteAs) and the list
// drops a contractor, Prune deletes exactly that contractor's pending invites, and the
// accepted ones are reported, not deleted.
func TestSharePlanDoneWhenFake(t *testing.T) {
	c, srv := fakeClient(t, tsinvitestest.WithDevices(testDevices(200, 40, "tag:ci")...))
	ctx := t.Context()
	p, err := reconcile.NewSharePlan(ctx, c, doneWhenShares(contractors), reconcile.PlanOptions{})
	if err != nil || p.Count(reconcile.ActionCreate) != 122 {
		t.Fatalf("plan: %v\n%s", err, p)
	}
	if d, l := srv.RequestCount(tsinvitestest.OpListDevices), srv.RequestCount(tsinvitestest.OpListDeviceInvites); d != 1 || l != 42 {
		t.Errorf("the plan read %d device lists and %d invite lists, want 1 and 42", d, l)
	}
	before := srv.RequestCount(tsinvitestest.OpCreateDeviceInvite)
	if res, err := reconcile.Apply(ctx, c, p, reconcile.ApplyOptions{}); err != nil || res.Count(reconcile.StatusDone) != 122 {
		t.Fatalf("Apply: %v", err)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreateDeviceInvite) - before; n != 42 {
		t.Errorf("%d create calls, want 42", n)
	}
	if len(srv.DeviceInvites()) != 122 {
		t.Fatalf("%d device invites, want 122", len(srv.DeviceInvites()))
	}
	if again, err := reconcile.NewSharePlan(ctx, c, doneWhenShares(contractors), reconcile.PlanOptions{}); err != nil || !again.Empty() {
		t.Fatalf("second plan: %v\n%s", err, again)
	}
	accepted := 0
	for _, inv := range srv.DeviceInvites() {
		if inv.Email == "c3@partner.example" && accepted < 10 {
			if err := srv.AcceptDeviceInviteAs(inv.ID, inv.Email); err != nil {
				t.Fatal(err)
			}
			accepted++
		}
	}
	p, err = reconcile.NewSharePlan(ctx, c, doneWhenShares(contractors[:2]), reconcile.PlanOptions{Prune: true})
	if err != nil || p.Count(reconcile.ActionDelete) != 30 || len(p.Changes) != 30 || len(p.Accepted) != 10 {
		t.Fatalf("prune plan (%d accepted): %v\n%s", len(p.Accepted), err, p)
	}
	for _, ch := range p.Changes {
		if ch.Email != "c3@partner.example" {
			t.Errorf("prune deletes %s", ch)
		}
	}
	if res, err := reconcile.Apply(ctx, c, p, reconcile.ApplyOptions{}); err != nil || res.Count(reconcile.StatusDone) != 30 {
		t.Fatalf("Apply prune: %v", err)
	}
	left := 0
	for _, inv := range srv.DeviceInvites() {
		if inv.Email == "c3@partner.example" {
			left++
			if !inv.Accepted {
				t.Errorf("c3's pending invite %s is left", inv.ID)
			}
		}
	}
	if left != 10 || len(srv.DeviceInvites()) != 92 {
		t.Errorf("%d of c3's invites left (want 10), %d in all (want 92)", left, len(srv.DeviceInvites()))
	}
}
