package reconcile_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// From invite to member: a tailnet that requires approval, where Ann accepted her
// invite and waits, Bob joined as a member but the list now makes him an admin, Carl
// left the company, Dana came back after a suspension, Erin is an admin who is not in
// the list, and ci-bot is a service account kept out of the list.
func ExampleNewPlan_fromInviteToMember() {
	joined := time.Now().AddDate(-1, 0, 0) // a year ago: past PlanOptions.OffboardGrace
	srv, c := startFake(tsinvitestest.WithUserApproval(), tsinvitestest.WithUsers(
		tsinvites.User{LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner, Created: joined},
		tsinvites.User{LoginName: "bob@example.com", Created: joined},
		tsinvites.User{LoginName: "carl@example.com", Created: joined},
		tsinvites.User{LoginName: "dana@example.com", Status: tsinvites.UserStatusSuspended, Created: joined},
		tsinvites.User{LoginName: "erin@example.com", Role: tsinvites.TailnetRoleAdmin, Created: joined},
		tsinvites.User{LoginName: "ci-bot@example.com", Created: joined},
	), tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "ann@example.com"}))
	defer srv.Close()
	if err := srv.AcceptInvite(srv.Invites()[0].ID); err != nil { // Ann, now needs-approval
		log.Fatal(err)
	}
	ctx := context.Background()

	desired := []tsinvites.CreateUserInviteRequest{
		{Email: "ann@example.com"},
		{Email: "bob@example.com", Role: tsinvites.UserRoleAdmin},
		{Email: "dana@example.com"},
		{Email: "frank@example.com"},
	}
	plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{
		Approve:     true,
		ManageRoles: true,
		Offboard:    true,
		Keep:        []string{"ci-bot@example.com"},
	})
	if err != nil {
		log.Fatal(err) // with more than MaxOffboard (10) to suspend, an *OffboardCapError
	}
	fmt.Println(plan)
	result, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(result.Count(reconcile.StatusDone), "changes done")
	// Output:
	// + create    frank@example.com (member)
	// ^ approve   ann@example.com (member, user 3007): awaits approval
	// * set-role  bob@example.com (member → admin, user 3002)
	// ! suspend   carl@example.com (member, user 3003): not in the list
	// & restore   dana@example.com (member, user 3004): in the list, suspended
	// ? held      erin@example.com (admin, user 3005): not in the list, not suspended: role admin is suspended only with OffboardAdmins (--offboard-admins)
	// ? held      ci-bot@example.com (member, user 3006): not in the list, not suspended: kept (Keep, --keep)
	// Plan: 1 to create, 0 to recreate, 0 to resend, 0 to delete; 1 to approve, 1 to set role, 1 to suspend, 1 to restore; 0 unchanged; 3 joined (2 suspended or awaiting approval, counted as joined).
	// 5 changes done
}
