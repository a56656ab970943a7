// Package tsinvitestest is a fake of the Tailscale API's user-invites endpoints, of its
// list of users, and of its devices and device-share invites, for tests of code that uses package tsinvites (or any other client
// of the API).
//
// The fake keeps invites and users in memory, checks the bearer token, and validates
// every request against the same OpenAPI document the client is generated from: a
// request the real API would not accept gets a 400 that says why. It serves under
// /api/v2/ like the real API, on loopback only.
//
//	srv := tsinvitestest.Start(t)              // closed when the test ends
//	c := srv.Client()                          // a *tsinvites.Client for it
//	created, err := c.Create(ctx, tsinvites.CreateUserInviteRequest{Email: "a@example.com"})
//	... srv.Invites(), srv.RequestCount(tsinvitestest.OpCreate)
//
// What it copies of the real API: tailnet "-" and one named tailnet; sequential invite
// IDs; an inviteUrl for invites without email or with an email outside the tailnet's
// domain; lastEmailSentAt on create with email and on resend; resend refused (400) for
// invites without email and limited to one a minute per invite (429 with Retry-After);
// users listed with the type and role filters and their defaults (type member, role
// all); an accepted invite ([Fake.AcceptInvite]) becoming a member user; OAuth client
// credentials ([WithOAuthClient]) and workload identity federation
// ([WithFederatedIdentity]) whose tokens may list and get but get 403 on create, delete
// and resend, on listUsers without the scope users:read and on the operations that
// change a user without the scope users ([WithScopes]); users approved, suspended,
// restored and given another role as the real API does ([WithUserApproval],
// [WithKeyUser]); devices ([WithDevices]) listed with the tags and hostname filters,
// and shared with device invites (create, list, get, delete; resend for emailed ones,
// one a minute; accepted through the API by the key's user or by anyone with
// [Fake.AcceptDeviceInviteAs]), which tokens that no user owns may read with the scope
// device_invites:read and delete with device_invites, but not create, resend or accept
// (403). Faults can be injected with [Fake.InjectFault].
package tsinvitestest

import (
	"net/http"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeserver"
)

// The fake itself lives in internal/fakeserver, which links no package testing so that
// the CLI's fake-server can ship it; this package is its test-facing layer: the types
// below wrap it, and their methods call it.

// Fake is the fake API as an http.Handler, serving under /api/v2/. Make one with
// [Handler], or use [NewServer] or [Start] to serve one on loopback. It is safe for
// concurrent use.
type Fake struct {
	f *fakeserver.Fake // nil in a zero Fake
}

// inner returns the fake server, or for a zero Fake a zero one, which answers every
// request with 500 and says how to make a Fake.
func (f *Fake) inner() *fakeserver.Fake {
	if f == nil || f.f == nil {
		return &fakeserver.Fake{}
	}
	return f.f
}

// Server is a fake API served over HTTP on a loopback address. Its [Fake] methods
// (Invites, RequestCount, InjectFault, ...) inspect and steer it.
type Server struct {
	*Fake
	// URL is the server's host root, such as http://127.0.0.1:38457: the BaseURL for
	// tsinvites.Config. The API is under URL + "/api/v2/".
	URL string

	s *fakeserver.Server
}

// An Option configures a fake.
type Option func(*Fake)

// serverOptions turns options into the fake server's.
func serverOptions(opts []Option) []fakeserver.Option {
	out := make([]fakeserver.Option, len(opts))
	for i, o := range opts {
		out[i] = func(f *fakeserver.Fake) { o(&Fake{f: f}) }
	}
	return out
}

// wrap makes an Option of one of the fake server's options.
func wrap(o fakeserver.Option) Option { return func(f *Fake) { o(f.f) } }

