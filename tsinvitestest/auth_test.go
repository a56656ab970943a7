package tsinvitestest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/spectest"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// postForm posts form to path with the Content-Type ctype and returns the status and
// the JSON answer.
func postForm(t *testing.T, srv *tsinvitestest.Server, path, ctype string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Errorf("POST %s: the answer is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

const formType = "application/x-www-form-urlencoded"

// jwt returns an unsigned-looking JWT whose payload is claims (JSON).
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("not checked"))
}

// exchange asks srv for a token for the federated identity clientID with the JWT.
func exchange(t *testing.T, srv *tsinvitestest.Server, clientID, token string) (int, map[string]any) {
	t.Helper()
	return postForm(t, srv, "/api/v2/oauth/token-exchange", formType, url.Values{"client_id": {clientID}, "jwt": {token}})
}

func TestTokenExchange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithFederatedIdentity("fed-client"), tsinvitestest.WithClock(func() time.Time { return now }))
	exp := func(d time.Duration) string {
		return jwt(fmt.Sprintf(`{"iss":"https://ci.example","exp":%d}`, now.Add(d).Unix()))
	}

	status, out := exchange(t, srv, "fed-client", exp(time.Second))
	tok, _ := out["access_token"].(string)
	if status != 200 || tok == "" || out["token_type"] != "Bearer" || out["expires_in"] != float64(3600) {
		t.Fatalf("exchange: %d %v, want 200 with access_token, token_type Bearer, expires_in 3600", status, out)
	}
	if status, body := send(t, srv, "GET", "/api/v2/tailnet/-/user-invites", tok, ""); status != 200 {
		t.Errorf("list invites with the federated token: %d %s", status, body)
	}
	if status, body := send(t, srv, "GET", "/api/v2/tailnet/-/users", tok, ""); status != 200 {
		t.Errorf("list users with the federated token: %d %s", status, body)
	}

	for _, tc := range []struct {
		name, clientID, jwt, ctype string
		want                       int
		says                       string
	}{
		{"expired", "fed-client", exp(-time.Second), formType, 401, "expired"},
		{"expiring now", "fed-client", exp(0), formType, 401, "expired"},
		{"another client ID", "other-client", exp(time.Hour), formType, 401, "client_id"},
		{"no client ID", "", exp(time.Hour), formType, 400, "client_id"},
		{"no JWT", "fed-client", "", formType, 400, "jwt"},
		{"two parts", "fed-client", "a.b", formType, 400, "3"},
		{"not base64url", "fed-client", "a.b+c.d", formType, 400, "base64url"},
		{"no exp", "fed-client", jwt(`{"sub":"ci"}`), formType, 400, "exp"},
		{"exp a string", "fed-client", jwt(`{"exp":"tomorrow"}`), formType, 400, "exp"},
		{"payload not JSON", "fed-client", jwt(`exp`), formType, 400, "exp"},
		{"JSON body", "fed-client", exp(time.Hour), "application/json", 400, "Content-Type"},
	} {
		status, out := postForm(t, srv, "/api/v2/oauth/token-exchange", tc.ctype, url.Values{"client_id": {tc.clientID}, "jwt": {tc.jwt}})
		msg, _ := out["message"].(string)
		if status != tc.want || !strings.Contains(msg, tc.says) || out["access_token"] != nil {
			t.Errorf("%s: %d %v, want %d with a message saying %q", tc.name, status, out, tc.want, tc.says)
		}
	}
	if status, body := send(t, srv, "GET", "/api/v2/oauth/token-exchange", "", ""); status != 400 {
		t.Errorf("GET of the exchange: %d %s, want 400", status, body)
	}
	if n := srv.TotalRequests(); n != 2 {
		t.Errorf("TotalRequests = %d, want 2 (the token endpoint is not an API operation)", n)
	}
}

