package tsinvitestest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// send makes one raw request to the fake, valid or not, and returns the status and body.
func send(t *testing.T, srv *tsinvitestest.Server, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServerListensOnLoopback(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "::1" {
		t.Errorf("the fake listens on %s, want loopback", h)
	}
	if !strings.HasPrefix(srv.Token(), "tskey-api-fake-") {
		t.Errorf("token %q", srv.Token())
	}
	other := tsinvitestest.Start(t)
	if other.Token() == srv.Token() {
		t.Error("two fakes got the same random token")
	}
}

func TestTokenIsChecked(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithToken("tskey-api-right"))
	for _, tok := range []string{"", "tskey-api-wrong", "tskey-api-righ", "tskey-api-right2"} {
		if status, body := send(t, srv, "GET", "/api/v2/tailnet/-/user-invites", tok, ""); status != 401 || !strings.Contains(body, "message") {
			t.Errorf("token %q: %d %s, want 401 with a message", tok, status, body)
		}
	}
	if status, _ := send(t, srv, "GET", "/api/v2/tailnet/-/user-invites", "tskey-api-right", ""); status != 200 {
		t.Errorf("right token: %d, want 200", status)
	}
}

func TestRequestsAreValidatedAgainstTheDocument(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	tok := srv.Token()
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v2/tailnet/-/user-invites", `[{"email":"a@example.com","role":"owner"}]`, 400},
		{"POST", "/api/v2/tailnet/-/user-invites", `{"email":"a@example.com"}`, 400},
		{"POST", "/api/v2/tailnet/-/user-invites", `[{"email":42}]`, 400},
		{"POST", "/api/v2/tailnet/-/user-invites", `not json`, 400},
		{"POST", "/api/v2/tailnet/-/user-invites", ``, 400},
		{"POST", "/api/v2/tailnet/-/user-invites", `[]`, 400},
		{"POST", "/api/v2/user-invites/1/resend", `{"x":1}`, 400},
		{"GET", "/api/v2/user-invites", "", 404},
		{"GET", "/api/v2/nothing/here", "", 404},
		{"PUT", "/api/v2/user-invites/1", "", 405},
		{"GET", "/v2/user-invites/1", "", 404},
		{"POST", "/api/v2/tailnet/-/user-invites", `[{"email":"a@example.com","role":"admin"}]`, 200},
	} {
		status, body := send(t, srv, tc.method, tc.path, tok, tc.body)
		if status != tc.want {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, status, body, tc.want)
		}
		var e tsinvites.Error
		if status >= 400 && (json.Unmarshal([]byte(body), &e) != nil || e.Message == "") {
			t.Errorf("%s %s: error body %q is not {\"message\": ...}", tc.method, tc.path, body)
		}
	}
	if got := srv.RequestCount(tsinvitestest.OpCreate); got != 7 {
		t.Errorf("RequestCount(create) = %d, want 7", got)
	}
	if n := len(srv.Invites()); n != 1 {
		t.Errorf("the fake holds %d invites, want only the valid one", n)
	}
}

func TestCreateRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithDomain("corp.example"), tsinvitestest.WithClock(func() time.Time { return now }))
	created, err := srv.Client().Create(t.Context(),
		tsinvites.CreateUserInviteRequest{Email: "in@CORP.example", Role: tsinvites.UserRoleITAdmin},
		tsinvites.CreateUserInviteRequest{Email: "out@example.com"},
		tsinvites.CreateUserInviteRequest{},
	)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		id      string
		role    tsinvites.UserRole
		url     bool
		emailed bool
	}{{"1", tsinvites.UserRoleITAdmin, false, true}, {"2", tsinvites.UserRoleMember, true, true}, {"3", tsinvites.UserRoleMember, true, false}} {
		got := created[i]
		if got.ID != want.id || got.Role != want.role || (got.InviteURL != "") != want.url || got.LastEmailSentAt.Equal(now) != want.emailed {
			t.Errorf("invite %d = %+v, want id %s role %s url %v emailed %v", i, got, want.id, want.role, want.url, want.emailed)
		}
	}
	if created[1].InviteURL == created[2].InviteURL {
		t.Error("two invites share an invite URL")
	}
}

