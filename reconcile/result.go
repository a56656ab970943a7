package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// Status is the outcome of one change of [Apply].
type Status string

// The outcomes of a change.
const (
	StatusDone         Status = "done"
	StatusFailed       Status = "failed"        // not done, or (recreate) only half done: see Err
	StatusUnknown      Status = "unknown"       // may have been done: a create call, or a change to a user, that failed after it may have reached the API
	StatusNotAttempted Status = "not-attempted" // the context ended first, or no more creates were sent
	// StatusSkipped is a change of a saved plan that Apply did not make: the tailnet is
	// no longer as the plan saw it (Err says how); nothing was sent for it.
	StatusSkipped Status = "skipped"
)

// ChangeResult is what became of one change.
type ChangeResult struct {
	Change
	Status Status `json:"status"`
	// NewInviteID is the invite made by a create or recreate.
	NewInviteID string `json:"newInviteId,omitempty"`
	// Invite is the invite made by a create or recreate, with its InviteURL (a secret:
	// it is left out of the JSON form).
	Invite *tsinvites.UserInvite `json:"-"`
	// Error is Err's text.
	Error string `json:"error,omitempty"`
	// Err is why the change is not done: the client's error (such as a
	// [*tsinvites.APIError]), or a [*ChangeError] when Apply itself says why.
	Err error `json:"-"`
}

// String formats the result as its plan line, its status and, if not done, why; the
// invite URL is never shown.
func (r ChangeResult) String() string {
	s := r.Change.String() + ": " + string(r.Status)
	if r.NewInviteID != "" {
		s += ", new invite " + r.NewInviteID
	}
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	return s
}

// ChangeError is why a change is not done (or is half done) when Apply itself says so:
// not started, not sent after a failed batch, an answer without the invite, a recreate
// whose old invite was not deleted. Its text is "reconcile: apply: " and Reason, then
// Err's text when there is an Err.
type ChangeError struct {
	// Reason says what happened, for people, without the package prefix.
	Reason string
	// Err is the underlying error, if any (the context's, a delete's).
	Err error
}

// Error says why, with the package's prefix and the underlying error, if any.
func (e *ChangeError) Error() string {
	if e.Err == nil {
		return "reconcile: apply: " + e.Reason
	}
	return "reconcile: apply: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *ChangeError) Unwrap() error { return e.Err }

func changeError(err error, format string, args ...any) *ChangeError {
	return &ChangeError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// Result is the outcome of [Apply]: one result per change of the plan, in the plan's
// order.
type Result struct {
	Results []ChangeResult `json:"results"`
	// Unpaired are the invites the API's create answers held that no change could be
	// paired with (more invites than asked for, one ID given to two people): they may
	// exist, and one without email is a live invite URL, so Apply's error names them
	// (by ID) when there are any. They are left out of the JSON form, for their URLs.
	Unpaired []tsinvites.UserInvite `json:"-"`
}

// Count returns the number of changes with the status.
func (r *Result) Count(s Status) int {
	if r == nil {
		return 0
	}
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// applyError sums up the results that are not done, and fills in their Error texts.
func applyError(ctx context.Context, res *Result) error {
	var first error // of the first change that failed or is unknown
	for i := range res.Results {
		r := &res.Results[i]
		if r.Status == StatusNotAttempted && r.Err == nil {
			r.Err = changeError(cmp.Or(ctx.Err(), context.Canceled), "not started")
		}
		if r.Err != nil {
			r.Error = r.Err.Error()
		}
		if r.Status == StatusFailed || r.Status == StatusUnknown {
			first = cmp.Or(first, r.Err)
		}
	}
	done, skipped := res.Count(StatusDone), res.Count(StatusSkipped)
	if done+skipped == len(res.Results) {
		return unpairedError(res.Unpaired)
	}
	summary := fmt.Sprintf("reconcile: apply: %d of %s done, %d failed, %d unknown (may have been done), %d not attempted",
		done, textsafe.Plural(len(res.Results), "change", "changes"), res.Count(StatusFailed), res.Count(StatusUnknown), res.Count(StatusNotAttempted))
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped (changed since the plan)", skipped)
	}
	summary += "; NewPlan and Apply again to finish"
	if len(res.Unpaired) > 0 {
		summary += "; " + unpairedText(res.Unpaired)
	}
	switch {
	case ctx.Err() != nil && first != nil:
		return fmt.Errorf("%s: %w; first failure: %w", summary, ctx.Err(), first)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", summary, ctx.Err())
	case first == nil: // a failed or rate-limited batch left changes not attempted
		for _, r := range res.Results {
			first = cmp.Or(first, r.Err)
		}
		if first == nil {
			return errors.New(summary)
		}
	}
	return fmt.Errorf("%s: %w", summary, first)
}

// unpairedError names the invites no change was paired with, or is nil when there are
// none.
func unpairedError(unpaired []tsinvites.UserInvite) error {
	if len(unpaired) == 0 {
		return nil
	}
	return errors.New("reconcile: apply: " + unpairedText(unpaired))
}

// unpairedText names the invites no change was paired with.
func unpairedText(unpaired []tsinvites.UserInvite) string {
	ids := make([]string, len(unpaired))
	for i, inv := range unpaired {
		ids[i] = fmt.Sprintf("%q for %q", inv.ID, inv.Email)
		if inv.Email == "" {
			ids[i] = fmt.Sprintf("%q (no email)", inv.ID)
		}
	}
	return fmt.Sprintf("the API's create answers held %s that no change asked for: %s; they may exist (list them, then share or delete them)",
		textsafe.Plural(len(unpaired), "invite", "invites"), strings.Join(ids, ", "))
}
