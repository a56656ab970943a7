package reconcile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// saved is plan written as JSON and read back, as a plan saved for later.
func saved(t *testing.T, plan *reconcile.Plan) *reconcile.Plan {
	t.Helper()
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back reconcile.Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

// userID is the ID of the fake's user login.
func userID(t *testing.T, srv *tsinvitestest.Server, login string) string {
	t.Helper()
	for _, u := range srv.Users() {
		if u.LoginName == login {
			return u.ID
		}
	}
	t.Fatalf("no user %s", login)
	return ""
}

// A saved plan, applied after the tailnet changed, re-reads it and skips, saying why,
// each change whose starting point is gone: the suspension of a member who is an admin
// by now, the demotion of someone whose role changed since, the restore of someone who
// is an admin by now. Applied a second time it changes nothing.
func TestSavedPlanSkipsWhatChanged(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithUsers(
		user("carl@example.com", tsinvites.TailnetRoleMember, ""),
		user("bob@example.com", tsinvites.TailnetRoleAdmin, ""),
		user("dana@example.com", tsinvites.TailnetRoleMember, tsinvites.UserStatusSuspended),
		user("erin@example.com", tsinvites.TailnetRoleMember, "")),
		tsinvitestest.WithInvites(inv("stale@example.com", "member")))
	desired := []tsinvites.CreateUserInviteRequest{inv("new@example.com", "member"), inv("bob@example.com", "member"), inv("dana@example.com", "member")}
	opts := reconcile.PlanOptions{Prune: true, ManageRoles: true, Offboard: true, OffboardAdmins: true}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(plan.Changes), 6; got != want { // create, delete, set-role, 2 suspends, restore
		t.Fatalf("%d changes, want %d:\n%s", got, want, plan)
	}
	later := saved(t, plan)
	for login, role := range map[string]tsinvites.TailnetRole{"carl@example.com": tsinvites.TailnetRoleAdmin, "bob@example.com": tsinvites.TailnetRoleNetworkAdmin, "dana@example.com": tsinvites.TailnetRoleAdmin} {
		if err := c.SetUserRole(t.Context(), userID(t, srv, login), role); err != nil {
			t.Fatal(err)
		}
	}
	res, err := reconcile.Apply(t.Context(), c, later, reconcile.ApplyOptions{})
	if err != nil {
		t.Errorf("Apply: %v", err)
	}
	want := map[string]string{
		"create new@example.com":   "done",
		"delete stale@example.com": "done",
		"set-role bob@example.com": "skipped: user 3002 has role network-admin now, not admin as the plan saw",
		"suspend carl@example.com": "skipped: user 3001 has role admin now, not member as the plan saw",
		"suspend erin@example.com": "done",
		"restore dana@example.com": "skipped: user 3003 has role admin now, not member as the plan saw",
	}
	for _, r := range res.Results {
		got := string(r.Status)
		if r.Status == "skipped" {
			got += ": " + strings.TrimPrefix(r.Error, "reconcile: apply: skipped: ")
		}
		if key := fmt.Sprintf("%s %s", r.Action, r.Email); got != want[key] {
			t.Errorf("%s: %s, want %s", key, got, want[key])
		}
	}
	if got := usersByLogin(srv); got["carl@example.com"] != "active admin" || got["dana@example.com"] != "suspended admin" || got["bob@example.com"] != "active network-admin" {
		t.Errorf("users now %v; want carl, dana and bob as changed since the plan", got)
	}
	before := srv.TotalRequests()
	res, err = reconcile.Apply(t.Context(), c, later, reconcile.ApplyOptions{})
	if err != nil || res.Count("skipped") != len(later.Changes) {
		t.Errorf("second Apply: %v, %v; want every change skipped", statuses(res), err)
	}
	if n := srv.TotalRequests() - before; n != 2 {
		t.Errorf("second Apply sent %d requests, want 2 (the two lists)", n)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate); n != 1 {
		t.Errorf("%d create calls, want 1", n)
	}
}

// Whatever a saved plan's JSON says, Apply keeps the plan's own guards: the cap on
// changes of access, the admin guard, the option that makes each change.
func TestSavedPlanKeepsItsGuards(t *testing.T) {
	t.Parallel()
	var users []tsinvites.User
	for i := range 15 {
		users = append(users, user(fmt.Sprintf("left%02d@example.com", i), tsinvites.TailnetRoleMember, ""))
	}
	c, srv := fakeClient(t, tsinvitestest.WithUsers(users...))
	plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true, MaxOffboard: 15})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(p map[string]any)) *reconcile.Plan {
		b, _ := json.Marshal(plan)
		var p map[string]any
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		f(p)
		b, _ = json.Marshal(p)
		var back reconcile.Plan
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		return &back
	}
	options := func(p map[string]any) map[string]any { return p["options"].(map[string]any) }
	change0 := func(p map[string]any) map[string]any { return p["changes"].([]any)[0].(map[string]any) }
	for name, tt := range map[string]struct {
		plan *reconcile.Plan
		want string
	}{
		"cap lowered": {edit(func(p map[string]any) { options(p)["maxOffboard"] = 3 }), "15 members would be suspended, more than the 3"},
		"admin":       {edit(func(p map[string]any) { change0(p)["role"] = "admin" }), "role admin is suspended only with OffboardAdmins"},
		"no offboard": {edit(func(p map[string]any) { options(p)["offboard"] = false; options(p)["maxOffboard"] = 0 }), "the plan's options do not ask for it"},
	} {
		_, err := reconcile.Apply(t.Context(), c, tt.plan, reconcile.ApplyOptions{})
		if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), tt.want) {
			t.Errorf("%s: Apply: %v; want ErrInvalidInput saying %q", name, err, tt.want)
		}
	}
	if n := srv.RequestCount(tsinvitestest.OpSuspendUser); n != 0 {
		t.Errorf("%d suspensions sent, want 0", n)
	}
}

// ReadPlan reads what json.Marshal writes, refuses unknown fields and trailing data,
// and the plan it reads is applied as a saved one.
func TestReadPlan(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("a@example.com", "member")}, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(plan)
	back, err := reconcile.ReadPlan(strings.NewReader(string(b) + "\n"))
	if err != nil || back.String() != plan.String() {
		t.Fatalf("ReadPlan: %v\n%s", err, back)
	}
	for name, text := range map[string]string{
		"unknown field":        strings.Replace(string(b), `"tailnet"`, `"tailnets"`, 1),
		"unknown option field": strings.Replace(string(b), `"prune"`, `"prunes"`, 1),
		"two plans":            string(b) + string(b),
		"negative cap":         strings.Replace(string(b), `"prune":false`, `"prune":false,"maxOffboard":-1`, 1),
	} {
		if _, err := reconcile.ReadPlan(strings.NewReader(text)); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	for range 2 {
		if _, err := reconcile.Apply(t.Context(), c, back, reconcile.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate); n != 1 {
		t.Errorf("%d create calls for a plan applied twice, want 1", n)
	}
}

// A plan applied as NewPlan made it is not read again: Apply sends only its changes.
func TestFreshPlanIsNotReadAgain(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("a@example.com", "member")}, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.TotalRequests()
	if _, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := srv.TotalRequests() - before; n != 1 {
		t.Errorf("Apply sent %d requests, want 1 (the create)", n)
	}
}
