package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// invalid is the error for input refused before anything is sent: it matches
// tsinvites.ErrInvalidInput.
func invalid(verb, format string, args ...any) error {
	return fmt.Errorf("reconcile: %s: %w: %s", verb, tsinvites.ErrInvalidInput, fmt.Sprintf(format, args...))
}

// firstOf is where each email was first seen in a list, by its identity key (see
// emailKey): for the matching of NewPlan.
type firstOf map[string]int

// emailKey is the key by which email is compared with the others (identity.Key: ASCII
// letters without case, nothing trimmed); ok is false when email matches nobody (empty,
// or holding white space or an invisible character).
func emailKey(email string) (string, bool) { return identity.Key(email) }

// checkDesired checks the desired invites with tsinvites.ValidateList, the one input
// policy, and returns them with roles defaulted, and the index of each email's key in
// them; the error wraps the *tsinvites.InputError that lists every problem.
func checkDesired(desired []tsinvites.CreateUserInviteRequest) ([]tsinvites.CreateUserInviteRequest, firstOf, error) {
	if err := tsinvites.ValidateList(desired); err != nil {
		return nil, nil, fmt.Errorf("reconcile: plan: %w", err)
	}
	want := make([]tsinvites.CreateUserInviteRequest, len(desired))
	first := make(firstOf, len(desired))
	for i, d := range desired {
		if d.Role == "" {
			d.Role = tsinvites.UserRoleMember
		}
		want[i] = d
		key, _ := emailKey(d.Email)
		first[key] = i
	}
	return want, first, nil
}

// checkKeep checks the emails of PlanOptions.Keep with the rules of a list's emails
// (tsinvites.ValidateList): `bo\u200bb@example.com`, "Bob <bob@example.com>" and
// "mailto:bob@example.com" are refused. The error is the reason alone, naming every
// entry at fault.
func checkKeep(keep []string) error {
	list := make([]tsinvites.CreateUserInviteRequest, len(keep))
	for i, k := range keep {
		list[i].Email = k
	}
	var inErr *tsinvites.InputError
	if err := tsinvites.ValidateList(list); !errors.As(err, &inErr) {
		return err
	}
	msgs := make([]string, len(inErr.Problems))
	for i, p := range inErr.Problems {
		msgs[i] = fmt.Sprintf("entry %d: %s", p.Index+1, p.Reason)
	}
	return fmt.Errorf("option Keep: %s", strings.Join(msgs, "; "))
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
	if err := checkShareChanges(c, plan); err != nil {
		return err
	}
	var creates []tsinvites.CreateUserInviteRequest
	var at []int // the change of each create
	for i, ch := range plan.Changes {
		if err := checkChange(i, ch); err != nil {
			return err
		}
		if makesInvite(ch.Action) && ch.DeviceID == "" {
			creates, at = append(creates, tsinvites.CreateUserInviteRequest{Email: ch.Email, Role: ch.Role}), append(at, i)
		}
	}
	// The creates' emails and roles, by the one input policy (a create may have no
	// email: an invite to share by hand).
	if err := createsError(plan, creates, at); err != nil {
		return err
	}
	return checkGuards(plan)
}

// createsError is why creates (the creates of plan's changes at) are refused by the
// one input policy, or nil.
func createsError(plan *Plan, creates []tsinvites.CreateUserInviteRequest, at []int) error {
	var inErr *tsinvites.InputError
	if err := tsinvites.ValidateInvites(creates); errors.As(err, &inErr) {
		p := inErr.Problems[0]
		if p.First >= 0 {
			return fmt.Errorf("changes %d and %d both create an invite for %s", at[p.First]+1, at[p.Index]+1, textsafe.Quote(p.Email, 64))
		}
		return fmt.Errorf("change %d (%s): %s", at[p.Index]+1, plan.Changes[at[p.Index]].Action, p.Reason)
	}
	return nil
}

// checkChange checks change i of a plan, except the email and role of a create, which
// checkPlan checks for all creates at once.
func checkChange(i int, ch Change) error {
	switch ch.Action {
	case ActionApprove, ActionSetRole, ActionSuspend, ActionRestore:
		return checkUserChange(i, ch)
	case ActionCreate, ActionRecreate:
		if ch.DeviceID != "" {
			break // checked by checkShareChanges
		}
		// A create may have no email (an invite to share by hand); a recreate has one.
		if ch.Email == "" && ch.Action == ActionRecreate || ch.Role == "" {
			return fmt.Errorf("change %d (%s): want an email (a recreate has one) and a role", i+1, ch.Action)
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
