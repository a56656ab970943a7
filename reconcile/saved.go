package reconcile

// Saved plans: a plan written as JSON (tsinvites plan -o json), reviewed, and applied
// later (tsinvites apply --plan FILE). Read back, a plan is marked saved; Apply re-reads
// the tailnet once for it and skips each change whose starting point is gone.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// ReadPlan reads a plan from its JSON form, as json.Marshal of a [Plan] (and
// `tsinvites plan -o json`) writes it; a field it does not know, a second value after
// the plan, or options out of range are an error. [Apply] of the plan re-reads the
// tailnet first and skips what changed since (see [Apply]). The same holds for a plan
// read with json.Unmarshal.
func ReadPlan(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("reconcile: read plan: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("reconcile: read plan: more after the plan's JSON object")
	}
	if err := p.Options.check(); err != nil {
		return nil, fmt.Errorf("reconcile: read plan: %w: %v", tsinvites.ErrInvalidInput, err)
	}
	return &p, nil
}

// planJSON is a Plan without its methods, for UnmarshalJSON.
type planJSON Plan

// UnmarshalJSON reads a plan's JSON form, refusing fields it does not know, and marks
// the plan saved: Apply re-reads the tailnet for it.
func (p *Plan) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var q planJSON
	if err := dec.Decode(&q); err != nil {
		return err
	}
	*p = Plan(q)
	p.saved = true
	return nil
}

// recheck re-reads the tailnet for a saved plan (invites and users at the same time)
// and marks [StatusSkipped], with the reason, every change whose starting point is no
// longer what the plan saw: a second Apply of the same plan changes nothing.
func (a *applier) recheck(ctx context.Context, plan *Plan) error {
	withoutUsers := plan.Options.WithoutUsers
	invites := false // the plan has changes to user invites or users
	for _, ch := range plan.Changes {
		withoutUsers = withoutUsers && !isUserAction(ch.Action)
		invites = invites || ch.DeviceID == ""
	}
	if !invites && (len(plan.Changes) > 0 || plan.DeviceShares) {
		return nil // a plan of shares alone: recheckShares re-reads what it needs
	}
	open, users, err := fetch(ctx, a.c, withoutUsers)
	if err != nil {
		return fmt.Errorf("reconcile: apply: re-reading the tailnet for a saved plan: %w", err)
	}
	now := tailnetNow{invites: map[string]tsinvites.UserInvite{}, users: map[string]tsinvites.User{}, guards: reReadGuards(plan.Options, time.Now())}
	for _, inv := range open {
		now.invites[inv.ID] = inv
	}
	for _, u := range users {
		if isMember(u) && u.ID != "" {
			now.users[u.ID] = u
		}
	}
	skip := a.recheckCreates(plan.Changes, open, users)
	for i, ch := range plan.Changes {
		if ch.DeviceID != "" {
			continue // recheckShares' business
		}
		why := skip[i]
		if why == "" {
			why = now.changed(ch)
		}
		if why != "" {
			a.res.Results[i].Status, a.res.Results[i].Err = StatusSkipped, changeError(nil, "skipped: %s", why)
		}
	}
	return nil
}

// recheckCreates says, by change index, why a create or recreate of changes is to be
// skipped: its person has joined, or an invite for them is open already (with the role
// a recreate wants). It matches emails as NewPlan does.
func (a *applier) recheckCreates(changes []Change, open []tsinvites.UserInvite, users []tsinvites.User) map[int]string {
	var (
		want  []tsinvites.CreateUserInviteRequest
		at    []int // change index of want[k]
		index = firstOf{}
	)
	for i, ch := range changes {
		if makesInvite(ch.Action) && ch.Email != "" && ch.DeviceID == "" {
			if key, ok := emailKey(ch.Email); ok {
				index[key] = len(want)
			}
			want, at = append(want, tsinvites.CreateUserInviteRequest{Email: ch.Email, Role: ch.Role}), append(at, i)
		}
	}
	m := newMatch(want, index, open, users)
	skip := map[int]string{}
	for k, i := range at {
		ch := changes[i]
		if u := m.user[k]; u >= 0 {
			skip[i] = fmt.Sprintf("%s has joined the tailnet since the plan (user %s)", ch.Email, users[u].ID)
			continue
		}
		for o := m.first[k]; o >= 0; o = m.next[o] {
			inv := open[o]
			switch {
			case ch.Action == ActionCreate:
				skip[i] = fmt.Sprintf("an invite for %s is open already (invite %s, %s)", ch.Email, inv.ID, inv.Role)
			case inv.ID != ch.InviteID && inv.Role == ch.Role:
				skip[i] = fmt.Sprintf("an invite for %s with role %s is open already (invite %s)", ch.Email, ch.Role, inv.ID)
			}
		}
	}
	return skip
}

