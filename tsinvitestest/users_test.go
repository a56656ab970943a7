package tsinvitestest_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/spectest"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// apiClient returns the generated client for srv, sending token; every request it sends
// and every answer it gets is checked against the document.
func apiClient(t *testing.T, srv *tsinvitestest.Server, token string) *tsinvites.ClientWithResponses {
	t.Helper()
	c, err := tsinvites.NewClientWithResponses(srv.URL+"/api/v2",
		tsinvites.WithHTTPClient(&http.Client{Transport: spectest.New(t, nil)}),
		tsinvites.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listUsers lists the users of tailnet "-" with the filters p, failing the test unless
// the answer is 200, and returns their login names.
func listUsers(t *testing.T, c *tsinvites.ClientWithResponses, p *tsinvites.ListUsersParams) []string {
	t.Helper()
	resp, err := c.ListUsersWithResponse(t.Context(), "-", p)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || resp.JSON200 == nil {
		t.Fatalf("listUsers %+v: %d %s", p, resp.StatusCode(), resp.Body)
	}
	var names []string
	for _, u := range resp.JSON200.Users {
		names = append(names, u.LoginName)
	}
	return names
}

var testUsers = []tsinvites.User{
	{LoginName: "alice@example.com", Role: tsinvites.TailnetRoleAdmin},
	{LoginName: "bob@example.com", Status: tsinvites.UserStatusSuspended},
	{LoginName: "carol@other.example", Type: tsinvites.UserTypeShared, Status: tsinvites.UserStatusIdle},
	{LoginName: "dan@example.com", Role: tsinvites.TailnetRoleOwner},
	{LoginName: "erin@example.com", Role: tsinvites.TailnetRoleAuditor, Status: tsinvites.UserStatusNeedsApproval},
}

func TestListUsersFilters(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithUsers(testUsers...))
	c := apiClient(t, srv, srv.Token())
	for _, tc := range []struct {
		params *tsinvites.ListUsersParams
		want   []string
	}{
		{nil, []string{"alice@example.com", "bob@example.com", "dan@example.com", "erin@example.com"}}, // type member, role all
		{&tsinvites.ListUsersParams{Type: new(tsinvites.ListUsersParamsTypeShared)}, []string{"carol@other.example"}},
		{&tsinvites.ListUsersParams{Type: new(tsinvites.ListUsersParamsTypeAll)}, []string{"alice@example.com", "bob@example.com", "carol@other.example", "dan@example.com", "erin@example.com"}},
		{&tsinvites.ListUsersParams{Role: new(tsinvites.ListUsersParamsRoleAdmin)}, []string{"alice@example.com"}},
		{&tsinvites.ListUsersParams{Role: new(tsinvites.ListUsersParamsRoleOwner)}, []string{"dan@example.com"}},
		{&tsinvites.ListUsersParams{Type: new(tsinvites.ListUsersParamsTypeAll), Role: new(tsinvites.ListUsersParamsRoleMember)}, []string{"bob@example.com", "carol@other.example"}},
		{&tsinvites.ListUsersParams{Type: new(tsinvites.ListUsersParamsTypeMember), Role: new(tsinvites.ListUsersParamsRoleITAdmin)}, nil},
	} {
		if diff := cmp.Diff(tc.want, listUsers(t, c, tc.params)); diff != "" {
			t.Errorf("listUsers %+v (-want +got):\n%s", tc.params, diff)
		}
	}
	if n := srv.RequestCount(tsinvitestest.OpListUsers); n != 7 {
		t.Errorf("RequestCount(listUsers) = %d, want 7", n)
	}

	// Requests the document does not allow, and another tailnet.
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/api/v2/tailnet/-/users?type=guest", 400},
		{"/api/v2/tailnet/-/users?role=superuser", 400},
		{"/api/v2/tailnet/other.example/users", 404},
		{"/api/v2/tailnet/" + srv.TailnetName() + "/users?type=all", 200},
	} {
		if status, body := send(t, srv, "GET", tc.path, srv.Token(), ""); status != tc.want {
			t.Errorf("GET %s: %d %s, want %d", tc.path, status, body, tc.want)
		}
	}
	if n := srv.TotalRequests(); n != 11 {
		t.Errorf("TotalRequests = %d, want 11", n)
	}
}

func TestListUsersEmpty(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	status, body := send(t, srv, "GET", "/api/v2/tailnet/-/users", srv.Token(), "")
	if status != 200 || strings.TrimSpace(body) != `{"users":[]}` {
		t.Errorf("no users: %d %s, want 200 {\"users\":[]}", status, body)
	}
	if got := listUsers(t, apiClient(t, srv, srv.Token()), nil); len(got) != 0 {
		t.Errorf("users %v, want none", got)
	}
}

func TestWithUsersDefaults(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	joined := now.Add(-48 * time.Hour)
	srv := tsinvitestest.Start(t, tsinvitestest.WithClock(func() time.Time { return now }),
		tsinvitestest.WithUsers(
			tsinvites.User{LoginName: "amelie@example.com"},
			tsinvites.User{ID: "3002", LoginName: "bo@example.com", DisplayName: "Bo B.", Created: joined, DeviceCount: 2},
			tsinvites.User{LoginName: "cy@example.com"},
		))
	want := []tsinvites.User{
		{ID: "3001", LoginName: "amelie@example.com", DisplayName: "amelie", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleMember,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now},
		{ID: "3002", LoginName: "bo@example.com", DisplayName: "Bo B.", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleMember,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: joined, DeviceCount: 2},
		{ID: "3003", LoginName: "cy@example.com", DisplayName: "cy", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleMember,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now},
	}
	if diff := cmp.Diff(want, srv.Users()); diff != "" {
		t.Errorf("Users() (-want +got):\n%s", diff)
	}
	resp, err := apiClient(t, srv, srv.Token()).ListUsersWithResponse(t.Context(), "-", nil)
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("listUsers: %v %v", resp, err)
	}
	if diff := cmp.Diff(want, resp.JSON200.Users); diff != "" {
		t.Errorf("listUsers answer (-want +got):\n%s", diff)
	}
}

