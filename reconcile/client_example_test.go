package reconcile_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// dryRun is a reconcile.Client that reads the tailnet with a real client and
// records the changes Apply would make, without making them: a dry run.
type dryRun struct {
	*tsinvites.Client // Tailnet, RetryPolicy, List, ListUsers and the rest
	calls             []string
}

func (r *dryRun) Create(_ context.Context, invites ...tsinvites.CreateUserInviteRequest) ([]tsinvites.UserInvite, error) {
	made := make([]tsinvites.UserInvite, len(invites))
	for i, inv := range invites {
		r.calls = append(r.calls, "create "+inv.Email)
		made[i] = tsinvites.UserInvite{ID: fmt.Sprint("dry-", i+1), Email: inv.Email, Role: inv.Role}
	}
	return made, nil
}

func (r *dryRun) Delete(_ context.Context, id string) error {
	r.calls = append(r.calls, "delete "+id)
	return nil
}

// Planning and applying against a stand-in: any type with the methods of
// reconcile.Client, here one that embeds a *tsinvites.Client and records its writes.
func ExampleClient() {
	srv, c := startFake(tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "left@example.com"}))
	defer srv.Close()
	ctx := context.Background()
	dry := &dryRun{Client: c}
	desired := []tsinvites.CreateUserInviteRequest{{Email: "carol@example.com"}}
	plan, err := reconcile.NewPlan(ctx, dry, desired, reconcile.PlanOptions{Prune: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := reconcile.Apply(ctx, dry, plan, reconcile.ApplyOptions{Concurrency: 1}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(dry.calls, "\n"))
	fmt.Println(len(srv.Invites()), "invite open: nothing was changed")
	// Output:
	// create carol@example.com
	// delete 1
	// 1 invite open: nothing was changed
}
