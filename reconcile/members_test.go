package reconcile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// longAgo is when the users of the tests joined, unless a test says otherwise: past
// any OffboardGrace.
var longAgo = time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)

// user is a user for the fake: a member of the tailnet with this role and status, who
// joined long ago.
func user(login string, role tsinvites.TailnetRole, status tsinvites.UserStatus) tsinvites.User {
	return tsinvites.User{LoginName: login, Role: role, Status: status, Created: longAgo}
}

// userLines are the plan's changes to users as "action email user-ID", set-roles with
// "old→new".
func userLines(p *reconcile.Plan) []string {
	var out []string
	for _, ch := range p.Changes {
		if ch.UserID == "" {
			continue
		}
		s := fmt.Sprintf("%s %s %s", ch.Action, ch.Email, ch.UserID)
		if ch.Action == reconcile.ActionSetRole {
			s += fmt.Sprintf(" %s→%s", ch.OldRole, ch.Role)
		}
		out = append(out, s)
	}
	return out
}

// usersByLogin is the fake's users' "status role" by login name.
func usersByLogin(srv interface{ Users() []tsinvites.User }) map[string]string {
	out := map[string]string{}
	for _, u := range srv.Users() {
		out[u.LoginName] = fmt.Sprintf("%s %s", u.Status, u.Role)
	}
	return out
}

// people is a tailnet with one person for each rule and guard of the options on users;
// the IDs follow from 3001 in this order.
var people = []tsinvites.User{
	user("owner@example.com", tsinvites.TailnetRoleOwner, ""),                                // 3001, not listed: never suspended
	user("wait@example.com", tsinvites.TailnetRoleMember, tsinvites.UserStatusNeedsApproval), // 3002, listed: approved
	user("bob@example.com", tsinvites.TailnetRoleMember, ""),                                 // 3003, listed as admin: set-role
	user("carl@example.com", tsinvites.TailnetRoleMember, ""),                                // 3004, not listed: suspended
	user("dana@example.com", tsinvites.TailnetRoleMember, tsinvites.UserStatusSuspended),     // 3005, listed: restored
	user("erin@example.com", tsinvites.TailnetRoleAdmin, ""),                                 // 3006, not listed, admin: kept without OffboardAdmins
	user("bot@example.com", tsinvites.TailnetRoleMember, ""),                                 // 3007, not listed, in Keep
	user("gone@example.com", tsinvites.TailnetRoleMember, tsinvites.UserStatusSuspended),     // 3008, not listed, suspended already
	user("noroleinlist@example.com", tsinvites.TailnetRoleAuditor, ""),                       // 3009, listed without a role: role kept
	user("boss@example.com", tsinvites.TailnetRoleOwner, ""),                                 // 3010 (a second owner, for the test), listed as member: never changed
}

// peopleList is the desired list for people.
var peopleList = []tsinvites.CreateUserInviteRequest{
	inv("wait@example.com", "member"), inv("Bob@example.com", "admin"), inv("dana@example.com", "member"),
	inv("noroleinlist@example.com", ""), inv("boss@example.com", "member"), inv("new@example.com", "member"),
}

var allOn = reconcile.PlanOptions{Approve: true, ManageRoles: true, Offboard: true, Keep: []string{"BOT@example.com"}}

// Each option plans its changes, and each guard holds: the owner, an admin, a kept
// email, a user suspended already, a row without a role.
func TestPlanChangesToUsers(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(people...))
	plan, err := reconcile.NewPlan(t.Context(), c, peopleList, allOn)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"approve wait@example.com 3002",
		"set-role bob@example.com 3003 member→admin",
		"suspend carl@example.com 3004",
		"restore dana@example.com 3005",
	}
	if diff := cmp.Diff(want, userLines(plan)); diff != "" {
		t.Errorf("changes to users (-want +got):\n%s\n%s", diff, plan)
	}
	if got := planLines(plan)[0]; got != "create new@example.com" {
		t.Errorf("first change %q, want the create (invites first)", got)
	}
	text := plan.String()
	for _, line := range []string{
		"^ approve   wait@example.com (member, user 3002): awaits approval",
		"* set-role  bob@example.com (member → admin, user 3003)",
		"! suspend   carl@example.com (member, user 3004): not in the list",
		"& restore   dana@example.com (member, user 3005): in the list, suspended",
		"= joined    noroleinlist@example.com (auditor): the list gives no role, so the user's role is kept",
		"= joined    boss@example.com (owner): the list says member; the owner's role is never changed",
		"Plan: 1 to create, 0 to recreate, 0 to resend, 0 to delete; 1 to approve, 1 to set role, 1 to suspend, 1 to restore; 0 unchanged; 5 joined (2 suspended or awaiting approval, counted as joined).",
	} {
		if !strings.Contains(text, line+"\n") && !strings.HasSuffix(text, line) {
			t.Errorf("plan does not say %q:\n%s", line, text)
		}
	}
	for _, said := range []string{"= joined    wait@", "= joined    Bob@", "= joined    dana@"} { // their change says it
		if strings.Contains(text, said) {
			t.Errorf("plan says %q, which a change says already:\n%s", said, text)
		}
	}
}

