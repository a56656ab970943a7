package reconcile

// From invite to member: the options of a plan that act on the tailnet's users once
// their invite is accepted (PlanOptions.Approve, ManageRoles and Offboard), each off by
// default. With them, NewPlan also plans
//
//	^ approve   a person of the list whose user awaits approval (needs-approval)
//	* set-role  a person of the list whose user has another role than the list gives
//	! suspend   a member of the tailnet who is not in the list
//	& restore   a suspended person of the list
//
// and Apply makes these changes after the invites'. The guards: users shared from
// other tailnets are never touched (NewPlan lists members only); the owner's role is
// never changed and nobody is made owner (the roles of an invite have no owner); a
// desired invite without a role (Role "") says nothing about a user's role; Offboard
// never suspends or restores the owner, a user whose role is not member (unless
// OffboardAdmins) or an email of Keep, and refuses to plan more than MaxOffboard
// suspensions (an *OffboardCapError), so that a truncated list cannot suspend half the
// tailnet.

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// DefaultMaxOffboard is the most suspensions a plan may make when
// [PlanOptions.MaxOffboard] is zero.
const DefaultMaxOffboard = 10

// OffboardCapError is [NewPlan]'s error when [PlanOptions.Offboard] would suspend more
// members than [PlanOptions.MaxOffboard] allows; nothing is planned. It matches
// [tsinvites.ErrInvalidInput] with [errors.Is].
type OffboardCapError struct {
	// Count is the number of members the plan would suspend; Max the cap.
	Count, Max int
}

// Error names the count, the cap and the ways out.
func (e *OffboardCapError) Error() string {
	return fmt.Sprintf("reconcile: plan: %s would be suspended, more than the %d that PlanOptions.MaxOffboard allows (tsinvites --max-offboard): check the list, name the people to keep (Keep), or raise MaxOffboard to %d",
		textsafe.Plural(e.Count, "member", "members"), e.Max, e.Count)
}

// Is reports whether target is [tsinvites.ErrInvalidInput].
func (e *OffboardCapError) Is(target error) bool { return target == tsinvites.ErrInvalidInput }

// onUsers reports whether the options plan changes to users.
func (o PlanOptions) onUsers() bool { return o.Approve || o.ManageRoles || o.Offboard }

// membersJSON is the JSON form of the options on users.
func (o PlanOptions) membersJSON() planMembersJSON {
	return planMembersJSON{Approve: o.Approve, ManageRoles: o.ManageRoles, Offboard: o.Offboard,
		OffboardAdmins: o.OffboardAdmins, Keep: o.Keep, MaxOffboard: o.MaxOffboard}
}

// setMembers sets the options on users from their JSON form.
func (o *PlanOptions) setMembers(j planMembersJSON) {
	o.Approve, o.ManageRoles, o.Offboard = j.Approve, j.ManageRoles, j.Offboard
	o.OffboardAdmins, o.Keep, o.MaxOffboard = j.OffboardAdmins, j.Keep, j.MaxOffboard
}

// checkMembers refuses options on users out of range; the error is the reason alone.
func (o PlanOptions) checkMembers() error {
	switch {
	case o.MaxOffboard < 0:
		return fmt.Errorf("option MaxOffboard %d is negative (0 means %d)", o.MaxOffboard, DefaultMaxOffboard)
	case o.WithoutUsers && o.onUsers():
		return errors.New("option WithoutUsers cannot go with Approve, ManageRoles or Offboard, which act on the users it does not read")
	}
	return checkKeep(o.Keep)
}

// isMember reports whether u is a user of the tailnet, not one shared from another.
func isMember(u tsinvites.User) bool { return u.Type == "" || u.Type == tsinvites.UserTypeMember }

// mayOffboard reports whether Offboard may suspend or restore u.
func (o PlanOptions) mayOffboard(u tsinvites.User, keep map[string]bool) bool {
	key, named := emailKey(u.LoginName)
	return isMember(u) && u.Role != tsinvites.TailnetRoleOwner &&
		(u.Role == tsinvites.TailnetRoleMember || o.OffboardAdmins) && !(named && keep[key])
}

// userChange is a change of action to user u, whose role it keeps.
func userChange(a Action, u tsinvites.User, reason string) Change {
	return Change{Action: a, Email: u.LoginName, Role: tsinvites.UserRoleOf(u.Role), UserID: u.ID, Reason: reason}
}

