package tsinvites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// A bearer gives the token for one request, and forgets a token the API refused (401).
// It must be safe for concurrent use.
type bearer interface {
	token(ctx context.Context) (string, error)
	refused(token string) bool // whether another attempt would get another token
}

// sourceBearer asks a caller's oauth2.TokenSource, which caches (or not) by itself.
type sourceBearer struct{ ts oauth2.TokenSource }

func (b sourceBearer) token(context.Context) (string, error) {
	tok, err := b.ts.Token()
	if err != nil {
		return "", err
	}
	if tok == nil {
		return "", errors.New("the token source returned no token")
	}
	return tok.AccessToken, nil
}

func (sourceBearer) refused(string) bool { return false }

// tokenCache keeps each OAuth access token until shortly before it expires (10 s, or
// half its life if shorter) or until the API refuses it. Unlike oauth2.ReuseTokenSource,
// a fetch uses the caller's context, and a caller waiting for it leaves when its own ends.
type tokenCache struct {
	fetch   func(ctx context.Context) (*oauth2.Token, error)
	lock    chan struct{} // a mutex that waiters can leave
	mu      sync.Mutex    // guards cached and staleAt
	cached  string
	staleAt time.Time // zero: never
}

func (t *tokenCache) token(ctx context.Context) (string, error) {
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

// refused forgets token if it is still the cached one, and reports whether another
// attempt will get a new token: also true for callers whose token another forgot.
func (t *tokenCache) refused(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if token != "" && t.cached == token {
		t.cached = ""
	}
	return token != ""
}

// authorize is the generated client's request editor: it adds the User-Agent and the
// credential (an API key's header is made once, in New: net/http only reads it).
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	req.Header["User-Agent"] = c.userAgentHeader
	if c.apiKeyHeader != nil {
		req.Header["Authorization"] = c.apiKeyHeader
		return nil
	}
	tok, err := c.bearer.token(ctx)
	if err != nil {
		return c.tokenError(err)
	}
	if tok == "" || !headerSafe(tok) {
		return fmt.Errorf("the %s gave an empty or malformed token", c.authKind)
	}
	c.redact.sent(tok)
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// tokenError describes a failed token fetch. Only a 5xx or 429 is retried; a 400 or 401
// blames the credentials.
func (c *Client) tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Errorf("get a token from the %s: %w", c.authKind, err)
	}
	resp := *re.Response
	resp.Body = http.NoBody
	apiErr := newAPIErrorFromBody(&resp, re.Body, "", c.redact, time.Now())
	e := &tokenEndpointError{retryAfter: apiErr.RetryAfter,
		transient: resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500}
	e.msg = fmt.Sprintf("the token endpoint answered %d %s", resp.StatusCode, strings.ToLower(http.StatusText(resp.StatusCode)))
	if apiErr.Message != "" {
		e.msg += ": " + apiErr.Message
	}
	if !e.transient {
		vars := "TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET"
		if c.authKind == "federated identity" {
			vars = "TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_IDENTITY_TOKEN"
		}
		e.msg = fmt.Sprintf("the token endpoint refused the %s (check %s): %s", c.authKind, vars, e.msg)
	}
	return e
}

// bearerOf returns the token a sent request carried.
func bearerOf(req *http.Request) string {
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
}

// tokenExchange trades an identity token (a JWT) for an access token, as Tailscale's
// workload identity federation does: a form POST of client_id and jwt, answered with
// {"access_token", "token_type", "expires_in"}.
type tokenExchange struct {
	url, clientID string
	jwt           func(ctx context.Context) (string, error)
	hc            *http.Client
}

func (x *tokenExchange) token(ctx context.Context) (*oauth2.Token, error) {
	jwt, err := x.jwt(ctx)
	if err != nil {
		return nil, fmt.Errorf("get an identity token: %w", err)
	}
	if err := checkJWT(jwt, time.Now()); err != nil {
		return nil, fmt.Errorf("the identity token (TAILSCALE_IDENTITY_TOKEN): %w", err)
	}
	form := url.Values{"client_id": {x.clientID}, "jwt": {jwt}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.url, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := x.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &answer) != nil || answer.AccessToken == "" {
		// Refusals and failures are reported (and retried) as the client-credentials ones.
		return nil, &oauth2.RetrieveError{Response: resp, Body: body}
	}
	tok := &oauth2.Token{AccessToken: answer.AccessToken}
	if answer.ExpiresIn > 0 {
		tok.Expiry = time.Now().Add(time.Duration(answer.ExpiresIn) * time.Second)
	}
	return tok, nil
}

// checkJWT refuses what is not a JWT, and one whose exp claim has passed. The signature
// is the API's to check.
func checkJWT(jwt string, now time.Time) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT (want three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return errors.New("not a JWT (its payload is not base64url JSON)")
	}
	if claims.Exp != nil {
		if exp := time.Unix(int64(*claims.Exp), 0); !now.Before(exp) {
			return fmt.Errorf("expired at %s, %s ago: get a fresh one from your CI system or cloud", exp.UTC().Format(time.RFC3339), now.Sub(exp).Round(time.Second))
		}
	}
	return nil
}
