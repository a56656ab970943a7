package reconcile

import (
	"cmp"
	"context"
	"errors"
	"sync"

	"github.com/tsinvites/tsinvites"
)

// runCreates makes the creates and recreates (indices into the plan's changes), in
// batches, up to the limiter's number of create calls in flight. A batch is sent once:
// whatever becomes of it, it is never sent again.
func (a *applier) runCreates(ctx context.Context, creates []int) {
	lim := newLimiter(a.opts.Concurrency)
	var (
		wg     sync.WaitGroup
		failed int // the first batch that failed, from 1; guarded by a.mu
	)
	for start := 0; start < len(creates); start += a.opts.BatchSize {
		batch := start/a.opts.BatchSize + 1
		idx := creates[start:min(start+a.opts.BatchSize, len(creates))]
		epoch, ok, why := lim.acquire(ctx)
		a.mu.Lock()
		if ok && a.opts.StopAfterFailedBatch && failed > 0 {
			ok, why = false, changeError(nil, "not attempted after create batch %d failed", failed)
			lim.unacquire()
		}
		a.mu.Unlock()
		if !ok {
			a.leaveUnsent(creates[start:], why)
			break
		}
		wg.Go(func() {
			err := a.createBatch(ctx, idx)
			if err != nil {
				a.mu.Lock()
				failed = cmp.Or(failed, batch)
				a.mu.Unlock()
			}
			lim.release(epoch, err)
		})
	}
	wg.Wait()
}

// leaveUnsent marks the creates not sent with why (nil: the context ended, which
// applyError says).
func (a *applier) leaveUnsent(idx []int, why error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, i := range idx {
		a.res.Results[i].Err = why
	}
}

// createBatch makes one create call for the changes idx and records their results. It
// returns the call's error when the batch failed or may have (nil when every invite of
// it was made).
func (a *applier) createBatch(ctx context.Context, idx []int) error {
	reqs := make([]tsinvites.CreateUserInviteRequest, len(idx))
	for j, i := range idx {
		reqs[j] = tsinvites.CreateUserInviteRequest{Email: a.changes[i].Email, Role: a.changes[i].Role}
	}
	created, err := a.c.Create(ctx, reqs...) // created[j] is reqs[j]'s invite, or zero
	var batchErr error
	for j, i := range idx {
		r := ChangeResult{Change: a.changes[i]}
		var inv tsinvites.UserInvite
		if j < len(created) {
			inv = created[j]
		}
		switch ok := inv.ID != ""; {
		case ok && r.Action == ActionRecreate && inv.ID == r.InviteID: // never delete it
			r.Status, r.Err = StatusFailed, changeError(nil, "the API answered the create for %q with the invite to replace, %s", r.Email, inv.ID)
		case ok:
			r.Status, r.NewInviteID, r.Invite = StatusDone, inv.ID, &inv
			if r.Action == ActionRecreate { // its old invite goes later
				a.mu.Lock()
				a.res.Results[i] = r
				a.later = append(a.later, i)
				a.mu.Unlock()
				continue
			}
		case errors.Is(err, tsinvites.ErrMayHaveCreated):
			r.Status, r.Err = StatusUnknown, err
		case err != nil:
			r.Status, r.Err = StatusFailed, err
		default:
			r.Status, r.Err = StatusUnknown, changeError(nil, "the API's answer has no invite for %q", r.Email)
		}
		if r.Status != StatusDone {
			batchErr = cmp.Or(batchErr, r.Err)
		}
		a.finish(i, r)
	}
	return batchErr
}
