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
	"slices"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// Defaults of the guards of [PlanOptions.Offboard].
const (
	// DefaultMaxOffboard is the most changes of access (suspensions, restores and
	// roles taken away) a plan may make when [PlanOptions.MaxOffboard] is zero.
	DefaultMaxOffboard = 10
	// DefaultOffboardGrace is how long after joining a member is not suspended when
	// [PlanOptions.OffboardGrace] is zero.
	DefaultOffboardGrace = 72 * time.Hour
)

// OffboardCapError is [NewPlan]'s error (and [Apply]'s, for a plan read back) when a
// plan would change more people's access than [PlanOptions.MaxOffboard] allows:
// suspensions, restores and roles taken away (from a role other than member) all
// count; nothing is planned. It matches [tsinvites.ErrInvalidInput] with [errors.Is].
type OffboardCapError struct {
	// Count is the number of changes of access the plan would make (Suspends +
	// Restores + Demotions); Max the cap.
	Count, Max int
	// Suspends, Restores and Demotions are the changes of Count by kind.
	Suspends, Restores, Demotions int
}

// Error names the count, the cap and the ways out.
func (e *OffboardCapError) Error() string {
	what := textsafe.Plural(e.Suspends, "member", "members") + " would be suspended"
	if e.Restores > 0 {
		what += fmt.Sprintf(", %d restored", e.Restores)
	}
	if e.Demotions > 0 {
		what += fmt.Sprintf(", %d lose a role other than member", e.Demotions)
	}
	return fmt.Sprintf("reconcile: %s, more than the %d changes of access that PlanOptions.MaxOffboard allows (tsinvites --max-offboard): check the list, name the people to keep (Keep), or raise MaxOffboard to %d",
		what, e.Max, e.Count)
}

// Is reports whether target is [tsinvites.ErrInvalidInput].
func (e *OffboardCapError) Is(target error) bool { return target == tsinvites.ErrInvalidInput }

// ChangesUsers reports whether the options plan changes to users (Approve, ManageRoles
// or Offboard): such a plan's changes carry user IDs, and its Apply needs a credential
// that may change users.
func (o PlanOptions) ChangesUsers() bool { return o.Approve || o.ManageRoles || o.Offboard }

// membersJSON is the JSON form of the options on users.
func (o PlanOptions) membersJSON() planMembersJSON {
	j := planMembersJSON{Approve: o.Approve, ManageRoles: o.ManageRoles, Offboard: o.Offboard,
		OffboardAdmins: o.OffboardAdmins, Keep: o.Keep, MaxOffboard: o.MaxOffboard}
	if o.OffboardGrace != 0 {
		j.OffboardGrace = o.OffboardGrace.String()
	}
	return j
}

// setMembers sets the options on users from their JSON form.
func (o *PlanOptions) setMembers(j planMembersJSON) error {
	o.Approve, o.ManageRoles, o.Offboard = j.Approve, j.ManageRoles, j.Offboard
	o.OffboardAdmins, o.Keep, o.MaxOffboard = j.OffboardAdmins, j.Keep, j.MaxOffboard
	if j.OffboardGrace != "" {
		d, err := time.ParseDuration(j.OffboardGrace)
		if err != nil {
			return fmt.Errorf("reconcile: options: offboardGrace: %w", err)
		}
		o.OffboardGrace = d
	}
	return nil
}

// checkMembers refuses options on users out of range; the error is the reason alone.
func (o PlanOptions) checkMembers() error {
	switch {
	case o.MaxOffboard < 0:
		return fmt.Errorf("option MaxOffboard %d is negative (0 means %d)", o.MaxOffboard, DefaultMaxOffboard)
	case o.OffboardGrace < 0:
		return fmt.Errorf("option OffboardGrace %s is negative (0 means %s)", o.OffboardGrace, DefaultOffboardGrace)
	case o.WithoutUsers && o.ChangesUsers():
		return errors.New("option WithoutUsers (--no-users) cannot go with Approve, ManageRoles or Offboard (--approve, --manage-roles, --offboard), which act on the users it does not read")
	}
	return checkKeep(o.Keep)
}

// isMember reports whether u is a user of the tailnet, not one shared from another.
func isMember(u tsinvites.User) bool { return u.Type == "" || u.Type == tsinvites.UserTypeMember }

// isOwner reports whether u is the owner, whom no plan changes.
func isOwner(u tsinvites.User) bool { return u.Role == tsinvites.TailnetRoleOwner }

// guards are the guards of the options on users, ready to ask.
type guards struct {
	opts PlanOptions
	keep map[string]bool // the identity keys of opts.Keep
}

