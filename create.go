package tsinvites

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/tsinvites/tsinvites/internal/identity"
)

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
	var answer inviteListAnswer
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

// pairable is what pairCreated needs of a create's requests (CreateUserInviteRequest,
// CreateDeviceInviteRequest) and of its answer's invites (UserInvite, DeviceInvite):
// the ID ("" for a request) and the email.
type pairable interface{ pairKey() (id, email string) }

func (r CreateUserInviteRequest) pairKey() (id, email string) { return "", r.Email }
func (inv UserInvite) pairKey() (id, email string)            { return inv.ID, inv.Email }

// pairCreated pairs a create's answer with its requests (see Create), reporting the
// requests left without an invite and the invites no request asked for, or that share
// an ID with another.
func pairCreated[R, I pairable](reqs []R, answer []I) ([]I, error) {
	created := make([]I, len(reqs))
	byEmail := map[string]int{} // email key → index of its request
	var noEmail []int
	for i, r := range reqs {
		if _, email := r.pairKey(); email == "" {
			noEmail = append(noEmail, i)
		} else {
			key, _ := identity.Key(email) // a request's email is valid (checked)
			byEmail[key] = i
		}
	}
	var extra, missing []string
	var unpaired []I
	times := map[string]int{} // how often each ID is in the answer
	for _, inv := range answer {
		id, _ := inv.pairKey()
		times[id]++
	}
	for _, inv := range answer {
		id, email := inv.pairKey()
		key, named := identity.Key(email) // one with white space or hidden characters pairs with nobody
		i, asked := byEmail[key]
		asked = asked && named
		switch {
		case times[id] > 1: // one invite cannot be two people's: neither is paired
			extra, unpaired = append(extra, fmt.Sprintf("invite %q for %q (the answer gives that ID %d times)", id, email, times[id])), append(unpaired, inv)
		case email == "" && len(noEmail) > 0:
			created[noEmail[0]], noEmail = inv, noEmail[1:]
		case email != "" && asked && !isPaired(created[i]):
			created[i] = inv
		default:
			extra, unpaired = append(extra, fmt.Sprintf("invite %q for %q", id, email)), append(unpaired, inv)
		}
	}
	for i, inv := range created {
		if !isPaired(inv) {
			_, email := reqs[i].pairKey()
			missing = append(missing, fmt.Sprintf("request %d (%q)", i+1, email))
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return created, nil
	}
	return created, &unpairedError{invites: unpaired, msg: fmt.Sprintf("the answer does not match the request: no invite for %s; not asked for: %s",
		cmp.Or(strings.Join(missing, ", "), "none"), cmp.Or(strings.Join(extra, ", "), "none"))}
}

// isPaired reports whether a slot of pairCreated's result holds an invite.
func isPaired[I pairable](inv I) bool {
	id, _ := inv.pairKey()
	return id != ""
}
