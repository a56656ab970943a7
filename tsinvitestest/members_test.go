package tsinvitestest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// people are the users of the tests of the operations that change a user.
var people = []tsinvites.User{
	{ID: "10", LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner},
	{ID: "11", LoginName: "waiting@example.com", Status: tsinvites.UserStatusNeedsApproval},
	{ID: "12", LoginName: "amelie@example.com"},
	{ID: "13", LoginName: "sam@example.com", Status: tsinvites.UserStatusSuspended},
	{ID: "14", LoginName: "carol@other.example", Type: tsinvites.UserTypeShared},
	{ID: "15", LoginName: "ida@example.com", Status: tsinvites.UserStatusIdle},
}

// change is one request of an operation that changes a user.
type change struct {
	op   string                // an Op constant
	id   string                // the user's ID
	role tsinvites.TailnetRole // for OpUpdateUserRole
}

func (ch change) String() string { return fmt.Sprintf("%s %s %s", ch.op, ch.id, ch.role) }

// do sends ch with the generated client c (checked against the document) and returns
// the answer's status and body.
func (ch change) do(t *testing.T, c *tsinvites.ClientWithResponses) (int, string) {
	t.Helper()
	ctx := t.Context()
	var resp interface {
		StatusCode() int
		GetBody() []byte
	}
	var err error
	switch ch.op {
	case tsinvitestest.OpApproveUser:
		resp, err = c.ApproveUserWithResponse(ctx, ch.id)
	case tsinvitestest.OpUpdateUserRole:
		resp, err = c.UpdateUserRoleWithResponse(ctx, ch.id, tsinvites.UpdateUserRoleJSONRequestBody{Role: ch.role})
	case tsinvitestest.OpSuspendUser:
		resp, err = c.SuspendUserWithResponse(ctx, ch.id)
	case tsinvitestest.OpRestoreUser:
		resp, err = c.RestoreUserWithResponse(ctx, ch.id)
	default:
		t.Fatalf("no operation %q", ch.op)
	}
	if err != nil {
		t.Fatalf("%v: %v", ch, err)
	}
	return resp.StatusCode(), string(resp.GetBody())
}

// everyChange is each operation on user id.
func everyChange(id string) []change {
	return []change{
		{op: tsinvitestest.OpApproveUser, id: id},
		{op: tsinvitestest.OpUpdateUserRole, id: id, role: tsinvites.TailnetRoleAuditor},
		{op: tsinvitestest.OpSuspendUser, id: id},
		{op: tsinvitestest.OpRestoreUser, id: id},
	}
}

// roleAndStatus is what the operations change of a user.
type roleAndStatus struct {
	Role   tsinvites.TailnetRole
	Status tsinvites.UserStatus
}

func userState(t *testing.T, srv *tsinvitestest.Server, id string) roleAndStatus {
	t.Helper()
	for _, u := range srv.Users() {
		if u.ID == id {
			return roleAndStatus{u.Role, u.Status}
		}
	}
	t.Fatalf("no user %s", id)
	return roleAndStatus{}
}

