package tsinvites

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultBaseURL is the Tailscale API's host root, used when [Config.BaseURL] is empty.
const DefaultBaseURL = "https://api.tailscale.com"

// maxBody caps how much of a successful answer is read.
const maxBody = 16 << 20

// Config configures a [Client]. Give exactly one kind of credential: APIKey,
// OAuthClientID with OAuthClientSecret, or TokenSource. [ConfigFromEnv] fills one from
// the environment variables the official client and the Terraform provider use.
//
// Config formats with its secrets redacted (fmt's %v, %+v and %#v).
type Config struct {
	// APIKey is an API access token (tskey-api-...), sent as "Authorization: Bearer".
	// Creating, deleting and resending invites needs a user-owned API key.
	APIKey string
	// OAuthClientID and OAuthClientSecret are OAuth client credentials, exchanged for
	// access tokens at {BaseURL}/api/v2/oauth/token. OAuth tokens can list and get
	// invites; the API refuses them (403) for create, delete and resend.
	OAuthClientID     string
	OAuthClientSecret string
	// TokenSource is any other source of bearer tokens. It must be safe for concurrent
	// use (wrap it in oauth2.ReuseTokenSource if in doubt).
	TokenSource oauth2.TokenSource
	// Tailnet is the tailnet to work on: its ID or organisation name. "" means "-", the
	// credential's own tailnet.
	Tailnet string
	// BaseURL is the API's host root; "" means https://api.tailscale.com. The client
	// adds /api/v2/. Plain http:// is refused except for loopback hosts.
	BaseURL string
	// HTTPClient sends the requests; nil means one with a 60 s timeout. The client uses
	// a copy whose redirect policy refuses redirects to another host or from https to
	// http, so that the credential never leaves the API's host.
	HTTPClient *http.Client
	// UserAgent replaces the default User-Agent, "tsinvites-go/<Version>".
	UserAgent string
}

// ConfigFromEnv returns a Config from the environment: TAILSCALE_API_KEY,
// TAILSCALE_OAUTH_CLIENT_ID, TAILSCALE_OAUTH_CLIENT_SECRET, TAILSCALE_TAILNET and
// TAILSCALE_BASE_URL. Unset variables leave their fields empty; [New] reports what is
// missing.
func ConfigFromEnv() Config {
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	return Config{
		APIKey:            env("TAILSCALE_API_KEY"),
		OAuthClientID:     env("TAILSCALE_OAUTH_CLIENT_ID"),
		OAuthClientSecret: env("TAILSCALE_OAUTH_CLIENT_SECRET"),
		Tailnet:           env("TAILSCALE_TAILNET"),
		BaseURL:           env("TAILSCALE_BASE_URL"),
	}
}

// String formats the Config with its secrets redacted.
func (cfg Config) String() string {
	hide := func(s string) string {
		if s == "" {
			return `""`
		}
		return redacted
	}
	ts := "<nil>"
	if cfg.TokenSource != nil {
		ts = fmt.Sprintf("%T", cfg.TokenSource)
	}
	return fmt.Sprintf("tsinvites.Config{APIKey: %s, OAuthClientID: %q, OAuthClientSecret: %s, TokenSource: %s, Tailnet: %q, BaseURL: %q, UserAgent: %q}",
		hide(cfg.APIKey), cfg.OAuthClientID, hide(cfg.OAuthClientSecret), ts, cfg.Tailnet, cfg.BaseURL, cfg.UserAgent)
}

// GoString formats the Config for %#v, with its secrets redacted.
func (cfg Config) GoString() string { return cfg.String() }

// Client calls the user-invites endpoints of the Tailscale API. Make one with [New]. A
// Client is safe for concurrent use and holds no state that changes between calls
// (beyond its OAuth token cache).
type Client struct {
	gen       *GeneratedClient
	api       *ClientWithResponses
	tailnet   string
	baseURL   string
	authKind  string
	bearer    bearer
	userAgent string
	redact    *redactor
}