// planMembers adds the changes to users that opts ask for to p: approves, set-roles,
// suspends, restores. desired is the list as given (Role "": no role given), index its
// email keys.
func (m *match) planMembers(p *Plan, opts PlanOptions, desired []tsinvites.CreateUserInviteRequest, index firstOf) error {
	if !opts.onUsers() {
		return nil
	}
	keep := m.kept(p, opts)
	var approves, roles, restores []Change
	for d, ui := range m.user {
		if ui < 0 {
			continue
		}
		u := m.users[ui]
		if opts.Approve && u.Status == tsinvites.UserStatusNeedsApproval {
			approves = append(approves, userChange(ActionApprove, u, "awaits approval"))
		}
		if want := m.want[d].Role; opts.ManageRoles && desired[d].Role != "" && u.Role != tsinvites.TailnetRoleOwner && u.Role != tsinvites.TailnetRoleOf(want) {
			ch := userChange(ActionSetRole, u, "")
			ch.Role, ch.OldRole = want, tsinvites.UserRoleOf(u.Role)
			roles = append(roles, ch)
		}
		if opts.Offboard && u.Status == tsinvites.UserStatusSuspended && opts.mayOffboard(u, keep) {
			restores = append(restores, userChange(ActionRestore, u, "in the list, suspended"))
		}
	}
	suspends := m.suspensions(opts, keep, index)
	if most := cmp.Or(opts.MaxOffboard, DefaultMaxOffboard); len(suspends) > most {
		return &OffboardCapError{Count: len(suspends), Max: most}
	}
	p.Changes = append(append(append(append(p.Changes, approves...), roles...), suspends...), restores...)
	return nil
}

// suspensions are the suspends of Offboard: the members not in the list (index), not
// suspended already, that opts allow.
func (m *match) suspensions(opts PlanOptions, keep map[string]bool, index firstOf) []Change {
	var suspends []Change
	if !opts.Offboard {
		return nil
	}
	for ui, u := range m.users {
		key, named := emailKey(u.LoginName)
		if _, listed := index[key]; named && listed || m.nearUser[ui] || u.Status == tsinvites.UserStatusSuspended || !opts.mayOffboard(u, keep) {
			continue
		}
		suspends = append(suspends, userChange(ActionSuspend, u, "not in the list"))
	}
	return suspends
}

// isUserAction reports whether a is one of the actions on users.
func isUserAction(a Action) bool {
	return a == ActionApprove || a == ActionSetRole || a == ActionSuspend || a == ActionRestore
}

// checkUserChange checks change i, an action on a user: a valid user ID, a known role
// for a set-role, and never the owner.
func checkUserChange(i int, ch Change) error {
	if err := tsinvites.ValidateUserID(ch.UserID); err != nil {
		return fmt.Errorf("change %d (%s): %v", i+1, ch.Action, err)
	}
	owner := tsinvites.UserRoleOf(tsinvites.TailnetRoleOwner)
	switch {
	case ch.Role == owner || ch.OldRole == owner:
		return fmt.Errorf("change %d (%s): user %s: the owner is never changed, and nobody is made owner", i+1, ch.Action, ch.UserID)
	case ch.Action == ActionSetRole && ch.Role == "":
		return fmt.Errorf("change %d (set-role): no role", i+1)
	case ch.Action == ActionSetRole && !ch.Role.Valid():
		return fmt.Errorf("change %d (set-role): %v", i+1, tsinvites.CreateUserInviteRequest{Role: ch.Role}.Validate())
	}
	return nil
}

// membersSummary is the summary's part about users, such as "; 2 to approve, 1 to set
// role, 3 to suspend, 1 to restore": an action's count when its option is on or the
// plan has some; "" otherwise, so that plans without them read as before.
func (p *Plan) membersSummary() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, a := range []struct {
		action Action
		on     bool
		text   string
	}{
		{ActionApprove, p.Options.Approve, "to approve"},
		{ActionSetRole, p.Options.ManageRoles, "to set role"},
		{ActionSuspend, p.Options.Offboard, "to suspend"},
		{ActionRestore, p.Options.Offboard, "to restore"},
	} {
		if n := p.Count(a.action); a.on || n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, a.text))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// joinedLines are the lines of the joined people worth a look: another role, a status
// other than active, a redundant invite; what a change of the plan says already (a
// set-role, an approve or a restore of the user) is not said again.
func (p *Plan) joinedLines() []string {
	acted := map[[2]string]bool{} // {user ID, action}
	for _, ch := range p.Changes {
		if isUserAction(ch.Action) {
			acted[[2]string{ch.UserID, string(ch.Action)}] = true
		}
	}
	var lines []string
	for _, j := range p.Joined {
		did := func(a Action) bool { return acted[[2]string{j.UserID, string(a)}] }
		role := j.UserRole != tsinvites.TailnetRoleOf(j.Role) && !did(ActionSetRole)
		status := !j.active() && !did(ActionApprove) && !did(ActionRestore)
		if !role && !status && len(j.OpenInvites) == 0 {
			continue
		}
		note := ""
		switch {
		case !role:
		case !p.Options.ManageRoles:
			note = fmt.Sprintf("the list says %s; roles change only with ManageRoles (--manage-roles)", j.Role)
		case j.UserRole == tsinvites.TailnetRoleOwner:
			note = fmt.Sprintf("the list says %s; the owner's role is never changed", j.Role)
		default:
			note = "the list gives no role, so the user's role is kept"
		}
		lines = append(lines, j.line(note))
	}
	return lines
}
