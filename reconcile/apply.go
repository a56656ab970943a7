package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
)

// ApplyOptions says how [Apply] carries a plan out. The zero value gives the defaults
// below.
type ApplyOptions struct {
	// BatchSize is the number of invites per create call, 1 to MaxBatchSize (100);
	// zero means DefaultBatchSize (100). A plan of shares makes one call per device,
	// split at BatchSize.
	BatchSize int
	// Concurrency is the number of create calls in flight at once, and then of deletes
	// and resends, and then of changes to users, 1 to MaxConcurrency (64); zero means
	// DefaultConcurrency (4). After an answer of 429 (rate limited) fewer calls are in
	// flight, growing back one by one as calls succeed.
	Concurrency int
	// StopAfterFailedBatch makes Apply start no create call once one has failed (or may
	// have reached the API): the creates and recreates of the batches not yet sent are
	// [StatusNotAttempted]; the calls already in flight finish. Without it the later
	// batches are sent. Deletes and resends run either way.
	StopAfterFailedBatch bool
	// NotFoundFails makes a delete of an invite that does not exist (404) fail, rather
	// than count as done: for deletes of IDs a person gave, where a wrong ID is worth
	// reporting. A plan made by NewPlan wants the invite gone, however it went.
	NotFoundFails bool
	// Progress, when set, is called after each change Apply attempted, with its result
	// (not for changes left not attempted). Calls come one at a time, from Apply's
	// workers while they wait, so keep it quick.
	Progress func(ChangeResult)
}

// Defaults and limits of [ApplyOptions].
const (
	DefaultBatchSize   = 100
	DefaultConcurrency = 4
	MaxBatchSize       = 100
	MaxConcurrency     = 64 // the default HTTP client's connections per host
)

// check refuses options out of range; the error is the reason alone.
func (o ApplyOptions) check() error {
	switch {
	case o.BatchSize < 0 || o.BatchSize > MaxBatchSize:
		return fmt.Errorf("option BatchSize %d: want 1 to %d (0 for %d)", o.BatchSize, MaxBatchSize, DefaultBatchSize)
	case o.Concurrency < 0 || o.Concurrency > MaxConcurrency:
		return fmt.Errorf("option Concurrency %d: want 1 to %d (0 for %d)", o.Concurrency, MaxConcurrency, DefaultConcurrency)
	}
	return nil
}

