package reconcile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// says fails the test unless the printed plan has each line.
func says(t *testing.T, p *reconcile.Plan, lines ...string) {
	t.Helper()
	text := p.String()
	for _, line := range lines {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("plan does not say %q:\n%s", line, text)
		}
	}
}

// Taking a role other than member away is guarded as suspending such a user is: held
// back without OffboardAdmins, with the reason in the plan, and an approve that would
// let the person in with the role the list does not give is held with it.
func TestDemotionNeedsOffboardAdmins(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(
		user("lead@example.com", tsinvites.TailnetRoleAdmin, ""),
		user("waiting@example.com", tsinvites.TailnetRoleNetworkAdmin, tsinvites.UserStatusNeedsApproval),
		user("bob@example.com", tsinvites.TailnetRoleMember, "")))
	desired := []tsinvites.CreateUserInviteRequest{inv("lead@example.com", "member"), inv("waiting@example.com", "member"), inv("bob@example.com", "admin")}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{Approve: true, ManageRoles: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"set-role bob@example.com 3003 member→admin"}, userLines(plan)); diff != "" {
		t.Errorf("changes to users (-want +got):\n%s\n%s", diff, plan)
	}
	says(t, plan,
		"? held      lead@example.com (admin → member, user 3001): not changed: role admin is taken away only with OffboardAdmins (--offboard-admins)",
		"? held      waiting@example.com (network-admin, user 3002): awaits approval, not approved: the list says member, and the change of role is held back")
	plan, err = reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{Approve: true, ManageRoles: true, OffboardAdmins: true})
	if err != nil || plan.Count(reconcile.ActionSetRole) != 3 || plan.Count(reconcile.ActionApprove) != 1 {
		t.Errorf("with OffboardAdmins: %v\n%s\nwant three set-roles and the approve", err, plan)
	}
}

// Restores and roles taken away count toward MaxOffboard, as suspensions do.
func TestRestoresAndDemotionsCountTowardTheCap(t *testing.T) {
	t.Parallel()
	var users []tsinvites.User
	var desired []tsinvites.CreateUserInviteRequest
	for i := range 6 {
		users = append(users, user(fmt.Sprintf("back%d@example.com", i), tsinvites.TailnetRoleMember, tsinvites.UserStatusSuspended))
		users = append(users, user(fmt.Sprintf("admin%d@example.com", i), tsinvites.TailnetRoleAdmin, ""))
		desired = append(desired, inv(fmt.Sprintf("back%d@example.com", i), "member"), inv(fmt.Sprintf("admin%d@example.com", i), "member"))
	}
	c, _ := fakeClient(t, tsinvitestest.WithUsers(users...))
	_, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{ManageRoles: true, Offboard: true, OffboardAdmins: true})
	var capErr *reconcile.OffboardCapError
	if !errors.As(err, &capErr) || capErr.Count != 12 || capErr.Restores != 6 || capErr.Demotions != 6 || capErr.Suspends != 0 {
		t.Fatalf("NewPlan: %v; want the cap, of 6 restores and 6 roles taken away", err)
	}
	if want := "0 members would be suspended, 6 restored, 6 lose a role other than member, more than the 10 changes of access"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if _, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{ManageRoles: true, Offboard: true, OffboardAdmins: true, MaxOffboard: 12}); err != nil {
		t.Errorf("with MaxOffboard 12: %v", err)
	}
}

// Each guard that holds a suspension or a restore back says so in the plan: a listed,
// suspended admin, a kept person who is suspended and listed, an admin and a kept
// person not in the list.
func TestGuardsSayWhatTheyHoldBack(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithUsers(
		user("boss@example.com", tsinvites.TailnetRoleAdmin, tsinvites.UserStatusSuspended),
		user("svc@example.com", tsinvites.TailnetRoleMember, tsinvites.UserStatusSuspended),
		user("erin@example.com", tsinvites.TailnetRoleAdmin, ""),
		user("bot@example.com", tsinvites.TailnetRoleMember, "")))
	desired := []tsinvites.CreateUserInviteRequest{inv("boss@example.com", "admin"), inv("svc@example.com", "member")}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{Offboard: true, Keep: []string{"svc@example.com", "bot@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("plan has changes:\n%s", plan)
	}
	says(t, plan,
		"? held      boss@example.com (admin, user 3001): in the list and suspended, not restored: role admin is restored only with OffboardAdmins (--offboard-admins)",
		"? held      svc@example.com (member, user 3002): in the list and suspended, not restored: kept (Keep, --keep)",
		"? held      erin@example.com (admin, user 3003): not in the list, not suspended: role admin is suspended only with OffboardAdmins (--offboard-admins)",
		"? held      bot@example.com (member, user 3004): not in the list, not suspended: kept (Keep, --keep)")
}

