package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pipenet"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// syncClock is a fake's clock that a test moves.
type syncClock struct{ ns atomic.Int64 }

func newSyncClock(t time.Time) *syncClock {
	c := &syncClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *syncClock) now() time.Time               { return time.Unix(0, c.ns.Load()).UTC() }
func (c *syncClock) add(d time.Duration)          { c.ns.Add(int64(d)) }
func (c *syncClock) option() tsinvitestest.Option { return tsinvitestest.WithClock(c.now) }

func inv(email string, role tsinvites.UserRole) tsinvites.CreateUserInviteRequest {
	return tsinvites.CreateUserInviteRequest{Email: email, Role: role}
}

// openState is the fake's open invites as "email role" strings, sorted.
func openState(srv *tsinvitestest.Server) []string {
	var out []string
	for _, i := range srv.Invites() {
		out = append(out, strings.ToLower(i.Email)+" "+string(i.Role))
	}
	slices.Sort(out)
	return out
}

// wantState is desired as openState would show it once applied.
func wantState(desired []tsinvites.CreateUserInviteRequest) []string {
	var out []string
	for _, d := range desired {
		role := d.Role
		if role == "" {
			role = tsinvites.UserRoleMember
		}
		out = append(out, strings.ToLower(strings.TrimSpace(d.Email))+" "+string(role))
	}
	slices.Sort(out)
	return out
}

// planLines is the plan's changes as "action email" strings, in order.
func planLines(p *reconcile.Plan) []string {
	var out []string
	for _, ch := range p.Changes {
		out = append(out, string(ch.Action)+" "+ch.Email)
	}
	return out
}

func TestPlanAndApplyEveryKindOfChange(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	clock := newSyncClock(t0)
	c, srv := fakeClient(t, clock.option(), tsinvitestest.WithInvites(
		inv("keep@example.com", "member"),    // 1: unchanged
		inv("Role@Example.com", "member"),    // 2: recreate as admin
		inv("stale@example.com", "auditor"),  // 3: resend
		inv("gone@example.com", "member"),    // 4: not listed: delete with Prune
		inv("", "member"),                    // 5: no email: delete with Prune
		inv("dup@example.com", "member"),     // 6: duplicate with the wrong role: delete
		inv("twice@example.com", "it-admin"), // 7: duplicate of 9, emailed earlier: delete
	))
	clock.add(100 * time.Hour)
	ctx := context.Background()
	// Fresher invites: the resend rule leaves them alone.
	if _, err := c.Create(ctx, inv("keep@example.com", "member"), inv("dup@example.com", "admin"), inv("twice@example.com", "it-admin")); err != nil {
		t.Fatal(err)
	}
	// Open now: 1 keep (old), 2, 3, 4, 5, 6, 7, 8 keep (fresh), 9 dup admin, 10 twice.
	desired := []tsinvites.CreateUserInviteRequest{
		inv("KEEP@example.com", ""), // any case, role defaults to member
		inv("role@example.com", "admin"),
		inv("stale@example.com", "auditor"),
		inv("dup@example.com", "admin"),
		inv("twice@example.com", "it-admin"),
		inv("new@example.com", "network-admin"),
	}
	opts := reconcile.PlanOptions{ResendAfter: 72 * time.Hour, Now: clock.now()}

	plan, err := reconcile.NewPlan(ctx, c, desired, opts)
	if err != nil {
		t.Fatal(err)
	}
	wantNoPrune := []string{
		"create new@example.com",
		"recreate role@example.com",
		"resend stale@example.com",
		"delete keep@example.com",  // invite 1: 8 has the same role and was emailed last
		"delete dup@example.com",   // invite 6: 9 has the desired role
		"delete twice@example.com", // invite 7: 10 was emailed last
	}
	if diff := cmp.Diff(wantNoPrune, planLines(plan)); diff != "" {
		t.Errorf("plan without Prune (-want +got):\n%s\n%s", diff, plan)
	}
	if plan.NotListed != 2 || plan.Count(reconcile.ActionUnchanged) != 3 { // gone, no email; keep, dup, twice
		t.Errorf("NotListed = %d, unchanged = %d; want 2, 3", plan.NotListed, plan.Count(reconcile.ActionUnchanged))
	}
	if srv.TotalRequests() != 3 { // the create above, the list of invites and of users
		t.Errorf("Plan sent %d requests after the setup's create, want 2 (invites, users)", srv.TotalRequests()-1)
	}

	opts.Prune = true
	plan, err = reconcile.NewPlan(ctx, c, desired, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(wantNoPrune), "delete gone@example.com", "delete ")
	if diff := cmp.Diff(want, planLines(plan)); diff != "" {
		t.Errorf("plan with Prune (-want +got):\n%s\n%s", diff, plan)
	}
	recreate := plan.Changes[1]
	if recreate.InviteID != "2" || recreate.OldRole != "member" || recreate.Role != "admin" {
		t.Errorf("recreate = %+v, want invite 2 from member to admin", recreate)
	}
	if got := plan.Changes[2]; got.InviteID != "3" || !got.LastEmailSentAt.Equal(t0) {
		t.Errorf("resend = %+v, want invite 3 last emailed %v", got, t0)
	}

	clock.add(time.Hour)
	var progressed atomic.Int32
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{Progress: func(reconcile.ChangeResult) { progressed.Add(1) }})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if n := result.Count(reconcile.StatusDone); n != len(plan.Changes) || int(progressed.Load()) != n {
		t.Errorf("done %d, progress calls %d; want %d", n, progressed.Load(), len(plan.Changes))
	}
	if got := result.Results[0]; got.NewInviteID == "" || got.Invite == nil || got.Invite.ID != got.NewInviteID {
		t.Errorf("create result = %+v, want the new invite", got)
	}
	if diff := cmp.Diff(wantState(desired), openState(srv)); diff != "" {
		t.Errorf("open invites after Apply (-want +got):\n%s", diff)
	}
	for _, i := range srv.Invites() {
		if i.Email == "stale@example.com" && !i.LastEmailSentAt.Equal(clock.now()) {
			t.Errorf("stale@ was last emailed %v, want resent at %v", i.LastEmailSentAt, clock.now())
		}
	}

	// Applied, the same list plans nothing, and says so.
	before := srv.TotalRequests()
	opts.Now = clock.now()
	plan, err = reconcile.NewPlan(ctx, c, desired, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() || plan.Count(reconcile.ActionUnchanged) != len(desired) {
		t.Errorf("plan after Apply = %s, want no changes and %d unchanged", plan, len(desired))
	}
	if !strings.HasPrefix(plan.String(), "No changes: 6 open invites match the list; 0 joined.") {
		t.Errorf("String() = %q", plan.String())
	}
	result, err = reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
	if err != nil || len(result.Results) != 0 || srv.TotalRequests() != before+2 {
		t.Errorf("Apply of an empty plan: %v, %d results, %d requests; want nil, 0, only Plan's two lists", err, len(result.Results), srv.TotalRequests()-before)
	}
}

