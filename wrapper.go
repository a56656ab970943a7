package tsinvites

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path"
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
	// HTTPClient sends the requests; nil means one with a 60 s timeout for each attempt
	// and at most 64 connections to the API, kept for reuse. The client uses
	// a copy whose redirect policy refuses redirects to another host or from https to
	// http, so that the credential never leaves the API's host.
	HTTPClient *http.Client
	// UserAgent replaces the default User-Agent, "tsinvites-go/<Version>".
	UserAgent string
	// Retry says which failed calls are tried again and how; the zero value gives the
	// defaults (3 attempts in all, only where it is safe). Retry.Disabled turns retries
	// off.
	Retry RetryPolicy
	// Logger, when set, gets one debug line per attempt: operation, method, path,
	// status, attempt, wait before the next attempt, duration and the error (with
	// secrets removed). Never headers, tokens or invite URLs. nil logs nothing.
	Logger *slog.Logger
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
	return fmt.Sprintf("tsinvites.Config{APIKey: %s, OAuthClientID: %q, OAuthClientSecret: %s, TokenSource: %s, Tailnet: %q, BaseURL: %q, UserAgent: %q, Retry: %+v}",
		hide(cfg.APIKey), cfg.OAuthClientID, hide(cfg.OAuthClientSecret), ts, cfg.Tailnet, cfg.BaseURL, cfg.UserAgent, cfg.Retry)
}

// GoString formats the Config for %#v, with its secrets redacted.
func (cfg Config) GoString() string { return cfg.String() }

// Client calls the user-invites endpoints of the Tailscale API. Make one with [New]. A
// Client is safe for concurrent use and holds no state that changes between calls
// (beyond its OAuth token cache).
type Client struct {
	hc        *http.Client
	apiRoot   string // base URL + "/api/v2/"
	api       *ClientWithResponses
	tailnet   string
	baseURL   string
	authKind  string
	bearer    bearer // the token for a request; nil for an API key (apiKeyHeader)
	userAgent string
	redact    *redactor
	retry     RetryPolicy
	logger    *slog.Logger
	// The header values every request gets: the User-Agent, and for an API key the
	// Authorization (nil for tokens that change).
	userAgentHeader, apiKeyHeader []string
}

// New checks cfg and returns a Client. It fails, before any I/O, when cfg has no
// credential or more than one kind, when BaseURL is not an http(s) URL or is plain http
// to a host other than loopback, when Tailnet is not usable in a path, or when Retry has
// negative values.
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
	retry, err := cfg.Retry.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := safeHTTPClient(cfg.HTTPClient)
	c := &Client{
		retry:     retry,
		logger:    cfg.Logger,
		tailnet:   tailnet,
		baseURL:   base,
		authKind:  authKind,
		userAgent: cmp.Or(cfg.UserAgent, "tsinvites-go/"+Version),
		redact:    newRedactor(cfg.APIKey, cfg.OAuthClientSecret),
	}
	c.userAgentHeader = []string{c.userAgent}
	switch {
	case cfg.APIKey != "":
		c.apiKeyHeader = []string{"Bearer " + cfg.APIKey} // no bearer: the header never changes
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
	c.hc, c.apiRoot = hc, server
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

// newRequest builds a request to the API: path is under /api/v2/, its parameters
// already escaped with url.PathEscape, and body (if not nil) is sent as JSON. It makes
// the same request as the generated builders (NewGetUserInviteRequest, ...), which
// TestRequestsMatchTheGeneratedBuilders checks for every operation; it only parses the
// URL once where they parse it three times, which was a quarter of a Get's CPU time.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.apiRoot+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
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
	if u.Path != "" {
		u.Path = path.Clean(u.Path) // no "." or ".." segments: requests go where they say
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

// errRedirect is wrapped by the error of a refused redirect.
var errRedirect = errors.New("refusing redirect")

// maxConnsPerHost is the default client's limit of connections to the API, all kept in
// its idle pool between calls: with net/http's default pool of 2, concurrent callers
// open a new connection for almost every call (hundreds for 1,000 calls from 64
// goroutines). More concurrent calls than this wait for a free connection.
const maxConnsPerHost = 64

// safeHTTPClient copies hc (or makes one with a 60 s timeout and up to 64 connections,
// kept for reuse) with a redirect policy that keeps the credential on the API's host: a
// redirect to another host or from https to http is refused, before the user's own
// policy is asked.
func safeHTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = 60 * time.Second
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = tr.Clone()
			tr.MaxIdleConnsPerHost = maxConnsPerHost
			tr.MaxConnsPerHost = maxConnsPerHost
			c.Transport = tr
		}
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		from := via[0].URL
		if req.URL.Host != from.Host || from.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("tsinvites: %w from %s://%s to %s://%s: the credential stays on the API's host", errRedirect, from.Scheme, from.Host, req.URL.Scheme, req.URL.Host)
		}
		if req.Method != via[0].Method { // net/http makes a POST or DELETE a GET on 301, 302, 303
			return fmt.Errorf("tsinvites: %w: it would turn the %s into a %s and drop what was sent", errRedirect, via[0].Method, req.Method)
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
	op := operation{verb: "list invites"}
	if err := checkPathValue("tailnet", c.tailnet); err != nil {
		return nil, invalid(op, "%v", err)
	}
	return c.doInvites(ctx, op, opRead, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, http.MethodGet, "tailnet/"+url.PathEscape(c.tailnet)+"/user-invites", nil)
	})
}

