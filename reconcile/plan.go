package reconcile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// PlanOptions says what [NewPlan] decides. The zero value plans creates, recreates and
// the removal of duplicates only. A plan keeps its options (in its JSON form too), as
// its printed form and what it deletes depend on them.
type PlanOptions struct {
	// Prune deletes the open invites whose email is not in the desired list, and those
	// without an email. Without it they are left alone.
	Prune bool
	// ResendAfter, when above zero, resends the invites of the list whose email was last
	// sent longer ago than this (or never, as far as the API says).
	ResendAfter time.Duration
	// Now is the time ResendAfter counts back from; zero means time.Now(). The plan
	// keeps the time it used.
	Now time.Time
	// WithoutUsers plans from the open invites alone, without reading the tailnet's
	// users: for a credential that may not read them. People who have joined are then
	// not recognised: their invite is gone, so each gets a create. It cannot go with
	// Approve, ManageRoles or Offboard, which act on users.
	WithoutUsers bool

	// Approve approves the people of the list whose user awaits approval
	// (needs-approval): an [ActionApprove] each.
	Approve bool
	// ManageRoles gives the people of the list who joined with another role the role
	// the list gives them: an [ActionSetRole] each. Only a role the list gives counts:
	// a desired invite with Role "" (member for an invite) leaves a user's role as it
	// is. The owner's role is never changed, and nobody is made owner.
	ManageRoles bool
	// Offboard suspends the members of the tailnet who are not in the list (an
	// [ActionSuspend] each), and restores the people of the list who are suspended (an
	// [ActionRestore] each); never the owner, never a user shared from another
	// tailnet. Its guards hold back (in [Plan.Held], with the reason) the suspension or
	// restore of a user whose role is not member (unless OffboardAdmins), of an email
	// of Keep, and the suspension of a member who joined within OffboardGrace. More
	// changes of access than MaxOffboard make NewPlan fail with an
	// [*OffboardCapError].
	Offboard bool
	// OffboardAdmins lets Offboard act on users whose role is not member (admins,
	// auditors, ...), and ManageRoles take such a role away; never the owner's. Without
	// it these changes are held back (in [Plan.Held]).
	OffboardAdmins bool
	// Keep lists emails (login names, matched without case) that Offboard never
	// suspends or restores, such as service accounts not in the list.
	Keep []string
	// MaxOffboard is the most changes of access a plan may make: suspensions,
	// restores, and roles other than member taken away by ManageRoles, together. Zero
	// means DefaultMaxOffboard (10), as for every zero option: there is no cap of zero
	// (a plan that may change nobody's access has Offboard off). Negative is refused.
	MaxOffboard int
	// OffboardGrace is how long after joining (the user's Created) a member not in the
	// list is not suspended: held back, reported as "joined recently, not in the list:
	// check their login name" (someone who accepted an invite by logging in with
	// another name than the one invited). Zero means DefaultOffboardGrace (72 h);
	// negative is refused. It counts back from Now.
	OffboardGrace time.Duration

	// Concurrency is the number of lists in flight while [NewSharePlan] reads the
	// invites of the devices in scope (there is one list per device), 1 to
	// MaxConcurrency; zero means DefaultConcurrency (4). NewPlan reads two lists, at
	// the same time, whatever it says.
	Concurrency int
}

// planOptionsJSON is the JSON form of PlanOptions: ResendAfter as a duration's text.
type planOptionsJSON struct {
	Prune        bool      `json:"prune"`
	ResendAfter  string    `json:"resendAfter,omitempty"`
	Now          time.Time `json:"now,omitzero"`
	WithoutUsers bool      `json:"withoutUsers"`
	Concurrency  int       `json:"concurrency,omitempty"`
	planMembersJSON
}

// planMembersJSON are the options of the changes to users, left out when off so that
// plans without them keep their JSON form.
type planMembersJSON struct {
	Approve        bool     `json:"approve,omitempty"`
	ManageRoles    bool     `json:"manageRoles,omitempty"`
	Offboard       bool     `json:"offboard,omitempty"`
	OffboardAdmins bool     `json:"offboardAdmins,omitempty"`
	Keep           []string `json:"keep,omitempty"`
	MaxOffboard    int      `json:"maxOffboard,omitempty"`
	OffboardGrace  string   `json:"offboardGrace,omitempty"` // a duration's text, as resendAfter
}

