package tsinvites_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
)

// One invite cannot be two people's: an answer that gives one ID to two requests pairs
// neither, and may have created (issue 20, item 4).
func TestCreateAnswerGivingOneIDToTwoPeopleIsUnpaired(t *testing.T) {
	t.Parallel()
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"5","email":"a@example.com","role":"member"},{"id":"5","email":"b@example.com","role":"member"}]`)
	})
	got, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: "a@example.com"}, tsinvites.CreateUserInviteRequest{Email: "b@example.com"})
	if !errors.Is(err, tsinvites.ErrMayHaveCreated) {
		t.Errorf("err = %v, want ErrMayHaveCreated", err)
	}
	if len(got) != 2 || got[0].ID != "" || got[1].ID != "" {
		t.Errorf("got %v, want neither request paired", got)
	}
}

// A tailnet of 50,000 users (about 20 MiB of answer, more than the 16 MiB an invites
// answer may have) is listed (issue 20, item 8).
func TestLargeUserListIsRead(t *testing.T) {
	t.Parallel()
	const n = 50000
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"users":[`)
		for i := range n {
			if i > 0 {
				_, _ = io.WriteString(w, ",")
			}
			_, _ = fmt.Fprintf(w, `{"id":"u%07d","displayName":"Person Number %07d of a very large tailnet","loginName":"person%07d@example.com","profilePicUrl":"https://example.com/pictures/%07d/avatar-large.png","tailnetId":"T1234567890","created":"2026-01-02T03:04:05Z","type":"member","role":"member","status":"active","deviceCount":2,"lastSeen":"2026-11-02T03:04:05Z","currentlyConnected":false}`, i, i, i, i)
		}
		_, _ = io.WriteString(w, `]}`)
	})
	users, err := c.ListUsers(t.Context(), tsinvites.ListUsersParams{})
	if err != nil || len(users) != n || users[n-1].LoginName != fmt.Sprintf("person%07d@example.com", n-1) {
		t.Fatalf("ListUsers: %d users, %v; want %d", len(users), err, n)
	}
}

// identityAPI is a token exchange that answers with body, and an API that takes any token.
type identityAPI struct {
	body      func(jwt string) (int, string)
	exchanges atomic.Int32
}

func (a *identityAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/oauth/token-exchange") {
		a.exchanges.Add(1)
		_ = r.ParseForm()
		status, body := a.body(r.PostForm.Get("jwt"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `[]`)
}

func federated(t *testing.T, api http.Handler, jwt string) *tsinvites.Client {
	t.Helper()
	c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client",
		IdentityTokenFunc: func(context.Context) (string, error) { return jwt, nil },
		BaseURL:           "http://127.0.0.1", HTTPClient: &http.Client{Transport: inMemory{api}},
		Retry: tsinvites.RetryPolicy{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every identity token the function gives is a secret, whatever its first characters:
// one whose header does not encode to "eyJ", echoed by a refusing endpoint, is not shown
// (issue 20, item 9).
func TestEveryIdentityTokenIsRedacted(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(` {"alg":"RS256"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d}`, time.Now().Add(time.Hour).Unix()))) + ".c2lnbmF0dXJl"
	api := &identityAPI{body: func(jwt string) (int, string) {
		return http.StatusUnauthorized, `{"message":"untrusted token ` + jwt + `"}`
	}}
	_, err := federated(t, api, jwt).List(t.Context())
	if err == nil || strings.Contains(err.Error(), jwt) || strings.Contains(err.Error(), jwt[:20]) {
		t.Errorf("err = %v, want an error without the identity token", err)
	}
}

// expires_in is read as x/oauth2 reads it: a number or a string holding one, capped so
// that a huge one never overflows into the past (issue 20, items 10 and 11).
func TestExpiresInAsXOAuth2ReadsIt(t *testing.T) {
	t.Parallel()
	for _, expires := range []string{`"3600"`, `3600`, `10000000000`, `9223372036854775807`} {
		t.Run(expires, func(t *testing.T) {
			t.Parallel()
			api := &identityAPI{body: func(string) (int, string) {
				return http.StatusOK, `{"access_token":"fed-token-0123456789","token_type":"Bearer","expires_in":` + expires + `}`
			}}
			c := federated(t, api, testJWT("ci", time.Now().Add(time.Hour)))
			for range 3 {
				if _, err := c.List(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if n := api.exchanges.Load(); n != 1 {
				t.Errorf("%d exchanges for 3 calls, want 1 (the token reused)", n)
			}
		})
	}
}

// A 200 without an access token is a malformed answer of the endpoint, not a refusal of
// the credentials (issue 20, item 12).
func TestTokenAnswerWithoutATokenIsMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"token_type":"Bearer"}`, `{"access_token":""}`, `{"access_token":null}`, `{"access_token":["a"]}`, `<html>ok</html>`} {
		api := &identityAPI{body: func(string) (int, string) { return http.StatusOK, body }}
		_, err := federated(t, api, testJWT("ci", time.Now().Add(time.Hour))).List(t.Context())
		if err == nil || !strings.Contains(err.Error(), "malformed") || strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "check TAILSCALE") {
			t.Errorf("answer %s: err = %v, want a malformed answer, the credentials not blamed", body, err)
		}
	}
}

// An email holding an invisible character looks like another address: Validate and
// Create refuse it, showing the character escaped, and send nothing (issue 20, item 1).
func TestEmailWithInvisibleCharacterIsRefused(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "must not be called", http.StatusTeapot)
	})
	for _, hidden := range []string{"\u200b", "\u00ad", "\u2060", "\ufeff", "\u00a0"} {
		email := "ali" + hidden + "ce@example.com"
		req := tsinvites.CreateUserInviteRequest{Email: email}
		err := req.Validate()
		want := strings.Trim(fmt.Sprintf("%+q", hidden), `"`)
		if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(%+q) = %v, want ErrInvalidInput showing %s", email, err, want)
		}
		if _, err := c.Create(t.Context(), req); !errors.Is(err, tsinvites.ErrInvalidInput) {
			t.Errorf("Create(%+q) = %v, want ErrInvalidInput", email, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// cutFirst answers the first token exchange with a 200 whose body breaks off, and sends
// everything else to h.
type cutFirst struct {
	h   http.Handler
	cut atomic.Bool
}

func (c *cutFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/oauth/token-exchange") && c.cut.CompareAndSwap(false, true) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req,
			Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"access_token":"fed-tok`), iotest.ErrReader(io.ErrUnexpectedEOF)))}, nil
	}
	return inMemory{c.h}.RoundTrip(req)
}

// A token answer that breaks off is a broken connection, retried like one, not a
// refusal of the credentials (the read error was dropped and the 200 blamed them).
func TestTokenAnswerCutShortIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &identityAPI{body: func(string) (int, string) {
			return http.StatusOK, `{"access_token":"fed-token-0123456789","expires_in":3600}`
		}}
		c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client",
			IdentityToken: testJWT("ci", time.Now().Add(time.Hour)),
			BaseURL:       "http://127.0.0.1", HTTPClient: &http.Client{Transport: &cutFirst{h: api}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.List(t.Context()); err != nil {
			t.Errorf("List = %v, want the cut exchange retried", err)
		}
		if n := api.exchanges.Load(); n != 1 {
			t.Errorf("%d exchanges reached the endpoint after the cut one, want 1", n)
		}
	})
}