// With the options off (the default), nothing is planned for users and the plan reads
// as it always did.
func TestPlanLeavesUsersAloneByDefault(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(people...))
	plan, err := reconcile.NewPlan(t.Context(), c, peopleList, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := userLines(plan); len(got) != 0 {
		t.Errorf("changes to users %v, want none", got)
	}
	want := "Plan: 1 to create, 0 to recreate, 0 to resend, 0 to delete; 0 unchanged; 5 joined (2 suspended or awaiting approval, counted as joined)."
	if got := plan.Summary(); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
	if text := plan.String(); !strings.Contains(text, "= joined    Bob@example.com (member): the list says admin; roles change only with ManageRoles (--manage-roles)") {
		t.Errorf("plan does not report bob's role as before:\n%s", text)
	}
	b, err := json.Marshal(plan.Options)
	if err != nil || strings.Contains(string(b), "approve") || strings.Contains(string(b), "offboard") {
		t.Errorf("options JSON %s (%v): want no options on users", b, err)
	}
}

func TestOffboardGuards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts reconcile.PlanOptions
		want []string
	}{
		{"members only, keep bot", reconcile.PlanOptions{Offboard: true, Keep: []string{"bot@example.com"}},
			[]string{"suspend carl@example.com 3004", "restore dana@example.com 3005"}},
		{"bot too", reconcile.PlanOptions{Offboard: true},
			[]string{"suspend carl@example.com 3004", "suspend bot@example.com 3007", "restore dana@example.com 3005"}},
		{"admins too, never the owners", reconcile.PlanOptions{Offboard: true, OffboardAdmins: true, Keep: []string{"bot@example.com"}},
			[]string{"suspend carl@example.com 3004", "suspend erin@example.com 3006", "restore dana@example.com 3005"}},
	}
	c, _ := fakeClient(t, tsinvitestest.WithUsers(people...))
	for _, tt := range tests {
		plan, err := reconcile.NewPlan(t.Context(), c, peopleList, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, userLines(plan)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// A user shared from another tailnet is never suspended, even by an API that answers
// the list of members with every user.
func TestOffboardNeverTouchesSharedUsers(t *testing.T) {
	t.Parallel()
	fake := tsinvitestest.Handler(tsinvitestest.WithUsers(
		tsinvites.User{LoginName: "guest@other.example", Type: tsinvites.UserTypeShared},
		tsinvites.User{LoginName: "left@example.com", Created: longAgo}))
	allUsers := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users") {
			q.Set("type", string(tsinvites.ListUsersParamsTypeAll))
			r.URL.RawQuery = q.Encode()
		}
		fake.ServeHTTP(w, r)
	})
	c := loopbackClient(t, fake.Token(), allUsers)
	plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true, OffboardAdmins: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"suspend left@example.com 3002"}, userLines(plan)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// More suspensions than MaxOffboard make NewPlan fail, naming the count and the option;
// raising it plans them.
func TestOffboardCap(t *testing.T) {
	t.Parallel()
	var users []tsinvites.User
	for i := range 11 {
		users = append(users, user(fmt.Sprintf("left%02d@example.com", i), tsinvites.TailnetRoleMember, ""))
	}
	c, srv := fakeClient(t, tsinvitestest.WithUsers(users...))
	_, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true})
	var capErr *reconcile.OffboardCapError
	if !errors.As(err, &capErr) || capErr.Count != 11 || capErr.Max != reconcile.DefaultMaxOffboard || !errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Fatalf("NewPlan error %v, want an OffboardCapError of 11 over %d matching ErrInvalidInput", err, reconcile.DefaultMaxOffboard)
	}
	for _, want := range []string{"11 members would be suspended", "MaxOffboard", "--max-offboard"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Offboard: true, MaxOffboard: 11})
	if err != nil || plan.Count(reconcile.ActionSuspend) != 11 {
		t.Fatalf("with MaxOffboard 11: %v, %d suspends", err, plan.Count(reconcile.ActionSuspend))
	}
	if n := srv.RequestCount(tsinvitestest.OpSuspendUser); n != 0 {
		t.Errorf("%d suspensions sent by NewPlan", n)
	}
}

