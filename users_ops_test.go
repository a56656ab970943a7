package tsinvites_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/spectest"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// members are the users of the tests of the users operations; their IDs are fixed so
// that the paths on the wire can be spelled out.
var members = []tsinvites.User{
	{ID: "10", LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner},
	{ID: "11", LoginName: "waiting@example.com", Status: tsinvites.UserStatusNeedsApproval},
	{ID: "12", LoginName: "amelie@example.com"},
	{ID: "13", LoginName: "sam@example.com", Status: tsinvites.UserStatusSuspended},
}

// userOp is a call of one of the users operations on a user ID.
type userOp struct {
	name, opID, verb string
	call             func(ctx context.Context, c *tsinvites.Client, id string) error
}

var userOps = []userOp{
	{"approve", tsinvitestest.OpApproveUser, "approve user", func(ctx context.Context, c *tsinvites.Client, id string) error {
		return c.ApproveUser(ctx, id)
	}},
	{"role", tsinvitestest.OpUpdateUserRole, "set role of user", func(ctx context.Context, c *tsinvites.Client, id string) error {
		return c.SetUserRole(ctx, id, tsinvites.TailnetRoleAdmin)
	}},
	{"suspend", tsinvitestest.OpSuspendUser, "suspend user", func(ctx context.Context, c *tsinvites.Client, id string) error {
		return c.SuspendUser(ctx, id)
	}},
	{"restore", tsinvitestest.OpRestoreUser, "restore user", func(ctx context.Context, c *tsinvites.Client, id string) error {
		return c.RestoreUser(ctx, id)
	}},
}

// userByID returns the fake's user with this ID.
func userByID(t *testing.T, f *tsinvitestest.Fake, id string) tsinvites.User {
	t.Helper()
	for _, u := range f.Users() {
		if u.ID == id {
			return u
		}
	}
	t.Fatalf("the fake has no user %s", id)
	return tsinvites.User{}
}

func TestUsersOperations(t *testing.T) {
	t.Parallel()
	c, srv, tr := fakeClient(t, tsinvitestest.WithUsers(members...))
	ctx := t.Context()
	if err := c.ApproveUser(ctx, "11"); err != nil {
		t.Fatalf("ApproveUser: %v", err)
	}
	if err := c.SetUserRole(ctx, "12", tsinvites.TailnetRoleITAdmin); err != nil {
		t.Fatalf("SetUserRole: %v", err)
	}
	if err := c.SuspendUser(ctx, "12"); err != nil {
		t.Fatalf("SuspendUser: %v", err)
	}
	if err := c.RestoreUser(ctx, "13"); err != nil {
		t.Fatalf("RestoreUser: %v", err)
	}
	want := []spectest.Request{
		{Method: "POST", EscapedPath: "/api/v2/users/11/approve", Operation: tsinvitestest.OpApproveUser, Status: 200},
		{Method: "POST", EscapedPath: "/api/v2/users/12/role", Operation: tsinvitestest.OpUpdateUserRole, Status: 200},
		{Method: "POST", EscapedPath: "/api/v2/users/12/suspend", Operation: tsinvitestest.OpSuspendUser, Status: 200},
		{Method: "POST", EscapedPath: "/api/v2/users/13/restore", Operation: tsinvitestest.OpRestoreUser, Status: 200},
	}
	if diff := cmp.Diff(want, tr.Requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	type state struct {
		Role   tsinvites.TailnetRole
		Status tsinvites.UserStatus
	}
	var got []state
	for _, id := range []string{"11", "12", "13"} {
		u := userByID(t, srv.Fake, id)
		got = append(got, state{u.Role, u.Status})
	}
	wantState := []state{
		{tsinvites.TailnetRoleMember, tsinvites.UserStatusActive},     // approved
		{tsinvites.TailnetRoleITAdmin, tsinvites.UserStatusSuspended}, // new role, then suspended
		{tsinvites.TailnetRoleMember, tsinvites.UserStatusActive},     // restored
	}
	if diff := cmp.Diff(wantState, got); diff != "" {
		t.Errorf("users afterwards (-want +got):\n%s", diff)
	}
}

func TestUsersOperationsSendEveryRole(t *testing.T) {
	t.Parallel()
	c, srv, _ := fakeClient(t, tsinvitestest.WithUsers(members...))
	for _, r := range tsinvites.Roles() { // every role an invite gives; owner is the API's to refuse
		if err := c.SetUserRole(t.Context(), "12", tsinvites.TailnetRole(r)); err != nil {
			t.Errorf("SetUserRole %s: %v", r, err)
		}
		if got := userByID(t, srv.Fake, "12").Role; got != tsinvites.TailnetRole(r) {
			t.Errorf("after SetUserRole %s the role is %s", r, got)
		}
	}
}

func TestUsersOperationsErrors(t *testing.T) {
	t.Parallel()
	c, _, _ := fakeClient(t, tsinvitestest.WithUsers(members...), tsinvitestest.WithKeyUser("amelie@example.com"))
	for _, op := range userOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			err := op.call(t.Context(), c, "404")
			if !tsinvites.IsNotFound(err) {
				t.Errorf("unknown user: err = %v, want 404", err)
			}
			if want := fmt.Sprintf("tsinvites: %s %q: 404 not found", op.verb, "404"); err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("unknown user: err = %v, want it to start with %q", err, want)
			}
			err = op.call(t.Context(), c, "12") // the key's own user
			if !tsinvites.IsForbidden(err) {
				t.Fatalf("own user: err = %v, want 403", err)
			}
			checkUsersHint(t, err)
		})
	}
	err := c.SuspendUser(t.Context(), "10")
	var apiErr *tsinvites.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "owner") {
		t.Errorf("suspend the owner: err = %v, want the fake's 400 about the owner", err)
	}
}