func TestPlanPrintsReadablyAndAsJSON(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	clock := newSyncClock(t0)
	c, _ := fakeClient(t, clock.option(), tsinvitestest.WithInvites(
		inv("role@example.com", "member"), inv("stale@example.com", "member"), inv("gone@external.test", "auditor"), inv("", "member")))
	plan, err := reconcile.NewPlan(context.Background(), c, []tsinvites.CreateUserInviteRequest{
		inv("new@example.com", "admin"), inv("role@example.com", "auditor"), inv("stale@example.com", "member"),
	}, reconcile.PlanOptions{Prune: true, ResendAfter: 72 * time.Hour, Now: t0.Add(73 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := `+ create    new@example.com (admin)
~ recreate  role@example.com (member → auditor, invite 1)
> resend    stale@example.com (member, invite 2): last emailed 2026-11-01 09:00 UTC
- delete    gone@external.test (auditor, invite 3): not in the list
- delete    an invite without email (member, invite 4): no email, so not in the list
Plan: 1 to create, 1 to recreate, 1 to resend, 2 to delete; 0 unchanged; 0 joined.`
	if diff := cmp.Diff(want, plan.String()); diff != "" {
		t.Errorf("String() (-want +got):\n%s", diff)
	}

	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "uinv") || strings.Contains(string(b), "inviteUrl") {
		t.Errorf("the JSON plan holds an invite URL: %s", b)
	}
	var back reconcile.Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plan, &back, cmpopts.IgnoreUnexported(reconcile.Plan{})); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s\nJSON: %s", diff, b)
	}
	wantJSON := `{"action":"recreate","email":"role@example.com","role":"auditor","inviteId":"1","oldRole":"member","lastEmailSentAt":"2026-11-01T09:00:00Z"}`
	if !strings.Contains(string(b), wantJSON) {
		t.Errorf("JSON %s\nlacks %s", b, wantJSON)
	}
	// Its options come back with it: a plan from the invites alone prints as it did.
	plan, err = reconcile.NewPlan(context.Background(), c, nil, reconcile.PlanOptions{WithoutUsers: true, ResendAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(plan)
	back = reconcile.Plan{}
	if err := json.Unmarshal(b, &back); err != nil || back.String() != plan.String() || back.Options.ResendAfter != time.Hour || !back.Options.WithoutUsers {
		t.Errorf("read back from %s: %v, %+v:\n%s\nwant:\n%s", b, err, back.Options, back.String(), plan.String())
	}
}

func TestPlanRefusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		desired []tsinvites.CreateUserInviteRequest
		opts    reconcile.PlanOptions
		want    string
	}{
		{"no email", []tsinvites.CreateUserInviteRequest{inv("", "admin")}, reconcile.PlanOptions{}, "invite 1: no email"},
		{"white space around", []tsinvites.CreateUserInviteRequest{inv(" a@example.com", "admin")}, reconcile.PlanOptions{}, `invite 1: email " a@example.com" has white space before or after it`},
		{"bad email", []tsinvites.CreateUserInviteRequest{inv("ok@example.com", ""), inv("A <a@example.com>", "")}, reconcile.PlanOptions{}, "invite 2: email"},
		{"bad role", []tsinvites.CreateUserInviteRequest{inv("a@example.com", "owner")}, reconcile.PlanOptions{}, `invite 1: role "owner" cannot be given by an invite`},
		{"twice, in another case", []tsinvites.CreateUserInviteRequest{inv("a@example.com", ""), inv("A@Example.com", "admin")}, reconcile.PlanOptions{}, `invite 2: duplicate email "A@Example.com" (first as invite 1)`},
		{"every problem", []tsinvites.CreateUserInviteRequest{inv("", ""), inv("x", ""), inv("y@example.com", "z")}, reconcile.PlanOptions{}, "invite 1: no email; invite 2: email \"x\" is not an address"},
		{"negative ResendAfter", nil, reconcile.PlanOptions{ResendAfter: -time.Hour}, "ResendAfter -1h0m0s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := fakeClient(t)
			_, err := reconcile.NewPlan(context.Background(), c, tt.desired, tt.opts)
			if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("Plan error = %v, want ErrInvalidInput with %q", err, tt.want)
			}
			if n := srv.TotalRequests(); n != 0 {
				t.Errorf("%d requests sent, want 0", n)
			}
		})
	}
}

