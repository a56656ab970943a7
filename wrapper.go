package tsinvites

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/tsinvites/tsinvites/internal/redact"
)

// Client calls the user-invites and users endpoints of the Tailscale API. Make one with
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
	var invites []UserInvite
	err := c.inTailnet(ctx, operation{verb: "list invites"}, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.listUserInvites(ctx, c.tailnet)
	}, &invites)
	return invites, err
}

// Create creates one invite for each request, in one API call: created[i] is the invite
// for invites[i], paired by email (ASCII letters without case; email-less requests take
// the email-less invites in order). A request with an email sends an invitation email;
// one without gets an InviteURL to share by hand. Role "" means member. Nothing is sent
// when no request is given, any is invalid (see [CreateUserInviteRequest.Validate]), or
// two share an email.
//
// An answer that cannot be paired with every request (an invite missing, one more than
// asked for, one ID for two people) is an error matching [ErrMayHaveCreated], returned
// with the invites that were paired (zero for the others, which may exist);
// [UnpairedInvites] of it gives the answer's invites that no request was paired with.
//
// Create needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) Create(ctx context.Context, invites ...CreateUserInviteRequest) ([]UserInvite, error) {
	op := operation{verb: "create", count: len(invites)}
	if err := checkInvites(op, invites); err != nil {
		return nil, err
	}
	var answer []UserInvite
	err := c.inTailnet(ctx, op, opCreate, func(ctx context.Context) (*http.Response, error) {
		return c.gen.createUserInvites(ctx, c.tailnet, invites)
	}, &answer)
	if err != nil {
		return nil, err
	}
	created, problem := pairCreated(invites, answer)
	if problem != nil {
		return created, c.decodeError(op, opCreate, problem)
	}
	return created, nil
}

// Get returns one invite, or a 404 [*APIError] ([IsNotFound]) when there is none with
// that ID (accepted and deleted invites are gone).
//
// GET /api/v2/user-invites/{userInviteId}
func (c *Client) Get(ctx context.Context, id string) (*UserInvite, error) {
	var invite UserInvite
	if err := c.byID(ctx, "invite ID", "get invite", id, opRead, (*GeneratedClient).getUserInvite, &invite); err != nil {
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
	var list UserList
	err := c.inTailnet(ctx, operation{verb: "list users"}, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListUsers(ctx, c.tailnet, &params)
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
func (c *Client) inTailnet(ctx context.Context, op operation, kind opKind, send send, out any) error {
	if err := checkPathValue("tailnet", c.tailnetOf()); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, kind, send, out)
}

// byID makes a call on one invite or user, once its ID (what: "invite ID", "user ID")
// is checked.
func (c *Client) byID(ctx context.Context, what, verb, id string, kind opKind, call func(*GeneratedClient, context.Context, string) (*http.Response, error), out any) error {
	op := operation{verb: verb, id: id, withID: true}
	if err := checkPathValue(what, id); err != nil {
		return invalid(op, "%v", err)
	}
	return c.do(ctx, op, kind, func(ctx context.Context) (*http.Response, error) {
		return call(c.gen, ctx, id)
	}, out)
}

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
	url := ""
	if inv.InviteURL != "" {
		url = redact.Redacted
	}
	sent := "never"
	if !inv.LastEmailSentAt.IsZero() {
		sent = inv.LastEmailSentAt.Format("2006-01-02T15:04:05Z07:00")
	}
	return fmt.Sprintf("{ID:%s Email:%s Role:%s TailnetID:%d InviterID:%d LastEmailSentAt:%s InviteURL:%s}",
		inv.ID, inv.Email, inv.Role, inv.TailnetID, inv.InviterID, sent, url)
}

// GoString formats the invite for %#v, with its InviteURL hidden as in String.
func (inv UserInvite) GoString() string { return "tsinvites.UserInvite" + inv.String() }
