package reconcile

import (
	"context"
	"errors"
	"net/http"

	"github.com/tsinvites/tsinvites"
)

// applyUsers makes the changes to users (indices into the plan's changes). A set-role
// comes first, and is the condition of the approve or restore of the same user, which
// gives access: when the role is not changed, the person is not let in with the role
// the list does not give them. The other changes go with the set-roles.
func (a *applier) applyUsers(ctx context.Context, users []int) {
	roleOf := map[string]int{} // user ID → its set-role
	for _, i := range users {
		if a.changes[i].Action == ActionSetRole {
			roleOf[a.changes[i].UserID] = i
		}
	}
	var first, then []int
	for _, i := range users {
		if _, ok := roleOf[a.changes[i].UserID]; ok && givesAccess(a.changes[i].Action) {
			then = append(then, i)
		} else {
			first = append(first, i)
		}
	}
	a.run(ctx, first, a.applyUser)
	var ready []int
	for _, i := range then {
		role := a.res.Results[roleOf[a.changes[i].UserID]]
		if role.Status == StatusDone {
			ready = append(ready, i)
			continue
		}
		if role.Status == StatusNotAttempted && role.Err == nil {
			continue // the context ended: not started either
		}
		a.res.Results[i].Err = changeError(nil, "not attempted: it gives access, and the change of role before it (%s → %s) is %s", role.OldRole, role.Role, role.Status)
	}
	a.run(ctx, ready, a.applyUser)
}

// givesAccess reports whether a lets a user in: an approve or a restore.
func givesAccess(a Action) bool { return a == ActionApprove || a == ActionRestore }

// applyUser makes change i, to a user, and returns the call's error.
func (a *applier) applyUser(ctx context.Context, i int) error {
	a.mu.Lock()
	r := a.res.Results[i]
	a.mu.Unlock()
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
	switch {
	case err == nil:
		r.Status = StatusDone
	case mayHaveActed(err):
		r.Status, r.Err = StatusUnknown, changeError(err, "may have been done (its answer was lost): NewPlan again to see")
	default:
		r.Status, r.Err = StatusFailed, err
	}
	a.finish(i, r)
	return err
}

// mayHaveActed reports whether a change to a user that failed with err may have been
// made all the same: unless the API answered that it did not act (a 4xx, such as 403,
// 404, 409 or 429) or the input was refused before sending, the server may have acted
// and its answer been lost (a dropped connection, a timeout, a 5xx).
func mayHaveActed(err error) bool {
	var apiErr *tsinvites.APIError
	switch {
	case errors.Is(err, tsinvites.ErrInvalidInput):
		return false
	case errors.As(err, &apiErr):
		return apiErr.StatusCode >= http.StatusInternalServerError
	}
	return true
}