func TestWithUsersRefusesWhatTheDocumentDoesNot(t *testing.T) {
	t.Parallel()
	for name, users := range map[string][]tsinvites.User{
		"no login name":             {{Role: tsinvites.TailnetRoleAdmin}},
		"unknown role":              {{LoginName: "a@example.com", Role: "boss"}},
		"unknown status":            {{LoginName: "a@example.com", Status: "away"}},
		"unknown type":              {{LoginName: "a@example.com", Type: "guest"}},
		"login name twice, in case": {{LoginName: "a@example.com"}, {LoginName: "A@Example.com"}},
		"ID twice":                  {{ID: "7", LoginName: "a@example.com"}, {ID: "7", LoginName: "b@example.com"}},
	} {
		if srv, err := tsinvitestest.NewServer(tsinvitestest.WithUsers(users...)); err == nil {
			srv.Close()
			t.Errorf("%s: NewServer accepted %+v", name, users)
		} else if !strings.HasPrefix(err.Error(), "tsinvitestest: WithUsers: ") {
			t.Errorf("%s: error %q does not name WithUsers", name, err)
		}
	}
}

// TestInviteRolesAreTailnetRoles: AcceptInvite gives the user the invite's role, so
// every role an invite can have must be a role a user can have.
func TestInviteRolesAreTailnetRoles(t *testing.T) {
	t.Parallel()
	for _, r := range tsinvites.Roles() {
		if !tsinvites.TailnetRole(r).Valid() {
			t.Errorf("invite role %q is not a TailnetRole", r)
		}
	}
}

func TestAcceptInvite(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithClock(func() time.Time { return now }),
		tsinvitestest.WithUsers(tsinvites.User{LoginName: "Owner@Example.com", Role: tsinvites.TailnetRoleOwner}),
		tsinvitestest.WithInvites(
			tsinvites.CreateUserInviteRequest{Email: "ada@example.com", Role: tsinvites.UserRoleAdmin}, // 1
			tsinvites.CreateUserInviteRequest{Email: "ben@example.com"},                                // 2
			tsinvites.CreateUserInviteRequest{},                                                        // 3: a link invite
			tsinvites.CreateUserInviteRequest{Email: "owner@example.com"},                              // 4: already a user
		))
	before := srv.TotalRequests()

	if err := srv.AcceptInvite("1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, loginName, want string }{
		{"1", "", "no open invite"},          // accepted already
		{"99", "", "no open invite"},         // never was
		{"3", "", "AcceptInviteAs"},          // no email to log in with
		{"4", "", "exists"},                  // the owner, without case
		{"3", "OWNER@example.com", "exists"}, // the same, by another way
		{"2", "", ""},                        // ben
		{"3", "cleo@partner.example", ""},    // the link invite, by whoever holds it
	} {
		var err error
		if tc.loginName == "" {
			err = srv.AcceptInvite(tc.id)
		} else {
			err = srv.AcceptInviteAs(tc.id, tc.loginName)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("accept %s as %q: %v", tc.id, tc.loginName, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("accept %s as %q: error %v, want one saying %q", tc.id, tc.loginName, err, tc.want)
		}
	}
	if err := srv.AcceptInviteAs("4", ""); err == nil {
		t.Error("AcceptInviteAs with an empty login name succeeded")
	}

	var open []string
	for _, inv := range srv.Invites() {
		open = append(open, inv.ID)
	}
	if !slices.Equal(open, []string{"4"}) {
		t.Errorf("open invites %v, want only 4 (refused)", open)
	}
	want := []tsinvites.User{
		{ID: "3001", LoginName: "Owner@Example.com", DisplayName: "Owner", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleOwner,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now},
		{ID: "3002", LoginName: "ada@example.com", DisplayName: "ada", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleAdmin,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now, LastSeen: now},
		{ID: "3003", LoginName: "ben@example.com", DisplayName: "ben", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleMember,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now, LastSeen: now},
		{ID: "3004", LoginName: "cleo@partner.example", DisplayName: "cleo", Type: tsinvites.UserTypeMember, Role: tsinvites.TailnetRoleMember,
			Status: tsinvites.UserStatusActive, TailnetID: tsinvitestest.DefaultTailnet, Created: now, LastSeen: now},
	}
	if diff := cmp.Diff(want, srv.Users()); diff != "" {
		t.Errorf("Users() (-want +got):\n%s", diff)
	}
	if n := srv.TotalRequests(); n != before {
		t.Errorf("accepting counted as %d request(s)", n-before)
	}
	// The API says the same: the accepted invites are gone and their people are users.
	c := apiClient(t, srv, srv.Token())
	if got := listUsers(t, c, nil); !slices.Equal(got, []string{"Owner@Example.com", "ada@example.com", "ben@example.com", "cleo@partner.example"}) {
		t.Errorf("listUsers: %v", got)
	}
	// Through the SDK's List, whose signature no optional parameter added to the
	// document changes (the generated ListUserInvitesWithResponse's would).
	invites, err := srv.Client().List(t.Context())
	if err != nil || len(invites) != 1 {
		t.Errorf("listUserInvites after accepting: %d invites, %v", len(invites), err)
	}
}