func TestInjectFault(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	srv.InjectFault(tsinvitestest.OpList, 2, tsinvitestest.Fault{Status: 503, RetryAfter: "7"})
	// One attempt per call, so that each call meets one fault.
	c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: srv.URL, Retry: tsinvites.RetryPolicy{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := c.List(t.Context())
		var apiErr *tsinvites.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.RetryAfter != 7*time.Second {
			t.Fatalf("err = %v, want the injected 503 with Retry-After 7", err)
		}
	}
	if _, err := c.List(t.Context()); err != nil {
		t.Errorf("third list: %v, want success once the faults are used up", err)
	}
	if n := srv.RequestCount(tsinvitestest.OpList); n != 3 {
		t.Errorf("RequestCount = %d, want 3", n)
	}
	srv.InjectFault(tsinvitestest.OpGet, 1, tsinvitestest.Fault{Status: 200, Body: "<html>", ContentType: "text/html"})
	if _, err := c.Get(t.Context(), "1"); err == nil {
		t.Error("a 200 HTML answer to get gave no error")
	}
}

func TestOAuthTokenEndpoint(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithOAuthClient("id", "secret"))
	post := func(form url.Values) (int, map[string]any) {
		resp, err := http.PostForm(srv.URL+"/api/v2/oauth/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}})
	tok, _ := out["access_token"].(string)
	if status != 200 || tok == "" {
		t.Fatalf("token request: %d %v", status, out)
	}
	if status, _ := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"nope"}}); status != 401 {
		t.Errorf("wrong secret: %d, want 401", status)
	}
	if status, _ := send(t, srv, "GET", "/api/v2/tailnet/-/user-invites", tok, ""); status != 200 {
		t.Errorf("list with the OAuth token: %d, want 200", status)
	}
	if status, body := send(t, srv, "POST", "/api/v2/tailnet/-/user-invites", tok, `[{"email":"a@example.com"}]`); status != 403 || !strings.Contains(body, "only permitted for user-owned keys") {
		t.Errorf("create with the OAuth token: %d %s, want 403 only permitted for user-owned keys", status, body)
	}
	if status, _ := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}, "scope": {"users:read devices:core"}}); status != 200 {
		t.Errorf("asking for scopes of a client with every scope: %d, want 200", status)
	}
}

func TestHandlerMounts(t *testing.T) {
	t.Parallel()
	h := tsinvitestest.Handler(tsinvitestest.WithToken("tok"), tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "a@example.com"}))
	req, err := http.NewRequest("GET", "/api/v2/user-invites/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tok")
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, req)
	var inv tsinvites.UserInvite
	if rec.status != 200 || json.Unmarshal(rec.body.Bytes(), &inv) != nil || inv.Email != "a@example.com" {
		t.Errorf("GET through Handler: %d %s", rec.status, rec.body.String())
	}
	if len(h.Invites()) != 1 || h.Token() != "tok" {
		t.Errorf("Invites %v, Token %q", h.Invites(), h.Token())
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) { r.status = status }

// TestZeroFake: a Fake not made by Handler, NewServer or Start answers every request with
// 500 saying how to make one, and inspecting it finds nothing.
func TestZeroFake(t *testing.T) {
	t.Parallel()
	var f tsinvitestest.Fake
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "GET", "/api/v2/tailnet/-/user-invites", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Handler, NewServer or Start") {
		t.Errorf("zero Fake answered %d %s", rec.Code, rec.Body)
	}
	if len(f.Invites()) != 0 || len(f.Users()) != 0 || f.TotalRequests() != 0 || f.Token() != "" {
		t.Error("a zero Fake holds something")
	}
}
