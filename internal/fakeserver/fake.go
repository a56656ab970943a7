package fakeserver

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites/internal/token"

	"github.com/getkin/kin-openapi/routers"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/apidoc"
	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// The operation IDs of api/openapi.yaml, for [Fake.RequestCount] and [Fake.InjectFault].
const (
	OpList   = "listUserInvites"
	OpCreate = "createUserInvites"
	OpGet    = "getUserInvite"
	OpDelete = "deleteUserInvite"
	OpResend = "resendUserInvite"

	OpListUsers = "listUsers" // GET /tailnet/{tailnet}/users
)

// Defaults of a new fake.
const (
	DefaultTailnet   = "example.com" // the named tailnet, besides "-"
	DefaultDomain    = "example.com" // emails outside it get an inviteUrl
	DefaultTailnetID = int64(1001)   // tailnetId of every invite
	DefaultInviterID = int64(2001)   // inviterId of every invite: the token's owner
)

// ResendInterval is how often the fake lets each invite be resent, as the real API does.
const ResendInterval = time.Minute

// An Option configures a fake.
type Option func(*Fake)

// WithToken sets the API key the fake accepts; by default a random tskey-api-fake-...
// token, available as [Fake.Token]. It is accepted as a bearer token or as HTTP Basic
// authentication's user name with an empty password (as Tailscale's official Go client
// sends it).
func WithToken(token string) Option { return func(f *Fake) { f.token = token } }

// WithTailnet sets the fake's named tailnet (default [DefaultTailnet]), accepted besides
// "-". Any other tailnet gets 404.
func WithTailnet(name string) Option { return func(f *Fake) { f.tailnet = name } }

// WithDomain sets the tailnet's email domain (default [DefaultDomain]). Invites for an
// email outside it get an inviteUrl, as do invites without email.
func WithDomain(domain string) Option { return func(f *Fake) { f.domain = domain } }

// WithClock sets the fake's clock (default time.Now), used for lastEmailSentAt, the
// resend limit, the expiry of federated JWTs and when users were created; a test can
// move it forward instead of sleeping.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// WithInvites creates these invites when the fake starts, as if by a create request.
func WithInvites(invites ...tsinvites.CreateUserInviteRequest) Option {
	return func(f *Fake) { f.seed = append(f.seed, invites...) }
}

// Fake is the fake API as an http.Handler, serving under /api/v2/. Make one with
// [Handler], or use [NewServer] (tsinvitestest.Start for a test) to serve one on loopback. It is safe for
// concurrent use.
type Fake struct {
	token, tailnet, domain string
	oauthID, oauthSecret   string
	federatedID            string
	scopes                 []string // of OAuth and federated tokens; nil: every scope
	now                    func() time.Time
	seed                   []tsinvites.CreateUserInviteRequest
	seedUsers              []tsinvites.User
	member                 memberOptions // of the operations that change a user (members.go)
	dev                    deviceState   // devices and their share invites (devices.go); guarded by mu

	router *apidoc.Router
	api    http.Handler

	mu         sync.Mutex
	invites    map[string]*record
	nextID     int
	users      []tsinvites.User // in the order added
	nextUserID int
	counts     map[string]int
	faults     map[string][]Fault
	issued     []issuedToken // by the token endpoints
}

// record is an invite and what the fake knows of it beyond the API's fields.
type record struct {
	invite     tsinvites.UserInvite
	lastResend time.Time
}

// Handler returns a new fake API for mounting on a server of your own: it serves paths
// under /api/v2/ (mount it at the root). It fails only if the embedded OpenAPI document
// cannot be loaded, which a test of this package rules out; it then answers every
// request with 500 and the reason.
func Handler(opts ...Option) *Fake {
	f, err := newFake(opts...)
	if err != nil {
		return &Fake{api: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusInternalServerError, err.Error())
		})}
	}
	return f
}