// New checks cfg and returns a Client. It fails, before any I/O, when cfg has no
// credential or more than one kind, when BaseURL is not an http(s) URL or is plain http
// to a host other than loopback, or when Tailnet is not usable in a path.
func New(cfg Config) (*Client, error) {
	authKind, err := checkCredentials(cfg)
	if err != nil {
		return nil, err
	}
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	tailnet := cfg.Tailnet
	if tailnet == "" {
		tailnet = "-"
	}
	if err := checkPathValue("tailnet", tailnet); err != nil {
		return nil, fmt.Errorf("tsinvites: Config.Tailnet: %w", err)
	}
	hc := safeHTTPClient(cfg.HTTPClient)
	c := &Client{
		tailnet:   tailnet,
		baseURL:   base,
		authKind:  authKind,
		userAgent: cmp.Or(cfg.UserAgent, "tsinvites-go/"+Version),
		redact:    newRedactor(cfg.APIKey, cfg.OAuthClientSecret),
	}
	switch {
	case cfg.APIKey != "":
		c.bearer = staticBearer(cfg.APIKey)
	case cfg.TokenSource != nil:
		c.bearer = sourceBearer(cfg.TokenSource)
	default:
		// The token requests go through the same hardened client as the API calls.
		c.bearer = oauthBearer(&clientcredentials.Config{
			ClientID:     cfg.OAuthClientID,
			ClientSecret: cfg.OAuthClientSecret,
			TokenURL:     base + "/api/v2/oauth/token",
			AuthStyle:    oauth2.AuthStyleInParams,
		}, hc)
	}
	server := base + "/api/v2/"
	opts := []ClientOption{WithHTTPClient(hc), WithRequestEditorFn(c.authorize)}
	if c.gen, err = NewClient(server, opts...); err != nil {
		return nil, fmt.Errorf("tsinvites: %w", err)
	}
	if c.api, err = NewClientWithResponses(server, opts...); err != nil {
		return nil, fmt.Errorf("tsinvites: %w", err)
	}
	return c, nil
}