// MarshalJSON writes the options with ResendAfter as a duration such as "72h0m0s".
func (o PlanOptions) MarshalJSON() ([]byte, error) {
	j := planOptionsJSON{Prune: o.Prune, Now: o.Now, WithoutUsers: o.WithoutUsers, Concurrency: o.Concurrency, planMembersJSON: o.membersJSON()}
	if o.ResendAfter != 0 {
		j.ResendAfter = o.ResendAfter.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, and refuses a field it does not know: an
// option it does not know could be a guard it would not keep.
func (o *PlanOptions) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j planOptionsJSON
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*o = PlanOptions{Prune: j.Prune, Now: j.Now, WithoutUsers: j.WithoutUsers, Concurrency: j.Concurrency}
	if err := o.setMembers(j.planMembersJSON); err != nil {
		return err
	}
	if j.ResendAfter != "" {
		d, err := time.ParseDuration(j.ResendAfter)
		if err != nil {
			return fmt.Errorf("reconcile: options: resendAfter: %w", err)
		}
		o.ResendAfter = d
	}
	return nil
}

// Check refuses options that NewPlan refuses (out of range, or that do not go
// together), with an error matching [tsinvites.ErrInvalidInput]; nil when NewPlan takes
// them. It sends nothing: a program (the CLI) calls it to check its flags.
func (o PlanOptions) Check() error {
	if err := o.check(); err != nil {
		return invalid("options", "%v", err)
	}
	return nil
}

// check refuses options out of range; the error is the reason alone.
func (o PlanOptions) check() error {
	if o.ResendAfter < 0 {
		return fmt.Errorf("option ResendAfter %s is negative", o.ResendAfter)
	}
	if o.Concurrency < 0 || o.Concurrency > MaxConcurrency {
		return fmt.Errorf("option Concurrency %d: want 1 to %d (0 for %d)", o.Concurrency, MaxConcurrency, DefaultConcurrency)
	}
	return o.checkMembers()
}

// Action is what a [Change] does.
type Action string

// The actions of a plan. A recreate replaces an invite whose role differs from the
// desired one (the API cannot change an invite's role): Apply creates the new invite
// first and deletes the old one only once the new one exists.
const (
	ActionCreate    Action = "create"
	ActionRecreate  Action = "recreate"
	ActionResend    Action = "resend"
	ActionDelete    Action = "delete"
	ActionUnchanged Action = "unchanged"
)

// The actions on users, planned with [PlanOptions.Approve], [PlanOptions.ManageRoles]
// and [PlanOptions.Offboard] and applied after the invites.
const (
	ActionApprove Action = "approve"  // approve a user who awaits approval
	ActionSetRole Action = "set-role" // give a user the role the list gives (OldRole → Role)
	ActionSuspend Action = "suspend"  // suspend a member who is not in the list
	ActionRestore Action = "restore"  // restore a suspended person of the list
)

// symbol is the action's mark in a printed plan.
func (a Action) symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionRecreate:
		return "~"
	case ActionResend:
		return ">"
	case ActionDelete:
		return "-"
	case ActionApprove:
		return "^"
	case ActionSetRole:
		return "*"
	case ActionSuspend:
		return "!"
	case ActionRestore:
		return "&"
	}
	return "="
}

// Change is one step of a [Plan]. Its JSON form uses the field names below.
type Change struct {
	Action Action `json:"action"`
	// Email is the desired email (create, recreate, resend, unchanged), the open
	// invite's (delete; "" for an invite without one) or the user's login name
	// (approve, set-role, suspend, restore).
	Email string `json:"email,omitempty"`
	// Role is the role the person gets (create, recreate, set-role) or has (resend,
	// delete, unchanged, approve, suspend, restore).
	Role tsinvites.UserRole `json:"role,omitempty"`
	// UserID is the user acted on (approve, set-role, suspend, restore).
	UserID string `json:"userId,omitempty"`
	// InviteID is the open invite acted on: replaced (recreate), resent, deleted or
	// kept (unchanged). Empty for a create.
	InviteID string `json:"inviteId,omitempty"`
	// OldRole is the role of the invite a recreate replaces, or the role a set-role
	// changes.
	OldRole tsinvites.UserRole `json:"oldRole,omitempty"`
	// LastEmailSentAt is when the open invite was last emailed, if ever.
	LastEmailSentAt time.Time `json:"lastEmailSentAt,omitzero"`
	// Reason says why, for deletes and resends.
	Reason string `json:"reason,omitempty"`

	// DeviceID is the device of a share change (one of [NewSharePlan]'s): its nodeId
	// (or legacy ID), on which the device invite is made; empty for the changes to
	// user invites and users. A share change has no Role; its InviteID is a device
	// invite's.
	DeviceID string `json:"deviceId,omitempty"`
	// DeviceName is the device's name (MagicDNS), for people.
	DeviceName string `json:"deviceName,omitempty"`
	// AllowExitNode is what a share gives (create, recreate) or gives now (resend,
	// delete, unchanged): whether the person may use the device as an exit node.
	AllowExitNode bool `json:"allowExitNode,omitempty"`
}