func newFake(opts ...Option) (*Fake, error) {
	f := &Fake{
		token:   "tskey-api-fake-" + rand.Text(),
		tailnet: DefaultTailnet,
		domain:  DefaultDomain,
		now:     time.Now,
		invites: map[string]*record{},
		counts:  map[string]int{},
		faults:  map[string][]Fault{},
	}
	for _, opt := range opts {
		opt(f)
	}
	var err error
	if f.router, err = apidoc.NewRouter(); err != nil {
		return nil, fmt.Errorf("tsinvitestest: %w", err)
	}
	strict := fakeapi.NewStrictHandlerWithOptions(&handlers{f: f}, nil, fakeapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, err.Error())
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusInternalServerError, err.Error())
		},
	})
	f.api = fakeapi.HandlerWithOptions(strict, fakeapi.StdHTTPServerOptions{
		BaseURL: fakeapi.BasePath(),
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, err.Error())
		},
	})
	f.initDevices()
	if len(f.seed) > 0 {
		f.create(f.seed)
	}
	for _, u := range f.seedUsers {
		if err := f.addUserLocked(u); err != nil { // f is not shared yet
			return nil, fmt.Errorf("tsinvitestest: WithUsers: %w", err)
		}
	}
	return f, nil
}

// Token returns the API key the fake accepts.
func (f *Fake) Token() string { return f.token }

// TailnetName returns the fake's named tailnet (accepted besides "-").
func (f *Fake) TailnetName() string { return f.tailnet }

// Invites returns a copy of the open invites, ordered by ID.
func (f *Fake) Invites() []tsinvites.UserInvite {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listLocked()
}

// RequestCount returns how many requests for the operation (an Op constant, the
// operationId of api/openapi.yaml) passed the token check, including invalid ones and
// those answered with a fault.
func (f *Fake) RequestCount(operationID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[operationID]
}

// TotalRequests returns the number of requests of every operation, as RequestCount.
func (f *Fake) TotalRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.counts {
		n += c
	}
	return n
}

// ServeHTTP answers a request as the API would: the token is checked (401), the request
// is validated against the OpenAPI document (400, 404, 405), then done, or answered with
// an injected [Fault].
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.router == nil { // Handler could not load the document, or a zero Fake
		if f.api == nil {
			writeError(w, http.StatusInternalServerError, "tsinvitestest: make the Fake with Handler, NewServer or Start")
			return
		}
		f.api.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == strings.TrimSuffix(apidoc.Prefix, "/")+token.ClientCredentialsPath && f.oauthID != "" {
		f.issueToken(w, r)
		return
	}
	if r.URL.Path == strings.TrimSuffix(apidoc.Prefix, "/")+token.ExchangePath && f.federatedID != "" {
		f.exchangeToken(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.EscapedPath(), apidoc.Prefix) { // checked before the token
		writeError(w, http.StatusNotFound, "not found: the API is under "+apidoc.Prefix)
		return
	}
	tok, ok := f.authenticate(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "API token invalid or missing")
		return
	}
	route, params, err := f.router.FindRoute(r)
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			status = http.StatusMethodNotAllowed
		}
		writeError(w, status, err.Error())
		return
	}
	op := route.Operation.OperationID
	f.mu.Lock()
	f.counts[op]++
	f.mu.Unlock()
	if err := apidoc.ValidateRequest(apidoc.Input(r, route, params)); err != nil {
		writeError(w, http.StatusBadRequest, "request does not match the API: "+err.Error())
		return
	}
	if fault, ok := f.popFault(op); ok {
		serveFault(w, r, fault, func(w http.ResponseWriter) { f.serveOp(w, r, op, tok) })
		return
	}
	f.serveOp(w, r, op, tok)
}

// serveOp does a valid request's operation, if the token may.
func (f *Fake) serveOp(w http.ResponseWriter, r *http.Request, op string, tok issuedToken) {
	if status, msg := tok.refuses(op); status != 0 {
		writeError(w, status, msg)
		return
	}
	f.api.ServeHTTP(w, withToken(r, tok))
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, tsinvites.Error{Message: message})
}

// writeJSON answers status with v in JSON; the error is the write's.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
