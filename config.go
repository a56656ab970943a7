package tsinvites

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/redact"
	"github.com/tsinvites/tsinvites/internal/token"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultBaseURL is the Tailscale API's host root, used when [Config.BaseURL] is empty.
const DefaultBaseURL = "https://api.tailscale.com"

// Config configures a [Client]. Give exactly one kind of credential: APIKey,
// OAuthClientID with OAuthClientSecret, OAuthClientID with IdentityToken (or
// IdentityTokenFunc), or TokenSource; [ConfigFromEnv] fills one from the environment,
// as Tailscale's Terraform provider reads it. Config formats with its secrets redacted
// (%v, %+v and %#v).
type Config struct {
	// APIKey is an API access token (tskey-api-...), sent as a bearer token. Creating,
	// deleting and resending invites needs a user-owned API key.
	APIKey string
	// OAuthClientID and OAuthClientSecret are OAuth client credentials, exchanged for
	// access tokens at {BaseURL}/api/v2/oauth/token. OAuth tokens can list and get
	// invites, and change users with the scope users; the API refuses them (403) for
	// create, delete and resend.
	OAuthClientID     string
	OAuthClientSecret string
	// IdentityToken is a JWT from a CI system or cloud (workload identity federation),
	// exchanged with OAuthClientID for access tokens at
	// {BaseURL}/api/v2/oauth/token-exchange: no stored secret. An expired one is refused
	// by New. IdentityTokenFunc, when set instead, is asked for a fresh JWT at each
	// exchange, for systems that rotate it. Like OAuth tokens, the access tokens can list
	// invites and users, not create, delete or resend invites.
	IdentityToken     string
	IdentityTokenFunc func(ctx context.Context) (string, error)
	// Scopes are the OAuth scopes asked for with OAuthClientSecret (such as
	// "users:read"); none means all the client's own scopes.
	Scopes []string
	// TokenSource is any other source of bearer tokens. It must be safe for concurrent
	// use (wrap it in oauth2.ReuseTokenSource if in doubt).
	TokenSource oauth2.TokenSource
	// Tailnet is the tailnet's ID or organisation name; "" means "-", the credential's own.
	Tailnet string
	// BaseURL is the API's host root; "" means [DefaultBaseURL]. The client adds
	// /api/v2/. Plain http:// is refused except for loopback hosts.
	BaseURL string
	// HTTPClient sends the requests; nil means a 60 s timeout per attempt over a
	// transport all such Clients share (64 connections per host), so a Client needs no
	// Close. The client uses a copy that refuses redirects to another host or from https
	// to http, so that the credential never leaves the API's host.
	HTTPClient *http.Client
	// UserAgent replaces the default User-Agent, "tsinvites-go/<Version>".
	UserAgent string
	// Retry says which failed calls are tried again and how; the zero value gives the
	// defaults (3 attempts in all, only where it is safe).
	Retry RetryPolicy
	// Logger, when set, gets one debug line per attempt: operation, method, path,
	// status, attempt, wait, duration and error (secrets removed); never headers,
	// tokens or invite URLs. nil logs nothing.
	Logger *slog.Logger

	env *[numSettings]string // what ConfigFromLookup read: errors then name the variables
}

// The kinds of credential.
const authAPIKey, authOAuth, authFederated, authTokenSource = "API key", "OAuth client", "federated identity", "token source"

// ConfigFromEnv returns a Config from TAILSCALE_API_KEY, TAILSCALE_OAUTH_CLIENT_ID,
// TAILSCALE_OAUTH_CLIENT_SECRET, TAILSCALE_IDENTITY_TOKEN, TAILSCALE_TAILNET and
// TAILSCALE_BASE_URL. Unset variables leave their fields empty; [New] reports what is
// missing.
func ConfigFromEnv() Config { return ConfigFromLookup(os.Getenv) }

// ConfigFromLookup is [ConfigFromEnv] with the variables read through getenv (for a
// program with its own environment, or a test), each trimmed of white space. The Config
// remembers what it read: errors advise about a setting that still holds it by its
// variable, and about one the program changed by its Config field.
func ConfigFromLookup(getenv func(name string) string) Config {
	cfg := Config{env: &[numSettings]string{}}
	for s := range numSettings {
		cfg.env[s] = strings.TrimSpace(getenv(settingNames[s].env))
		*cfg.field(s) = cfg.env[s]
	}
	return cfg
}

// String formats the Config with its secrets redacted.
func (cfg Config) String() string {
	hide := func(s string) string {
		if s == "" {
			return `""`
		}
		return redact.Redacted
	}
	ts := "<nil>"
	if cfg.TokenSource != nil {
		ts = fmt.Sprintf("%T", cfg.TokenSource)
	}
	return fmt.Sprintf("tsinvites.Config{APIKey: %s, OAuthClientID: %q, OAuthClientSecret: %s, IdentityToken: %s, Scopes: %q, TokenSource: %s, Tailnet: %q, BaseURL: %q, UserAgent: %q, Retry: %+v}",
		hide(cfg.APIKey), cfg.OAuthClientID, hide(cfg.OAuthClientSecret), hide(cfg.IdentityToken), cfg.Scopes, ts, cfg.Tailnet, cfg.BaseURL, cfg.UserAgent, cfg.Retry)
}

