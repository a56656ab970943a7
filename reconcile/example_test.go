package reconcile_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// startFake starts a fake API for the examples; a real program uses tsinvites.New.
func startFake(opts ...tsinvitestest.Option) (*tsinvitestest.Server, *tsinvites.Client) {
	srv, err := tsinvitestest.NewServer(opts...)
	if err != nil {
		log.Fatal(err)
	}
	return srv, srv.Client()
}

func ExampleNewPlan() {
	srv, c := startFake(tsinvitestest.WithInvites(
		tsinvites.CreateUserInviteRequest{Email: "amelie@example.com", Role: tsinvites.UserRoleAdmin},
		tsinvites.CreateUserInviteRequest{Email: "bob@example.com"},
		tsinvites.CreateUserInviteRequest{Email: "left@example.com"},
	))
	defer srv.Close()
	ctx := context.Background()

	// The invites that should be open, from an HR export or a file in git.
	desired := []tsinvites.CreateUserInviteRequest{
		{Email: "Amelie@example.com", Role: tsinvites.UserRoleAdmin}, // matched without case
		{Email: "bob@example.com", Role: tsinvites.UserRoleAuditor},  // a new role: recreated
		{Email: "carol@example.com"},                                 // missing: created as member
	}
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{Prune: true})
	if err != nil {
		log.Fatal(err) // a bad or duplicate email, or a list failed
	}
	fmt.Println(plan)
	fmt.Println(plan.Count(reconcile.ActionCreate), "to create")
	// Output:
	// + create    carol@example.com (member)
	// ~ recreate  bob@example.com (member → auditor, invite 2)
	// - delete    left@example.com (member, invite 3): not in the list
	// Plan: 1 to create, 1 to recreate, 0 to resend, 1 to delete; 1 unchanged; 0 joined.
	// 1 to create
}

func ExampleApply() {
	srv, c := startFake(
		tsinvitestest.WithUsers(tsinvites.User{LoginName: "amelie@example.com", Role: tsinvites.TailnetRoleAdmin}),
		tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "stale@example.com"}))
	defer srv.Close()
	ctx := context.Background()

	desired := []tsinvites.CreateUserInviteRequest{
		{Email: "amelie@example.com", Role: tsinvites.UserRoleAdmin}, // joined already: nothing to do
		{Email: "bob@example.com"},
	}
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{Prune: true})
	if err != nil {
		log.Fatal(err)
	}
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{
		Concurrency: 4, // create calls in flight, then deletes and resends at once
		Progress:    func(r reconcile.ChangeResult) { /* a progress bar's tick */ },
	})
	for _, r := range result.Results {
		fmt.Println(r)
	}
	if err != nil {
		log.Fatal(err) // some changes are not done; NewPlan and Apply again to finish
	}
	fmt.Println(result.Count(reconcile.StatusDone), "changes done")
	// Output:
	// + create    bob@example.com (member): done, new invite 2
	// - delete    stale@example.com (member, invite 1): not in the list: done
	// 2 changes done
}