func TestChangeUserRules(t *testing.T) {
	t.Parallel()
	const (
		owner, member, admin, auditor = tsinvites.TailnetRoleOwner, tsinvites.TailnetRoleMember, tsinvites.TailnetRoleAdmin, tsinvites.TailnetRoleAuditor
		active, idle, suspended       = tsinvites.UserStatusActive, tsinvites.UserStatusIdle, tsinvites.UserStatusSuspended
		waiting                       = tsinvites.UserStatusNeedsApproval
	)
	for _, tc := range []struct {
		name    string
		changes []change // each on a new fake; the last one's answer is checked
		status  int
		inBody  string
		after   roleAndStatus // of the last change's user
	}{
		{"approve a waiting user", []change{{op: tsinvitestest.OpApproveUser, id: "11"}}, 200, "", roleAndStatus{member, active}},
		{"approve an active user: a no-op", []change{{op: tsinvitestest.OpApproveUser, id: "12"}}, 200, "", roleAndStatus{member, active}},
		{"approve a suspended user: a no-op", []change{{op: tsinvitestest.OpApproveUser, id: "13"}}, 200, "", roleAndStatus{member, suspended}},
		{"suspend", []change{{op: tsinvitestest.OpSuspendUser, id: "12"}}, 200, "", roleAndStatus{member, suspended}},
		{"suspend twice", []change{{op: tsinvitestest.OpSuspendUser, id: "12"}, {op: tsinvitestest.OpSuspendUser, id: "12"}}, 200, "", roleAndStatus{member, suspended}},
		{"suspend, then restore", []change{{op: tsinvitestest.OpSuspendUser, id: "15"}, {op: tsinvitestest.OpRestoreUser, id: "15"}}, 200, "", roleAndStatus{member, active}},
		{"restore a suspended user", []change{{op: tsinvitestest.OpRestoreUser, id: "13"}}, 200, "", roleAndStatus{member, active}},
		{"restore an idle user: a no-op", []change{{op: tsinvitestest.OpRestoreUser, id: "15"}}, 200, "", roleAndStatus{member, idle}},
		{"restore a waiting user: a no-op", []change{{op: tsinvitestest.OpRestoreUser, id: "11"}}, 200, "", roleAndStatus{member, waiting}},
		{"set a role", []change{{op: tsinvitestest.OpUpdateUserRole, id: "12", role: admin}}, 200, "", roleAndStatus{admin, active}},
		{"set the role of a suspended user", []change{{op: tsinvitestest.OpUpdateUserRole, id: "13", role: auditor}}, 200, "", roleAndStatus{auditor, suspended}},
		{"suspend the owner", []change{{op: tsinvitestest.OpSuspendUser, id: "10"}}, 400, "owner", roleAndStatus{owner, active}},
		{"change the owner's role", []change{{op: tsinvitestest.OpUpdateUserRole, id: "10", role: admin}}, 400, "owner", roleAndStatus{owner, active}},
		{"the owner's role to owner: a no-op", []change{{op: tsinvitestest.OpUpdateUserRole, id: "10", role: owner}}, 200, "", roleAndStatus{owner, active}},
		{"make a member owner", []change{{op: tsinvitestest.OpUpdateUserRole, id: "12", role: owner}}, 400, "owner", roleAndStatus{member, active}},
		{"suspend a shared user", []change{{op: tsinvitestest.OpSuspendUser, id: "14"}}, 400, "shared", roleAndStatus{member, active}},
		{"set the role of a shared user", []change{{op: tsinvitestest.OpUpdateUserRole, id: "14", role: admin}}, 400, "shared", roleAndStatus{member, active}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(people...))
			c := apiClient(t, srv, srv.Token())
			var status int
			var body string
			for _, ch := range tc.changes {
				status, body = ch.do(t, c)
			}
			last := tc.changes[len(tc.changes)-1]
			if status != tc.status || !strings.Contains(body, tc.inBody) {
				t.Errorf("%v: %d %s, want %d with %q", last, status, body, tc.status, tc.inBody)
			}
			if diff := cmp.Diff(tc.after, userState(t, srv, last.id)); diff != "" {
				t.Errorf("user %s afterwards (-want +got):\n%s", last.id, diff)
			}
		})
	}
}

func TestChangeUnknownUser(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(people...))
	c := apiClient(t, srv, srv.Token())
	for _, ch := range everyChange("99") {
		if status, body := ch.do(t, c); status != 404 {
			t.Errorf("%v: %d %s, want 404", ch, status, body)
		}
	}
	for _, op := range []string{tsinvitestest.OpApproveUser, tsinvitestest.OpUpdateUserRole, tsinvitestest.OpSuspendUser, tsinvitestest.OpRestoreUser} {
		if n := srv.RequestCount(op); n != 1 {
			t.Errorf("RequestCount(%s) = %d, want 1", op, n)
		}
	}
}

func TestChangeUserRequestsAreValidated(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(people...))
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/v2/users/12/role", `{"role":"boss"}`},
		{"POST", "/api/v2/users/12/role", `{"role":""}`},
		{"POST", "/api/v2/users/12/role", `{}`},
		{"POST", "/api/v2/users/12/role", ``},
		{"POST", "/api/v2/users/12/role", `{"role":"admin"`},
	} {
		if status, body := send(t, srv, tc.method, tc.path, srv.Token(), tc.body); status != 400 {
			t.Errorf("%s %s %s: %d %s, want 400", tc.method, tc.path, tc.body, status, body)
		}
	}
	for _, path := range []string{"/api/v2/users/12/suspend", "/api/v2/users/12/approve"} {
		if status, body := send(t, srv, "GET", path, srv.Token(), ""); status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d %s, want 405", path, status, body)
		}
	}
	if got := userState(t, srv, "12"); got != (roleAndStatus{tsinvites.TailnetRoleMember, tsinvites.UserStatusActive}) {
		t.Errorf("user 12 changed by refused requests: %+v", got)
	}
}