// tailnetNow is the tailnet as Apply re-read it: open invites and member users by ID,
// and the guards of the plan's options, asked of the users as re-read.
type tailnetNow struct {
	invites map[string]tsinvites.UserInvite
	users   map[string]tsinvites.User
	guards  guards
}

// reReadGuards are the guards of opts for the users as Apply re-reads them at time
// applied. The grace period counts back from the earlier of the plan's Now and applied
// (applied alone when the plan has no Now): a member who joined within OffboardGrace
// of either is not suspended, so that a plan's time edited into the future, or a plan
// applied long after, cannot lift the guard from someone who joined since.
func reReadGuards(opts PlanOptions, applied time.Time) guards {
	if opts.Now.IsZero() || applied.Before(opts.Now) {
		opts.Now = applied
	}
	return guards{opts: opts, keep: keepKeys(opts.Keep)}
}

// changed says how the starting point of ch is not what the plan saw ("" when it is).
func (t tailnetNow) changed(ch Change) string {
	switch ch.Action {
	case ActionRecreate, ActionResend, ActionDelete:
		inv, ok := t.invites[ch.InviteID]
		switch {
		case !ok:
			return fmt.Sprintf("invite %s is no longer open", ch.InviteID)
		case ch.Action == ActionRecreate && inv.Role != ch.OldRole:
			return fmt.Sprintf("invite %s has role %s now, not %s as the plan saw", ch.InviteID, inv.Role, ch.OldRole)
		case ch.Action == ActionResend && !inv.LastEmailSentAt.Equal(ch.LastEmailSentAt):
			return fmt.Sprintf("invite %s was emailed since the plan (%s)", ch.InviteID, lastEmailed(inv.LastEmailSentAt))
		}
	case ActionApprove, ActionSetRole, ActionSuspend, ActionRestore:
		return t.userChanged(ch)
	}
	return ""
}

// userChanged says how the user of ch, a change to a user, is not as the plan saw, or
// which guard of the plan's options holds ch back, asked of the user as re-read, not of
// the change's own fields: a plan's JSON may pair one user's ID with another's email.
func (t tailnetNow) userChanged(ch Change) string {
	u, ok := t.users[ch.UserID]
	was := ch.Role // the role the plan saw
	if ch.Action == ActionSetRole {
		was = ch.OldRole
	}
	switch {
	case !ok:
		return fmt.Sprintf("user %s is no longer a member of the tailnet", ch.UserID)
	case !sameLogin(u.LoginName, ch.Email):
		return fmt.Sprintf("user %s has login name %s now, not %s as the plan says", ch.UserID, textsafe.Escape(u.LoginName), textsafe.Escape(ch.Email))
	case isOwner(u):
		return fmt.Sprintf("user %s is the owner, whom no plan changes", ch.UserID)
	case string(u.Role) != string(was):
		return fmt.Sprintf("user %s has role %s now, not %s as the plan saw", ch.UserID, u.Role, was)
	case ch.Action == ActionApprove && u.Status != tsinvites.UserStatusNeedsApproval,
		ch.Action == ActionRestore && u.Status != tsinvites.UserStatusSuspended,
		ch.Action == ActionSuspend && u.Status == tsinvites.UserStatusSuspended:
		return fmt.Sprintf("user %s is %s now", ch.UserID, u.Status)
	}
	return t.held(ch, u)
}

// held is why a guard of the plan's options holds ch back, asked of u, its user as
// re-read ("" when none does): the admin guard and Keep of a suspend or restore, the
// admin guard of a role taken away, the grace period of a suspend.
func (t tailnetNow) held(ch Change, u tsinvites.User) string {
	why := ""
	switch ch.Action {
	case ActionSetRole:
		why = t.guards.demotion(u)
	case ActionSuspend:
		why = t.guards.offboard(u, "suspended")
		if why == "" && t.guards.recent(u) {
			why = fmt.Sprintf("joined within OffboardGrace (%s): not suspended, check their login name", t.guards.grace())
		}
	case ActionRestore:
		why = t.guards.offboard(u, "restored")
	}
	if why == "" {
		return ""
	}
	return fmt.Sprintf("user %s %s", ch.UserID, why)
}

// sameLogin reports whether login, a user's login name, is email, the one a change
// names: by identity key; exactly when neither has a key (a login name with white
// space or an invisible character matches no listed person, but is still its own).
func sameLogin(login, email string) bool {
	lk, lok := emailKey(login)
	ek, eok := emailKey(email)
	if lok || eok {
		return lok && eok && lk == ek
	}
	return login == email
}
