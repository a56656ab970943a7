package tsinvites

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// A bearer returns the token for one request. It must be safe for concurrent use.
type bearer func(ctx context.Context) (string, error)

// sourceBearer asks a caller's oauth2.TokenSource, which takes no context.
func sourceBearer(ts oauth2.TokenSource) bearer {
	return func(context.Context) (string, error) {
		tok, err := ts.Token()
		if err != nil {
			return "", err
		}
		if tok == nil {
			return "", errors.New("the token source returned no token")
		}
		return tok.AccessToken, nil
	}
}

// oauthBearer exchanges OAuth client credentials for access tokens and caches each
// until shortly before it expires. Unlike oauth2.ReuseTokenSource, a fetch uses the
// caller's context (its deadline and cancellation), and callers waiting for another's
// fetch give up when their own context ends.
func oauthBearer(cc *clientcredentials.Config, hc *http.Client) bearer {
	lock := make(chan struct{}, 1) // a mutex that waiters can leave
	var cached *oauth2.Token
	return func(ctx context.Context) (string, error) {
		select {
		case lock <- struct{}{}:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		defer func() { <-lock }()
		if !cached.Valid() {
			tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
			if err != nil {
				return "", err
			}
			cached = tok
		}
		return cached.AccessToken, nil
	}
}

// authorize adds the bearer token and the User-Agent to each request. An API key's
// header values are made once, in New, and shared by every request: net/http only
// reads them, and Header.Set, Add and Del replace or copy a slice rather than write
// into it (an editor of the user's that wrote req.Header[k][i] would break that).
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	req.Header["User-Agent"] = c.userAgentHeader
	if c.apiKeyHeader != nil {
		req.Header["Authorization"] = c.apiKeyHeader
		return nil
	}
	tok, err := c.bearer(ctx)
	var refused *oauth2.RetrieveError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("the token endpoint refused the OAuth client (check TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET): %w", err)
	case err != nil:
		return fmt.Errorf("get a token from the %s: %w", c.authKind, err)
	}
	if tok == "" || !headerSafe(tok) {
		return fmt.Errorf("the %s gave an empty or malformed token", c.authKind)
	}
	c.redact.sent(tok)
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}