// Create creates one invite for each request, in one API call, and returns the invites
// the API answered with (in the order given). A request with an email sends an
// invitation email; one without gets an InviteURL to share by hand. Role "" means
// member. Nothing is sent when any request is invalid (see
// [CreateUserInviteRequest.Validate]), when two are for the same email, or when none is
// given. An answer with another number of invites than requested is an error, returned
// with the invites the API did answer.
//
// Create needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) Create(ctx context.Context, invites ...CreateUserInviteRequest) ([]UserInvite, error) {
	op := operation{verb: "create", count: len(invites)}
	if err := checkPathValue("tailnet", c.tailnet); err != nil {
		return nil, invalid(op, "%v", err)
	}
	if err := checkInvites(op, invites); err != nil {
		return nil, err
	}
	created, err := c.doInvites(ctx, op, opCreate, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, http.MethodPost, "tailnet/"+url.PathEscape(c.tailnet)+"/user-invites", invites)
	})
	if err == nil && len(created) != len(invites) {
		return created, c.decodeError(op, c.maybeDone(opCreate, true, fmt.Errorf("the answer has %d invite(s) for %d requested", len(created), len(invites))))
	}
	return created, err
}

// Get returns one invite, or a 404 [*APIError] ([IsNotFound]) when there is none with
// that ID (accepted and deleted invites are gone).
//
// GET /api/v2/user-invites/{userInviteId}
func (c *Client) Get(ctx context.Context, id string) (*UserInvite, error) {
	op := operation{verb: "get invite", id: id, withID: true}
	if err := checkPathValue("invite ID", id); err != nil {
		return nil, invalid(op, "%v", err)
	}
	var invite UserInvite
	err := c.do(ctx, op, opRead, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, http.MethodGet, "user-invites/"+url.PathEscape(id), nil)
	}, &invite)
	if err != nil {
		return nil, err
	}
	if err := c.checkInviteIDs(op, []UserInvite{invite}); err != nil {
		return nil, err
	}
	return &invite, nil
}

// Delete deletes an open invite; its URL stops working. When an attempt that may have
// reached the API fails (a 5xx, a dropped connection) and the retry then finds no such
// invite (404), Delete returns nil: the first attempt deleted it.
//
// Delete needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// DELETE /api/v2/user-invites/{userInviteId}
func (c *Client) Delete(ctx context.Context, id string) error {
	op := operation{verb: "delete invite", id: id, withID: true}
	if err := checkPathValue("invite ID", id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, opDelete, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, http.MethodDelete, "user-invites/"+url.PathEscape(id), nil)
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
	op := operation{verb: "resend invite", id: id, withID: true}
	if err := checkPathValue("invite ID", id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, opResend, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, http.MethodPost, "user-invites/"+url.PathEscape(id)+"/resend", nil)
	}, nil)
}