// TestTokenExchangeHugeExp: an exp beyond what a time.Time holds is clamped (the one
// JWT reader, internal/token's, does it for the client and the fake), not wrapped into
// the past: the fake exchanges such a JWT.
func TestTokenExchangeHugeExp(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithFederatedIdentity("fed-client"))
	for _, exp := range []string{"1e300", "9223372036854775808", "253402300800"} {
		if status, out := exchange(t, srv, "fed-client", jwt(`{"exp":`+exp+`}`)); status != 200 {
			t.Errorf("exp %s: %d %v, want 200", exp, status, out)
		}
	}
}

func TestTokenExchangeOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	if status, _ := exchange(t, srv, "fed-client", jwt(`{"exp":99999999999}`)); status != 401 {
		t.Errorf("exchange on a fake without a federated identity: %d, want 401", status)
	}
}

// TestTokensNoUserOwns: OAuth and federated tokens may read, and get 403 on what the
// real document says is "only permitted for user-owned keys".
func TestTokensNoUserOwns(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithClock(func() time.Time { return now }),
		tsinvitestest.WithOAuthClient("oauth-id", "oauth-secret"), tsinvitestest.WithFederatedIdentity("fed-client"))
	if status, body := send(t, srv, "POST", "/api/v2/tailnet/-/user-invites", srv.Token(), `[{"email":"a@example.com"}]`); status != 200 {
		t.Fatalf("create with the API key: %d %s", status, body)
	}
	_, out := postForm(t, srv, "/api/v2/oauth/token", formType, url.Values{"grant_type": {"client_credentials"}, "client_id": {"oauth-id"}, "client_secret": {"oauth-secret"}})
	oauth, _ := out["access_token"].(string)
	_, out = exchange(t, srv, "fed-client", jwt(fmt.Sprintf(`{"exp":%d}`, now.Add(time.Hour).Unix())))
	federated, _ := out["access_token"].(string)
	if oauth == "" || federated == "" {
		t.Fatalf("tokens: OAuth %q, federated %q", oauth, federated)
	}
	for kind, tok := range map[string]string{"OAuth": oauth, "federated": federated} {
		for _, tc := range []struct {
			method, path, body string
			want               int
		}{
			{"GET", "/api/v2/tailnet/-/user-invites", "", 200},
			{"GET", "/api/v2/user-invites/1", "", 200},
			{"GET", "/api/v2/tailnet/-/users", "", 200},
			{"POST", "/api/v2/tailnet/-/user-invites", `[{"email":"b@example.com"}]`, 403},
			{"POST", "/api/v2/user-invites/1/resend", "", 403},
			{"DELETE", "/api/v2/user-invites/1", "", 403},
		} {
			status, body := send(t, srv, tc.method, tc.path, tok, tc.body)
			if status != tc.want || (status == 403 && !strings.Contains(body, "only permitted for user-owned keys")) {
				t.Errorf("%s token, %s %s: %d %s, want %d", kind, tc.method, tc.path, status, body, tc.want)
			}
		}
	}
	if n := len(srv.Invites()); n != 1 {
		t.Errorf("%d invites, want the API key's one", n)
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	valid := jwt(fmt.Sprintf(`{"exp":%d}`, now.Add(time.Hour).Unix()))
	for _, tc := range []struct {
		name      string
		scopes    []string // WithScopes; nil: not given
		requested string   // the token request's scope
		tokenOK   bool
		listUsers int
	}{
		{"every scope by default", nil, "", true, 200},
		{"users:read", []string{"devices:core", "users:read"}, "", true, 200},
		{"users grants users:read", []string{"users"}, "", true, 200},
		{"all:read", []string{"all:read"}, "", true, 200},
		{"without users:read", []string{"devices:core"}, "", true, 403},
		{"asked for less", nil, "devices:core", true, 403},
		{"asked for users:read", []string{"users", "devices:core"}, "users:read", true, 200},
		{"asked for more", []string{"devices:core"}, "users:read", false, 0},
	} {
		opts := []tsinvitestest.Option{tsinvitestest.WithClock(func() time.Time { return now }),
			tsinvitestest.WithOAuthClient("oauth-id", "oauth-secret"), tsinvitestest.WithFederatedIdentity("fed-client")}
		if tc.scopes != nil {
			opts = append(opts, tsinvitestest.WithScopes(tc.scopes...))
		}
		srv := tsinvitestest.Start(t, opts...)
		for kind, form := range map[string]struct {
			path string
			form url.Values
		}{
			"OAuth":     {"/api/v2/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"oauth-id"}, "client_secret": {"oauth-secret"}}},
			"federated": {"/api/v2/oauth/token-exchange", url.Values{"client_id": {"fed-client"}, "jwt": {valid}}},
		} {
			if tc.requested != "" {
				form.form.Set("scope", tc.requested)
			}
			status, out := postForm(t, srv, form.path, formType, form.form)
			tok, _ := out["access_token"].(string)
			if !tc.tokenOK {
				if status != 400 || out["error"] != "invalid_scope" {
					t.Errorf("%s, %s: token request %d %v, want 400 invalid_scope", tc.name, kind, status, out)
				}
				continue
			}
			if status != 200 || tok == "" {
				t.Errorf("%s, %s: token request %d %v", tc.name, kind, status, out)
				continue
			}
			status, body := send(t, srv, "GET", "/api/v2/tailnet/-/users", tok, "")
			if status != tc.listUsers || (status == 403 && !strings.Contains(body, "users:read")) {
				t.Errorf("%s, %s: listUsers %d %s, want %d", tc.name, kind, status, body, tc.listUsers)
			}
			if status, _ := send(t, srv, "GET", "/api/v2/tailnet/-/user-invites", tok, ""); status != 200 {
				t.Errorf("%s, %s: list invites %d, want 200", tc.name, kind, status)
			}
		}
	}
}

// TestTokenExchangeThroughSpectest: the validating transport of the tests lets the
// token endpoints through (they are not in the document) and checks what follows.
func TestTokenExchangeThroughSpectest(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv := tsinvitestest.Start(t, tsinvitestest.WithFederatedIdentity("fed-client"), tsinvitestest.WithClock(func() time.Time { return now }),
		tsinvitestest.WithUsers(tsinvites.User{LoginName: "amelie@example.com"}))
	tr := spectest.New(t, nil)
	form := url.Values{"client_id": {"fed-client"}, "jwt": {jwt(fmt.Sprintf(`{"exp":%d}`, now.Add(time.Minute).Unix()))}}
	resp, err := (&http.Client{Transport: tr}).PostForm(srv.URL+"/api/v2/oauth/token-exchange", form)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("exchange: %d %v", resp.StatusCode, err)
	}
	if got := listUsers(t, apiClient(t, srv, out.AccessToken), nil); len(got) != 1 {
		t.Errorf("users %v", got)
	}
	if got := tr.Requests(); len(got) != 1 || got[0].Status != 200 || got[0].Operation != "" {
		t.Errorf("recorded %+v, want the exchange, with no operation", got)
	}
}

