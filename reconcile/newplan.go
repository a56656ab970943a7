package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
)

// NewPlan lists the open invites of c's tailnet and compares them with desired,
// matching emails by ASCII letters without case, nothing trimmed (an invite email or
// login name with white space or an invisible character matches nobody; one that differs
// from a listed email only in the case of non-ASCII letters is a near match: nothing is
// done for either, and [Plan.Warnings] says so). For each desired invite it plans
// a create (no open invite for the email), a recreate (open, with another role), a
// resend (open, last emailed longer ago than opts.ResendAfter) or nothing (unchanged).
// When an email has several open invites, the one with the desired role that was
// emailed last is kept and the others are deleted. With opts.Prune, open invites whose
// email is not desired, or that have none, are deleted; without it they are not
// touched.
//
// NewPlan also lists the tailnet's member users, at the same time as the invites (two
// requests, one round trip): a desired person whose email is a member's login name
// (without case) has joined, whatever the user's status (suspended and awaiting
// approval count): nothing is created or resent for them, an open invite for them is
// redundant (deleted with opts.Prune), and a role that differs from the list is reported
// in [Plan.Joined], and changed only with opts.ManageRoles. Users shared in from other
// tailnets never count. A
// credential that may not read users gets an error saying so; opts.WithoutUsers plans
// from the invites alone.
//
// With opts.Approve, opts.ManageRoles and opts.Offboard (see [PlanOptions]) it also
// plans changes to the tailnet's users: approvals, roles, suspensions and restores;
// the changes its guards hold back are in [Plan.Held], each with the reason. More
// changes of access (suspensions, restores, roles taken away) than opts.MaxOffboard
// allows make it fail with an [*OffboardCapError].
//
// An empty desired list plans nothing without opts.Prune, and with it the deletion of
// every open invite.
//
// Every desired invite needs a valid email (role "" means member), and no email may be
// listed twice (see [tsinvites.ValidateList]); opts.Keep's emails are checked alike:
// otherwise NewPlan returns an error matching [tsinvites.ErrInvalidInput], wrapping a
// [*tsinvites.InputError] that lists every problem of the list, and sends nothing.
func NewPlan(ctx context.Context, c Client, desired []tsinvites.CreateUserInviteRequest, opts PlanOptions) (*Plan, error) {
	if err := checkPlanArgs(ctx, c, opts, "plan"); err != nil {
		return nil, err
	}
	want, index, err := checkDesired(desired)
	if err != nil {
		return nil, err
	}
	open, users, err := fetch(ctx, c, opts.WithoutUsers)
	if nu := (*noUsersError)(nil); errors.As(err, &nu) {
		err = usersError(nu.err, opts.ChangesUsers())
	}
	if err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	m := newMatch(want, index, open, users)
	p := m.plan(c.Tailnet(), opts)
	if err := m.planMembers(p, opts, desired, index); err != nil {
		return nil, err
	}
	return p, nil
}

// checkPlanArgs refuses what NewPlan and NewSharePlan (verb: "plan", "share plan")
// refuse first: options out of range, no client, a nil context.
func checkPlanArgs(ctx context.Context, c Client, opts PlanOptions, verb string) error {
	switch err := opts.check(); {
	case err != nil:
		return invalid(verb, "%v", err)
	case noClient(c):
		return invalid(verb, "no client given")
	case ctx == nil:
		return invalid(verb, "nil context")
	}
	return nil
}

// fetch lists the open invites and, unless withoutUsers, the member users, at the same
// time. When one list fails the other is cancelled, and the error is the first list's
// own (never the cancellation NewPlan caused).
func fetch(ctx context.Context, c Client, withoutUsers bool) ([]tsinvites.UserInvite, []tsinvites.User, error) {
	if withoutUsers {
		open, err := c.List(ctx)
		return open, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		open    []tsinvites.UserInvite
		listErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		if open, listErr = c.List(ctx); listErr != nil {
			cancel()
		}
	})
	member := tsinvites.ListUsersParamsTypeMember // a shared user has not joined this tailnet
	users, usersErr := c.ListUsers(ctx, tsinvites.ListUsersParams{Type: &member})
	if usersErr != nil {
		cancel()
	}
	wg.Wait()
	switch {
	case listErr != nil && (usersErr == nil || !cancelledBy(listErr, ctx, usersErr)):
		return nil, nil, listErr
	case tsinvites.IsForbidden(usersErr) || tsinvites.IsNotFound(usersErr) || tsinvites.IsUnauthorized(usersErr):
		return nil, nil, &noUsersError{usersErr}
	case usersErr != nil:
		return nil, nil, usersErr
	}
	return open, users, nil
}

// noUsersError is fetch's error when the credential may not read users; usersError
// says what to do.
type noUsersError struct{ err error }

func (e *noUsersError) Error() string {
	return "reconcile: this credential may not read the tailnet's users: " + e.err.Error()
}

func (e *noUsersError) Unwrap() error { return e.err }

// usersError is NewPlan's error for err, the API's answer to a list of users the
// credential may not read: the scope to ask for and, unless the options change users
// (which need them), how to plan without.
func usersError(err error, changesUsers bool) error {
	advice := "use an API key, or an OAuth client or federated identity with the users:read scope"
	if changesUsers {
		return fmt.Errorf("reconcile: plan: this credential may not read the tailnet's users, which Approve, ManageRoles and Offboard (--approve, --manage-roles, --offboard) act on: %s (users:read to plan, users to apply): %w", advice, err)
	}
	return fmt.Errorf("reconcile: plan: this credential may not read the tailnet's users, which a plan needs to know who has joined: %s; or plan from the open invites alone with PlanOptions.WithoutUsers (tsinvites plan --no-users): %w", advice, err)
}

// cancelledBy reports whether err is only the cancellation of ctx that fetch made after
// the other list failed with other.
func cancelledBy(err error, ctx context.Context, other error) bool {
	return other != nil && errors.Is(err, context.Canceled) && context.Cause(ctx) == context.Canceled && !errors.Is(other, context.Canceled)
}