// GoString formats the Config for %#v, with its secrets redacted.
func (cfg Config) GoString() string { return cfg.String() }

// A bearer gives the token for one request, and forgets a token the API refused (401).
// It must be safe for concurrent use.
type bearer interface {
	Token(ctx context.Context) (string, error)
	Refused(token string) bool // whether another attempt would get another token
}

// client checks cfg and makes a Client (without its generated client) and the hardened
// *http.Client that sends its requests.
func (cfg Config) client() (*Client, *http.Client, error) {
	authKind, err := checkCredentials(cfg)
	if err != nil {
		return nil, nil, err
	}
	red, names := redact.New(cfg.APIKey, cfg.OAuthClientSecret, cfg.IdentityToken), cfg.names()
	base, err := httpx.BaseURL(cfg.BaseURL, DefaultBaseURL, serverBasePath, "tsinvites: "+names[settingBaseURL])
	if err != nil { // a credential put in the wrong variable must not show
		return nil, nil, errors.New(red.String(err.Error()))
	}
	tailnet := cmp.Or(cfg.Tailnet, "-")
	if err := checkPathValue("tailnet", tailnet); err != nil {
		return nil, nil, fmt.Errorf("tsinvites: %s: %w", names[settingTailnet], err)
	}
	retry, err := cfg.Retry.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	hc := httpx.SafeClient(cfg.HTTPClient)
	c := &Client{
		tailnet:         tailnet,
		baseURL:         base,
		authKind:        authKind,
		userAgentHeader: []string{cmp.Or(cfg.UserAgent, "tsinvites-go/"+Version)},
		redact:          red,
		retry:           retry,
		logger:          cfg.Logger,
		names:           names,
	}
	if cfg.IdentityTokenFunc != nil {
		c.names[settingIdentityToken] = "Config.IdentityTokenFunc"
	}
	if cfg.APIKey != "" {
		c.apiKeyHeader = []string{"Bearer " + cfg.APIKey}
	} else {
		c.bearer = cfg.bearer(authKind, base+serverBasePath, hc, red)
	}
	return c, hc, nil
}

// bearer gives the tokens of cfg's OAuth client, federated identity or token source,
// fetched with hc (the client's own hardened *http.Client).
func (cfg Config) bearer(authKind, api string, hc *http.Client, red *redact.Redactor) bearer {
	switch {
	case cfg.TokenSource != nil:
		return token.Source{TS: cfg.TokenSource}
	case authKind == authFederated:
		jwt := cfg.IdentityTokenFunc
		if jwt == nil {
			jwt = func(context.Context) (string, error) { return cfg.IdentityToken, nil }
		}
		x := &token.Exchange{URL: api + token.ExchangePath, ClientID: cfg.OAuthClientID, JWT: jwt,
			HTTPClient: hc, Secret: red.Remember, MaxBody: maxErrorBody}
		return token.NewCache(x.Token)
	}
	cc := &clientcredentials.Config{
		ClientID:     cfg.OAuthClientID,
		ClientSecret: cfg.OAuthClientSecret,
		TokenURL:     api + token.ClientCredentialsPath,
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return token.NewCache(func(ctx context.Context) (*oauth2.Token, error) {
		return cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc)) // the same hardened client
	})
}

// checkCredentials checks that cfg gives exactly one kind of credential, and names it.
func checkCredentials(cfg Config) (string, error) {
	client := both(settingOAuthClientID) + " with " + both(settingOAuthClientSecret) + " or " + both(settingIdentityToken)
	vars := "set " + both(settingAPIKey) + "; " + client + "; or Config.TokenSource"
	federated := cfg.IdentityToken != "" || cfg.IdentityTokenFunc != nil
	isClient := cfg.OAuthClientID != "" || cfg.OAuthClientSecret != "" || federated
	kinds := 0
	for _, given := range []bool{cfg.APIKey != "", isClient, cfg.TokenSource != nil} {
		if given {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return "", errors.New("tsinvites: no credential: " + vars)
	case kinds > 1, cfg.OAuthClientSecret != "" && federated, cfg.IdentityToken != "" && cfg.IdentityTokenFunc != nil:
		return "", errors.New("tsinvites: more than one kind of credential: give exactly one: " + vars)
	case isClient && cfg.OAuthClientID == "", isClient && !federated && cfg.OAuthClientSecret == "":
		return "", errors.New("tsinvites: an OAuth client needs " + client)
	case isClient && (!headerSafe(cfg.OAuthClientID) || !headerSafe(cfg.OAuthClientSecret) || !headerSafe(cfg.IdentityToken)):
		return "", errors.New("tsinvites: the OAuth client ID, secret or identity token has spaces or control characters")
	case cfg.IdentityToken != "":
		if err := token.CheckJWT(cfg.IdentityToken, time.Now()); err != nil {
			return "", fmt.Errorf("tsinvites: %s: %w", both(settingIdentityToken), err)
		}
		return authFederated, nil
	case federated:
		return authFederated, nil
	case isClient:
		return authOAuth, nil
	case cfg.TokenSource != nil:
		return authTokenSource, nil
	case !headerSafe(cfg.APIKey):
		return "", errors.New("tsinvites: " + both(settingAPIKey) + " has spaces or control characters")
	}
	return authAPIKey, nil
}

func headerSafe(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}
