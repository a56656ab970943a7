package reconcile_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// resultOf is the result of the change with the action for the email.
func resultOf(t *testing.T, res *reconcile.Result, a reconcile.Action, email string) reconcile.ChangeResult {
	t.Helper()
	for _, r := range res.Results {
		if r.Action == a && r.Email == email {
			return r
		}
	}
	t.Fatalf("no %s of %s in the result", a, email)
	return reconcile.ChangeResult{}
}

// A waiting admin and a suspended admin, both listed as members: the change of role
// that takes their rights away comes first and is the condition of the approve and
// the restore. When it fails (500 on every attempt), neither is attempted, saying why,
// at any concurrency: nobody ends up an active admin against the list.
func TestAccessOnlyAfterTheRoleIsTakenAway(t *testing.T) {
	t.Parallel()
	for _, concurrency := range []int{1, 4} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			t.Parallel()
			c, srv := fakeClient(t, tsinvitestest.WithUsers(
				user("waiting@example.com", tsinvites.TailnetRoleAdmin, tsinvites.UserStatusNeedsApproval),
				user("away@example.com", tsinvites.TailnetRoleAdmin, tsinvites.UserStatusSuspended)))
			desired := []tsinvites.CreateUserInviteRequest{inv("waiting@example.com", "member"), inv("away@example.com", "member")}
			plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{Approve: true, ManageRoles: true, Offboard: true, OffboardAdmins: true})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Count(reconcile.ActionApprove) != 1 || plan.Count(reconcile.ActionRestore) != 1 || plan.Count(reconcile.ActionSetRole) != 2 {
				t.Fatalf("plan:\n%s\nwant an approve, a restore and two set-roles", plan)
			}
			srv.InjectFault(tsinvitestest.OpUpdateUserRole, 2*tsinvites.DefaultMaxAttempts, tsinvitestest.Fault{Status: http.StatusInternalServerError})
			res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{Concurrency: concurrency})
			if err == nil {
				t.Fatal("Apply succeeded with every change of role failing")
			}
			for _, email := range []string{"waiting@example.com", "away@example.com"} {
				a := reconcile.ActionApprove
				if email == "away@example.com" {
					a = reconcile.ActionRestore
				}
				if r := resultOf(t, res, a, email); r.Status != reconcile.StatusNotAttempted || !strings.Contains(r.Error, "the change of role before it (admin → member)") {
					t.Errorf("%s of %s: %s, %q; want not attempted, because the change of role was not done", a, email, r.Status, r.Error)
				}
			}
			if n := srv.RequestCount(tsinvitestest.OpApproveUser) + srv.RequestCount(tsinvitestest.OpRestoreUser); n != 0 {
				t.Errorf("%d approves and restores sent, want 0", n)
			}
			got := usersByLogin(srv)
			if got["waiting@example.com"] != "needs-approval admin" || got["away@example.com"] != "suspended admin" {
				t.Errorf("users now %v; want them still waiting and suspended", got)
			}
		})
	}
}

// A suspension whose every answer was lost after the fake made it is unknown (may have
// been done), as a create's is, not failed; the error says to plan again.
func TestLostAnswerOnUserChangeIsUnknown(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithUsers(user("carl@example.com", tsinvites.TailnetRoleMember, "")))
	plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(tsinvitestest.OpSuspendUser, tsinvites.DefaultMaxAttempts, tsinvitestest.Fault{Done: true, Drop: true})
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{})
	r := resultOf(t, res, reconcile.ActionSuspend, "carl@example.com")
	if r.Status != reconcile.StatusUnknown || !strings.Contains(r.Error, "may have been done") {
		t.Errorf("suspend with its answers lost: %s, %q; want unknown, may have been done", r.Status, r.Error)
	}
	if err == nil || !strings.Contains(err.Error(), "1 unknown") || !strings.Contains(err.Error(), "NewPlan and Apply again") {
		t.Errorf("Apply error %v; want 1 unknown and the advice to plan again", err)
	}
	if got := usersByLogin(srv)["carl@example.com"]; got != "suspended member" {
		t.Errorf("carl is %q; the fake suspended him", got)
	}
}

// A 429 asking to wait longer than the client waits stops the changes to users as it
// stops creates: the rest are not attempted, saying how long the API asked to wait.
func TestUserChangesStopWhenToldToWaitLong(t *testing.T) {
	t.Parallel()
	var users []tsinvites.User
	for i := range 20 {
		users = append(users, user(fmt.Sprintf("left%02d@example.com", i), tsinvites.TailnetRoleMember, ""))
	}
	c, srv := fakeClient(t, tsinvitestest.WithUsers(users...))
	plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true, MaxOffboard: 20})
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(tsinvitestest.OpSuspendUser, 1, tsinvitestest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{Concurrency: 1})
	if !tsinvites.IsRateLimited(err) || res.Count(reconcile.StatusFailed) != 1 || res.Count(reconcile.StatusNotAttempted) != 19 {
		t.Fatalf("Apply: %v, %v; want 1 failed (the 429), 19 not attempted", statuses(res), err)
	}
	if got := res.Results[19].Error; !strings.Contains(got, "asked to wait 2m0s (rate limited)") {
		t.Errorf("error of a suspension not attempted: %q", got)
	}
	if n := srv.RequestCount(tsinvitestest.OpSuspendUser); n != 1 {
		t.Errorf("%d suspensions sent, want 1", n)
	}
}
