package reconcile_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// editJSON is plan written as JSON, changed by f, and read back as a saved plan.
func editJSON(t *testing.T, plan *reconcile.Plan, f func(p map[string]any)) *reconcile.Plan {
	t.Helper()
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	f(p)
	if b, err = json.Marshal(p); err != nil {
		t.Fatal(err)
	}
	back, err := reconcile.ReadPlan(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// A saved plan's changes to users are checked against the users as Apply re-reads
// them, whatever the JSON says: a change whose user has another login name than its
// email (a suspend naming a kept user's ID under another email, a restore or approve
// labelled with one person and the ID of another) is skipped, and so is the suspension
// of a member who joined within OffboardGrace (a held change moved into the changes),
// measured from the earlier of the plan's Now and Apply's time: editing the plan's time
// does not lift it, nor does applying the plan after the grace has passed. The bubble's
// clock is fixed (and moved by hand): nothing depends on the wall clock.
func TestSavedPlanGuardsTheUsersAsReRead(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		now := time.Now() // the bubble's fixed start
		joined := func(login string, status tsinvites.UserStatus, ago time.Duration) tsinvites.User {
			u := user(login, tsinvites.TailnetRoleMember, status)
			u.Created = now.Add(-ago)
			return u
		}
		const year = 365 * 24 * time.Hour
		fake := tsinvitestest.Handler(tsinvitestest.WithUsers(
			joined("kept@example.com", "", year),
			joined("fresh@example.com", "", time.Hour),
			joined("gone@example.com", "", year),
			joined("dana@example.com", tsinvites.UserStatusSuspended, year),
			joined("wait@example.com", tsinvites.UserStatusNeedsApproval, year)))
		c := bubbleClient(t, fake, fake, tsinvites.RetryPolicy{})
		id := map[string]string{}
		for _, u := range fake.Users() {
			id[u.LoginName] = u.ID
		}
		opts := reconcile.PlanOptions{Offboard: true, Approve: true, Keep: []string{"kept@example.com", "wait@example.com"}}
		plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("alice@example.com", "member"), inv("bob@example.com", "member")}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := userLines(plan); len(got) != 1 || got[0] != "suspend gone@example.com "+id["gone@example.com"] {
			t.Fatalf("changes to users %v, want the suspend of gone@ alone:\n%s", got, plan)
		}
		forged := func(planNow time.Time) *reconcile.Plan {
			return editJSON(t, plan, func(p map[string]any) {
				p["options"].(map[string]any)["now"] = planNow
				changes := p["changes"].([]any)
				for _, h := range p["held"].([]any) {
					if h.(map[string]any)["email"] == "fresh@example.com" {
						changes = append(changes, h)
					}
				}
				for _, ch := range [][3]string{
					{"suspend", "someone@example.com", id["kept@example.com"]},
					{"restore", "alice@example.com", id["dana@example.com"]},
					{"approve", "bob@example.com", id["wait@example.com"]},
				} {
					changes = append(changes, map[string]any{"action": ch[0], "email": ch[1], "userId": ch[2], "role": "member"})
				}
				p["changes"] = changes
			})
		}
		login := func(email, login string) string {
			return fmt.Sprintf("user %s has login name %s now, not %s as the plan says", id[login], login, email)
		}
		grace := fmt.Sprintf("user %s joined within OffboardGrace (%s): not suspended, check their login name", id["fresh@example.com"], reconcile.DefaultOffboardGrace)
		want := map[string]string{
			"create alice@example.com":    "done",
			"create bob@example.com":      "done",
			"suspend gone@example.com":    "done",
			"suspend fresh@example.com":   "skipped: " + grace,
			"suspend someone@example.com": "skipped: " + login("someone@example.com", "kept@example.com"),
			"restore alice@example.com":   "skipped: " + login("alice@example.com", "dana@example.com"),
			"approve bob@example.com":     "skipped: " + login("bob@example.com", "wait@example.com"),
		}
		apply := func(planNow time.Time) {
			t.Helper()
			res, err := reconcile.Apply(t.Context(), c, forged(planNow), reconcile.ApplyOptions{})
			if err != nil {
				t.Errorf("plan's now %s: Apply: %v", planNow, err)
			}
			if len(res.Results) != len(want) {
				t.Errorf("plan's now %s: %d results, want %d", planNow, len(res.Results), len(want))
			}
			for _, r := range res.Results {
				got := string(r.Status)
				if r.Status == reconcile.StatusSkipped {
					got += ": " + strings.TrimPrefix(r.Error, "reconcile: apply: skipped: ")
				}
				key := fmt.Sprintf("%s %s", r.Action, r.Email)
				if w := want[key]; got != w && !(w == "done" && r.Status == reconcile.StatusSkipped) { // done by the first Apply
					t.Errorf("plan's now %s: %s: %s, want %s", planNow, key, got, w)
				}
			}
		}
		for _, planNow := range []time.Time{plan.Options.Now, now.Add(100 * year), now.Add(-30 * 24 * time.Hour)} {
			apply(planNow)
		}
		time.Sleep(5 * 24 * time.Hour) // the bubble's clock: fresh@ joined past the grace by now, not at the plan's time
		apply(plan.Options.Now)
		for login, state := range map[string]string{
			"kept@example.com": "active member", "fresh@example.com": "active member", "gone@example.com": "suspended member",
			"dana@example.com": "suspended member", "wait@example.com": "needs-approval member",
		} {
			if got := usersByLogin(fake)[login]; got != state {
				t.Errorf("%s is %s, want %s", login, got, state)
			}
		}
	})
}

// A saved plan's suspend of a user whose login name matches no listed person (it holds
// a no-break space) is made: the re-read compares such a name with the change's email
// exactly, as it has no identity key.
func TestSavedPlanSuspendsALoginNameWithoutKey(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithUsers(user("bob\u00a0@example.com", tsinvites.TailnetRoleMember, "")))
	plan, err := reconcile.NewPlan(t.Context(), c, []tsinvites.CreateUserInviteRequest{inv("bob@example.com", "member")}, reconcile.PlanOptions{Offboard: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := userLines(plan); len(got) != 1 || !strings.HasPrefix(got[0], "suspend bob\u00a0@example.com ") {
		t.Fatalf("changes to users %q, want the lookalike's suspend:\n%s", got, plan)
	}
	res, err := reconcile.Apply(t.Context(), c, saved(t, plan), reconcile.ApplyOptions{})
	if err != nil || res.Count(reconcile.StatusDone) != 2 {
		t.Errorf("Apply: %v, %v; want the create and the suspend done", statuses(res), err)
	}
	if got := usersByLogin(srv)["bob\u00a0@example.com"]; got != "suspended member" {
		t.Errorf("the lookalike is %s, want suspended member", got)
	}
}
