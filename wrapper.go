package tsinvites

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/tsinvites/tsinvites/internal/redact"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// Client calls the user-invites, users, device-invites and devices endpoints of the
// Tailscale API. Make one with
// [New]. Every request is built by the generated client ([Client.API] gives it); the
// Client adds the credential, defaults the tailnet to "-", checks input before sending,
// and retries what is safe to retry. It is safe for concurrent use.
type Client struct {
	gen                        *GeneratedClient // builds and sends every request
	tailnet, baseURL, authKind string
	bearer                     bearer // nil for an API key, whose header never changes
	redact                     *redact.Redactor
	retry                      RetryPolicy
	logger                     *slog.Logger
	names                      [numSettings]string // each setting as the program gave it, for advice
	// The header values every request gets; apiKeyHeader is nil unless there is an API key.
	userAgentHeader, apiKeyHeader []string
}

// New checks cfg and returns a Client. It fails, before any I/O, when cfg has no
// credential or more than one kind, when BaseURL is not an http(s) URL or is plain http
// to a host other than loopback, when Tailnet is not usable in a path, or when Retry has
// negative values.
func New(cfg Config) (*Client, error) {
	c, hc, err := cfg.client()
	if err != nil {
		return nil, err
	}
	// c.authorize adds the credential; sender tells the retry loop the request was handed over.
	c.gen, err = NewClient(c.baseURL+serverBasePath+"/", WithHTTPClient(sender{hc}), WithRequestEditorFn(c.authorize))
	if err != nil {
		return nil, fmt.Errorf("tsinvites: %w", err)
	}
	return c, nil
}

// authorize is the generated client's request editor: it adds the User-Agent and the
// credential (an API key's header is made once, in New: net/http only reads it).
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	req.Header["User-Agent"] = c.userAgentHeader
	if c.apiKeyHeader != nil {
		req.Header["Authorization"] = c.apiKeyHeader
		return nil
	}
	tok, err := c.bearer.Token(ctx)
	if err != nil {
		return c.tokenError(err)
	}
	if tok == "" || !headerSafe(tok) {
		return fmt.Errorf("the %s gave an empty or malformed token", c.authKind)
	}
	c.redact.Remember(tok)
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// String describes the client without its credential.
func (c *Client) String() string {
	return fmt.Sprintf("tsinvites.Client{BaseURL: %q, Tailnet: %q, Auth: %s}", c.baseURL, c.tailnet, c.authKind)
}

// GoString describes the client for %#v, without its credential.
func (c *Client) GoString() string { return c.String() }

// Tailnet returns the tailnet the client works on ("-" for the credential's own).
func (c *Client) Tailnet() string { return c.tailnetOf() }

// RetryPolicy returns the client's retry policy, its zero fields filled with the defaults
// (a zero or nil Client's is the zero policy, which means the defaults).
func (c *Client) RetryPolicy() RetryPolicy { return cmp.Or(c, &Client{}).retry }

// WithTailnet returns a client for another tailnet that shares c's credential, HTTP
// client and token cache. "" means "-". A tailnet that cannot be used in a path is
// reported by the first call that needs it.
func (c *Client) WithTailnet(tailnet string) *Client {
	other := *c
	other.tailnet = cmp.Or(tailnet, "-")
	return &other
}

// API returns the generated low-level client, with the credential, User-Agent, base URL
// and redirect policy applied, for what the wrapper does not cover. Its methods return
// a nil error on 4xx and 5xx answers (look at StatusCode()), do not check input, and
// read whole bodies without the wrapper's caps.
func (c *Client) API() *ClientWithResponses { return &ClientWithResponses{c.gen} }

// List returns the open (not yet accepted) invites of the client's tailnet; an empty,
// non-nil slice when there are none. The API has no pagination.
//
// GET /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) List(ctx context.Context) ([]UserInvite, error) {
	var invites inviteListAnswer
	err := c.inTailnet(ctx, operation{verb: "list invites"}, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.listUserInvites(ctx, c.tailnet)
	}, &invites)
	return invites, err
}

// Get returns one invite, or a 404 [*APIError] ([IsNotFound]) when there is none with
// that ID (accepted and deleted invites are gone).
//
// GET /api/v2/user-invites/{userInviteId}
func (c *Client) Get(ctx context.Context, id string) (*UserInvite, error) {
	var invite inviteAnswer
	if err := c.byID(ctx, "invite ID", "get invite", id, opRead, (*GeneratedClient).getUserInvite, &invite); err != nil {
		return nil, err
	}
	return (*UserInvite)(&invite), nil
}