// A member not in the list who joined within OffboardGrace (72 h by default) before the
// plan's time is not suspended: reported as joined recently; one who joined earlier is.
func TestOffboardGraceForNewMembers(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	fresh := user("alice@github", tsinvites.TailnetRoleMember, "")
	fresh.Created = now.Add(-71 * time.Hour)
	old := user("carl@example.com", tsinvites.TailnetRoleMember, "")
	old.Created = now.Add(-73 * time.Hour)
	c, _ := fakeClient(t, tsinvitestest.WithUsers(fresh, old))
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("alice@example.com", "member")}, reconcile.PlanOptions{Offboard: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"suspend carl@example.com 3002"}, userLines(plan)); diff != "" {
		t.Errorf("changes to users (-want +got):\n%s\n%s", diff, plan)
	}
	says(t, plan, "? held      alice@github (member, user 3001): joined recently, not in the list: check their login name (not suspended within OffboardGrace, 72h0m0s, of joining)")
}

// OffboardGrace is an option of the plan, kept in its JSON; a shorter one suspends the
// member who joined recently; a negative one is refused.
func TestOffboardGraceOption(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	fresh := user("alice@github", tsinvites.TailnetRoleMember, "")
	fresh.Created = now.Add(-2 * time.Hour)
	c, _ := fakeClient(t, tsinvitestest.WithUsers(fresh))
	opts := reconcile.PlanOptions{Offboard: true, Now: now, OffboardGrace: time.Hour}
	plan, err := reconcile.NewPlan(t.Context(), c, nil, opts)
	if err != nil || plan.Count(reconcile.ActionSuspend) != 1 {
		t.Fatalf("with OffboardGrace 1h: %v\n%s", err, plan)
	}
	b, err := json.Marshal(plan.Options)
	if err != nil || !strings.Contains(string(b), `"offboardGrace":"1h0m0s"`) {
		t.Errorf("options JSON %s (%v): want offboardGrace", b, err)
	}
	var back reconcile.PlanOptions
	if err := json.Unmarshal(b, &back); err != nil || back.OffboardGrace != time.Hour {
		t.Errorf("read back: %v, %v", back.OffboardGrace, err)
	}
	opts.OffboardGrace = -time.Hour
	if _, err := reconcile.NewPlan(t.Context(), c, nil, opts); !errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Errorf("negative OffboardGrace: %v, want ErrInvalidInput", err)
	}
}

// withoutUserID serves fake, with the user login's "id" taken out of the users list.
func withoutUserID(fake http.Handler, login string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/users") {
			fake.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, r)
		var body map[string][]map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, u := range body["users"] {
			if u["loginName"] == login {
				delete(u, "id")
			}
		}
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	})
}

// A user the API gives no ID is left out of the plan's changes and reported; Apply
// makes the rest, invites included.
func TestUserWithoutIDIsLeftOut(t *testing.T) {
	t.Parallel()
	fake := tsinvitestest.Handler(tsinvitestest.WithUsers(
		user("noid@example.com", tsinvites.TailnetRoleMember, ""),
		user("carl@example.com", tsinvites.TailnetRoleMember, "")))
	c := loopbackClient(t, fake.Token(), withoutUserID(fake, "noid@example.com"))
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("new@example.com", "member")}, reconcile.PlanOptions{Offboard: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"suspend carl@example.com 3002"}, userLines(plan)); diff != "" {
		t.Errorf("changes to users (-want +got):\n%s\n%s", diff, plan)
	}
	says(t, plan, "? held      noid@example.com (member): not in the list, but the API's answer gives the user no usable ID (user ID is empty): left out")
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{})
	if err != nil || res.Count(reconcile.StatusDone) != 2 {
		t.Errorf("Apply: %d done, %v; want the create and the suspension done", res.Count(reconcile.StatusDone), err)
	}
}

// Two accounts on one login name are both the listed person: each waiting account is
// approved, not only the last one listed.
func TestEveryAccountOfALoginNameCounts(t *testing.T) {
	t.Parallel()
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/user-invites"):
			fmt.Fprint(w, `[]`)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users"):
			fmt.Fprint(w, `{"users":[{"id":"1","loginName":"ann@example.com","role":"member","status":"needs-approval","type":"member"},{"id":"2","loginName":"Ann@example.com","role":"member","status":"needs-approval","type":"member"}]}`)
		default:
			http.Error(w, `{"message":"unexpected"}`, http.StatusTeapot)
		}
	})
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("ann@example.com", "member")}, reconcile.PlanOptions{Approve: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"approve ann@example.com 1", "approve Ann@example.com 2"}, userLines(plan)); diff != "" {
		t.Errorf("changes to users (-want +got):\n%s\n%s", diff, plan)
	}
}
