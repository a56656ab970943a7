package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tsinvites/tsinvites"
)

// makesInvite reports whether a makes a new invite: a create or a recreate, which
// Apply sends in create calls.
func makesInvite(a Action) bool { return a == ActionCreate || a == ActionRecreate }

// runCreates makes the creates and recreates (indices into the plan's changes), in
// batches, as many create calls in flight as the pool allows. A batch is sent once:
// whatever becomes of it, it is never sent again. With StopAfterFailedBatch no batch
// starts after one failed.
func (a *applier) runCreates(ctx context.Context, creates []int) {
	runCreateBatches(ctx, a, slices.Collect(slices.Chunk(creates, a.opts.BatchSize)), a.userCreates(), func(b int) error {
		return changeError(nil, "not attempted after create batch %d failed", b+1)
	})
}

// userCreates is the create call of user invites, [Client.Create].
func (a *applier) userCreates() createCall[tsinvites.UserInvite] {
	return createCall[tsinvites.UserInvite]{
		send: func(ctx context.Context, idx []int) ([]tsinvites.UserInvite, error) {
			reqs := make([]tsinvites.CreateUserInviteRequest, len(idx))
			for j, i := range idx {
				reqs[j] = tsinvites.CreateUserInviteRequest{Email: a.changes[i].Email, Role: a.changes[i].Role}
			}
			return a.c.Create(ctx, reqs...)
		},
		unpaired: tsinvites.UnpairedInvites,
		keep:     &a.res.Unpaired,
		result:   createdResult,
	}
}

// createCall is one kind of create call, of user invites or of a device's shares: what
// [runCreateBatches] and [createBatch] need to send it and record what became of it.
type createCall[I any] struct {
	// send makes one call for the changes idx; its answer's [j] is idx[j]'s invite, or
	// zero.
	send func(ctx context.Context, idx []int) ([]I, error)
	// unpaired are the invites of the call's answer, from its error, that no change
	// could be paired with; keep is where the Result holds them.
	unpaired func(error) []I
	keep     *[]I
	// result is what became of a change r given its invite and the call's error.
	result func(r ChangeResult, inv I, err error) ChangeResult
}

// runCreateBatches sends the batches (each indices into the plan's changes) with k, as
// many calls in flight as the pool allows, each once. With StopAfterFailedBatch no
// batch starts after batch b failed, and those left say stopped(b); the batches not
// started are left with the reason.
func runCreateBatches[I any](ctx context.Context, a *applier, batches [][]int, k createCall[I], stopped func(b int) error) {
	var stop func(int, error) error
	if a.opts.StopAfterFailedBatch {
		stop = func(b int, _ error) error { return stopped(b) }
	}
	next, why := a.pool.RunUntil(ctx, len(batches), func(ctx context.Context, b int) error {
		return createBatch(ctx, a, batches[b], k)
	}, stop)
	for _, b := range batches[next:] {
		a.leave(b, notStarted(ctx, why))
	}
}

// createBatch makes one create call (k) for the changes idx and records their results.
// It returns the call's error when the batch failed or may have, or when its answer had
// invites no change asked for (nil when every invite of it was made as asked, and no
// other).
func createBatch[I any](ctx context.Context, a *applier, idx []int, k createCall[I]) error {
	created, err := k.send(ctx, idx) // created[j] is idx[j]'s invite, or zero
	var batchErr error
	if unpaired := k.unpaired(err); len(unpaired) > 0 {
		a.mu.Lock()
		*k.keep = append(*k.keep, unpaired...)
		a.mu.Unlock()
		batchErr = err
	}
	for j, i := range idx {
		var inv I
		if j < len(created) {
			inv = created[j]
		}
		r := k.result(ChangeResult{Change: a.changes[i]}, inv, err)
		if r.Status == StatusDone && r.Action == ActionRecreate { // its old invite goes later
			a.mu.Lock()
			a.res.Results[i] = r
			a.later = append(a.later, i)
			a.mu.Unlock()
			continue
		}
		if r.Status != StatusDone {
			batchErr = cmp.Or(batchErr, r.Err)
		}
		a.finish(i, r)
	}
	return batchErr
}

// createdResult is what became of a create or recreate r given inv, the invite the
// create call's answer paired with it (zero for none), and the call's error.
func createdResult(r ChangeResult, inv tsinvites.UserInvite, err error) ChangeResult {
	var wrong string
	if inv.Role != r.Role {
		wrong = fmt.Sprintf("the API made invite %s with role %s where %s was asked for: it exists, with the wrong role", inv.ID, inv.Role, r.Role)
	}
	if r = madeResult(r, inv.ID, wrong, err); r.NewInviteID != "" {
		r.Invite = &inv
	}
	return r
}

// madeResult is what became of a create or recreate r given id, the ID of the invite
// (of either kind) the create call's answer paired with it ("" for none), wrong, how
// that invite is not as asked ("" when it is), and the call's error. NewInviteID is set
// when the invite is r's new one, done or not as asked.
func madeResult(r ChangeResult, id, wrong string, err error) ChangeResult {
	ok := id != ""
	switch {
	case ok && r.Action == ActionRecreate && id == r.InviteID: // never delete it
		r.Status, r.Err = StatusFailed, changeError(nil, "the API answered the create for %q with the invite to replace, %s", r.Email, id)
	case ok && wrong != "": // made, but not as asked: not done
		if r.Action == ActionRecreate {
			wrong += fmt.Sprintf("; the invite it was to replace, %s, is kept", r.InviteID)
		}
		r.Status, r.NewInviteID, r.Err = StatusFailed, id, changeError(nil, "%s", wrong)
	case ok:
		r.Status, r.NewInviteID = StatusDone, id
	case errors.Is(err, tsinvites.ErrMayHaveCreated):
		r.Status, r.Err = StatusUnknown, err
	case err != nil:
		r.Status, r.Err = StatusFailed, err
	default:
		r.Status, r.Err = StatusUnknown, changeError(nil, "the API's answer has no invite for %q", r.Email)
	}
	return r
}
