package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/tsinvites/tsinvites"
)

// runCreates makes the creates and recreates (indices into the plan's changes), in
// batches, as many create calls in flight as the pool allows. A batch is sent once:
// whatever becomes of it, it is never sent again. With StopAfterFailedBatch no batch
// starts after one failed.
func (a *applier) runCreates(ctx context.Context, creates []int) {
	size := a.opts.BatchSize
	batches := (len(creates) + size - 1) / size
	batch := func(b int) []int { return creates[b*size : min((b+1)*size, len(creates))] }
	var stop func(int, error) error
	if a.opts.StopAfterFailedBatch {
		stop = func(b int, _ error) error { return changeError(nil, "not attempted after create batch %d failed", b+1) }
	}
	next, why := a.pool.RunUntil(ctx, batches, func(ctx context.Context, b int) error {
		return a.createBatch(ctx, batch(b))
	}, stop)
	if next < batches {
		a.leave(creates[next*size:], notStarted(ctx, why))
	}
}

// createBatch makes one create call for the changes idx and records their results. It
// returns the call's error when the batch failed or may have, or when its answer had
// invites no change asked for (nil when every invite of it was made as asked, and no
// other).
func (a *applier) createBatch(ctx context.Context, idx []int) error {
	reqs := make([]tsinvites.CreateUserInviteRequest, len(idx))
	for j, i := range idx {
		reqs[j] = tsinvites.CreateUserInviteRequest{Email: a.changes[i].Email, Role: a.changes[i].Role}
	}
	created, err := a.c.Create(ctx, reqs...) // created[j] is reqs[j]'s invite, or zero
	var batchErr error
	if unpaired := tsinvites.UnpairedInvites(err); len(unpaired) > 0 {
		a.mu.Lock()
		a.res.Unpaired = append(a.res.Unpaired, unpaired...)
		a.mu.Unlock()
		batchErr = err
	}
	for j, i := range idx {
		var inv tsinvites.UserInvite
		if j < len(created) {
			inv = created[j]
		}
		r := createdResult(ChangeResult{Change: a.changes[i]}, inv, err)
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
	ok := inv.ID != ""
	switch {
	case ok && r.Action == ActionRecreate && inv.ID == r.InviteID: // never delete it
		r.Status, r.Err = StatusFailed, changeError(nil, "the API answered the create for %q with the invite to replace, %s", r.Email, inv.ID)
	case ok && inv.Role != r.Role: // made, but not as asked: not done
		why := fmt.Sprintf("the API made invite %s with role %s where %s was asked for: it exists, with the wrong role", inv.ID, inv.Role, r.Role)
		if r.Action == ActionRecreate {
			why += fmt.Sprintf("; the invite it was to replace, %s, is kept", r.InviteID)
		}
		r.Status, r.NewInviteID, r.Invite, r.Err = StatusFailed, inv.ID, &inv, changeError(nil, "%s", why)
	case ok:
		r.Status, r.NewInviteID, r.Invite = StatusDone, inv.ID, &inv
	case errors.Is(err, tsinvites.ErrMayHaveCreated):
		r.Status, r.Err = StatusUnknown, err
	case err != nil:
		r.Status, r.Err = StatusFailed, err
	default:
		r.Status, r.Err = StatusUnknown, changeError(nil, "the API's answer has no invite for %q", r.Email)
	}
	return r
}