// A Fault is what the fake does instead of answering a request normally, to test how a
// client copes with a failing API or network. See [Fake.InjectFault].
//
// Without Done, the operation is not done: the fake waits Delay, then answers with
// Status and Body (or drops the connection, cuts the body or sends a huge one). With
// Done, the operation is done first (the store changes as if all went well), and then
// its real answer is spoiled in the same ways: this is the case where a client must not
// send a create again.
//
// Drop and Truncate end the handler with panic(http.ErrAbortHandler), which net/http's
// server turns into a closed connection. When the fake is mounted behind middleware of
// your own that recovers panics, let that one through.
type Fault struct {
	// Status is the HTTP status to answer with. Without Done, the default is 500; with
	// Done, the real status is kept unless Status is set.
	Status int
	// Body is the answer's body. "" means {"message": "injected fault"} for a status of
	// 400 and above (and nothing below), or the real body with Done and no Status.
	Body string
	// ContentType is the Content-Type header (default application/json, or the real
	// one with Done).
	ContentType string
	// RetryAfter, when set, is sent as the Retry-After header: seconds or an HTTP date.
	RetryAfter string
	// Delay holds the answer back this long, or until the client gives up.
	Delay time.Duration
	// Done makes the fake do the operation before spoiling its answer.
	Done bool
	// Drop closes the connection without answering.
	Drop bool
	// Truncate sends the headers, with the Content-Length of the whole body, and only
	// the first half of the body, then closes the connection. It needs a body: give
	// Body, a status of 400 or above, or Done.
	Truncate bool
	// HugeBody, when above zero, answers with a body of this many bytes: the start of a
	// JSON array of invites that goes on and on. It is streamed, not held in memory.
	HugeBody int64
}

// The operation IDs of api/openapi.yaml, for [Fake.RequestCount] and [Fake.InjectFault].
const (
	OpList   = fakeserver.OpList   // GET /tailnet/{tailnet}/user-invites
	OpCreate = fakeserver.OpCreate // POST /tailnet/{tailnet}/user-invites
	OpGet    = fakeserver.OpGet    // GET /user-invites/{userInviteId}
	OpDelete = fakeserver.OpDelete // DELETE /user-invites/{userInviteId}
	OpResend = fakeserver.OpResend // POST /user-invites/{userInviteId}/resend

	OpListUsers = fakeserver.OpListUsers // GET /tailnet/{tailnet}/users
)

// The operation IDs of the devices list and of device-share invites, for
// [Fake.RequestCount] and [Fake.InjectFault].
const (
	OpListDevices        = fakeserver.OpListDevices        // GET /tailnet/{tailnet}/devices
	OpListDeviceInvites  = fakeserver.OpListDeviceInvites  // GET /device/{deviceId}/device-invites
	OpCreateDeviceInvite = fakeserver.OpCreateDeviceInvite // POST /device/{deviceId}/device-invites
	OpGetDeviceInvite    = fakeserver.OpGetDeviceInvite    // GET /device-invites/{deviceInviteId}
	OpDeleteDeviceInvite = fakeserver.OpDeleteDeviceInvite // DELETE /device-invites/{deviceInviteId}
	OpResendDeviceInvite = fakeserver.OpResendDeviceInvite // POST /device-invites/{deviceInviteId}/resend
	OpAcceptDeviceInvite = fakeserver.OpAcceptDeviceInvite // POST /device-invites/-/accept
)

// Defaults of a new fake.
const (
	DefaultTailnet   = fakeserver.DefaultTailnet   // the named tailnet, besides "-"
	DefaultDomain    = fakeserver.DefaultDomain    // emails outside it get an inviteUrl
	DefaultTailnetID = fakeserver.DefaultTailnetID // tailnetId of every invite
	DefaultInviterID = fakeserver.DefaultInviterID // inviterId of every invite: the token's owner
)

// The operation IDs of the operations that change a user, for [Fake.RequestCount] and
// [Fake.InjectFault].
const (
	OpApproveUser    = fakeserver.OpApproveUser    // POST /users/{userId}/approve
	OpUpdateUserRole = fakeserver.OpUpdateUserRole // POST /users/{userId}/role
	OpSuspendUser    = fakeserver.OpSuspendUser    // POST /users/{userId}/suspend
	OpRestoreUser    = fakeserver.OpRestoreUser    // POST /users/{userId}/restore
)

// ResendInterval is how often the fake lets each invite be resent, as the real API does.
const ResendInterval = fakeserver.ResendInterval

// Start is NewServer for a test: it fails the test if the server cannot start, and
// closes it when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// WithToken sets the API key the fake accepts; by default a random tskey-api-fake-...
// token, available as [Fake.Token]. It is accepted as a bearer token or as HTTP Basic
// authentication's user name with an empty password (as Tailscale's official Go client
// sends it).
func WithToken(token string) Option {
	return wrap(fakeserver.WithToken(token))
}

// WithTailnet sets the fake's named tailnet (default [DefaultTailnet]), accepted besides
// "-". Any other tailnet gets 404.
func WithTailnet(name string) Option {
	return wrap(fakeserver.WithTailnet(name))
}

