package tsinvitestest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// onboard is code under test: it invites everyone on a list.
func onboard(ctx context.Context, c *tsinvites.Client, emails ...string) error {
	var reqs []tsinvites.CreateUserInviteRequest
	for _, e := range emails {
		reqs = append(reqs, tsinvites.CreateUserInviteRequest{Email: e})
	}
	_, err := c.Create(ctx, reqs...)
	return err
}

func ExampleNewServer() {
	// In a test, tsinvitestest.Start(t) does this and closes the server at the end.
	srv, err := tsinvitestest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	if err := onboard(context.Background(), srv.Client(), "amelie@example.com", "bob@example.com"); err != nil {
		log.Fatal(err)
	}
	for _, inv := range srv.Invites() {
		fmt.Println(inv.ID, inv.Email, inv.Role)
	}
	fmt.Println("create requests:", srv.RequestCount(tsinvitestest.OpCreate))
	// Output:
	// 1 amelie@example.com member
	// 2 bob@example.com member
	// create requests: 1
}

func ExampleFake_InjectFault() {
	srv, err := tsinvitestest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	// A 503 is retried: the second attempt succeeds.
	srv.InjectFault(tsinvitestest.OpList, 1, tsinvitestest.Fault{Status: 503})
	invites, err := srv.Client().List(ctx)
	fmt.Println(len(invites), err, srv.RequestCount(tsinvitestest.OpList))

	// A 429 asking for an hour is not waited for: the error says how long to wait.
	srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: 429, RetryAfter: "3600"})
	_, err = srv.Client().Create(ctx, tsinvites.CreateUserInviteRequest{Email: "amelie@example.com"})
	fmt.Println(err)

	// A create whose answer is lost after it was done is not sent again.
	srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Done: true, Drop: true})
	_, err = srv.Client().Create(ctx, tsinvites.CreateUserInviteRequest{Email: "amelie@example.com"})
	fmt.Println(err != nil, len(srv.Invites()), srv.RequestCount(tsinvitestest.OpCreate))
	// Output:
	// 0 <nil> 2
	// tsinvites: create 1 invite: 429 too many requests: injected fault (retry after 1h0m0s)
	// true 1 2
}

func ExampleFake_AcceptInvite() {
	srv, err := tsinvitestest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	created, err := srv.Client().Create(context.Background(),
		tsinvites.CreateUserInviteRequest{Email: "amelie@example.com", Role: tsinvites.UserRoleAdmin},
		tsinvites.CreateUserInviteRequest{}, // a link invite: no email
	)
	if err != nil {
		log.Fatal(err)
	}
	// Amelie accepts hers; whoever holds the link accepts the other, as bob.
	if err := srv.AcceptInvite(created[0].ID); err != nil {
		log.Fatal(err)
	}
	if err := srv.AcceptInviteAs(created[1].ID, "bob@partner.example"); err != nil {
		log.Fatal(err)
	}
	for _, u := range srv.Users() {
		fmt.Println(u.LoginName, u.Role, u.Status)
	}
	fmt.Println("open invites:", len(srv.Invites()))
	// Output:
	// amelie@example.com admin active
	// bob@partner.example member active
	// open invites: 0
}
