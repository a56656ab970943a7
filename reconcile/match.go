package reconcile

import (
	"cmp"
	"fmt"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/words"
)

// match is the desired list joined with the open invites and the users, by email key.
type match struct {
	want  []tsinvites.CreateUserInviteRequest
	open  []tsinvites.UserInvite
	users []tsinvites.User
	// first[d] is the first open invite for desired d, next[i] the next one after
	// invite i (in list order), -1 for none; owner[i] is the desired index of invite i,
	// -1 when not in the list.
	first, next, owner []int32
	// user[d] is the index of the first member whose login name is desired d's email,
	// or -1; userNext[u] the next member with the same login name after user u (two
	// accounts on one login name), or -1.
	user, userNext []int32
}

// newMatch indexes open and users by the desired list's index (email key → position):
// one map, the desired list's, and a few slices of int32.
func newMatch(want []tsinvites.CreateUserInviteRequest, index firstOf, open []tsinvites.UserInvite, users []tsinvites.User) *match {
	m := &match{want: want, open: open, users: users,
		first: filled(len(want)), user: filled(len(want)), next: filled(len(open)), owner: filled(len(open)), userNext: filled(len(users))}
	for i := len(open) - 1; i >= 0; i-- { // backwards, so that each chain is in list order
		if d, ok := index[words.EmailKey(open[i].Email)]; ok && open[i].Email != "" {
			m.owner[i], m.next[i], m.first[d] = int32(d), m.first[d], int32(i)
		}
	}
	for u := len(users) - 1; u >= 0; u-- { // backwards, so that each chain is in list order
		if !isMember(users[u]) {
			continue // asked for members only; never count another tailnet's user
		}
		if d, ok := index[words.EmailKey(users[u].LoginName)]; ok {
			m.userNext[u], m.user[d] = m.user[d], int32(u)
		}
	}
	return m
}

// filled is n int32s of -1.
func filled(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

// plan is the plan of the match: creates, recreates, resends, then deletes.
func (m *match) plan(tailnet string, opts PlanOptions) *Plan {
	p := &Plan{Tailnet: tailnet, Options: opts, Changes: []Change{}, Unchanged: []Change{}, Joined: []Joined{}}
	var recreates, resends, deletes []Change
	for d, want := range m.want {
		switch {
		case m.user[d] >= 0:
			for u := m.user[d]; u >= 0; u = m.userNext[u] { // every account on the login name
				p.Joined = append(p.Joined, m.joined(d, u))
			}
			if opts.Prune {
				for i := m.first[d]; i >= 0; i = m.next[i] {
					deletes = append(deletes, deleteChange(m.open[i], "already joined the tailnet, so the invite is redundant"))
				}
			}
			continue
		case m.first[d] < 0:
			p.Changes = append(p.Changes, Change{Action: ActionCreate, Email: want.Email, Role: want.Role})
			continue
		}
		keep := m.open[m.keep(d)]
		ch := Change{Email: want.Email, Role: want.Role, InviteID: keep.ID, LastEmailSentAt: keep.LastEmailSentAt}
		switch {
		case keep.Role != want.Role:
			ch.Action, ch.OldRole = ActionRecreate, keep.Role
			recreates = append(recreates, ch)
		case opts.ResendAfter > 0 && opts.Now.Sub(keep.LastEmailSentAt) > opts.ResendAfter:
			ch.Action, ch.Reason = ActionResend, lastEmailed(keep.LastEmailSentAt)
			resends = append(resends, ch)
		default:
			ch.Action = ActionUnchanged
			p.Unchanged = append(p.Unchanged, ch)
		}
		for i := m.first[d]; i >= 0; i = m.next[i] {
			if m.open[i].ID != keep.ID {
				deletes = append(deletes, deleteChange(m.open[i], fmt.Sprintf("another invite for this email, %s, is kept", keep.ID)))
			}
		}
	}
	deletes = m.notListed(p, deletes, opts.Prune)
	p.Changes = append(append(append(p.Changes, recreates...), resends...), deletes...)
	return p
}

// joined is desired person d, a member of the tailnet as user ui.
func (m *match) joined(d int, ui int32) Joined {
	u := m.users[ui]
	j := Joined{Email: m.want[d].Email, Role: m.want[d].Role, UserID: u.ID, UserRole: u.Role, Status: u.Status}
	for i := m.first[d]; i >= 0; i = m.next[i] {
		j.OpenInvites = append(j.OpenInvites, m.open[i].ID)
	}
	return j
}

// keep is the open invite kept for desired d: the one emailed last, preferring the
// desired role; the first in list order of those alike.
func (m *match) keep(d int) int32 {
	role := m.want[d].Role
	best := m.first[d]
	for i := m.next[best]; i >= 0; i = m.next[i] {
		a, b := m.open[i], m.open[best]
		if cmp.Or(cmpBool(a.Role == role, b.Role == role), a.LastEmailSentAt.Compare(b.LastEmailSentAt)) > 0 {
			best = i
		}
	}
	return best
}

// notListed counts the open invites not in the list, or (with prune) adds their
// deletes, in list order.
func (m *match) notListed(p *Plan, deletes []Change, prune bool) []Change {
	for i, inv := range m.open {
		switch {
		case m.owner[i] >= 0:
		case !prune:
			p.NotListed++
		case inv.Email == "":
			deletes = append(deletes, deleteChange(inv, "no email, so not in the list"))
		default:
			deletes = append(deletes, deleteChange(inv, "not in the list"))
		}
	}
	return deletes
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func deleteChange(inv tsinvites.UserInvite, reason string) Change {
	return Change{Action: ActionDelete, Email: inv.Email, Role: inv.Role, InviteID: inv.ID, LastEmailSentAt: inv.LastEmailSentAt, Reason: reason}
}

func lastEmailed(t time.Time) string {
	if t.IsZero() {
		return "never emailed"
	}
	return "last emailed " + t.UTC().Format("2006-01-02 15:04 MST")
}