// keepKeys is the identity keys of the emails of keep.
func keepKeys(keep []string) map[string]bool {
	keys := make(map[string]bool, len(keep))
	for _, k := range keep {
		if key, ok := emailKey(k); ok {
			keys[key] = true
		}
	}
	return keys
}

// offboard is why Offboard may not suspend or restore u ("" when it may): u's role
// ("suspended" or "restored" says which), or Keep. The owner and shared users are never
// asked about.
func (g guards) offboard(u tsinvites.User, done string) string {
	switch key, named := emailKey(u.LoginName); {
	case named && g.keep[key]:
		return "kept (Keep, --keep)"
	case u.Role != tsinvites.TailnetRoleMember && !g.opts.OffboardAdmins:
		return fmt.Sprintf("role %s is %s only with OffboardAdmins (--offboard-admins)", u.Role, done)
	}
	return ""
}

// demotion is why ManageRoles may not take u's role away ("" when it may): a role other
// than member is taken away only with OffboardAdmins, as such a user is suspended.
func (g guards) demotion(u tsinvites.User) string {
	if u.Role != tsinvites.TailnetRoleMember && !g.opts.OffboardAdmins {
		return fmt.Sprintf("role %s is taken away only with OffboardAdmins (--offboard-admins)", u.Role)
	}
	return ""
}

// grace is OffboardGrace, or its default.
func (g guards) grace() time.Duration { return cmp.Or(g.opts.OffboardGrace, DefaultOffboardGrace) }

// recent reports whether u joined less than OffboardGrace before the plan's time.
func (g guards) recent(u tsinvites.User) bool {
	return !u.Created.IsZero() && g.opts.Now.Sub(u.Created) < g.grace()
}

// userChange is a change of action to user u, whose role it keeps.
func userChange(a Action, u tsinvites.User, reason string) Change {
	return Change{Action: a, Email: u.LoginName, Role: tsinvites.UserRoleOf(u.Role), UserID: u.ID, Reason: reason}
}

// held is ch held back by a guard that says why.
func held(ch Change, why string) Change {
	ch.Reason = why
	return ch
}

// userChanges are the changes to users of a plan, by kind, and those held back.
type userChanges struct {
	approves, roles, suspends, restores, held []Change
}

// planMembers adds the changes to users that opts ask for to p: approves, set-roles,
// suspends, restores; and those a guard holds back to p.Held. desired is the list as
// given (Role "": no role given), index its email keys.
func (m *match) planMembers(p *Plan, opts PlanOptions, desired []tsinvites.CreateUserInviteRequest, index firstOf) error {
	if !opts.ChangesUsers() {
		return nil
	}
	g := guards{opts: opts, keep: m.kept(p, opts)}
	var uc userChanges
	for d := range m.user {
		for u := m.user[d]; u >= 0; u = m.userNext[u] { // every account on the login name
			m.planListed(&uc, g, d, m.users[u], desired[d].Role != "")
		}
	}
	m.suspensions(&uc, g, index)
	uc.leaveOutWithoutID()
	if err := checkCap(opts, uc.suspends, uc.restores, uc.roles); err != nil {
		return err
	}
	p.Changes = append(append(append(append(p.Changes, uc.approves...), uc.roles...), uc.suspends...), uc.restores...)
	p.Held = uc.held
	return nil
}

// planListed adds the changes to u, the user of desired person d, to uc; roleGiven says
// whether the list gives d a role.
func (m *match) planListed(uc *userChanges, g guards, d int, u tsinvites.User, roleGiven bool) {
	opts := g.opts
	roleHeld := "" // why the role the list gives is not given
	if want := m.want[d].Role; opts.ManageRoles && roleGiven && !isOwner(u) && u.Role != tsinvites.TailnetRoleOf(want) {
		ch := userChange(ActionSetRole, u, "")
		ch.Role, ch.OldRole = want, tsinvites.UserRoleOf(u.Role)
		if roleHeld = g.demotion(u); roleHeld != "" {
			uc.held = append(uc.held, held(ch, "not changed: "+roleHeld))
		} else {
			uc.roles = append(uc.roles, ch)
		}
	}
	if roleHeld != "" {
		roleHeld = fmt.Sprintf("the list says %s, and the change of role is held back", m.want[d].Role)
	}
	if opts.Approve && u.Status == tsinvites.UserStatusNeedsApproval {
		if ch := userChange(ActionApprove, u, "awaits approval"); roleHeld != "" {
			uc.held = append(uc.held, held(ch, "awaits approval, not approved: "+roleHeld))
		} else {
			uc.approves = append(uc.approves, ch)
		}
	}
	if opts.Offboard && u.Status == tsinvites.UserStatusSuspended && !isOwner(u) {
		ch := userChange(ActionRestore, u, "in the list, suspended")
		switch why := cmp.Or(g.offboard(u, "restored"), roleHeld); {
		case why != "":
			uc.held = append(uc.held, held(ch, "in the list and suspended, not restored: "+why))
		default:
			uc.restores = append(uc.restores, ch)
		}
	}
}