func TestChangeUserNeedsTheScope(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	identity := jwt(fmt.Sprintf(`{"exp":%d}`, now.Add(time.Hour).Unix()))
	for _, tc := range []struct {
		scope   string
		allowed bool
	}{
		{"users:read", false},
		{"devices:core", false},
		{"all:read", false},
		{"users", true},
		{"all", true},
	} {
		for _, federated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s federated=%v", tc.scope, federated), func(t *testing.T) {
				t.Parallel()
				srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(people...), tsinvitestest.WithClock(func() time.Time { return now }),
					tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"), tsinvitestest.WithFederatedIdentity("fed"),
					tsinvitestest.WithScopes(tc.scope))
				var status int
				var answer map[string]any
				if federated {
					status, answer = exchange(t, srv, "fed", identity)
				} else {
					status, answer = postForm(t, srv, "/api/v2/oauth/token", formType,
						map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"oauthSecretValue123"}})
				}
				tok, _ := answer["access_token"].(string)
				if status != 200 || tok == "" {
					t.Fatalf("no token: %d %v", status, answer)
				}
				c := apiClient(t, srv, tok)
				want := http.StatusForbidden
				if tc.allowed {
					want = http.StatusOK
				}
				for _, ch := range everyChange("12") {
					if status, body := ch.do(t, c); status != want {
						t.Errorf("%v: %d %s, want %d", ch, status, body, want)
					}
				}
			})
		}
	}
}

func TestWithKeyUser(t *testing.T) {
	t.Parallel()
	for _, keyUser := range []string{"12", "AMELIE@example.com"} {
		t.Run(keyUser, func(t *testing.T) {
			t.Parallel()
			srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(people...), tsinvitestest.WithKeyUser(keyUser),
				tsinvitestest.WithOAuthClient("id", "oauthSecretValue123"))
			key := apiClient(t, srv, srv.Token())
			for _, ch := range everyChange("12") {
				if status, body := ch.do(t, key); status != http.StatusForbidden || !strings.Contains(body, "own user") {
					t.Errorf("the key on its own user: %v: %d %s, want 403 saying so", ch, status, body)
				}
			}
			if got := userState(t, srv, "12"); got != (roleAndStatus{tsinvites.TailnetRoleMember, tsinvites.UserStatusActive}) {
				t.Errorf("the key changed its own user: %+v", got)
			}
			for _, ch := range everyChange("15") { // another user: allowed
				if status, body := ch.do(t, key); status != http.StatusOK {
					t.Errorf("the key on another user: %v: %d %s, want 200", ch, status, body)
				}
			}
			// An OAuth token has no user of its own: it may change the key's user.
			_, answer := postForm(t, srv, "/api/v2/oauth/token", formType,
				map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"oauthSecretValue123"}})
			tok, _ := answer["access_token"].(string)
			if status, body := (change{op: tsinvitestest.OpSuspendUser, id: "12"}).do(t, apiClient(t, srv, tok)); status != http.StatusOK {
				t.Errorf("an OAuth token suspending the key's user: %d %s, want 200", status, body)
			}
		})
	}
}

func TestWithUserApproval(t *testing.T) {
	t.Parallel()
	for _, approval := range []bool{false, true} {
		t.Run(fmt.Sprint(approval), func(t *testing.T) {
			t.Parallel()
			opts := []tsinvitestest.Option{tsinvitestest.WithInvites(
				tsinvites.CreateUserInviteRequest{Email: "ada@example.com"}, // 1
				tsinvites.CreateUserInviteRequest{},                         // 2: a link
			)}
			joined := tsinvites.UserStatusActive
			if approval {
				opts, joined = append(opts, tsinvitestest.WithUserApproval()), tsinvites.UserStatusNeedsApproval
			}
			srv := tsinvitestest.Start(t, opts...)
			if err := srv.AcceptInvite("1"); err != nil {
				t.Fatal(err)
			}
			if err := srv.AcceptInviteAs("2", "ben@partner.example"); err != nil {
				t.Fatal(err)
			}
			c := apiClient(t, srv, srv.Token())
			for _, u := range srv.Users() {
				if u.Status != joined {
					t.Errorf("%s joined with the status %s, want %s", u.LoginName, u.Status, joined)
				}
				if status, body := (change{op: tsinvitestest.OpApproveUser, id: u.ID}).do(t, c); status != 200 {
					t.Errorf("approve %s: %d %s", u.LoginName, status, body)
				}
				if got := userState(t, srv, u.ID).Status; got != tsinvites.UserStatusActive {
					t.Errorf("%s after approval: %s, want active", u.LoginName, got)
				}
			}
		})
	}
}