// Apply makes the changes of plan with client c: first the creates and recreates, in
// create calls of up to opts.BatchSize invites, up to opts.Concurrency calls in flight;
// then the deletes, the resends and the deletes of the invites that recreates replaced,
// opts.Concurrency at a time. A recreate deletes the invite it replaces only after its
// new invite exists, so a failure in between leaves the person invited (twice, until the
// next NewPlan and Apply delete the old invite). A delete of an invite that is gone
// already (accepted or deleted since the plan) counts as done, unless opts.NotFoundFails.
//
// The changes to users (approve, set-role, suspend, restore) come last, after the
// invites', opts.Concurrency at a time; a set-role comes before, and is the condition
// of, the approve or restore of the same user (when it is not done, they are
// [StatusNotAttempted], saying why), so that nobody is let in with a role the list does
// not give. One the API refuses (a user-owned key acting on its own user, a tailnet on
// a Tailscale pricing plan without user suspension) fails with the API's error, and the
// others go on; one whose answer was lost (a dropped connection, a 5xx) is
// [StatusUnknown]: it may have been done.
//
// A plan read back from its JSON ([ReadPlan], json.Unmarshal: a saved plan, applied
// later) makes Apply re-read the tailnet first (the invites and the users, at the same
// time; a plan from NewPlan is applied without, at the round-trip floor): every change
// whose starting point is no longer what the plan saw is [StatusSkipped], with the
// reason, and nothing is sent for it: a create or recreate whose person has joined or
// has an open invite (with the role wanted) by now, an invite no longer open or emailed
// since, a user gone, with another role or status than the plan saw, or whose ID now
// has another login name than the change's email; and for the users as re-read (not as
// the JSON names them) the owner, Keep, the admin guard and OffboardGrace (counted back
// from the earlier of the plan's Now and Apply's time) hold changes back. A second Apply
// of the same saved plan changes nothing. (A create without email, an invite to share
// by hand, is made again.) Whatever a plan's JSON says, every Apply keeps the plan's
// own guards (its options): changes to users only with the option that makes them,
// never the owner, a role other than member suspended, restored or taken away only
// with OffboardAdmins, never an email of Keep, and at most MaxOffboard changes of
// access (an [*OffboardCapError]).
//
// A plan may be built by hand, not only by NewPlan: a create without email makes an
// invite to share by hand (its InviteURL in the result), and deletes and resends of
// given IDs run as a plan's do. Its empty Tailnet means c's.
//
// A call answered 429 (after the client's own retries) fails its change (a create call:
// its batch), halves the calls in flight, and no new one starts before the answer's
// Retry-After has passed (1 s when it gives none); one that asks for more than the
// client's RetryPolicy().MaxRetryAfter, or for longer than the context has left, leaves
// every change not yet sent [StatusNotAttempted], saying how long the API asked to
// wait.
//
// A create answered with an invite of another role than the change's is
// [StatusFailed], though the invite exists (NewInviteID says which), and a recreate's
// old invite is then kept. Invites of an answer that no change could be paired with
// (more than asked for) are in the result's Unpaired, and make the error non-nil.
//
// The result has one entry per change. When the context ends, no new call is started
// and the changes not begun are [StatusNotAttempted]. A create batch that fails after it
// may have reached the API is [StatusUnknown], never sent again: NewPlan and Apply again
// to finish, which creates only what is still missing. A delete cut short by the context
// is [StatusFailed] though the API may have done it; the next plan sees which. The error
// is nil when every change is done and no invite is unpaired; otherwise it counts the
// outcomes, names the unpaired invites, and wraps the first failed or unknown change's
// error and the context's error, if it ended.
//
// The changes of a plan of device shares ([NewSharePlan]; changes with a DeviceID)
// are made alike, through the same pool and into the same Result: one
// CreateDeviceInvites call per device for its creates and recreates (split at
// opts.BatchSize), then DeleteDeviceInvite and ResendDeviceInvite. Such a plan needs c
// to be a [DeviceClient]; a saved one re-reads the invites of its devices and skips
// what changed since. Each share delete reads its invite first (GetDeviceInvite) and
// is [StatusSkipped] when it was accepted since the plan: a plan never deletes an
// accepted share, even one accepted while Apply waited.
//
// A nil client, a plan whose Tailnet is not c's
// (compared without case; "-" is whatever tailnet the credential belongs to, so the
// check cannot tell two credentials apart), invalid changes or options are refused
// before anything is sent, with an error matching [tsinvites.ErrInvalidInput].
func Apply(ctx context.Context, c Client, plan *Plan, opts ApplyOptions) (*Result, error) {
	var capErr *OffboardCapError
	if err := checkPlan(ctx, c, plan, opts); errors.As(err, &capErr) {
		return nil, capErr
	} else if err != nil {
		return nil, invalid("apply", "%v", err)
	}
	opts.BatchSize = cmp.Or(opts.BatchSize, DefaultBatchSize)
	opts.Concurrency = cmp.Or(opts.Concurrency, DefaultConcurrency)
	a := &applier{c: c, changes: plan.Changes, opts: opts, res: &Result{Results: make([]ChangeResult, len(plan.Changes))},
		pool: pool.New(opts.Concurrency, c.RetryPolicy().MaxRetryAfter)}
	for i, ch := range plan.Changes {
		a.res.Results[i] = ChangeResult{Change: ch, Status: StatusNotAttempted}
	}
	a.dc, _ = c.(DeviceClient) // checkPlan refused a plan of shares without it
	if plan.saved {
		if err := a.recheck(ctx, plan); err != nil {
			return nil, err
		}
		if err := a.recheckShares(ctx, plan); err != nil {
			return nil, err
		}
	}
	var creates, shares, users []int // indices into plan.Changes
	for i, ch := range plan.Changes {
		switch {
		case a.res.Results[i].Status == StatusSkipped:
		case makesInvite(ch.Action) && ch.DeviceID != "":
			shares = append(shares, i)
		case makesInvite(ch.Action):
			creates = append(creates, i)
		case isUserAction(ch.Action):
			users = append(users, i)
		default:
			a.later = append(a.later, i)
		}
	}
	a.runCreates(ctx, creates)
	a.runShareCreates(ctx, shares)
	a.run(ctx, a.later, a.applyOne) // deletes, resends, the old invites of recreates
	a.applyUsers(ctx, users)        // then the changes to users
	return a.res, applyError(ctx, a.res)
}

