package reconcile

import (
	"cmp"
	"fmt"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// AcceptedShare is an accepted invite of a device in scope of a share plan. A plan
// never deletes one: the API's document does not say whether deleting an accepted
// invite ends the share.
type AcceptedShare struct {
	DeviceID   string `json:"deviceId"`
	DeviceName string `json:"deviceName,omitempty"`
	InviteID   string `json:"inviteId"`
	// AcceptedBy is the login name of who accepted it: the person it counts for.
	AcceptedBy string `json:"acceptedBy"`
	// Email is the email the invite was sent to, which may differ from AcceptedBy
	// (anyone holding the invite's URL can accept it).
	Email         string `json:"email,omitempty"`
	AllowExitNode bool   `json:"allowExitNode,omitempty"`
	// Listed is true when the list shares the device with AcceptedBy.
	Listed bool `json:"listed"`
	// ListAllowExitNode is what the list says of the exit node, when Listed.
	ListAllowExitNode bool `json:"listAllowExitNode,omitempty"`
	// OpenInvites are the pending invites of the device for the same person: redundant,
	// deleted with Options.Prune.
	OpenInvites []string `json:"openInvites,omitempty"`
}

// String formats the share as a line of a plan, such as
// "= accepted  bob@example.com on build-1.example.ts.net (device n1, invite 123): not in the list, left alone ...".
func (s AcceptedShare) String() string {
	who := textsafe.Escape(s.AcceptedBy)
	if who == "" {
		who = "someone the API does not name"
	}
	line := fmt.Sprintf("= %-9s %s on %s (device %s, invite %s", "accepted", who,
		cmp.Or(textsafe.Escape(s.DeviceName), s.DeviceID), s.DeviceID, s.InviteID)
	if s.Email != "" && s.Email != s.AcceptedBy {
		line += ", emailed to " + textsafe.Escape(s.Email)
	}
	line += ")"
	switch {
	case !s.Listed:
		line += ": not in the list, left alone (the API's document does not promise that deleting an accepted invite ends the share)"
	case s.AllowExitNode != s.ListAllowExitNode:
		line += fmt.Sprintf(": allowExitNode %t, the list says %t; an accepted share is never changed by a plan", s.AllowExitNode, s.ListAllowExitNode)
	}
	if len(s.OpenInvites) > 0 {
		line += fmt.Sprintf(": %s still pending", textsafe.Plural(len(s.OpenInvites), "redundant invite", "redundant invites"))
	}
	return line
}

// worthALook reports whether the share's line says more than that it is as listed.
func (s AcceptedShare) worthALook() bool {
	return !s.Listed || s.AllowExitNode != s.ListAllowExitNode || len(s.OpenInvites) > 0 || s.Email != s.AcceptedBy && s.Email != ""
}

// sharePlan gathers the changes of a share plan, device by device, by action.
type sharePlan struct {
	creates, recreates, resends, deletes []Change
}

// device plans the shares of dev, whose invites are invites, into p.
func (sp *sharePlan) device(p *Plan, dev scopeDevice, invites []tsinvites.DeviceInvite, opts PlanOptions) {
	index := make(firstOf, len(dev.wants))
	want := make([]tsinvites.CreateUserInviteRequest, len(dev.wants))
	for d, w := range dev.wants {
		key, _ := emailKey(w.email)
		index[key], want[d].Email = d, w.email
	}
	near := nearIndex(want)
	find := func(name, what string) (int, bool) {
		d, ok, warning := findName(index, near, func(d int) string { return want[d].Email }, name, what)
		if warning != "" {
			p.Warnings = append(p.Warnings, warning+" (device "+dev.label()+")")
		}
		return d, ok
	}
	held := make([]bool, len(dev.wants))
	accepted := make([]int, len(dev.wants)) // index+1 in p.Accepted of d's accepted share, 0 for none
	pending := make([][]tsinvites.DeviceInvite, len(dev.wants))
	for _, inv := range invites {
		if inv.Accepted {
			d, ok := find(inv.AcceptedBy.LoginName, fmt.Sprintf("the login name of who accepted invite %s", inv.ID))
			a := AcceptedShare{DeviceID: dev.id, DeviceName: dev.name, InviteID: inv.ID, AcceptedBy: inv.AcceptedBy.LoginName,
				Email: inv.Email, AllowExitNode: inv.AllowExitNode, Listed: ok}
			if ok {
				a.ListAllowExitNode = dev.wants[d].exit
			}
			p.Accepted = append(p.Accepted, a)
			switch {
			case ok && accepted[d] == 0:
				accepted[d] = len(p.Accepted)
			case !ok && d >= 0:
				held[d] = true
			}
			continue
		}
		d, ok := find(inv.Email, fmt.Sprintf("pending invite %s's email", inv.ID))
		switch {
		case ok:
			pending[d] = append(pending[d], inv)
		case d >= 0:
			held[d] = true
		case !opts.Prune:
			p.NotListed++
		case inv.Email == "":
			sp.deletes = append(sp.deletes, shareChange(ActionDelete, dev, inv, "no email, so not in the list"))
		default:
			sp.deletes = append(sp.deletes, shareChange(ActionDelete, dev, inv, "not in the list"))
		}
	}
	sp.wants(p, dev, accepted, held, pending, opts)
}

// wants plans each share of dev given what device found: accepted[d] (index+1 in
// p.Accepted of the share d's person accepted), held[d] (a near match) and pending[d]
// (d's pending invites).
func (sp *sharePlan) wants(p *Plan, dev scopeDevice, accepted []int, held []bool, pending [][]tsinvites.DeviceInvite, opts PlanOptions) {
	for d, w := range dev.wants {
		switch {
		case accepted[d] > 0:
			a := &p.Accepted[accepted[d]-1]
			for _, inv := range pending[d] {
				a.OpenInvites = append(a.OpenInvites, inv.ID)
				if opts.Prune {
					sp.deletes = append(sp.deletes, shareChange(ActionDelete, dev, inv, "the person accepted a share of this device already, so the invite is redundant"))
				}
			}
		case held[d]: // a near match: nothing granted, nothing taken
		case len(pending[d]) == 0:
			sp.creates = append(sp.creates, Change{Action: ActionCreate, Email: w.email, DeviceID: dev.id, DeviceName: dev.name, AllowExitNode: w.exit})
		default:
			sp.pending(p, dev, w, pending[d], opts)
		}
	}
}

// pending plans the share w, which has the pending invites open: one is kept (and
// recreated, resent or unchanged), the others deleted.
func (sp *sharePlan) pending(p *Plan, dev scopeDevice, w shareWant, open []tsinvites.DeviceInvite, opts PlanOptions) {
	live := func(inv tsinvites.DeviceInvite) bool { return linkLive(inv, opts.Now) }
	keep := open[0]
	for _, inv := range open[1:] {
		if cmp.Or(cmpBool(live(inv), live(keep)), cmpBool(inv.AllowExitNode == w.exit, keep.AllowExitNode == w.exit),
			inv.LastEmailSentAt.Compare(keep.LastEmailSentAt), inv.Created.Compare(keep.Created)) > 0 {
			keep = inv
		}
	}
	ch := shareChange(ActionUnchanged, dev, keep, "")
	ch.Email, ch.AllowExitNode = w.email, w.exit
	switch {
	case !live(keep):
		ch.Action, ch.Reason = ActionRecreate, fmt.Sprintf("made %s, more than %.0f days ago: an unused share link has expired (kb/1084)", keep.Created.UTC().Format("2006-01-02"), ShareLinkLifetime.Hours()/24)
		sp.recreates = append(sp.recreates, ch)
	case keep.AllowExitNode != w.exit:
		ch.Action, ch.Reason = ActionRecreate, fmt.Sprintf("allowExitNode %t, the list says %t", keep.AllowExitNode, w.exit)
		sp.recreates = append(sp.recreates, ch)
	case opts.ResendAfter > 0 && opts.Now.Sub(keep.LastEmailSentAt) > opts.ResendAfter:
		ch.Action, ch.Reason = ActionResend, lastEmailed(keep.LastEmailSentAt)
		sp.resends = append(sp.resends, ch)
	default:
		p.Unchanged = append(p.Unchanged, ch)
	}
	for _, inv := range open {
		if inv.ID != keep.ID {
			sp.deletes = append(sp.deletes, shareChange(ActionDelete, dev, inv, fmt.Sprintf("another invite for this email, %s, is kept", keep.ID)))
		}
	}
}

// shareChange is a change with action a of the device invite inv of dev.
func shareChange(a Action, dev scopeDevice, inv tsinvites.DeviceInvite, reason string) Change {
	return Change{Action: a, Email: inv.Email, InviteID: inv.ID, LastEmailSentAt: inv.LastEmailSentAt, Reason: reason,
		DeviceID: dev.id, DeviceName: dev.name, AllowExitNode: inv.AllowExitNode}
}

// acceptedLines are the lines of the accepted shares worth a look.
func (p *Plan) acceptedLines() []string {
	var lines []string
	for _, a := range p.Accepted {
		if a.worthALook() {
			lines = append(lines, a.String())
		}
	}
	return lines
}

// shareSummary is the summary of a share plan, such as "Plan: 2 to create, 0 to
// recreate, 0 to resend, 1 to delete; 5 unchanged; 3 accepted (1 not in the list, left
// alone)."
func (p *Plan) shareSummary() string {
	s := fmt.Sprintf("Plan: %d to create, %d to recreate, %d to resend, %d to delete; %d unchanged",
		p.Count(ActionCreate), p.Count(ActionRecreate), p.Count(ActionResend), p.Count(ActionDelete), p.Count(ActionUnchanged))
	if p.Empty() {
		s = "No changes: " + textsafe.Plural(p.Count(ActionUnchanged), "pending share matches", "pending shares match") + " the list"
	}
	notListed := 0
	for _, a := range p.Accepted {
		if !a.Listed {
			notListed++
		}
	}
	s += fmt.Sprintf("; %d accepted", len(p.Accepted))
	if notListed > 0 {
		s += fmt.Sprintf(" (%d not in the list, left alone: a plan never deletes an accepted share)", notListed)
	}
	s += "."
	if p.NotListed > 0 {
		s += " " + textsafe.Plural(p.NotListed, "pending share", "pending shares") + " not in the list left alone (pruning would delete them)."
	}
	return s
}
