package reconcile_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// answerCreate makes the fake's next create call do its work and then answer with
// invites instead of what it made.
func answerCreate(t *testing.T, srv *tsinvitestest.Server, invites ...tsinvites.UserInvite) {
	t.Helper()
	for i := range invites {
		invites[i].TailnetID, invites[i].InviterID = tsinvitestest.DefaultTailnetID, tsinvitestest.DefaultInviterID
	}
	body, err := json.Marshal(invites)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Done: true, Status: 200, Body: string(body)})
}

// A recreate (member to network-admin) answered with a member invite is not done: it
// fails, saying why and naming the invite that exists, and the old invite is kept
// (issue 20, item 3). Before, the old invite was deleted and the change reported done.
func TestRecreateAnsweredWithAnotherRoleIsNotDone(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", tsinvites.UserRoleMember)))
	p, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("a@example.com", tsinvites.UserRoleNetworkAdmin)}, reconcile.PlanOptions{})
	if err != nil || len(p.Changes) != 1 || p.Changes[0].Action != reconcile.ActionRecreate {
		t.Fatalf("plan %v, %v: want one recreate", p, err)
	}
	old := p.Changes[0].InviteID
	answerCreate(t, srv, tsinvites.UserInvite{ID: "2", Email: "a@example.com", Role: tsinvites.UserRoleMember})
	res, err := reconcile.Apply(t.Context(), c, p, reconcile.ApplyOptions{})
	if err == nil || res == nil || len(res.Results) != 1 {
		t.Fatalf("Apply: %v, %v; want an error and one result", res, err)
	}
	r := res.Results[0]
	if r.Status != reconcile.StatusFailed || r.NewInviteID != "2" || !strings.Contains(r.Error, "role member where network-admin was asked for") || !strings.Contains(r.Error, old+", is kept") {
		t.Errorf("result %v; want failed, naming invite 2, the wrong role and the kept invite %s", r, old)
	}
	if n := srv.RequestCount(tsinvitestest.OpDelete); n != 0 || !slices.ContainsFunc(srv.Invites(), func(i tsinvites.UserInvite) bool { return i.ID == old }) {
		t.Errorf("%d delete calls; invites %v: the old invite %s must be kept", n, srv.Invites(), old)
	}
}

// A create answered with an invite of another role is failed, with the invite that
// exists in its result (issue 20, item 3).
func TestCreateAnsweredWithAnotherRoleIsNotDone(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	p := &reconcile.Plan{Changes: []reconcile.Change{{Action: reconcile.ActionCreate, Email: "b@example.com", Role: tsinvites.UserRoleAdmin}}}
	answerCreate(t, srv, tsinvites.UserInvite{ID: "1", Email: "b@example.com", Role: tsinvites.UserRoleMember})
	res, err := reconcile.Apply(t.Context(), c, p, reconcile.ApplyOptions{})
	if err == nil || res == nil {
		t.Fatalf("Apply: %v, %v; want an error", res, err)
	}
	r := res.Results[0]
	if r.Status != reconcile.StatusFailed || r.NewInviteID != "1" || r.Invite == nil || r.Invite.Role != tsinvites.UserRoleMember ||
		!strings.Contains(r.Error, "it exists, with the wrong role") {
		t.Errorf("result %v; want failed, with invite 1 that exists with the wrong role", r)
	}
}

// A create of two invites without email answered with three: both changes are done,
// and the third invite, a live invite URL, is in Unpaired and named by the error (issue
// 20, item 5). Before, the third was dropped and Apply returned nil.
func TestCreateAnsweredWithMoreInvitesReportsThem(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	p := &reconcile.Plan{Changes: []reconcile.Change{
		{Action: reconcile.ActionCreate, Role: tsinvites.UserRoleMember},
		{Action: reconcile.ActionCreate, Role: tsinvites.UserRoleMember},
	}}
	const url3 = "https://login.tailscale.com/uinv/third0123456789"
	answerCreate(t, srv,
		tsinvites.UserInvite{ID: "1", Role: tsinvites.UserRoleMember, InviteURL: "https://login.tailscale.com/uinv/first0123456789"},
		tsinvites.UserInvite{ID: "2", Role: tsinvites.UserRoleMember, InviteURL: "https://login.tailscale.com/uinv/second012345678"},
		tsinvites.UserInvite{ID: "3", Role: tsinvites.UserRoleMember, InviteURL: url3})
	res, err := reconcile.Apply(t.Context(), c, p, reconcile.ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), `"3" (no email)`) || strings.Contains(err.Error(), "uinv") {
		t.Errorf("Apply error %v; want one naming invite 3, without its URL", err)
	}
	if res == nil || res.Count(reconcile.StatusDone) != 2 {
		t.Fatalf("result %v; want both changes done", res)
	}
	if len(res.Unpaired) != 1 || res.Unpaired[0].ID != "3" || res.Unpaired[0].InviteURL != url3 {
		t.Errorf("Unpaired = %v, want invite 3 with its URL", res.Unpaired)
	}
	if b, _ := json.Marshal(res); strings.Contains(string(b), "uinv") {
		t.Errorf("the result's JSON shows an invite URL: %s", b)
	}
	if errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Errorf("Apply error %v matches ErrInvalidInput", err)
	}
}
