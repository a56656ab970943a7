package reconcile

import (
	"context"

	"github.com/tsinvites/tsinvites"
)

// applyUser makes one change to a user. The result it is given is not shared while it
// runs.
func (a *applier) applyUser(ctx context.Context, r ChangeResult) ChangeResult {
	if ctx.Err() != nil { // not started: left not attempted
		return r
	}
	var err error
	switch r.Action {
	case ActionApprove:
		err = a.c.ApproveUser(ctx, r.UserID)
	case ActionSetRole:
		err = a.c.SetUserRole(ctx, r.UserID, tsinvites.TailnetRoleOf(r.Role))
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