// do makes a call: it builds and sends the request, reads the answer, and tries again
// when the retry policy says it is safe and useful (see retry.go). A non-2xx status
// becomes an *APIError; a 2xx body is decoded into out (when out is not nil).
func (c *Client) do(ctx context.Context, op operation, kind opKind, build func(context.Context) (*http.Request, error), out any) error {
	if c == nil || c.hc == nil {
		return invalid(op, "the Client was not made with tsinvites.New")
	}
	if ctx == nil {
		return invalid(op, "nil context")
	}
	retries := c.retry.start()
	reached := false // whether an earlier attempt may have reached the server
	for n := 1; ; n++ {
		var start time.Time
		if c.logger != nil { // the clock is read only for the log
			start = time.Now()
		}
		a := c.try(ctx, op, kind, build, out)
		wait, again, why := retries.next(ctx, kind, a, n)
		c.log(ctx, op, a, n, wait, why, start)
		if !again {
			if kind == opDelete && reached && IsNotFound(a.err) {
				return nil // an earlier attempt deleted it, but its answer was lost
			}
			return a.err
		}
		reached = reached || a.reached && a.status != http.StatusTooManyRequests // a 429 did nothing
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %w)", a.err, err)
		}
	}
}

// try makes one attempt of a call. The answer's body is always drained (up to 64 KiB)
// and closed, so that the connection can be reused.
func (c *Client) try(ctx context.Context, op operation, kind opKind, build func(context.Context) (*http.Request, error), out any) (a attempt) {
	// Mutating calls watch their connection: a failed create that never got one was not
	// sent, and may be sent again; a delete that reached the server may have deleted.
	var probe *connProbe
	if kind != opRead {
		probe = &connProbe{}
		ctx = httptrace.WithClientTrace(ctx, probe.trace())
	}
	req, err := build(ctx)
	if err == nil {
		err = c.authorize(ctx, req) // an OAuth token fetch, if due
	}
	var sent *http.Request
	var resp *http.Response
	if err == nil {
		sent = req
		probe.arm() // the token fetch's connection is not the request's
		resp, err = c.hc.Do(req)
	}
	if sent != nil {
		a.method, a.path = sent.Method, sent.URL.EscapedPath()
	}
	// A request never handed to the transport (building or authorizing it failed) was
	// not sent; one that failed may have been, unless the probe shows it never got a
	// connection.
	a.reached = sent != nil && (err == nil || probe.mayHaveSent(err))
	if err != nil {
		a.cut = isConnError(err) && ctx.Err() == nil
		a.err = c.wrap(op, c.maybeDone(kind, a.reached, err))
		return a
	}
	body := &bodyReader{r: resp.Body}
	defer func() {
		body.left = maxErrorBody // what is left of the answer, up to 64 KiB
		_, _ = io.Copy(io.Discard, body)
		_ = resp.Body.Close()
	}()
	a.status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, sent, op.String(), c.redact, time.Now())
		a.retryAfter, a.err = apiErr.RetryAfter, apiErr
		if resp.StatusCode >= 500 { // the server may have done it before failing
			a.err = c.maybeDone(kind, true, apiErr)
		}
		return a
	}
	if out == nil {
		return a
	}
	body.left = maxBody + 1
	dec := json.NewDecoder(body)
	switch out := out.(type) {
	case *[]UserInvite:
		*out, err = decodeInvites(dec)
	case *UserInvite:
		*out = UserInvite{} // no leftovers from an earlier attempt
		err = dec.Decode(out)
	default:
		err = dec.Decode(out)
	}
	if err != nil {
		switch {
		case body.left <= 0:
			err = fmt.Errorf("the answer is larger than %d MiB", maxBody>>20)
		case errors.Is(err, io.EOF):
			err = errors.New("the answer is empty")
		case ctx.Err() != nil: // a 2xx: a create was done, though its answer is lost
			a.err = c.wrap(op, c.maybeDone(kind, true, fmt.Errorf("%w: %w", ctx.Err(), err)))
			return a
		case isConnError(body.err): // not a body that is bad JSON, but one cut short
			a.cut = true
			err = fmt.Errorf("the answer broke off: %w", body.err)
		default:
			err = fmt.Errorf("%w (Content-Type %q)", err, resp.Header.Get("Content-Type"))
		}
		a.err = c.decodeError(op, c.maybeDone(kind, true, err))
		return a
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		a.err = c.decodeError(op, errors.New("the answer has data after its JSON value"))
	}
	return a
}