// suspensions adds the suspends of Offboard to uc: the members not in the list
// (index), not suspended already, that the guards allow; those they hold back to
// uc.held. The owner is never one.
func (m *match) suspensions(uc *userChanges, g guards, index firstOf) {
	if !g.opts.Offboard {
		return
	}
	for ui, u := range m.users {
		key, named := emailKey(u.LoginName)
		if _, listed := index[key]; named && listed || m.nearUser[ui] || u.Status == tsinvites.UserStatusSuspended || !isMember(u) || isOwner(u) {
			continue
		}
		ch := userChange(ActionSuspend, u, "not in the list")
		switch why := g.offboard(u, "suspended"); {
		case why != "":
			uc.held = append(uc.held, held(ch, "not in the list, not suspended: "+why))
		case g.recent(u):
			uc.held = append(uc.held, held(ch, fmt.Sprintf("joined recently, not in the list: check their login name (not suspended within OffboardGrace, %s, of joining)", g.grace())))
		default:
			uc.suspends = append(uc.suspends, ch)
		}
	}
}

// leaveOutWithoutID moves the changes to users whose ID the API did not give (or gave
// unusable) to uc.held: no call can name the user, and Apply would refuse the plan.
func (uc *userChanges) leaveOutWithoutID() {
	for _, list := range []*[]Change{&uc.approves, &uc.roles, &uc.suspends, &uc.restores} {
		*list = slices.DeleteFunc(*list, func(ch Change) bool {
			err := tsinvites.ValidateUserID(ch.UserID)
			if err != nil {
				uc.held = append(uc.held, held(ch, fmt.Sprintf("%s, but the API's answer gives the user no usable ID (%v): left out", cmp.Or(ch.Reason, string(ch.Action)), err)))
			}
			return err != nil
		})
	}
}

// checkGuards refuses a plan whose changes to users its own options do not allow,
// whatever its JSON says: each needs the option that makes it; a suspension or restore
// of a role other than member, and a role other than member taken away, need
// OffboardAdmins; an email of Keep is never suspended or restored; at most MaxOffboard
// changes of access (an *OffboardCapError). The owner is refused by checkUserChange.
func checkGuards(p *Plan) error {
	g := guards{opts: p.Options, keep: keepKeys(p.Options.Keep)}
	var suspends, restores, roles []Change
	for i, ch := range p.Changes {
		u := tsinvites.User{LoginName: ch.Email, Role: tsinvites.TailnetRoleOf(ch.Role)}
		var on bool
		why := ""
		switch ch.Action {
		case ActionApprove:
			on = p.Options.Approve
		case ActionSetRole:
			on, roles = p.Options.ManageRoles, append(roles, ch)
			u.Role = tsinvites.TailnetRoleOf(ch.OldRole)
			why = g.demotion(u)
		case ActionSuspend:
			on, suspends = p.Options.Offboard, append(suspends, ch)
			why = g.offboard(u, "suspended")
		case ActionRestore:
			on, restores = p.Options.Offboard, append(restores, ch)
			why = g.offboard(u, "restored")
		default:
			continue
		}
		switch {
		case !on:
			return fmt.Errorf("change %d (%s) of user %s: the plan's options do not ask for it (Approve, ManageRoles, Offboard)", i+1, ch.Action, ch.UserID)
		case why != "":
			return fmt.Errorf("change %d (%s) of user %s: %s", i+1, ch.Action, ch.UserID, why)
		}
	}
	return checkCap(p.Options, suspends, restores, roles)
}

// checkCap refuses more changes of access than opts.MaxOffboard allows: the
// suspends, the restores and the roles taken away (from a role other than member).
func checkCap(opts PlanOptions, suspends, restores, roles []Change) error {
	demotions := 0
	for _, ch := range roles {
		if ch.OldRole != tsinvites.UserRoleMember {
			demotions++
		}
	}
	n := len(suspends) + len(restores) + demotions
	if most := cmp.Or(opts.MaxOffboard, DefaultMaxOffboard); n > most {
		return &OffboardCapError{Count: n, Max: most, Suspends: len(suspends), Restores: len(restores), Demotions: demotions}
	}
	return nil
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
	acted := map[[2]string]bool{} // {user ID, action}: planned or held back, said by its own line
	for _, ch := range slices.Concat(p.Changes, p.Held) {
		if isUserAction(ch.Action) && ch.UserID != "" {
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