// Apply makes the changes to users after the invites'; one the API refuses (the API
// key's own user) fails with the API's reason, and the others are done.
func TestApplyChangesToUsersAfterInvitesOwnUserRefused(t *testing.T) {
	t.Parallel()
	fake := tsinvitestest.Handler(tsinvitestest.WithUserApproval(), tsinvitestest.WithKeyUser("me@example.com"),
		tsinvitestest.WithUsers(append([]tsinvites.User{user("me@example.com", tsinvites.TailnetRoleMember, "")}, people[1:]...)...),
		tsinvitestest.WithInvites(inv("stale@example.com", "member")))
	var (
		mu    sync.Mutex
		order []string
	)
	c := loopbackClient(t, fake.Token(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			mu.Lock()
			order = append(order, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	opts := allOn
	opts.Prune = true
	plan, err := reconcile.NewPlan(t.Context(), c, peopleList, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{Concurrency: 2})
	if err == nil || res.Count(reconcile.StatusDone) != len(plan.Changes)-1 {
		t.Fatalf("Apply: %v; %d of %d done, want all but the suspension of me@", err, res.Count(reconcile.StatusDone), len(plan.Changes))
	}
	for _, r := range res.Results {
		if r.Status == reconcile.StatusFailed && (r.Action != reconcile.ActionSuspend || r.Email != "me@example.com" || !tsinvites.IsForbidden(r.Err) || !strings.Contains(r.Error, "own user")) {
			t.Errorf("failed: %v; want only the suspension of me@, refused 403 for being the key's own user", r)
		}
	}
	lastInvite, firstUser := -1, len(order)
	for i, o := range order {
		if strings.Contains(o, "/users/") {
			firstUser = min(firstUser, i)
		} else {
			lastInvite = i
		}
	}
	if lastInvite > firstUser || lastInvite < 0 {
		t.Errorf("requests in this order, want the invites' first:\n%s", strings.Join(order, "\n"))
	}
	got := usersByLogin(fake)
	for login, want := range map[string]string{"wait@example.com": "active member", "bob@example.com": "active admin", "carl@example.com": "suspended member", "dana@example.com": "active member", "me@example.com": "active member", "erin@example.com": "active admin"} {
		if got[login] != want {
			t.Errorf("%s is %q, want %q", login, got[login], want)
		}
	}
}

func TestApplyRefusesBadChangesToUsers(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	for name, tt := range map[string]struct {
		ch   reconcile.Change
		want string
	}{
		"no user ID":    {reconcile.Change{Action: reconcile.ActionApprove, Email: "a@example.com"}, "change 1 (approve): user ID is empty"},
		"bad user ID":   {reconcile.Change{Action: reconcile.ActionSuspend, UserID: ".."}, `change 1 (suspend): user ID ".." is not allowed`},
		"to owner":      {reconcile.Change{Action: reconcile.ActionSetRole, UserID: "1", Role: "owner", OldRole: "member"}, "the owner is never changed, and nobody is made owner"},
		"from owner":    {reconcile.Change{Action: reconcile.ActionSetRole, UserID: "1", Role: "member", OldRole: "owner"}, "the owner is never changed"},
		"suspend owner": {reconcile.Change{Action: reconcile.ActionSuspend, UserID: "1", Role: "owner"}, "the owner is never changed"},
		"unknown role":  {reconcile.Change{Action: reconcile.ActionSetRole, UserID: "1", Role: "boss"}, `change 1 (set-role): unknown role "boss" (want one of member, admin`},
		"no role":       {reconcile.Change{Action: reconcile.ActionSetRole, UserID: "1"}, `change 1 (set-role): no role`},
	} {
		_, err := reconcile.Apply(t.Context(), c, &reconcile.Plan{Changes: []reconcile.Change{tt.ch}}, reconcile.ApplyOptions{})
		if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), tt.want) {
			t.Errorf("%s: %v, want ErrInvalidInput with %q", name, err, tt.want)
		}
	}
	for name, opts := range map[string]reconcile.PlanOptions{
		"negative cap":           {Offboard: true, MaxOffboard: -1},
		"without users":          {Approve: true, WithoutUsers: true},
		"an empty kept email":    {Offboard: true, Keep: []string{""}},
		"a blank kept email":     {Offboard: true, Keep: []string{" "}},
		"manage roles, no users": {ManageRoles: true, WithoutUsers: true},
	} {
		if _, err := reconcile.NewPlan(t.Context(), c, nil, opts); !errors.Is(err, tsinvites.ErrInvalidInput) {
			t.Errorf("NewPlan with %s: %v, want ErrInvalidInput", name, err)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// A plan with changes to users reads back from its JSON as it was, options included,
// and the next plan after Apply is empty.
func TestPlanOfUsersRoundTripsAndConverges(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(people...))
	opts := allOn
	opts.MaxOffboard = 5
	plan, err := reconcile.NewPlan(t.Context(), c, peopleList, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back reconcile.Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plan, &back, cmpopts.IgnoreUnexported(reconcile.Plan{})); diff != "" || back.String() != plan.String() {
		t.Errorf("plan read back from %s differs (-want +got):\n%s", b, diff)
	}
	if !strings.Contains(string(b), `"userId":"3003"`) || !strings.Contains(string(b), `"keep":["BOT@example.com"],"maxOffboard":5`) {
		t.Errorf("JSON lacks the user ID or the options: %s", b)
	}
	if _, err := reconcile.Apply(t.Context(), c, &back, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	next, err := reconcile.NewPlan(t.Context(), c, peopleList, opts)
	if err != nil || len(userLines(next)) != 0 {
		t.Errorf("next plan: %v\n%s", err, next)
	}
}