func TestApplyRefusesBadPlansBeforeSending(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	plan := func(changes ...reconcile.Change) *reconcile.Plan {
		return &reconcile.Plan{Tailnet: "-", Changes: changes}
	}
	tests := []struct {
		name string
		c    *tsinvites.Client
		plan *reconcile.Plan
		opts reconcile.ApplyOptions
		want string
	}{
		{"nil", c, nil, reconcile.ApplyOptions{}, "no plan given"},
		{"nil client", nil, plan(), reconcile.ApplyOptions{}, "no client given"},
		{"zero client", &tsinvites.Client{}, plan(), reconcile.ApplyOptions{}, `the plan is for tailnet "-", the client for ""`},
		{"batch too big", c, plan(), reconcile.ApplyOptions{BatchSize: 101}, "BatchSize 101: want 1 to 100"},
		{"concurrency too high", c, plan(), reconcile.ApplyOptions{Concurrency: 65}, "Concurrency 65: want 1 to 64"},
		{"negative ResendAfter", c, &reconcile.Plan{Options: reconcile.PlanOptions{ResendAfter: -1}}, reconcile.ApplyOptions{}, "ResendAfter -1ns is negative"},
		{"another tailnet", c.WithTailnet("example.com"), plan(), reconcile.ApplyOptions{}, `the plan is for tailnet "-", the client for "example.com"`},
		{"create twice", c, plan(reconcile.Change{Action: "create", Email: "a@example.com", Role: "member"}, reconcile.Change{Action: "recreate", Email: "A@example.com", Role: "admin", InviteID: "1"}), reconcile.ApplyOptions{}, "changes 1 and 2 both create"},
		{"bad email", c, plan(reconcile.Change{Action: "create", Email: "nope", Role: "member"}), reconcile.ApplyOptions{}, `change 1 (create): email "nope" is not an address`},
		{"no role", c, plan(reconcile.Change{Action: "create", Email: "a@example.com"}), reconcile.ApplyOptions{}, "change 1 (create): want an email (a recreate has one) and a role"},
		{"recreate without email", c, plan(reconcile.Change{Action: "recreate", Role: "admin", InviteID: "1"}), reconcile.ApplyOptions{}, "change 1 (recreate): want an email (a recreate has one) and a role"},
		{"no invite ID", c, plan(reconcile.Change{Action: "delete", Email: "a@example.com"}), reconcile.ApplyOptions{}, "change 1 (delete): invite ID is empty"},
		{"bad ID", c, plan(reconcile.Change{Action: "resend", InviteID: ".."}), reconcile.ApplyOptions{}, `change 1 (resend): invite ID ".." is not allowed`},
		{"unknown action", c, plan(reconcile.Change{Action: "update", InviteID: "1"}), reconcile.ApplyOptions{}, `change 1: unknown action "update"`},
	}
	for _, tt := range tests {
		_, err := reconcile.Apply(context.Background(), tt.c, tt.plan, tt.opts)
		if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), tt.want) {
			t.Errorf("%s: Apply error = %v, want ErrInvalidInput with %q", tt.name, err, tt.want)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// desiredN is n invites, with every fifth an admin.
func desiredN(n int) []tsinvites.CreateUserInviteRequest {
	out := make([]tsinvites.CreateUserInviteRequest, n)
	for i := range out {
		out[i] = inv(fmt.Sprintf("person%04d@example.com", i), "member")
		if i%5 == 0 {
			out[i].Role = "admin"
		}
	}
	return out
}

func TestApplyThousandInvitesInFewRequests(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	ctx := context.Background()
	desired := desiredN(1000)
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	n := srv.TotalRequests()
	t.Logf("1,000 invites: %d requests (%d list, %d create)", n, srv.RequestCount(tsinvitestest.OpList), srv.RequestCount(tsinvitestest.OpCreate))
	if n > 12 || srv.RequestCount(tsinvitestest.OpCreate) != 10 {
		t.Errorf("%d requests, %d creates; want at most 12, and 10 creates of 100", n, srv.RequestCount(tsinvitestest.OpCreate))
	}
	if diff := cmp.Diff(wantState(desired), openState(srv)); diff != "" {
		t.Errorf("open invites (-want +got):\n%s", diff)
	}
}

// TestApplyConvergesAfterAFailureHalfWay breaks an apply half-way in each way a call
// can fail, then plans and applies again: the second run must finish the job with
// nothing created twice and nobody left uninvited at any point.
func TestApplyConvergesAfterAFailureHalfWay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		op    string
		fault tsinvitestest.Fault
		n     int // requests that get the fault
		// want is the count of each status after the first run.
		want map[reconcile.Status]int
	}{
		// The second create batch is done, but its answer is lost: unknown, not retried.
		{"create done, answer lost", tsinvitestest.OpCreate, tsinvitestest.Fault{Done: true, Drop: true}, 1,
			map[reconcile.Status]int{reconcile.StatusDone: 100 + 50 + 10 + 10, reconcile.StatusUnknown: 100}},
		// The second batch gets a 500 without being done: unknown too (it may have been).
		{"create fails with 500", tsinvitestest.OpCreate, tsinvitestest.Fault{Status: 500}, 1,
			map[reconcile.Status]int{reconcile.StatusDone: 100 + 50 + 10 + 10, reconcile.StatusUnknown: 100}},
		// The second batch is refused: failed, and the batches after it still go.
		{"create refused", tsinvitestest.OpCreate, tsinvitestest.Fault{Status: 403}, 1,
			map[reconcile.Status]int{reconcile.StatusDone: 100 + 50 + 10 + 10, reconcile.StatusFailed: 100}},
		// The deletes fail: the prunes fail, and the recreates are half done.
		{"deletes refused", tsinvitestest.OpDelete, tsinvitestest.Fault{Status: 403}, 20,
			map[reconcile.Status]int{reconcile.StatusDone: 250, reconcile.StatusFailed: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// 20 open invites: 10 to recreate (desired as admin) and 10 to prune.
			var seed []tsinvites.CreateUserInviteRequest
			desired := desiredN(250) // 250 to create; person0000 is admin
			for i := range 10 {
				seed = append(seed, inv(fmt.Sprintf("recreate%d@example.com", i), "member"), inv(fmt.Sprintf("prune%d@example.com", i), "member"))
				desired = append(desired, inv(fmt.Sprintf("recreate%d@example.com", i), "admin"))
			}
			c, srv := fakeClient(t, tsinvitestest.WithInvites(seed...))
			ctx := context.Background()
			opts := reconcile.PlanOptions{Prune: true}
			plan, err := reconcile.NewPlan(ctx, c, desired, opts)
			if err != nil {
				t.Fatal(err)
			}
			// 260 creates in batches of 100: 100 new, 100 new, 50 new + 10 recreates.
			// One create call at a time, so that the fault meets the second batch.
			var calls atomic.Int32
			result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{Concurrency: 1, Progress: func(r reconcile.ChangeResult) {
				if calls.Add(1) == 100 { // the first batch is done: break the next calls
					srv.InjectFault(tt.op, tt.n, tt.fault)
				}
			}})
			if err == nil {
				t.Fatal("Apply with failures returned no error")
			}
			got := map[reconcile.Status]int{}
			for _, r := range result.Results {
				got[r.Status]++
				if r.Status != reconcile.StatusDone && r.Error == "" {
					t.Errorf("%s %s: %s with no error", r.Action, r.Email, r.Status)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses after the first run (-want +got):\n%s\nerror: %v", diff, err)
			}
			// Nobody to be invited is uninvited: a recreate whose delete failed left two.
			for i := range 10 {
				if !slices.ContainsFunc(srv.Invites(), func(u tsinvites.UserInvite) bool { return u.Email == fmt.Sprintf("recreate%d@example.com", i) }) {
					t.Errorf("recreate%d@example.com has no invite after the failed run", i)
				}
			}

			creates := srv.RequestCount(tsinvitestest.OpCreate)
			plan, err = reconcile.NewPlan(ctx, c, desired, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("second plan: %s", plan.Summary())
			if _, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{}); err != nil {
				t.Fatalf("second Apply: %v", err)
			}
			if diff := cmp.Diff(wantState(desired), openState(srv)); diff != "" {
				t.Errorf("open invites after the second run (-want +got):\n%s", diff)
			}
			if plan, err = reconcile.NewPlan(ctx, c, desired, opts); err != nil || !plan.Empty() {
				t.Errorf("third plan = %v, %v; want empty", plan, err)
			}
			// A batch that was done is not created again: only what was missing is.
			if tt.fault.Done && srv.RequestCount(tsinvitestest.OpCreate) != creates {
				t.Errorf("the second run sent %d creates, want 0", srv.RequestCount(tsinvitestest.OpCreate)-creates)
			}
		})
	}
}

func TestApplyStopsStartingWorkWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", "member"), inv("b@example.com", "member")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan, err := reconcile.NewPlan(ctx, c, desiredN(300), reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	var progressed atomic.Int32
	before := srv.TotalRequests()
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{BatchSize: 100, Concurrency: 1, Progress: func(r reconcile.ChangeResult) {
		progressed.Add(1)
		cancel() // after the first batch
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Apply error = %v, want one wrapping context.Canceled", err)
	}
	if n := srv.TotalRequests() - before; n != 1 {
		t.Errorf("%d requests sent, want 1 (the first batch)", n)
	}
	if d, na := result.Count(reconcile.StatusDone), result.Count(reconcile.StatusNotAttempted); d != 100 || na != 202 || progressed.Load() != 100 {
		t.Errorf("done %d, not attempted %d, progress calls %d; want 100, 202 and 100 (none for changes not attempted)", d, na, progressed.Load())
	}
	last := result.Results[len(result.Results)-1]
	if last.Action != reconcile.ActionDelete || !strings.Contains(last.Error, "not started: context canceled") {
		t.Errorf("last result = %+v, want a delete not started", last)
	}
}

// A recreate whose create is done when the context ends keeps the old invite, says so,
// and the next run deletes it.
func TestApplyRecreateStoppedBetweenCreateAndDelete(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", "member")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	desired := []tsinvites.CreateUserInviteRequest{inv("a@example.com", "admin"), inv("x@example.com", "member")}
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// One batch: create x, then recreate a. The create's result comes first: cancel
	// there, after the batch was sent and before the recreate's delete starts.
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{Progress: func(reconcile.ChangeResult) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Apply error = %v, want one wrapping context.Canceled", err)
	}
	re := result.Results[1]
	if re.Action != reconcile.ActionRecreate || re.Status != reconcile.StatusFailed || re.NewInviteID == "" ||
		!strings.Contains(re.Error, "created invite "+re.NewInviteID+", but deleting the invite it replaces, 1, was not started") {
		t.Errorf("recreate result = %+v", re)
	}
	if diff := cmp.Diff([]string{"a@example.com admin", "a@example.com member", "x@example.com member"}, openState(srv)); diff != "" {
		t.Errorf("open invites (-want +got):\n%s", diff)
	}
	if srv.RequestCount(tsinvitestest.OpDelete) != 0 {
		t.Errorf("a delete was sent after the context ended")
	}

	plan, err = reconcile.NewPlan(context.Background(), c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete a@example.com"}, planLines(plan)); diff != "" {
		t.Errorf("second plan (-want +got):\n%s", diff)
	}
	if _, err := reconcile.Apply(context.Background(), c, plan, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantState(desired), openState(srv)); diff != "" {
		t.Errorf("open invites after the second run (-want +got):\n%s", diff)
	}
}

