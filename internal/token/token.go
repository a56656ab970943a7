// Package token gives the bearer tokens of OAuth clients and federated identities: a
// cache that keeps each token while it is fresh, and the identity-token exchange.
package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Cache keeps each access token until shortly before it expires (10 s, or half its life
// if shorter) or until the API refuses it. Unlike oauth2.ReuseTokenSource, a fetch uses
// the caller's context, and a caller waiting for it leaves when its own ends. It is safe
// for concurrent use; make one with [NewCache].
type Cache struct {
	fetch   func(ctx context.Context) (*oauth2.Token, error)
	lock    chan struct{} // a mutex that waiters can leave
	mu      sync.Mutex    // guards cached and staleAt
	cached  string
	staleAt time.Time // zero: never
}

// NewCache returns a Cache that gets its tokens from fetch, one fetch at a time.
func NewCache(fetch func(ctx context.Context) (*oauth2.Token, error)) *Cache {
	return &Cache{fetch: fetch, lock: make(chan struct{}, 1)}
}

// Token returns the cached token, or fetches a new one when there is none or it is stale.
func (t *Cache) Token(ctx context.Context) (string, error) {
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-t.lock }()
	t.mu.Lock()
	cached, fresh := t.cached, t.staleAt.IsZero() || time.Now().Before(t.staleAt)
	t.mu.Unlock()
	if cached != "" && fresh {
		return cached, nil
	}
	fetched := time.Now()
	tok, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	var staleAt time.Time
	if !tok.Expiry.IsZero() {
		staleAt = tok.Expiry.Add(-min(10*time.Second, max(tok.Expiry.Sub(fetched), 0)/2))
	}
	t.mu.Lock()
	t.cached, t.staleAt = tok.AccessToken, staleAt
	t.mu.Unlock()
	return tok.AccessToken, nil
}

// Refused forgets token if it is still the cached one, and reports whether another
// attempt will get a new token: also true for callers whose token another forgot.
func (t *Cache) Refused(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if token != "" && t.cached == token {
		t.cached = ""
	}
	return token != ""
}

// Source gives the tokens of a caller's oauth2.TokenSource, which caches (or not) by
// itself: a refused token is not forgotten here.
type Source struct{ TS oauth2.TokenSource }

// Token asks the source for a token.
func (s Source) Token(context.Context) (string, error) {
	tok, err := s.TS.Token()
	if err != nil {
		return "", err
	}
	if tok == nil {
		return "", errors.New("the token source returned no token")
	}
	return tok.AccessToken, nil
}

// Refused reports false: another attempt would get the same token.
func (Source) Refused(string) bool { return false }

// ErrMalformed is matched by the error of an exchange whose 200 answer holds no usable
// access token: the endpoint's fault, not the credentials'.
var ErrMalformed = errors.New("the token endpoint's answer is malformed")

// The token endpoints, under the API's server path (Tailscale's document does not
// declare them).
const (
	ClientCredentialsPath = "/oauth/token"
	ExchangePath          = "/oauth/token-exchange"
)

// Exchange trades an identity token (a JWT) for an access token, as Tailscale's workload
// identity federation does: a form POST of client_id and jwt, answered with
// {"access_token", "token_type", "expires_in"}.
type Exchange struct {
	URL, ClientID string
	// JWT gives the identity token for each exchange.
	JWT func(ctx context.Context) (string, error)
	// HTTPClient sends the exchange.
	HTTPClient *http.Client
	// Secret is told every identity token before it is sent, so that it can be redacted.
	Secret func(string)
	// MaxBody caps how much of the answer is read.
	MaxBody int64
}

// Token makes one exchange. A refusal or failure of the endpoint is an
// *oauth2.RetrieveError, as x/oauth2's client-credentials flow gives; a 200 without an
// access token matches [ErrMalformed].
func (x *Exchange) Token(ctx context.Context) (*oauth2.Token, error) {
	jwt, err := x.JWT(ctx)
	if err != nil {
		return nil, fmt.Errorf("get an identity token: %w", err)
	}
	x.Secret(jwt) // whatever it is, it is a secret: even one CheckJWT refuses
	if err := CheckJWT(jwt, time.Now()); err != nil {
		return nil, fmt.Errorf("the identity token (TAILSCALE_IDENTITY_TOKEN): %w", err)
	}
	form := url.Values{"client_id": {x.ClientID}, "jwt": {jwt}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := x.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, x.MaxBody))
	if err != nil { // the connection broke: no answer to blame anyone for
		return nil, fmt.Errorf("read the token endpoint's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		// Refusals and failures are reported (and retried) as the client-credentials ones.
		return nil, &oauth2.RetrieveError{Response: resp, Body: body}
	}
	return parseAnswer(body, time.Now())
}

// parseAnswer reads a token endpoint's 200 answer as x/oauth2 does: expires_in may be a
// number or a string holding one, and is capped at MaxInt32 seconds.
func parseAnswer(body []byte, now time.Time) (*oauth2.Token, error) {
	var answer struct {
		AccessToken any         `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	access, ok := answer.AccessToken.(string)
	if !ok || strings.TrimSpace(access) == "" {
		return nil, fmt.Errorf("%w: it has no access_token", ErrMalformed)
	}
	tok := &oauth2.Token{AccessToken: access}
	if secs, err := answer.ExpiresIn.Int64(); err == nil && secs > 0 {
		tok.Expiry = now.Add(time.Duration(min(secs, math.MaxInt32)) * time.Second)
	}
	return tok, nil
}
