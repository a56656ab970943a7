package tsinvites_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/spectest"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

func TestListUsers(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithToken(testKey),
		tsinvitestest.WithUsers(
			tsinvites.User{LoginName: "ann@example.com", Role: tsinvites.TailnetRoleAdmin},
			tsinvites.User{LoginName: "sus@example.com", Status: tsinvites.UserStatusSuspended},
		),
		tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "bob@example.com", Role: tsinvites.UserRoleAuditor}))
	c, err := tsinvites.New(tsinvites.Config{APIKey: testKey, BaseURL: srv.URL, HTTPClient: &http.Client{Transport: spectest.New(t, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListUsers(t.Context(), tsinvites.ListUsersParams{})
	if err != nil || len(users) != 2 {
		t.Fatalf("ListUsers = %v, %v; want 2 users", users, err)
	}
	invites, _ := c.List(t.Context())
	if err := srv.AcceptInvite(invites[0].ID); err != nil {
		t.Fatal(err)
	}
	admins, err := c.ListUsers(t.Context(), tsinvites.ListUsersParams{Role: new(tsinvites.ListUsersParamsRoleAuditor)})
	if err != nil || len(admins) != 1 || admins[0].LoginName != "bob@example.com" {
		t.Errorf("auditors after bob accepted = %v, %v", admins, err)
	}
}

func TestListUsersNeedsTheScope(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"), tsinvitestest.WithScopes("devices:core:read"))
	c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "id", OAuthClientSecret: "oauthSecretValue123", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(t.Context(), tsinvites.ListUsersParams{})
	var apiErr *tsinvites.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
		t.Errorf("err = %v, want 403", err)
	}
}