// Delete deletes an open invite; its URL stops working. When an attempt that may have
// reached the API fails (a 5xx, a dropped connection) and the retry then finds no such
// invite (404), Delete returns nil: the first attempt deleted it.
//
// Delete needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// DELETE /api/v2/user-invites/{userInviteId}
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.byID(ctx, "invite ID", "delete invite", id, opDelete, (*GeneratedClient).deleteUserInvite, nil)
}

// Resend sends an invite's email again. The API allows it only for invites created with
// an email (400 otherwise), and at most once a minute for each invite: a 429
// [*APIError] ([IsRateLimited]) says how long to wait in RetryAfter.
//
// Resend needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/user-invites/{userInviteId}/resend
func (c *Client) Resend(ctx context.Context, id string) error {
	return c.byID(ctx, "invite ID", "resend invite", id, opResend, (*GeneratedClient).resendUserInvite, nil)
}

// ListUsers returns the users of the client's tailnet: by default (a zero params) the
// tailnet's own members of every role, whatever their status (active, idle, suspended,
// needs-approval, ...). params filters by type (member, shared, all) and role; its fields
// are the generated ones, so a filter the API document adds reaches it with no change
// here. It never changes a user. The answer may be large (up to 256 MiB): it is decoded
// a user at a time.
//
// Reading users needs an API key, or an OAuth client or federated identity with the
// users:read scope; the API answers 403, or 404 ("does not have access to read users"),
// otherwise.
//
// GET /api/v2/tailnet/{tailnet}/users
func (c *Client) ListUsers(ctx context.Context, params ListUsersParams) ([]User, error) {
	var list userListAnswer
	filter := &params
	if params == (ListUsersParams{}) {
		filter = nil // no filter: the generated builder then adds no query
	}
	err := c.inTailnet(ctx, operation{verb: "list users"}, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListUsers(ctx, c.tailnet, filter)
	}, &list)
	return list.Users, err
}

// ApproveUser approves a user who is waiting for approval (status needs-approval); a
// no-op when the tailnet does not require approval or the user is approved already.
//
// ApproveUser, SetUserRole, SuspendUser and RestoreUser need the OAuth scope users (or
// an API key whose user may manage users), and may not act on a user-owned key's own
// user: a 403 [*APIError]; an unknown user is a 404 ([IsNotFound]). All four are safe
// to repeat, and retried like [Client.Get].
//
// POST /api/v2/users/{userId}/approve
func (c *Client) ApproveUser(ctx context.Context, userID string) error {
	return c.byID(ctx, "user ID", "approve user", userID, opUser, (*GeneratedClient).approveUser, nil)
}

// SetUserRole gives a user another role; an unknown role is refused before sending,
// owner is left to the API. Scope, errors and retries as [Client.ApproveUser].
//
// POST /api/v2/users/{userId}/role
func (c *Client) SetUserRole(ctx context.Context, userID string, role TailnetRole) error {
	if !role.Valid() {
		return invalid(operation{verb: "set role of user", id: userID, withID: true}, "%s", unknownRole(role, tailnetRoleValues))
	}
	return c.byID(ctx, "user ID", "set role of user", userID, opUser, func(g *GeneratedClient, ctx context.Context, id string) (*http.Response, error) {
		return g.updateUserRole(ctx, id, UpdateUserRoleJSONRequestBody{Role: role})
	}, nil)
}

// SuspendUser suspends a user (status suspended) until [Client.RestoreUser]; on the
// Personal and Enterprise plans only. Scope, errors and retries as [Client.ApproveUser].
//
// POST /api/v2/users/{userId}/suspend
func (c *Client) SuspendUser(ctx context.Context, userID string) error {
	return c.byID(ctx, "user ID", "suspend user", userID, opUser, (*GeneratedClient).suspendUser, nil)
}

// RestoreUser gives a suspended user their access back; on the Personal and Enterprise
// plans only. Scope, errors and retries as [Client.ApproveUser].
//
// POST /api/v2/users/{userId}/restore
func (c *Client) RestoreUser(ctx context.Context, userID string) error {
	return c.byID(ctx, "user ID", "restore user", userID, opUser, (*GeneratedClient).restoreUser, nil)
}

// inTailnet makes a call on the client's tailnet, once the tailnet is checked.
func (c *Client) inTailnet(ctx context.Context, op operation, kind opKind, send send, out answer) error {
	if err := checkPathValue("tailnet", c.tailnetOf()); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, kind, send, out)
}

// byID makes a call on one invite or user, once its ID (what: "invite ID", "user ID")
// is checked.
func (c *Client) byID(ctx context.Context, what, verb, id string, kind opKind, call func(*GeneratedClient, context.Context, string) (*http.Response, error), out answer) error {
	op := operation{verb: verb, id: id, withID: true, device: what == deviceIDLabel || what == deviceInviteIDLabel}
	if err := checkPathValue(what, id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, kind, func(ctx context.Context) (*http.Response, error) {
		return call(c.gen, ctx, id)
	}, out)
}