// applier is the state of one Apply.
type applier struct {
	c       Client
	dc      DeviceClient // c, for a plan of shares
	changes []Change
	opts    ApplyOptions
	pool    *pool.Pool // every call of this Apply: a 429's slowdown carries from one phase to the next
	mu      sync.Mutex // guards res.Results, later and Progress calls once workers run
	res     *Result
	later   []int // the deletes and resends, and the recreates whose delete is left
}

// finish records the result of change i and reports its progress.
func (a *applier) finish(i int, r ChangeResult) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Results[i] = r
	if a.opts.Progress != nil && r.Status != StatusNotAttempted {
		a.opts.Progress(r)
	}
}

// run makes the changes idx (indices into the plan's changes) with the pool: do makes
// change i, records its result and returns the call's error. The changes the pool did
// not start are left with the reason.
func (a *applier) run(ctx context.Context, idx []int, do func(ctx context.Context, i int) error) {
	next, why := a.pool.Run(ctx, len(idx), func(ctx context.Context, k int) error { return do(ctx, idx[k]) })
	a.leave(idx[next:], notStarted(ctx, why))
}

// leave records why (nil: the context ended, which applyError says) for the changes
// idx, never started; a recreate among them whose new invite exists failed half way.
func (a *applier) leave(idx []int, why error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, i := range idx {
		r := &a.res.Results[i]
		r.Err = why
		if r.Action == ActionRecreate && r.NewInviteID != "" {
			r.Status, r.Err = StatusFailed, changeError(cmp.Or(why, context.Canceled), "created invite %s, but deleting the invite it replaces, %s, was not started", r.NewInviteID, r.InviteID)
		}
	}
}

// notStarted is the reason for changes the pool did not start because of why: nil when
// the context ended (applyError says so), the wait when the API asked for too long.
func notStarted(ctx context.Context, why error) error {
	var wait *pool.WaitError
	switch {
	case why == nil || ctx.Err() != nil && errors.Is(why, ctx.Err()):
		return nil
	case errors.As(why, &wait) && wait.Deadline:
		return changeError(nil, "not attempted: the API asked to wait %s (rate limited), longer than the context has left", wait.Wait.Round(time.Second))
	case errors.As(why, &wait):
		return changeError(nil, "not attempted: the API asked to wait %s (rate limited)", wait.Wait)
	}
	return why
}

// applyOne makes change i, a delete or resend, or deletes the invite a done recreate
// replaced; it returns the call's error.
func (a *applier) applyOne(ctx context.Context, i int) error {
	a.mu.Lock()
	r := a.res.Results[i]
	a.mu.Unlock()
	var err error
	resend, del := a.c.Resend, a.c.Delete
	if r.DeviceID != "" {
		resend, del = a.dc.ResendDeviceInvite, a.deleteShare
	}
	switch r.Action {
	case ActionResend:
		err = resend(ctx, r.InviteID)
	case ActionDelete, ActionRecreate:
		if err = del(ctx, r.InviteID); tsinvites.IsNotFound(err) && (r.Action == ActionRecreate || !a.opts.NotFoundFails) {
			err = nil // gone already: what the plan wanted
		}
	}
	var accepted *acceptedError
	switch {
	case err == nil:
		r.Status = StatusDone
	case errors.As(err, &accepted):
		r.Status, r.Err, err = StatusSkipped, changeError(nil, "skipped: %v", accepted), nil
	case r.Action == ActionRecreate:
		r.Status, r.Err = StatusFailed, changeError(err, "created invite %s, but deleting the invite it replaces, %s, failed (NewPlan and Apply again to delete it)", r.NewInviteID, r.InviteID)
	default:
		r.Status, r.Err = StatusFailed, err
	}
	a.finish(i, r)
	return err
}