func TestPlanOfAnEmptyList(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", "member"), inv("", "admin")))
	ctx := context.Background()
	plan, err := reconcile.NewPlan(ctx, c, nil, reconcile.PlanOptions{Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil || !plan.Empty() || plan.NotListed != 2 {
		t.Errorf("without Prune: %v, %v; want an empty plan with 2 not listed", plan, err)
	}
	if b, _ := json.Marshal(plan); string(b) != `{"tailnet":"-","options":{"prune":false,"now":"2026-11-01T09:00:00Z","withoutUsers":false},"changes":[],"unchanged":[],"notListed":2,"joined":[]}` {
		t.Errorf("JSON of an empty plan: %s", b)
	}
	plan, err = reconcile.NewPlan(ctx, c, nil, reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete a@example.com", "delete "}, planLines(plan)); diff != "" {
		t.Errorf("with Prune (-want +got):\n%s", diff)
	}
}

// A recreate whose create fails, refused or maybe made, keeps the old invite: no delete
// is sent, and the person stays invited.
func TestApplyRecreateKeepsTheOldInviteWhenTheCreateFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   reconcile.Status
	}{{403, reconcile.StatusFailed}, {500, reconcile.StatusUnknown}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", "member")))
			ctx := context.Background()
			plan, err := reconcile.NewPlan(ctx, c, []tsinvites.CreateUserInviteRequest{inv("a@example.com", "admin")}, reconcile.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: tc.status})
			result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
			if err == nil || result.Results[0].Status != tc.want {
				t.Errorf("Apply: %v, %v; want an error and %s", result.Results, err, tc.want)
			}
			if tc.want == reconcile.StatusUnknown && !errors.Is(err, tsinvites.ErrMayHaveCreated) {
				t.Errorf("Apply error %v does not match ErrMayHaveCreated", err)
			}
			if n := srv.RequestCount(tsinvitestest.OpDelete); n != 0 {
				t.Errorf("%d deletes sent, want 0", n)
			}
			if diff := cmp.Diff([]string{"a@example.com member"}, openState(srv)); diff != "" {
				t.Errorf("open invites (-want +got):\n%s", diff)
			}
		})
	}
}