// The labels of the device IDs in errors; byID knows a device call by them.
const deviceIDLabel, deviceInviteIDLabel = "device ID", "device invite ID"

// tailnetOf is the client's tailnet; "-" on a nil Client, whose call then fails in do.
func (c *Client) tailnetOf() string {
	if c == nil {
		return "-"
	}
	return c.tailnet
}

// String formats the invite for logs and %v with its InviteURL hidden: anyone holding
// that URL can join the tailnet. Read the field itself when you mean to share it.
func (inv UserInvite) String() string {
	url, sent := shown(inv.InviteURL, inv.LastEmailSentAt)
	return fmt.Sprintf("{ID:%s Email:%s Role:%s TailnetID:%d InviterID:%d LastEmailSentAt:%s InviteURL:%s}",
		inv.ID, inv.Email, inv.Role, inv.TailnetID, inv.InviterID, sent, url)
}

// GoString formats the invite for %#v, with its InviteURL hidden as in String.
func (inv UserInvite) GoString() string { return "tsinvites.UserInvite" + inv.String() }

// ListDevices returns the devices of the client's tailnet that match every filter of
// params (a zero params: every device, with the API's default fields); its fields are
// the generated ones, so a filter the API document adds reaches it with no change here.
// The API has no pagination.
//
// OAuth and federated tokens need the scope devices:core:read (403 otherwise).
//
// GET /api/v2/tailnet/{tailnet}/devices
func (c *Client) ListDevices(ctx context.Context, params ListTailnetDevicesParams) ([]Device, error) {
	var list deviceListAnswer
	err := c.inTailnet(ctx, operation{verb: "list devices", device: true}, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListTailnetDevices(ctx, c.tailnet, &params)
	}, &list)
	return list.Devices, err
}

// ListDeviceInvites returns every invite of one device (its nodeId or legacy id),
// pending and accepted; an empty, non-nil slice when there are none. There is no
// tailnet-wide list.
//
// OAuth and federated tokens need the scope device_invites:read (403 otherwise).
//
// GET /api/v2/device/{deviceId}/device-invites
func (c *Client) ListDeviceInvites(ctx context.Context, deviceID string) ([]DeviceInvite, error) {
	var invites deviceInviteListAnswer
	err := c.byID(ctx, deviceIDLabel, "list invites of device", deviceID, opRead, (*GeneratedClient).listDeviceInvites, &invites)
	return invites, err
}

// CreateDeviceInvites creates one invite to share a device for each request, in one
// API call: created[i] is the invite for invites[i], paired by email as [Client.Create]
// pairs them. A request with an email sends an invitation email; every invite has an
// InviteURL, which anyone holding it can accept. Nothing is sent when the device ID is
// bad, no request is given, or an email is refused by the SDK's one input policy (that
// of [ValidateInvites]: invalid, or two requests for one person); the error is then an
// [*InputError] listing every problem.
//
// Never retried once it may have reached the API: such a failure, or an answer that
// cannot be paired with every request, matches [ErrMayHaveCreated];
// [UnpairedDeviceInvites] gives the answer's invites no request was paired with.
//
// It needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError] (the
// shared device is scoped to a user).
//
// POST /api/v2/device/{deviceId}/device-invites
func (c *Client) CreateDeviceInvites(ctx context.Context, deviceID string, invites ...CreateDeviceInviteRequest) ([]DeviceInvite, error) {
	op := operation{verb: "create " + textsafe.Plural(len(invites), "invite", "invites") + " for device", id: deviceID, withID: true, device: true}
	if err := checkPathValue(deviceIDLabel, deviceID); err != nil {
		return nil, invalid(op, "%v", err)
	}
	emails := make([]CreateUserInviteRequest, len(invites)) // the SDK's one email policy
	for i, inv := range invites {
		emails[i] = CreateUserInviteRequest{Email: inv.Email}
	}
	if err := checkInvites(op, emails); err != nil {
		return nil, err
	}
	var answer deviceInviteListAnswer
	err := c.do(ctx, op, opCreate, func(ctx context.Context) (*http.Response, error) {
		return c.gen.createDeviceInvites(ctx, deviceID, invites)
	}, &answer)
	if err != nil {
		return nil, err
	}
	created, problem := pairCreated(invites, []DeviceInvite(answer))
	if problem != nil {
		return created, c.decodeError(op, opCreate, problem)
	}
	return created, nil
}

