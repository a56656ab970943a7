package reconcile

import (
	"context"
	"sync"

	"github.com/tsinvites/tsinvites"
)

// runUsers makes the changes to users (indices into the plan's changes),
// opts.Concurrency at a time. When the context ends, the changes not started are left
// not attempted.
func (a *applier) runUsers(ctx context.Context, idx []int) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(a.opts.Concurrency, len(idx)) {
		wg.Go(func() {
			for i := range work {
				a.finish(i, a.applyUser(ctx, a.res.Results[i]))
			}
		})
	}
feed:
	for _, i := range idx {
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// applyUser makes one change to a user. The result it is given is not shared while it
// runs.
func (a *applier) applyUser(ctx context.Context, r ChangeResult) ChangeResult {
	if ctx.Err() != nil { // the feeder and ctx.Done raced: not started
		return r
	}
	var err error
	switch r.Action {
	case ActionApprove:
		err = a.c.ApproveUser(ctx, r.UserID)
	case ActionSetRole:
		err = a.c.SetUserRole(ctx, r.UserID, tsinvites.TailnetRole(r.Role))
	case ActionSuspend:
		err = a.c.SuspendUser(ctx, r.UserID)
	case ActionRestore:
		err = a.c.RestoreUser(ctx, r.UserID)
	}
	if err != nil {
		r.Status, r.Err = StatusFailed, err
	} else {
		r.Status = StatusDone
	}
	return r
}
