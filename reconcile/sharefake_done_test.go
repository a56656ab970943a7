package reconcile_test

import (
	"testing"

	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestSharePlanDoneWhenFake is issue 26's done-when against the fake API
// (tsinvitestest), through a *tsinvites.Client whose every request and answer is
// checked against the document: 200 devices (40 with tag:ci); sharing tag:ci with three
// contractors and two servers with one more person creates 122 invites in 42 create
// calls, after one devices list and 42 invite lists; a second plan is empty; after some
// accept (AcceptDeviceInviteAs) and the list drops a contractor, Prune deletes exactly
// that contractor's pending invites, and the accepted ones are reported, not deleted.
func TestSharePlanDoneWhenFake(t *testing.T) {
	c, srv := fakeClient(t, tsinvitestest.WithDevices(testDevices(200, 40, "tag:ci")...))
	d := doneWhen{c: c, invites: srv.DeviceInvites, accept: srv.AcceptDeviceInviteAs}
	d.shareAll(t)
	if l, i, c := srv.RequestCount(tsinvitestest.OpListDevices), srv.RequestCount(tsinvitestest.OpListDeviceInvites), srv.RequestCount(tsinvitestest.OpCreateDeviceInvite); l != 2 || i != 84 || c != 42 {
		t.Errorf("two plans read %d device lists and %d invite lists, want 2 and 84; %d create calls, want 42", l, i, c)
	}
	d.dropContractor(t)
	if n := srv.RequestCount(tsinvitestest.OpDeleteDeviceInvite); n != 30 {
		t.Errorf("%d deletes, want 30", n)
	}
}
