package reconcile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// The whole story of a nightly job: 1,000 people applied, 300 accept, and the next plan
// knows them as joined: no creates, in two requests.
func TestAcceptedInvitesAreJoinedNotInvitedAgain(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	ctx := t.Context()
	var desired []tsinvites.CreateUserInviteRequest
	for i := range 1000 {
		desired = append(desired, inv(fmt.Sprintf("person%04d@example.com", i), "member"))
	}
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	open, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range open[:300] {
		if err := srv.AcceptInvite(inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	before := srv.TotalRequests()
	plan, err = reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	requests := srv.TotalRequests() - before
	t.Logf("after 300 accepted: %s (%d requests)", plan.Summary(), requests)
	if len(plan.Joined) != 300 || !plan.Empty() || plan.Count(reconcile.ActionUnchanged) != 700 || requests > 3 {
		t.Errorf("plan: %d joined, %d changes, %d unchanged, %d requests; want 300, 0, 700, at most 3", len(plan.Joined), len(plan.Changes), plan.Count(reconcile.ActionUnchanged), requests)
	}
}

func TestPlanWithJoinedPeople(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t,
		tsinvitestest.WithUsers(
			tsinvites.User{LoginName: "Ann@Example.com", Role: tsinvites.TailnetRoleAdmin},
			tsinvites.User{LoginName: "sus@example.com", Role: tsinvites.TailnetRoleMember, Status: tsinvites.UserStatusSuspended},
			tsinvites.User{LoginName: "wait@example.com", Role: tsinvites.TailnetRoleMember, Status: tsinvites.UserStatusNeedsApproval},
			tsinvites.User{LoginName: "other@example.com"}, // not in the list: never touched
		),
		tsinvitestest.WithInvites(inv("sus@example.com", "member")))
	desired := []tsinvites.CreateUserInviteRequest{inv("ann@example.com", "member"), inv("sus@example.com", "member"), inv("wait@example.com", "member"), inv("new@example.com", "member")}

	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{ResendAfter: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := planLines(plan); len(got) != 1 || got[0] != "create new@example.com" {
		t.Errorf("changes = %v, want only the create of new@example.com", got)
	}
	text := plan.String()
	for _, want := range []string{
		"= joined    ann@example.com (admin): the list says member; roles change only with ManageRoles (--manage-roles)",
		"= joined    sus@example.com (member; suspended): 1 redundant invite still open",
		"= joined    wait@example.com (member; needs-approval)",
		"; 3 joined (2 suspended or awaiting approval, counted as joined).",
		"1 joined person has a redundant open invite (pruning would delete it).",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not say %q:\n%s", want, text)
		}
	}

	plan, err = reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{})
	if err != nil || res.Count(reconcile.StatusDone) != 2 {
		t.Fatalf("apply with Prune: %v, %v; want the create and the redundant invite's delete", res, err)
	}
	if len(srv.Users()) != 4 || len(srv.Invites()) != 1 {
		t.Errorf("%d users and %d invites after apply; want the 4 users untouched and new@'s invite", len(srv.Users()), len(srv.Invites()))
	}
}

// A credential that may not read users is told which one to use, and how to plan
// without users; WithoutUsers then plans from the invites alone, in one request.
func TestPlanWithoutAccessToUsers(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"), tsinvitestest.WithScopes("devices:core:read"))
	c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "id", OAuthClientSecret: "oauthSecretValue123", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	desired := []tsinvites.CreateUserInviteRequest{inv("a@example.com", "member")}
	_, err = reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "users:read") || !strings.Contains(err.Error(), "--no-users") || !tsinvites.IsForbidden(err) {
		t.Errorf("err = %v, want a 403 naming users:read and --no-users", err)
	}
	before := srv.TotalRequests()
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{WithoutUsers: true})
	if err != nil || plan.Count(reconcile.ActionCreate) != 1 || srv.TotalRequests()-before > 2 {
		t.Errorf("WithoutUsers: %v, %v, %d requests", plan, err, srv.TotalRequests()-before)
	}
}

// With options that change users, a credential that may not read them is told to get
// the scope, not to plan without users (which those options cannot go with).
func TestPlanOfUsersWithoutAccessAdvisesTheScope(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"), tsinvitestest.WithScopes("devices:core:read"))
	c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "id", OAuthClientSecret: "oauthSecretValue123", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = reconcile.NewPlan(t.Context(), c, nil, reconcile.PlanOptions{Approve: true})
	if err == nil || !strings.Contains(err.Error(), "users:read") || strings.Contains(err.Error(), "--no-users") || strings.Contains(err.Error(), "WithoutUsers") || !tsinvites.IsForbidden(err) {
		t.Errorf("err = %v, want a 403 naming users:read, and not --no-users", err)
	}
}