// GetDeviceInvite returns one device invite, or a 404 [*APIError] ([IsNotFound]) when
// there is none with that ID.
//
// OAuth and federated tokens need the scope device_invites:read (403 otherwise).
//
// GET /api/v2/device-invites/{deviceInviteId}
func (c *Client) GetDeviceInvite(ctx context.Context, id string) (*DeviceInvite, error) {
	var invite deviceInviteAnswer
	if err := c.byID(ctx, deviceInviteIDLabel, "get device invite", id, opRead, (*GeneratedClient).getDeviceInvite, &invite); err != nil {
		return nil, err
	}
	return (*DeviceInvite)(&invite), nil
}

// DeleteDeviceInvite deletes a device invite; its URL stops working. The API's document
// does not say whether deleting an accepted invite ends the share. Retried like
// [Client.Delete], and like it nil when a retry finds the invite gone.
//
// OAuth and federated tokens need the scope device_invites (403 otherwise).
//
// DELETE /api/v2/device-invites/{deviceInviteId}
func (c *Client) DeleteDeviceInvite(ctx context.Context, id string) error {
	return c.byID(ctx, deviceInviteIDLabel, "delete device invite", id, opDelete, (*GeneratedClient).deleteDeviceInvite, nil)
}

// ResendDeviceInvite sends a device invite's email again: only for invites created with
// an email, at most once a minute for each invite (a 429 [*APIError], [IsRateLimited]).
// Retried like [Client.Resend].
//
// It needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/device-invites/{deviceInviteId}/resend
func (c *Client) ResendDeviceInvite(ctx context.Context, id string) error {
	return c.byID(ctx, deviceInviteIDLabel, "resend device invite", id, opResend, (*GeneratedClient).resendDeviceInvite, nil)
}

// AcceptDeviceInvite accepts a device invite, given its InviteURL or the code that ends
// it: the device is shared into the tailnet of the credential's user. The URL is a
// secret: no error or log line shows it. Retried only when nothing was sent or on 429,
// as [Client.Resend].
//
// It needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/device-invites/-/accept
func (c *Client) AcceptDeviceInvite(ctx context.Context, inviteURLOrCode string) (*AcceptDeviceInviteResult, error) {
	op := operation{verb: "accept device invite", device: true}
	switch {
	case strings.TrimSpace(inviteURLOrCode) == "":
		return nil, invalid(op, "the invite URL or code is empty")
	case strings.ContainsFunc(inviteURLOrCode, unicode.IsControl):
		return nil, invalid(op, "the invite URL or code has control characters")
	}
	if c != nil && c.redact != nil { // an echo of it, or of its code, is removed from errors
		c.redact.Remember(inviteURLOrCode)
		c.redact.Remember(path.Base(inviteURLOrCode))
	}
	var accepted acceptAnswer
	err := c.do(ctx, op, opResend, func(ctx context.Context) (*http.Response, error) {
		return c.gen.acceptDeviceInvite(ctx, AcceptDeviceInviteJSONRequestBody{Invite: inviteURLOrCode})
	}, &accepted)
	if err != nil {
		return nil, err
	}
	return (*AcceptDeviceInviteResult)(&accepted), nil
}

func (r CreateDeviceInviteRequest) pairKey() (id, email string) { return "", r.Email }
func (inv DeviceInvite) pairKey() (id, email string)            { return inv.ID, inv.Email }

// String formats the device invite for logs and %v with its InviteURL hidden: anyone
// holding that URL can accept the share. Read the field itself when you mean to share it.
func (inv DeviceInvite) String() string {
	url, sent := shown(inv.InviteURL, inv.LastEmailSentAt)
	return fmt.Sprintf("{ID:%s DeviceID:%d Email:%s AllowExitNode:%t MultiUse:%t Accepted:%t AcceptedBy:%s SharerID:%d TailnetID:%d Created:%s LastEmailSentAt:%s InviteURL:%s}",
		inv.ID, inv.DeviceID, inv.Email, inv.AllowExitNode, inv.MultiUse, inv.Accepted, inv.AcceptedBy.LoginName, inv.SharerID, inv.TailnetID,
		inv.Created.Format(time.RFC3339), sent, url)
}

// shown is an invite's InviteURL and LastEmailSentAt as its String shows them: the URL
// hidden (redact.Redacted, or "" for none), the time in RFC 3339 or "never".
func shown(url string, sent time.Time) (string, string) {
	if url != "" {
		url = redact.Redacted
	}
	if sent.IsZero() {
		return url, "never"
	}
	return url, sent.Format(time.RFC3339)
}

// GoString formats the device invite for %#v, with its InviteURL hidden as in String.
func (inv DeviceInvite) GoString() string { return "tsinvites.DeviceInvite" + inv.String() }
