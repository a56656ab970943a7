package tsinvites

import (
	"cmp"
	"context"
	"fmt"
	"github.com/tsinvites/tsinvites/internal/words"
	"net/http"
	"strings"
)

// List returns the open (not yet accepted) invites of the client's tailnet; an empty,
// non-nil slice when there are none. The API has no pagination.
//
// GET /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) List(ctx context.Context) ([]UserInvite, error) {
	op := operation{verb: "list invites"}
	if err := checkPathValue("tailnet", c.tailnetOf()); err != nil {
		return nil, invalid(op, "%v", err)
	}
	var invites []UserInvite
	err := c.do(ctx, op, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.listUserInvites(ctx, c.tailnet)
	}, &invites)
	return invites, err
}

// Create creates one invite for each request, in one API call: created[i] is the invite
// for invites[i], paired by email (without case; email-less requests take the email-less
// invites in order). A request with an email sends an invitation email; one without gets
// an InviteURL to share by hand. Role "" means member. Nothing is sent when no request is
// given, any is invalid (see [CreateUserInviteRequest.Validate]), or two share an email.
//
// An answer that cannot be paired with every request is an error matching
// [ErrMayHaveCreated], returned with the invites that were paired (zero for the others,
// which may exist).
//
// Create needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/tailnet/{tailnet}/user-invites
func (c *Client) Create(ctx context.Context, invites ...CreateUserInviteRequest) ([]UserInvite, error) {
	op := operation{verb: "create", count: len(invites)}
	if err := checkPathValue("tailnet", c.tailnetOf()); err != nil {
		return nil, invalid(op, "%v", err)
	}
	if err := checkInvites(op, invites); err != nil {
		return nil, err
	}
	var answer []UserInvite
	err := c.do(ctx, op, opCreate, func(ctx context.Context) (*http.Response, error) {
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
	if err := c.byID(ctx, "get invite", id, opRead, (*GeneratedClient).getUserInvite, &invite); err != nil {
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
	return c.byID(ctx, "delete invite", id, opDelete, (*GeneratedClient).deleteUserInvite, nil)
}

// Resend sends an invite's email again. The API allows it only for invites created with
// an email (400 otherwise), and at most once a minute for each invite: a 429
// [*APIError] ([IsRateLimited]) says how long to wait in RetryAfter.
//
// Resend needs a user-owned API key: OAuth and federated tokens get a 403 [*APIError].
//
// POST /api/v2/user-invites/{userInviteId}/resend
func (c *Client) Resend(ctx context.Context, id string) error {
	return c.byID(ctx, "resend invite", id, opResend, (*GeneratedClient).resendUserInvite, nil)
}

// byID makes a call on one invite, once its ID is checked.
func (c *Client) byID(ctx context.Context, verb, id string, kind opKind, call func(*GeneratedClient, context.Context, UserInviteID) (*http.Response, error), out any) error {
	op := operation{verb: verb, id: id, withID: true}
	if err := checkPathValue("invite ID", id); err != nil {
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

// pairCreated pairs a create's answer with its requests (see Create), reporting the
// requests left without an invite and the invites no request asked for.
func pairCreated(reqs []CreateUserInviteRequest, answer []UserInvite) ([]UserInvite, error) {
	created := make([]UserInvite, len(reqs))
	byEmail := map[string]int{} // lower-cased email → index of its request
	var noEmail []int
	for i, r := range reqs {
		if r.Email == "" {
			noEmail = append(noEmail, i)
		} else {
			byEmail[words.EmailKey(r.Email)] = i
		}
	}
	var extra, missing []string
	for _, inv := range answer {
		i, asked := byEmail[words.EmailKey(inv.Email)]
		switch {
		case inv.Email == "" && len(noEmail) > 0:
			created[noEmail[0]], noEmail = inv, noEmail[1:]
		case inv.Email != "" && asked && created[i].ID == "":
			created[i] = inv
		default:
			extra = append(extra, fmt.Sprintf("invite %q for %q", inv.ID, inv.Email))
		}
	}
	for i, inv := range created {
		if inv.ID == "" {
			missing = append(missing, fmt.Sprintf("request %d (%q)", i+1, reqs[i].Email))
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return created, nil
	}
	return created, fmt.Errorf("the answer does not match the request: no invite for %s; not asked for: %s",
		cmp.Or(strings.Join(missing, ", "), "none"), cmp.Or(strings.Join(extra, ", "), "none"))
}
