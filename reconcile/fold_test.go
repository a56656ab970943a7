package reconcile_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// A login name with the Kelvin sign (U+212A) or a dotted capital I (U+0130) is not the
// listed kate@ or ivan@: strings.ToLower folds them into k and i, so the real Kate and
// Ivan would count as joined and never be invited (issue 20, item 6). Only ASCII letters
// are folded; Ann@Example.com still is ann@example.com.
func TestUnicodeLookalikesAreNotJoined(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(
		tsinvites.User{LoginName: "\u212Aate@example.com"},
		tsinvites.User{LoginName: "\u0130van@example.com"},
		tsinvites.User{LoginName: "Ann@Example.com"}))
	desired := []tsinvites.CreateUserInviteRequest{inv("kate@example.com", ""), inv("ivan@example.com", ""), inv("ann@example.com", "")}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"create kate@example.com", "create ivan@example.com"}, planLines(plan)); diff != "" || len(plan.Joined) != 1 {
		t.Errorf("plan (-want +got):\n%s\n%s", diff, plan)
	}
}

// A joined user whose answer gave no status is not worth a line (as without the options
// on users): only another role, a status other than active, or a redundant invite are.
func TestJoinedWithoutStatusNeedsNoLine(t *testing.T) {
	t.Parallel()
	for _, opts := range []reconcile.PlanOptions{{}, {Approve: true, ManageRoles: true}} {
		p := &reconcile.Plan{Options: opts, Joined: []reconcile.Joined{{Email: "ann@example.com", Role: tsinvites.UserRoleMember, UserID: "7", UserRole: tsinvites.TailnetRoleMember}}}
		if s := p.String(); strings.Contains(s, "= joined") {
			t.Errorf("options %+v: plan prints a line for a joined user with nothing to say:\n%s", opts, s)
		}
	}
}