// Of several open invites for an email, the one with the desired role is kept even when
// another was emailed later; an invite deleted since Plan counts as deleted; resend
// waits until ResendAfter has passed, not a moment before.
func TestPlanDetails(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	clock := newSyncClock(t0)
	c, srv := fakeClient(t, clock.option(), tsinvitestest.WithInvites(
		inv("a@example.com", "admin"), inv("b@example.com", "member"), inv("gone@example.com", "member")))
	ctx := context.Background()
	clock.add(time.Hour)
	if _, err := c.Create(ctx, inv("a@example.com", "member")); err != nil { // 4, emailed later
		t.Fatal(err)
	}
	desired := []tsinvites.CreateUserInviteRequest{inv("a@example.com", "admin"), inv("b@example.com", "member")}
	opts := reconcile.PlanOptions{Prune: true, ResendAfter: 72 * time.Hour, Now: t0.Add(72 * time.Hour)}
	plan, err := reconcile.NewPlan(ctx, c, desired, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []reconcile.Change{
		{Action: "delete", Email: "gone@example.com", Role: "member", InviteID: "3", LastEmailSentAt: t0, Reason: "not in the list"},
		{Action: "delete", Email: "a@example.com", Role: "member", InviteID: "4", LastEmailSentAt: t0.Add(time.Hour), Reason: "another invite for this email, 1, is kept"},
	}
	if diff := cmp.Diff(want, plan.Changes, cmpopts.SortSlices(func(a, b reconcile.Change) bool { return a.InviteID < b.InviteID })); diff != "" {
		t.Errorf("plan at exactly ResendAfter (-want +got):\n%s", diff)
	}
	if err := c.Delete(ctx, "3"); err != nil { // gone before Apply
		t.Fatal(err)
	}
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
	if err != nil || result.Count(reconcile.StatusDone) != 2 {
		t.Errorf("Apply: %v, %v; want both done (3 was gone already)", result.Results, err)
	}
	if diff := cmp.Diff([]string{"a@example.com admin", "b@example.com member"}, openState(srv)); diff != "" {
		t.Errorf("open invites (-want +got):\n%s", diff)
	}
	opts.Now = opts.Now.Add(time.Nanosecond)
	if plan, err = reconcile.NewPlan(ctx, c, desired, opts); err != nil || plan.Count(reconcile.ActionResend) != 2 {
		t.Errorf("plan just after ResendAfter: %v, %v; want 2 resends", plan, err)
	}
}

// Apply runs at most Concurrency deletes and resends at once. In a synctest bubble each
// delete holds its answer 20 ms of the bubble's clock, which moves only when every
// goroutine waits: by then every delete Apply runs at once has arrived, so the most in
// flight is exactly the bound, on any machine.
func TestApplyConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var seed []tsinvites.CreateUserInviteRequest
		for i := range 12 {
			seed = append(seed, inv(fmt.Sprintf("p%d@example.com", i), "member"))
		}
		fake := tsinvitestest.Handler(tsinvitestest.WithInvites(seed...))
		var inFlight, most atomic.Int32
		tr := pipenet.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond) // the others pile up before the clock moves
			}
			fake.ServeHTTP(w, r)
		}))
		c, err := tsinvites.New(tsinvites.Config{APIKey: fake.Token(), BaseURL: pipenet.BaseURL, HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Prune: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{Concurrency: 3}); err != nil {
			t.Fatal(err)
		}
		if m := most.Load(); m != 3 {
			t.Errorf("at most %d deletes at once, want 3", m)
		}
		if n := len(fake.Invites()); n != 0 {
			t.Errorf("%d invites left, want 0", n)
		}
	})
}

