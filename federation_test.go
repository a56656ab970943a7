package tsinvites_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
)

// testJWT makes an unsigned-looking JWT whose exp claim is exp.
func testJWT(sub string, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc([]byte(fmt.Sprintf(`{"sub":%q,"exp":%d}`, sub, exp.Unix()))) + ".c2lnbmF0dXJl"
}

// exchangeAPI implements the token exchange of workload identity federation and a list
// that accepts the tokens it handed out.
type exchangeAPI struct {
	mu        sync.Mutex
	exchanges []url.Values
	expiresIn int
	refuse    bool
}

func (a *exchangeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v2/oauth/token-exchange" {
		a.mu.Lock()
		defer a.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, `{"message":"want a form POST"}`, http.StatusBadRequest)
			return
		}
		_ = r.ParseForm()
		a.exchanges = append(a.exchanges, r.PostForm)
		if a.refuse {
			http.Error(w, `{"message":"jwt `+r.PostForm.Get("jwt")+` not trusted"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":"fed-%d-0123456789","token_type":"Bearer","expires_in":%d}`, len(a.exchanges), a.expiresIn)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer fed-") {
		http.Error(w, `{"message":"bad token"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `[]`)
}

func TestFederatedIdentityListsInvites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &exchangeAPI{expiresIn: 3600}
		jwt := testJWT("repo:example/infra", time.Now().Add(time.Hour))
		c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client", IdentityToken: jwt,
			BaseURL: "http://127.0.0.1", HTTPClient: &http.Client{Transport: inMemory{api}}})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := c.List(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if len(api.exchanges) != 1 || api.exchanges[0].Get("client_id") != "fed-client" || api.exchanges[0].Get("jwt") != jwt {
			t.Errorf("exchanges = %v, want one with client_id and jwt", api.exchanges)
		}
		if s := fmt.Sprintf("%v %+v %#v", c, tsinvites.Config{IdentityToken: jwt}, tsinvites.Config{IdentityToken: jwt}); strings.Contains(s, jwt) {
			t.Errorf("the identity token shows when formatted: %s", s)
		}
	})
}

// A rotating identity token (IdentityTokenFunc) is asked for again at each exchange.
func TestFederatedIdentityTokenFuncIsAskedAtEachExchange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &exchangeAPI{expiresIn: 60}
		n := 0
		c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client",
			IdentityTokenFunc: func(context.Context) (string, error) {
				n++
				return testJWT(fmt.Sprint("run-", n), time.Now().Add(10*time.Minute)), nil
			},
			BaseURL: "http://127.0.0.1", HTTPClient: &http.Client{Transport: inMemory{api}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.List(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute) // the access token has expired
		if _, err := c.List(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n != 2 || len(api.exchanges) != 2 || api.exchanges[0].Get("jwt") == api.exchanges[1].Get("jwt") {
			t.Errorf("%d identity tokens asked for, %d exchanges, want 2 different", n, len(api.exchanges))
		}
	})
}

// An expired identity token is refused before any request, saying when it expired.
func TestExpiredIdentityTokenIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	jwt := testJWT("ci", time.Now().Add(-90*time.Second))
	_, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client", IdentityToken: jwt})
	if err == nil || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "TAILSCALE_IDENTITY_TOKEN") || strings.Contains(err.Error(), jwt) {
		t.Errorf("err = %v, want one saying TAILSCALE_IDENTITY_TOKEN expired, without the token", err)
	}
	for _, cfg := range []tsinvites.Config{
		{OAuthClientID: "id", IdentityToken: "not-a-jwt"},
		{OAuthClientID: "id", OAuthClientSecret: "secret0123456789", IdentityToken: testJWT("x", time.Now().Add(time.Hour))},
		{IdentityToken: testJWT("x", time.Now().Add(time.Hour))},
	} {
		if _, err := tsinvites.New(cfg); err == nil {
			t.Errorf("New(%v) = nil error", cfg)
		}
	}
}

// A refused exchange names the variables and never shows the identity token, even when
// the server echoes it.
func TestRefusedExchangeHidesTheIdentityToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &exchangeAPI{refuse: true}
		jwt := testJWT("ci", time.Now().Add(time.Hour))
		c, err := tsinvites.New(tsinvites.Config{OAuthClientID: "fed-client", IdentityToken: jwt,
			BaseURL: "http://127.0.0.1", HTTPClient: &http.Client{Transport: inMemory{api}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(t.Context())
		if err == nil || strings.Contains(err.Error(), jwt) || !strings.Contains(err.Error(), "Config.OAuthClientID and Config.IdentityToken") {
			t.Errorf("err = %v, want a refusal naming the Config fields set, without the token", err)
		}
	})
}

func TestConfigFromEnvReadsTheIdentityToken(t *testing.T) {
	t.Setenv("TAILSCALE_OAUTH_CLIENT_ID", "fed-client")
	t.Setenv("TAILSCALE_IDENTITY_TOKEN", " jwt-value ")
	cfg := tsinvites.ConfigFromEnv()
	if cfg.OAuthClientID != "fed-client" || cfg.IdentityToken != "jwt-value" {
		t.Errorf("ConfigFromEnv = %+v", cfg)
	}
}