// checkCredentials checks that cfg gives exactly one kind of credential, and names it.
func checkCredentials(cfg Config) (string, error) {
	const vars = "set Config.APIKey (TAILSCALE_API_KEY), Config.OAuthClientID and Config.OAuthClientSecret (TAILSCALE_OAUTH_CLIENT_ID, TAILSCALE_OAUTH_CLIENT_SECRET), or Config.TokenSource"
	oauth := cfg.OAuthClientID != "" || cfg.OAuthClientSecret != ""
	kinds := 0
	for _, given := range []bool{cfg.APIKey != "", oauth, cfg.TokenSource != nil} {
		if given {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return "", errors.New("tsinvites: no credential: " + vars)
	case kinds > 1:
		return "", errors.New("tsinvites: more than one kind of credential: give exactly one: " + vars)
	case oauth && (cfg.OAuthClientID == "" || cfg.OAuthClientSecret == ""):
		return "", errors.New("tsinvites: OAuth needs both Config.OAuthClientID and Config.OAuthClientSecret (TAILSCALE_OAUTH_CLIENT_ID, TAILSCALE_OAUTH_CLIENT_SECRET)")
	case oauth && (!headerSafe(cfg.OAuthClientID) || !headerSafe(cfg.OAuthClientSecret)):
		return "", errors.New("tsinvites: the OAuth client ID or secret has spaces or control characters")
	case oauth:
		return "OAuth client", nil
	case cfg.TokenSource != nil:
		return "token source", nil
	case !headerSafe(cfg.APIKey):
		return "", errors.New("tsinvites: Config.APIKey has spaces or control characters (TAILSCALE_API_KEY)")
	}
	return "API key", nil
}

func headerSafe(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// checkBaseURL returns the base URL without a trailing slash (or /api/v2 a user may have
// added), refusing anything that is not http(s) and plain http to a non-loopback host.
func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("tsinvites: Config.BaseURL (TAILSCALE_BASE_URL) %q: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return "", fmt.Errorf("tsinvites: Config.BaseURL (TAILSCALE_BASE_URL) %q: want an http(s) URL such as %s", raw, DefaultBaseURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("tsinvites: Config.BaseURL (TAILSCALE_BASE_URL) %q: want no user, query or fragment", u.Redacted())
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", fmt.Errorf("tsinvites: Config.BaseURL (TAILSCALE_BASE_URL) %q: refusing to send credentials over plain http to a host that is not loopback; use https", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v2")
	u.RawPath = ""
	return strings.TrimSuffix(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// safeHTTPClient copies hc (or makes one with a 60 s timeout) with a redirect policy
// that keeps the credential on the API's host: a redirect to another host or from https
// to http is refused, before the user's own policy is asked.
func safeHTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = 60 * time.Second
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		from := via[0].URL
		if req.URL.Host != from.Host || from.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("tsinvites: refusing redirect from %s://%s to %s://%s: the credential stays on the API's host", from.Scheme, from.Host, req.URL.Scheme, req.URL.Host)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("tsinvites: stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// String describes the client without its credential.
func (c *Client) String() string {
	return fmt.Sprintf("tsinvites.Client{BaseURL: %q, Tailnet: %q, Auth: %s}", c.baseURL, c.tailnet, c.authKind)
}

// GoString describes the client for %#v, without its credential.
func (c *Client) GoString() string { return c.String() }

// Tailnet returns the tailnet the client works on ("-" for the credential's own).
func (c *Client) Tailnet() string { return c.tailnet }

// WithTailnet returns a client for another tailnet that shares c's credential, HTTP
// client and token cache. "" means "-". A tailnet that cannot be used in a path is
// reported by the first call that needs it.
func (c *Client) WithTailnet(tailnet string) *Client {
	if tailnet == "" {
		tailnet = "-"
	}
	other := *c
	other.tailnet = tailnet
	return &other
}

// API returns the generated low-level client, with the credential, User-Agent, base URL
// and redirect policy applied, for what the wrapper does not cover. Its methods return
// a nil error on 4xx and 5xx answers (look at StatusCode()), do not check input, and
// read whole bodies without the wrapper's 16 MiB cap.
func (c *Client) API() *ClientWithResponses { return c.api }

// List returns the open (not yet accepted) invites of the client's tailnet; an empty,
// non-nil slice when there are none. The API has no pagination.
//
// GET /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) List(ctx context.Context) ([]UserInvite, error) {
	const op = "list invites"
	if err := checkPathValue("tailnet", c.tailnet); err != nil {
		return nil, invalid(op, "%v", err)
	}
	return c.doInvites(ctx, op, func(ctx context.Context, rec RequestEditorFn) (*http.Response, error) {
		return c.gen.ListUserInvites(ctx, c.tailnet, rec)
	})
}

// Create creates one invite for each request, in one API call, and returns the invites
// the API answered with (in the order given). A request with an email sends an
// invitation email; one without gets an InviteURL to share by hand. Role "" means
// member. Nothing is sent when any request is invalid (unknown role, an email that is
// not a bare address) or none is given.
//
// Create needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) Create(ctx context.Context, invites ...CreateUserInviteRequest) ([]UserInvite, error) {
	op := fmt.Sprintf("create %d invite(s)", len(invites))
	if err := checkPathValue("tailnet", c.tailnet); err != nil {
		return nil, invalid(op, "%v", err)
	}
	if err := checkInvites(op, invites); err != nil {
		return nil, err
	}
	return c.doInvites(ctx, op, func(ctx context.Context, rec RequestEditorFn) (*http.Response, error) {
		return c.gen.CreateUserInvites(ctx, c.tailnet, invites, rec)
	})
}

// Get returns one invite, or a 404 [*APIError] ([IsNotFound]) when there is none with
// that ID (accepted and deleted invites are gone).
//
// GET /api/v2/user-invites/{userInviteId}
func (c *Client) Get(ctx context.Context, id string) (*UserInvite, error) {
	op := fmt.Sprintf("get invite %q", id)
	if err := checkPathValue("invite ID", id); err != nil {
		return nil, invalid(op, "%v", err)
	}
	var invite UserInvite
	err := c.do(ctx, op, func(ctx context.Context, rec RequestEditorFn) (*http.Response, error) {
		return c.gen.GetUserInvite(ctx, id, rec)
	}, &invite)
	if err != nil {
		return nil, err
	}
	if err := c.checkInviteIDs(op, []UserInvite{invite}); err != nil {
		return nil, err
	}
	return &invite, nil
}

// Delete deletes an open invite; its URL stops working.
//
// Delete needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// DELETE /api/v2/user-invites/{userInviteId}
func (c *Client) Delete(ctx context.Context, id string) error {
	op := fmt.Sprintf("delete invite %q", id)
	if err := checkPathValue("invite ID", id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, func(ctx context.Context, rec RequestEditorFn) (*http.Response, error) {
		return c.gen.DeleteUserInvite(ctx, id, rec)
	}, nil)
}

// Resend sends an invite's email again. The API allows it only for invites created with
// an email (400 otherwise), and at most once a minute for each invite: a 429
// [*APIError] ([IsRateLimited]) says how long to wait in RetryAfter.
//
// Resend needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/user-invites/{userInviteId}/resend
func (c *Client) Resend(ctx context.Context, id string) error {
	op := fmt.Sprintf("resend invite %q", id)
	if err := checkPathValue("invite ID", id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, func(ctx context.Context, rec RequestEditorFn) (*http.Response, error) {
		return c.gen.ResendUserInvite(ctx, id, rec)
	}, nil)
}

// do sends one request and reads its answer: a non-2xx status becomes an *APIError; a
// 2xx body is decoded into out (when out is not nil) from a capped reader. The body is
// always drained and closed, so the connection can be reused. send must pass its
// RequestEditorFn to the generated method, so that do knows the request sent.
func (c *Client) do(ctx context.Context, op string, send func(context.Context, RequestEditorFn) (*http.Response, error), out any) error {
	if c == nil || c.gen == nil {
		return invalid(op, "the Client was not made with tsinvites.New")
	}
	if ctx == nil {
		return invalid(op, "nil context")
	}
	var sent *http.Request
	resp, err := send(ctx, func(_ context.Context, req *http.Request) error {
		sent = req
		return nil
	})
	if err != nil {
		return c.wrap(op, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp, sent, op, c.redact, time.Now())
	}
	if out == nil {
		return nil
	}
	body := &io.LimitedReader{R: resp.Body, N: maxBody + 1}
	dec := json.NewDecoder(body)
	if err := dec.Decode(out); err != nil {
		if body.N <= 0 {
			return c.decodeError(op, fmt.Errorf("the answer is larger than %d MiB", maxBody>>20))
		}
		if errors.Is(err, io.EOF) {
			err = errors.New("the answer is empty")
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return c.wrap(op, fmt.Errorf("%w: %w", ctxErr, err))
		}
		return c.decodeError(op, fmt.Errorf("%w (Content-Type %q)", err, resp.Header.Get("Content-Type")))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return c.decodeError(op, errors.New("the answer has data after its JSON value"))
	}
	return nil
}

// doInvites is do for an answer that is a JSON array of invites: null, or an invite
// without an ID, is an unexpected answer, not an empty result.
func (c *Client) doInvites(ctx context.Context, op string, send func(context.Context, RequestEditorFn) (*http.Response, error)) ([]UserInvite, error) {
	var invites []UserInvite
	if err := c.do(ctx, op, send, &invites); err != nil {
		return nil, err
	}
	if invites == nil {
		return nil, c.decodeError(op, errors.New("the answer is null, not a JSON array"))
	}
	if err := c.checkInviteIDs(op, invites); err != nil {
		return nil, err
	}
	return invites, nil
}

// wrap turns a failure to send or read into an error that says what was being done,
// with secrets removed from its text.
func (c *Client) wrap(op string, err error) error {
	return &redactedError{msg: c.redact.redact(fmt.Sprintf("tsinvites: %s: %v", op, err)), err: err}
}

// decodeError reports a 2xx answer that is not what the API documents.
func (c *Client) decodeError(op string, err error) error {
	return c.wrap(op, fmt.Errorf("unexpected answer from the API: %w", err))
}

// checkInviteIDs refuses decoded invites without an ID: a body such as {} or [{}]
// decodes without error but is no invite.
func (c *Client) checkInviteIDs(op string, invites []UserInvite) error {
	for i, inv := range invites {
		if inv.ID == "" {
			return c.decodeError(op, fmt.Errorf("invite %d of the answer has no id", i+1))
		}
	}
	return nil
}