// What the fake cannot do: an invite never emailed (no lastEmailSentAt) is resent, and a
// create answer that lacks a requested email leaves that change unknown, not done.
func TestApplyOnAnswersTheFakeDoesNotGive(t *testing.T) {
	t.Parallel()
	var resent atomic.Int32
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users"):
			_, _ = io.WriteString(w, `{"users":[]}`)
		case r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `[{"id":"1","email":"never@example.com","role":"member","tailnetId":1,"inviterId":1}]`)
		case strings.HasSuffix(r.URL.Path, "/resend"):
			resent.Add(1)
			_, _ = io.WriteString(w, `{}`)
		default: // a create of two answered with another email's invite
			_, _ = io.WriteString(w, `[{"id":"2","email":"a@example.com","role":"member","tailnetId":1,"inviterId":1},{"id":"3","email":"other@example.com","role":"member","tailnetId":1,"inviterId":1}]`)
		}
	})
	desired := []tsinvites.CreateUserInviteRequest{inv("never@example.com", ""), inv("a@example.com", ""), inv("b@example.com", "")}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{ResendAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"create a@example.com", "create b@example.com", "resend never@example.com"}, planLines(plan)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if plan.Changes[2].Reason != "never emailed" {
		t.Errorf("resend reason %q, want never emailed", plan.Changes[2].Reason)
	}
	result, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{})
	var got []reconcile.Status
	for _, r := range result.Results {
		got = append(got, r.Status)
	}
	if diff := cmp.Diff([]reconcile.Status{"done", "unknown", "done"}, got); diff != "" || err == nil || resent.Load() != 1 {
		t.Errorf("statuses (-want +got):\n%s\nerror: %v; %d resends", diff, err, resent.Load())
	}
}

// statuses is the results' statuses, in order.
func statuses(res *reconcile.Result) []reconcile.Status {
	var out []reconcile.Status
	for _, r := range res.Results {
		out = append(out, r.Status)
	}
	return out
}