// WithDomain sets the tailnet's email domain (default [DefaultDomain]). Invites for an
// email outside it get an inviteUrl, as do invites without email.
func WithDomain(domain string) Option {
	return wrap(fakeserver.WithDomain(domain))
}

// WithClock sets the fake's clock (default time.Now), used for lastEmailSentAt, the
// resend limit, the expiry of federated JWTs and when users were created; a test can
// move it forward instead of sleeping.
func WithClock(now func() time.Time) Option {
	return wrap(fakeserver.WithClock(now))
}

// WithInvites creates these invites when the fake starts, as if by a create request.
func WithInvites(invites ...tsinvites.CreateUserInviteRequest) Option {
	return wrap(fakeserver.WithInvites(invites...))
}

// WithUsers adds these users to the fake when it starts, after any added before. The
// fake has no users otherwise (not even the owner of its API key). LoginName is
// required and must be unique, without case; the zero value of another field gets a
// default: ID the next free number from 3001, Type member, Role member, Status active,
// TailnetID the fake's tailnet name for a member, Created the fake's clock. Any status
// is allowed (suspended, needs-approval, ...). A user the document would not allow
// (an unknown role, say) makes [NewServer] fail.
func WithUsers(users ...tsinvites.User) Option {
	return wrap(fakeserver.WithUsers(users...))
}

// WithOAuthClient makes the fake accept these OAuth client credentials at
// /api/v2/oauth/token (grant_type client_credentials, the credentials in the form or as
// HTTP Basic authentication). The tokens it issues may list and get invites, list users
// and approve, suspend and restore users and set their roles ([WithScopes]
// permitting); create, delete and resend answer 403, as the real API does for tokens
// that no user owns.
func WithOAuthClient(id, secret string) Option {
	return wrap(fakeserver.WithOAuthClient(id, secret))
}

// WithFederatedIdentity makes the fake accept workload identity federation for this
// client ID at /api/v2/oauth/token-exchange: a POST of the form fields client_id and jwt
// (application/x-www-form-urlencoded) is answered with the JSON access_token,
// token_type and expires_in, as the real API does. The fake takes any JWT (three
// base64url parts, the signature not checked) whose payload has an exp claim later than
// the fake's clock ([WithClock]). A JWT that is not one, or has no exp, gets 400; an
// expired one or another client ID gets 401; each with a JSON {"error", "message"}.
// Its tokens may do what those of [WithOAuthClient] may.
func WithFederatedIdentity(clientID string) Option {
	return wrap(fakeserver.WithFederatedIdentity(clientID))
}

// WithScopes sets the OAuth scopes of the fake's OAuth client and federated identity
// (by default, every scope). A token request may ask for some of them (the form field
// scope, separated by spaces; 400 for one the credential lacks) and the token gets
// those, or else all of them. A token without users:read (or users, all, all:read)
// gets 403 on listUsers; one without users (or all), on the operations that change a
// user (approve, role, suspend, restore).
func WithScopes(scopes ...string) Option {
	return wrap(fakeserver.WithScopes(scopes...))
}

// WithUserApproval makes the fake a tailnet that requires user approval: every invite
// accepted with [Fake.AcceptInvite] or [Fake.AcceptInviteAs] becomes a user with the
// status needs-approval, who is active once approved (approveUser). Without it, they
// are active at once, and approveUser changes nothing, as the real API's does.
func WithUserApproval() Option {
	return wrap(fakeserver.WithUserApproval())
}

// WithKeyUser names the user (by ID or login name, without case) who owns the fake's API
// key ([WithToken]): as the real API does, the key may then not approve, suspend or
// restore that user or change its role (403). It need not be a user of the fake when it
// starts. OAuth and federated tokens belong to no user and are not concerned.
func WithKeyUser(user string) Option {
	return wrap(fakeserver.WithKeyUser(user))
}

// Handler returns a new fake API for mounting on a server of your own: it serves paths
// under /api/v2/ (mount it at the root). It fails only if the embedded OpenAPI document
// cannot be loaded, which a test of this package rules out; it then answers every
// request with 500 and the reason.
func Handler(opts ...Option) *Fake {
	return &Fake{f: fakeserver.Handler(serverOptions(opts)...)}
}