// checkUsersHint fails the test unless err (a 403 of a users operation) gives the users
// operations' hint, not the invites'.
func checkUsersHint(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); !strings.Contains(msg, "OAuth scope users") || !strings.Contains(msg, "own user") || strings.Contains(msg, "resending invites") {
		t.Errorf("403 text %q: want the hint about the scope users and the key's own user, not about invites", msg)
	}
}

func TestUsersOperationsNeedTheScope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scopes  []string
		allowed bool
	}{
		{[]string{"users:read"}, false},
		{[]string{"devices:core"}, false},
		{[]string{"users"}, true},
		{[]string{"all"}, true},
	} {
		t.Run(strings.Join(tc.scopes, " "), func(t *testing.T) {
			t.Parallel()
			srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(members...),
				tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"), tsinvitestest.WithScopes(tc.scopes...))
			c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "id", OAuthClientSecret: "oauthSecretValue123", BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range userOps {
				err := op.call(t.Context(), c, "12")
				switch {
				case tc.allowed && err != nil:
					t.Errorf("%s: %v", op.name, err)
				case !tc.allowed && !tsinvites.IsForbidden(err):
					t.Errorf("%s: err = %v, want 403", op.name, err)
				case !tc.allowed:
					checkUsersHint(t, err)
				}
			}
		})
	}
}

func TestUsersOperationsRefuseBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	c, srv, tr := fakeClient(t, tsinvitestest.WithUsers(members...))
	ctx := t.Context()
	type refusal struct {
		name string
		err  error
	}
	var got []refusal
	for _, op := range userOps {
		for _, id := range []string{"", " ", ".", "..", "a\nb"} {
			got = append(got, refusal{fmt.Sprintf("%s %q", op.name, id), op.call(ctx, c, id)})
		}
	}
	for _, role := range []tsinvites.TailnetRole{"", "Admin", "superuser"} {
		got = append(got, refusal{fmt.Sprintf("role %q", role), c.SetUserRole(ctx, "12", role)})
	}
	for _, r := range got {
		if !errors.Is(r.err, tsinvites.ErrInvalidInput) || !strings.HasPrefix(r.err.Error(), "tsinvites: ") {
			t.Errorf("%s: err = %v, want ErrInvalidInput with the package prefix", r.name, r.err)
		}
	}
	if n := len(tr.Requests()); n != 0 || srv.TotalRequests() != 0 {
		t.Errorf("bad input sent %d requests (fake saw %d), want 0", n, srv.TotalRequests())
	}
}

// TestUsersOperationsAreRetried: all four are safe to repeat, so they are retried as a
// read is (5xx, a dropped connection, even after the API did it), and a 4xx is not.
func TestUsersOperationsAreRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fault    tsinvitestest.Fault
		wantErr  bool
		requests int
	}{
		{"503 once", tsinvitestest.Fault{Status: 503}, false, 2},
		{"done, then 500", tsinvitestest.Fault{Done: true, Status: 500}, false, 2},
		{"done, then connection dropped", tsinvitestest.Fault{Done: true, Drop: true}, false, 2},
		{"400 not retried", tsinvitestest.Fault{Status: 400}, true, 1},
	} {
		for _, op := range userOps {
			t.Run(tc.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					fake := tsinvitestest.Handler(tsinvitestest.WithUsers(members...))
					fake.InjectFault(op.opID, 1, tc.fault)
					c := pipeClient(t, fake, tsinvites.RetryPolicy{})
					err := op.call(t.Context(), c, "11")
					if (err != nil) != tc.wantErr {
						t.Errorf("err = %v, want an error: %v", err, tc.wantErr)
					}
					if n := fake.RequestCount(op.opID); n != tc.requests {
						t.Errorf("%d requests, want %d", n, tc.requests)
					}
				})
			})
		}
	}
}