// TestApplyPlanBuiltByHand: Apply runs a plan it did not make: creates without email
// (whose invites come back with their URLs), and deletes and resends of given IDs.
func TestApplyPlanBuiltByHand(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("a@example.com", "member"), inv("b@example.com", "member")))
	plan := &reconcile.Plan{Tailnet: "-", Changes: []reconcile.Change{
		{Action: reconcile.ActionCreate, Role: tsinvites.UserRoleMember},
		{Action: reconcile.ActionCreate, Role: tsinvites.UserRoleAdmin},
		{Action: reconcile.ActionCreate, Email: "c@example.com", Role: tsinvites.UserRoleMember},
		{Action: reconcile.ActionResend, InviteID: "1"},
		{Action: reconcile.ActionDelete, InviteID: "2"},
	}}
	res, err := reconcile.Apply(context.Background(), c, plan, reconcile.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Results[:2] {
		if r.Status != reconcile.StatusDone || r.Invite == nil || r.Invite.Email != "" || r.Invite.InviteURL == "" || r.Invite.Role != plan.Changes[i].Role {
			t.Errorf("result %d = %+v, invite %+v: want done, an invite without email, with a URL and the role", i, r, r.Invite)
		}
	}
	if diff := cmp.Diff([]reconcile.Status{"done", "done", "done", "done", "done"}, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate); n != 1 {
		t.Errorf("%d create calls, want 1", n)
	}
	if diff := cmp.Diff([]string{" admin", " member", "a@example.com member", "c@example.com member"}, openState(srv)); diff != "" {
		t.Errorf("open invites (-want +got):\n%s", diff)
	}
}

// TestApplyStopAfterFailedBatch: with StopAfterFailedBatch, the creates after a failed
// create call are not attempted, and the deletes still run; without it they are sent.
func TestApplyStopAfterFailedBatch(t *testing.T) {
	t.Parallel()
	for _, stop := range []bool{true, false} {
		t.Run(fmt.Sprint(stop), func(t *testing.T) {
			t.Parallel()
			c, srv := fakeClient(t, tsinvitestest.WithInvites(inv("old@example.com", "member")))
			var changes []reconcile.Change
			for i := range 5 {
				changes = append(changes, reconcile.Change{Action: reconcile.ActionCreate, Email: fmt.Sprintf("p%d@example.com", i), Role: "member"})
			}
			changes = append(changes, reconcile.Change{Action: reconcile.ActionDelete, InviteID: "1"})
			plan := &reconcile.Plan{Tailnet: "-", Changes: changes}
			var calls atomic.Int32
			res, err := reconcile.Apply(context.Background(), c, plan, reconcile.ApplyOptions{BatchSize: 2, Concurrency: 1, StopAfterFailedBatch: stop, Progress: func(reconcile.ChangeResult) {
				if calls.Add(1) == 2 { // after the first batch
					srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: http.StatusBadRequest})
				}
			}})
			want := []reconcile.Status{"done", "done", "failed", "failed", "not-attempted", "done"}
			if !stop {
				want[4] = "done"
			}
			if diff := cmp.Diff(want, statuses(res)); diff != "" || err == nil {
				t.Errorf("statuses (-want +got):\n%s\nerror: %v", diff, err)
			}
			if stop && res.Results[4].Error != "reconcile: apply: not attempted after create batch 2 failed" {
				t.Errorf("error of the creates not attempted: %q", res.Results[4].Error)
			}
			if n, want := srv.RequestCount(tsinvitestest.OpCreate), map[bool]int{true: 2, false: 3}[stop]; n != want {
				t.Errorf("%d create calls, want %d", n, want)
			}
		})
	}
}

// TestApplyNotFoundFails: a delete of an invite that does not exist is done, or with
// NotFoundFails failed with the API's 404.
func TestApplyNotFoundFails(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t)
	for _, strict := range []bool{false, true} {
		plan := &reconcile.Plan{Tailnet: "-", Changes: []reconcile.Change{{Action: reconcile.ActionDelete, InviteID: "99"}}}
		res, err := reconcile.Apply(context.Background(), c, plan, reconcile.ApplyOptions{NotFoundFails: strict})
		if got := res.Results[0]; strict != (got.Status == reconcile.StatusFailed) || strict != tsinvites.IsNotFound(err) || strict != tsinvites.IsNotFound(got.Err) {
			t.Errorf("NotFoundFails %t: result %+v, error %v", strict, got, err)
		}
	}
}