// bodyReader reads an answer's body, up to a limit, and keeps the first error of the
// connection (not io.EOF): a body cut short is then told from one that is bad JSON.
type bodyReader struct {
	r    io.Reader
	left int64 // bytes it may still read
	err  error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// decodeInvites decodes a JSON array of invites one element at a time, so that the
// decoder never holds the whole body, into blocks joined once at the end: growing one
// slice by appending would allocate several times its final size. null gives nil.
func decodeInvites(dec *json.Decoder) (_ []UserInvite, err error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("the answer is not a JSON array but starts with %v", tok)
	}
	defer func() { // once the array has begun, its end is missing, not the answer
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
	}()
	var blocks [][]UserInvite
	block := make([]UserInvite, 0, 16)
	n := 0
	for dec.More() {
		if len(block) == cap(block) {
			blocks = append(blocks, block)
			block = make([]UserInvite, 0, min(2*cap(block), 4096))
		}
		block = append(block, UserInvite{})
		if err := dec.Decode(&block[len(block)-1]); err != nil {
			return nil, err
		}
		n++
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, err
	}
	if len(blocks) == 0 {
		return block, nil
	}
	invites := make([]UserInvite, 0, n)
	for _, b := range blocks {
		invites = append(invites, b...)
	}
	return append(invites, block...), nil
}

// maybeDone adds to the error of a create that may have reached the server that its
// invites may exist now, so that the caller looks before creating them again.
func (c *Client) maybeDone(kind opKind, reached bool, err error) error {
	if kind != opCreate || !reached {
		return err
	}
	return fmt.Errorf("%w (%w: list them before creating them again)", err, ErrMayHaveCreated)
}

// ErrMayHaveCreated is matched, with [errors.Is], by the error of a [Client.Create] that
// failed after its request may have reached the API: a 5xx answer, a dropped connection,
// a timeout, an answer that is cut or not the API's JSON. The invites may exist: list
// them before creating them again (a create is never retried in that case). A create
// whose error does not match it was not done.
var ErrMayHaveCreated = errors.New("the invites may have been created")

// log writes one debug line for an attempt, if the client has a logger. The error's
// text has had secrets removed; nothing else could hold one.
func (c *Client) log(ctx context.Context, op operation, a attempt, n int, wait time.Duration, why string, start time.Time) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", op.String()), slog.String("method", a.method), slog.String("path", a.path),
		slog.Int("status", a.status), slog.Int("attempt", n),
		slog.Duration("wait", wait), slog.Duration("duration", time.Since(start)),
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	if why != "" {
		attrs = append(attrs, slog.String("not_retried", why))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "tsinvites: attempt", attrs...)
}

// doInvites is do for an answer that is a JSON array of invites: null, or an invite
// without an ID, is an unexpected answer, not an empty result.
func (c *Client) doInvites(ctx context.Context, op operation, kind opKind, build func(context.Context) (*http.Request, error)) ([]UserInvite, error) {
	var invites []UserInvite
	if err := c.do(ctx, op, kind, build, &invites); err != nil {
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
func (c *Client) wrap(op operation, err error) error {
	return &redactedError{msg: c.redact.redact(fmt.Sprintf("tsinvites: %v: %v", op, err)), err: err}
}

// decodeError reports a 2xx answer that is not what the API documents.
func (c *Client) decodeError(op operation, err error) error {
	return c.wrap(op, fmt.Errorf("unexpected answer from the API: %w", err))
}

// checkInviteIDs refuses decoded invites without an ID: a body such as {} or [{}]
// decodes without error but is no invite.
func (c *Client) checkInviteIDs(op operation, invites []UserInvite) error {
	for i, inv := range invites {
		if inv.ID == "" {
			return c.decodeError(op, fmt.Errorf("invite %d of the answer has no id", i+1))
		}
	}
	return nil
}