// TestBasicAuth: the API key is accepted as HTTP Basic authentication too, as the user
// name with an empty password, which is how Tailscale's official Go client sends it
// (issue 20, item 14); a wrong key, a password, or an empty user name is refused, and
// the refusal does not echo what was sent.
func TestBasicAuth(t *testing.T) {
	t.Parallel()
	const key = "tskey-api-right"
	srv := tsinvitestest.Start(t, tsinvitestest.WithToken(key))
	basic := func(user, password string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	for _, tc := range []struct {
		header string
		want   int
	}{
		{basic(key, ""), http.StatusOK},
		{"Bearer " + key, http.StatusOK},
		{basic("tskey-api-wrong", ""), http.StatusUnauthorized},
		{basic(key, "password"), http.StatusUnauthorized},
		{basic("", ""), http.StatusUnauthorized},
		{basic("", key), http.StatusUnauthorized},
		{"Basic " + key, http.StatusUnauthorized}, // not base64 of user:password
	} {
		req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/api/v2/tailnet/-/user-invites", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", tc.header)
		tr := &http.Transport{}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if resp.StatusCode != tc.want || strings.Contains(string(body), key) || strings.Contains(string(body), "wrong") {
			t.Errorf("Authorization %q: %d %s, want %d without the credential", tc.header, resp.StatusCode, body, tc.want)
		}
	}
}