// String formats the change as a line of a plan, such as
// "+ create   amelie@example.com (admin)".
// A share's change names its device: "+ create    amelie@example.com on
// build-1.example.ts.net (device n1234, exit node)".
func (ch Change) String() string { return ch.line(ch.Action.symbol(), string(ch.Action)) }

// line formats the change as String does, with mark and label in place of the
// action's ("?", "held" for a change held back).
func (ch Change) line(mark, label string) string {
	who := textsafe.Escape(ch.Email) // a hidden character must not make it look like another
	switch {
	case ch.Email == "" && ch.UserID != "":
		who = "a user without a login name"
	case ch.Email == "":
		who = "an invite without email" // not "(no email)": a parenthesis follows
	}
	var s string
	if ch.DeviceID != "" {
		s = fmt.Sprintf("%s %-9s %s on %s (device %s", mark, label, who, cmp.Or(textsafe.Escape(ch.DeviceName), ch.DeviceID), ch.DeviceID)
		if ch.AllowExitNode {
			s += ", exit node"
		}
	} else {
		role := string(ch.Role)
		if ch.Action == ActionRecreate || ch.Action == ActionSetRole {
			role = string(ch.OldRole) + " → " + role
		}
		s = fmt.Sprintf("%s %-9s %s (%s", mark, label, who, role)
	}
	if ch.InviteID != "" {
		s += ", invite " + ch.InviteID
	}
	if ch.UserID != "" {
		s += ", user " + ch.UserID
	}
	s += ")"
	if ch.Reason != "" {
		s += ": " + ch.Reason
	}
	return s
}

// Plan is what [Apply] will do to make a tailnet's open invites match a desired list, as
// computed by [NewPlan], or built by hand. It prints readably (String) and as JSON (its
// fields); read back from JSON it applies and prints as it did. It holds no invite URLs.
type Plan struct {
	// Tailnet is the tailnet of the client that made the plan; Apply refuses a client
	// for another. Empty (in a plan built by hand) means the client's.
	Tailnet string `json:"tailnet"`
	// Options are the options the plan was made with.
	Options PlanOptions `json:"options"`
	// Changes are the steps, grouped by action: creates, recreates, resends, deletes,
	// then the changes to users: approves, set-roles, suspends, restores.
	Changes []Change `json:"changes"`
	// Unchanged are the desired invites that are open as wanted and need nothing.
	Unchanged []Change `json:"unchanged"`
	// NotListed is the number of open invites that are not in the list and are left
	// alone because Options.Prune is off.
	NotListed int `json:"notListed"`
	// Joined are the people of the list who are members of the tailnet already
	// (suspended and awaiting approval included): nothing is created or resent for
	// them. Empty with Options.WithoutUsers.
	Joined []Joined `json:"joined"`
	// Warnings are what a person should check before applying: a login name or an
	// invite's email with white space or an invisible character (it matches nobody), a
	// name that differs from a listed email only in the case of non-ASCII letters
	// (nothing is done for either), a Keep entry that matches no member. Their text is
	// escaped.
	Warnings []string `json:"warnings,omitempty"`
	// Held are the changes to users that the options asked for and a guard held back,
	// each with its Reason: an admin without OffboardAdmins, an email of Keep, a member
	// who joined within OffboardGrace, a user without an ID, an approve or restore
	// whose change of role is held. Apply never makes them.
	Held []Change `json:"held,omitempty"`

	// DeviceShares marks a plan of device shares, made by [NewSharePlan]: its changes
	// are shares (each with its DeviceID), it has no Joined, and Accepted and NotListed
	// speak of the invites of the devices in scope.
	DeviceShares bool `json:"deviceShares,omitempty"`
	// Accepted are the accepted shares of the devices in scope (with
	// [NewSharePlan]): a plan never deletes one, and reports those the list does not
	// hold (the API's document does not say whether deleting an accepted invite ends
	// the share).
	Accepted []AcceptedShare `json:"accepted,omitempty"`

	// saved marks a plan read back from JSON: Apply re-reads the tailnet for it.
	saved bool
}

// Joined is a person of the desired list who is a member of the tailnet: their login
// name is the desired email (without case). Users are changed by Apply only with the
// options on users ([PlanOptions.Approve], ManageRoles, Offboard), as changes of the
// plan.
type Joined struct {
	Email  string             `json:"email"`
	Role   tsinvites.UserRole `json:"role"` // the role the list wants
	UserID string             `json:"userId"`
	// UserRole is the user's role in the tailnet; when it differs from Role it is
	// reported, and changed only with Options.ManageRoles (an [ActionSetRole]).
	UserRole tsinvites.TailnetRole `json:"userRole"`
	Status   tsinvites.UserStatus  `json:"status"`
	// OpenInvites are the open invites still there for the email: redundant, deleted
	// with Options.Prune.
	OpenInvites []string `json:"openInvites,omitempty"`
}

