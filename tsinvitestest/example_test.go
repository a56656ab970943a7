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

	srv.InjectFault(tsinvitestest.OpList, 1, tsinvitestest.Fault{Status: 503, RetryAfter: "5"})
	_, err = srv.Client().List(context.Background())
	fmt.Println(err)
	// Output:
	// tsinvites: list invites: 503 service unavailable: injected fault
}
