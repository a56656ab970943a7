package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/words"
)

// invalid is the error for input refused before anything is sent: it matches
// tsinvites.ErrInvalidInput.
func invalid(verb, format string, args ...any) error {
	return fmt.Errorf("reconcile: %s: %w: %s", verb, tsinvites.ErrInvalidInput, fmt.Sprintf(format, args...))
}

// firstOf remembers where each email (by words.EmailKey) was first seen, for the
// duplicate checks of NewPlan and Apply.
type firstOf map[string]int

// seen reports the position where email was first seen and true, or records i as its
// first and returns false. An empty email is never a duplicate.
func (f firstOf) seen(email string, i int) (int, bool) {
	if email == "" {
		return 0, false
	}
	key := words.EmailKey(email)
	if j, dup := f[key]; dup {
		return j, true
	}
	f[key] = i
	return 0, false
}

// checkDesired checks the desired invites and returns them with emails trimmed and
// roles defaulted, and the index of each email's key in them; the error lists every
// problem.
func checkDesired(desired []tsinvites.CreateUserInviteRequest) ([]tsinvites.CreateUserInviteRequest, firstOf, error) {
	want := make([]tsinvites.CreateUserInviteRequest, len(desired))
	first := make(firstOf, len(desired))
	var problems []string
	for i, d := range desired {
		d.Email = strings.TrimSpace(d.Email)
		if d.Role == "" {
			d.Role = tsinvites.UserRoleMember
		}
		want[i] = d
		switch err := d.Validate(); {
		case d.Email == "":
			problems = append(problems, fmt.Sprintf("invite %d has no email", i+1))
		case err != nil:
			problems = append(problems, fmt.Sprintf("invite %d: %v", i+1, err))
		default:
			if j, dup := first.seen(d.Email, i); dup {
				problems = append(problems, fmt.Sprintf("invites %d and %d are both for %q", j+1, i+1, d.Email))
			}
		}
	}
	if len(problems) > 0 {
		const shown = 10
		if len(problems) > shown {
			problems = append(problems[:shown], fmt.Sprintf("and %d more", len(problems)-shown))
		}
		return nil, nil, invalid("plan", "%s", strings.Join(problems, "; "))
	}
	return want, first, nil
}

// checkPlan refuses a plan that Apply cannot make safely with client c, or options out
// of range; the error is the reason alone.
func checkPlan(ctx context.Context, c Client, plan *Plan, opts ApplyOptions) error {
	switch {
	case noClient(c):
		return errors.New("no client given")
	case ctx == nil:
		return errors.New("nil context")
	case plan == nil:
		return errors.New("no plan given")
	}
	if err := opts.check(); err != nil {
		return err
	}
	if err := plan.Options.check(); err != nil {
		return err
	}
	if plan.Tailnet != "" && !strings.EqualFold(plan.Tailnet, c.Tailnet()) {
		return fmt.Errorf("the plan is for tailnet %q, the client for %q", plan.Tailnet, c.Tailnet())
	}
	creating := firstOf{}
	for i, ch := range plan.Changes {
		if err := checkChange(i, ch, creating); err != nil {
			return err
		}
	}
	return checkGuards(plan)
}

// checkChange checks change i of a plan; creating has the emails created so far.
func checkChange(i int, ch Change, creating firstOf) error {
	switch ch.Action {
	case ActionApprove, ActionSetRole, ActionSuspend, ActionRestore:
		return checkUserChange(i, ch)
	case ActionCreate, ActionRecreate:
		req := tsinvites.CreateUserInviteRequest{Email: ch.Email, Role: ch.Role}
		// A create may have no email (an invite to share by hand); a recreate has one.
		if err := req.Validate(); err != nil {
			return fmt.Errorf("change %d (%s): %v", i+1, ch.Action, err)
		}
		if ch.Email == "" && ch.Action == ActionRecreate || ch.Role == "" {
			return fmt.Errorf("change %d (%s): want an email (a recreate has one) and a role", i+1, ch.Action)
		}
		if j, dup := creating.seen(ch.Email, i); dup {
			return fmt.Errorf("changes %d and %d both create an invite for %q", j+1, i+1, ch.Email)
		}
	case ActionResend, ActionDelete:
	case ActionUnchanged:
		return fmt.Errorf("change %d: unchanged invites belong in Unchanged, not Changes", i+1)
	default:
		return fmt.Errorf("change %d: unknown action %q", i+1, ch.Action)
	}
	if ch.Action != ActionCreate {
		if err := tsinvites.ValidateInviteID(ch.InviteID); err != nil {
			return fmt.Errorf("change %d (%s): %v", i+1, ch.Action, err)
		}
	}
	return nil
}