// String formats the person as a line of a plan, such as
// "= joined    ann@example.com (admin; suspended)", and a role that differs from the
// list's with what the list says. [Plan.String] says more: whether ManageRoles changes
// the role, or why not.
func (j Joined) String() string {
	return j.line(fmt.Sprintf("the list says %s", j.Role))
}

// line formats the person as String does, with roleNote (if not "") said of a role
// that differs from the list's.
func (j Joined) line(roleNote string) string {
	s := fmt.Sprintf("= %-9s %s (%s", "joined", textsafe.Escape(j.Email), j.UserRole)
	if !j.active() {
		s += "; " + string(j.Status)
	}
	s += ")"
	if j.UserRole != tsinvites.TailnetRoleOf(j.Role) && roleNote != "" {
		s += ": " + roleNote
	}
	if len(j.OpenInvites) > 0 {
		s += fmt.Sprintf(": %s still open", textsafe.Plural(len(j.OpenInvites), "redundant invite", "redundant invites"))
	}
	return s
}

// active reports a status that needs no mention: active, idle or none given.
func (j Joined) active() bool {
	return j.Status == "" || j.Status == tsinvites.UserStatusActive || j.Status == tsinvites.UserStatusIdle
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return p == nil || len(p.Changes) == 0 }

// Count returns the number of changes with the action (ActionUnchanged counts the
// unchanged invites).
func (p *Plan) Count(a Action) int {
	if p == nil {
		return 0
	}
	if a == ActionUnchanged {
		return len(p.Unchanged)
	}
	n := 0
	for _, ch := range p.Changes {
		if ch.Action == a {
			n++
		}
	}
	return n
}

// Summary is the plan's last line, such as "Plan: 2 to create, 0 to recreate, 0 to
// resend, 1 to delete; 5 unchanged; 3 joined."
func (p *Plan) Summary() string {
	if p != nil && p.DeviceShares {
		return p.shareSummary()
	}
	s := fmt.Sprintf("Plan: %d to create, %d to recreate, %d to resend, %d to delete%s; %d unchanged",
		p.Count(ActionCreate), p.Count(ActionRecreate), p.Count(ActionResend), p.Count(ActionDelete), p.membersSummary(), p.Count(ActionUnchanged))
	if p.Empty() {
		s = "No changes: " + textsafe.Plural(p.Count(ActionUnchanged), "open invite matches", "open invites match") + " the list"
	}
	if p != nil && !p.Options.WithoutUsers {
		s += fmt.Sprintf("; %d joined", len(p.Joined))
		if n := p.countJoined(func(j Joined) bool {
			return j.Status == tsinvites.UserStatusSuspended || j.Status == tsinvites.UserStatusNeedsApproval
		}); n > 0 {
			s += fmt.Sprintf(" (%d suspended or awaiting approval, counted as joined)", n)
		}
	}
	s += "."
	if p != nil && p.NotListed > 0 {
		s += " " + textsafe.Plural(p.NotListed, "open invite", "open invites") + " not in the list left alone (pruning would delete them)."
	}
	if n := p.countJoined(func(j Joined) bool { return len(j.OpenInvites) > 0 && !p.Options.Prune }); n > 0 {
		s += " " + textsafe.Plural(n, "joined person has", "joined people have") + " a redundant open invite (pruning would delete it)."
	}
	return s
}

func (p *Plan) countJoined(f func(Joined) bool) int {
	n := 0
	if p != nil {
		for _, j := range p.Joined {
			if f(j) {
				n++
			}
		}
	}
	return n
}

// String formats the plan: one line per change, one per joined person worth a look
// (another role, a status other than active, a redundant invite), one per change held
// back (marked "?", with the guard), then the summary.
func (p *Plan) String() string {
	var b strings.Builder
	if p != nil {
		for _, ch := range p.Changes {
			b.WriteString(ch.String())
			b.WriteByte('\n')
		}
		for _, line := range p.acceptedLines() {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		for _, line := range p.joinedLines() {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		for _, ch := range p.Held {
			b.WriteString(heldLine(ch))
			b.WriteByte('\n')
		}
		for _, w := range p.Warnings {
			b.WriteString("warning: " + w + "\n")
		}
	}
	b.WriteString(p.Summary())
	return b.String()
}

// heldLine formats a change held back, such as
// "? held      erin@example.com (admin, user 3006): not in the list, not suspended: ...".
func heldLine(ch Change) string { return ch.line("?", "held") }