// NewServer starts a fake API on 127.0.0.1 (or [::1] where there is no IPv4 loopback),
// on a free port. Call Close when done; [Start] does that for a test.
func NewServer(opts ...Option) (*Server, error) {
	s, err := fakeserver.NewServer(serverOptions(opts)...)
	if err != nil {
		return nil, err
	}
	return &Server{Fake: &Fake{f: s.Fake}, URL: s.URL, s: s}, nil
}

// Token returns the API key the fake accepts.
func (f *Fake) Token() string {
	return f.inner().Token()
}

// TailnetName returns the fake's named tailnet (accepted besides "-").
func (f *Fake) TailnetName() string {
	return f.inner().TailnetName()
}

// Invites returns a copy of the open invites, ordered by ID.
func (f *Fake) Invites() []tsinvites.UserInvite {
	return f.inner().Invites()
}

// Users returns a copy of the fake's users, in the order they were added.
func (f *Fake) Users() []tsinvites.User {
	return f.inner().Users()
}

// RequestCount returns how many requests for the operation (an Op constant, the
// operationId of api/openapi.yaml) passed the token check, including invalid ones and
// those answered with a fault.
func (f *Fake) RequestCount(operationID string) int {
	return f.inner().RequestCount(operationID)
}

// TotalRequests returns the number of requests of every operation, as RequestCount.
func (f *Fake) TotalRequests() int {
	return f.inner().TotalRequests()
}

// InjectFault makes the next n requests of the operation (an Op constant) get fault.
// The requests still count and are still validated first: an invalid request gets its
// 400 and does not use up a fault.
func (f *Fake) InjectFault(operationID string, n int, fault Fault) {
	f.inner().InjectFault(operationID, n, fakeserver.Fault(fault))
}

// AcceptInvite does what the person an invite was emailed to does by accepting it: the
// open invite id is gone, and the tailnet has a new member user whose login name is the
// invite's email, with the invite's role and the status active (needs-approval with
// [WithUserApproval]). It fails, changing
// nothing, for an ID that is not an open invite, for an invite without email (use
// [Fake.AcceptInviteAs]), and when a user with that login name exists.
func (f *Fake) AcceptInvite(id string) error {
	return f.inner().AcceptInvite(id)
}

// AcceptInviteAs is [Fake.AcceptInvite] for a person who logs in as loginName: the way
// to accept an invite without email (its URL shared by hand), or one emailed to an
// address other than the one the person logs in with.
func (f *Fake) AcceptInviteAs(id, loginName string) error {
	return f.inner().AcceptInviteAs(id, loginName)
}

// ServeHTTP answers a request as the API would: the token is checked (401), the request
// is validated against the OpenAPI document (400, 404, 405), then done, or answered with
// an injected [Fault].
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.inner().ServeHTTP(w, r)
}

// Client returns a [tsinvites.Client] for the server, with its token and the tailnet "-".
func (s *Server) Client() *tsinvites.Client {
	return s.s.Client()
}

// Connections returns how many connections clients have opened to the server so far.
func (s *Server) Connections() int {
	return s.s.Connections()
}

// Close stops the server at once, closing its connections, and waits until it has
// stopped. It may be called more than once.
func (s *Server) Close() {
	s.s.Close()
}

// WithDevices adds these devices to the tailnet when the fake starts, in this order. A
// device without ID gets one (a number from 40001), one without NodeID gets "n" and its
// ID, one without Name gets its Hostname and the tailnet's name as MagicDNS name.
// Devices are listed (listTailnetDevices, filtered by tags and hostname) and shared
// (the device-invites operations) by their ID or NodeID.
func WithDevices(devices ...tsinvites.Device) Option {
	return wrap(fakeserver.WithDevices(devices...))
}

// Devices returns a copy of the fake's devices, in the order they were added.
func (f *Fake) Devices() []tsinvites.Device {
	return f.inner().Devices()
}

// DeviceInvites returns a copy of the device invites, pending and accepted, ordered by ID.
func (f *Fake) DeviceInvites() []tsinvites.DeviceInvite {
	return f.inner().DeviceInvites()
}

// AcceptDeviceInviteAs does what a person outside the tailnet who logs in as loginName
// does with the invite's URL: the invite is accepted, acceptedBy names them. Anyone
// holding the URL can accept it, so loginName need not be the invite's email. It fails,
// changing nothing, for an ID that is no device invite, an empty login name, and an
// invite already accepted (a multi-use one: after 1,000 acceptances).
func (f *Fake) AcceptDeviceInviteAs(id, loginName string) error {
	return f.inner().AcceptDeviceInviteAs(id, loginName)
}
