package reconcile

import (
	"cmp"
	"fmt"
	"time"
	"unicode"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// match is the desired list joined with the open invites and the users, by identity
// key (identity.Key: ASCII letters without case, nothing trimmed). An invite email or a
// login name with white space or an invisible character matches nobody; one that
// differs from a listed email only in the case of non-ASCII letters is a near match:
// neither joined nor acted on, for either side.
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
	// near holds the near matches: desired d (held[d]) has a user or an open invite
	// whose name differs only in the case of non-ASCII letters; nothing is done for d,
	// nor to that user (nearUser) or invite (nearOpen).
	held               []bool
	nearUser, nearOpen map[int]bool
	// warnings are what the plan says about names that match nobody, or nearly.
	warnings []string
}

// newMatch indexes open and users by the desired list's index (email key → position):
// one map, the desired list's, and a few slices of int32.
func newMatch(want []tsinvites.CreateUserInviteRequest, index firstOf, open []tsinvites.UserInvite, users []tsinvites.User) *match {
	m := &match{want: want, open: open, users: users,
		first: filled(len(want)), user: filled(len(want)), next: filled(len(open)), owner: filled(len(open)),
		held: make([]bool, len(want)), nearUser: map[int]bool{}, nearOpen: map[int]bool{}, userNext: filled(len(users))}
	near := nearIndex(want)
	// last[d] is the last account in the chain of user[d], as it is built.
	last := filled(len(want))
	for i := len(open) - 1; i >= 0; i-- { // backwards, so that each chain is in list order
		if d, ok := m.find(index, near, open[i].Email, fmt.Sprintf("open invite %s's email", open[i].ID)); ok {
			m.owner[i], m.next[i], m.first[d] = int32(d), m.first[d], int32(i)
		} else if d >= 0 {
			m.nearOpen[i], m.held[d] = true, true
		}
	}
	for u := range users {
		if !isMember(users[u]) {
			continue // asked for members only; never count another tailnet's user
		}
		if d, ok := m.find(index, near, users[u].LoginName, fmt.Sprintf("user %s's login name", users[u].ID)); ok {
			if m.user[d] < 0 { // chained in list order: every account on the login name
				m.user[d] = int32(u)
			} else {
				m.userNext[last[d]] = int32(u)
			}
			last[d] = int32(u)
		} else if d >= 0 {
			m.nearUser[u], m.held[d] = true, true
		}
	}
	for d := range m.held { // a person who joined is theirs, whatever nearly matches
		m.held[d] = m.held[d] && m.user[d] < 0
	}
	return m
}

// find is the desired index of name (what names it: "user 7's login name") and true;
// or -1 and false when it matches nobody, saying so in a warning when name holds white
// space or an invisible character; or the index of the desired email it nearly matches
// and false, with a warning.
func (m *match) find(index firstOf, near map[string]int, name, what string) (int, bool) {
	key, ok := emailKey(name)
	if !ok {
		if r, flawed := identity.Flaw(name); flawed {
			m.warnings = append(m.warnings, fmt.Sprintf("%s %s holds %s (%s): it matches nobody in the list",
				what, textsafe.Quote(name, 80), blankOrInvisible(r), textsafe.Escape(string(r))))
		}
		return -1, false
	}
	if d, ok := index[key]; ok {
		return d, true
	}
	if d, ok := near[identity.NearKey(name)]; ok && len(near) > 0 {
		m.warnings = append(m.warnings, fmt.Sprintf("%s %s differs from listed %s only in the case of non-ASCII letters: nothing is done for either; make them the same",
			what, textsafe.Quote(name, 80), textsafe.Quote(m.want[d].Email, 80)))
		return d, false
	}
	return -1, false
}

// blankOrInvisible names what r is: white space or an invisible character.
func blankOrInvisible(r rune) string {
	if unicode.IsSpace(r) {
		return "white space"
	}
	return "an invisible character"
}

// nearIndex is the desired emails by identity.NearKey, for those that have one (a
// non-ASCII character); nil when none has.
func nearIndex(want []tsinvites.CreateUserInviteRequest) map[string]int {
	var near map[string]int
	for d, w := range want {
		if k := identity.NearKey(w.Email); k != "" {
			if near == nil {
				near = map[string]int{}
			}
			near[k] = d
		}
	}
	return near
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
	p := &Plan{Tailnet: tailnet, Options: opts, Changes: []Change{}, Unchanged: []Change{}, Joined: []Joined{}, Warnings: m.warnings}
	var recreates, resends, deletes []Change
	for d, want := range m.want {
		switch {
		case m.held[d]: // a near match: nothing granted, nothing taken
			continue
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
		case m.owner[i] >= 0, m.nearOpen[i]:
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

// kept is the identity keys of opts.Keep. With Offboard, a Keep entry that matches no
// member of the tailnet (a typo, while the person it meant may be planned for
// suspension) gets a warning in p, naming the entry.
func (m *match) kept(p *Plan, opts PlanOptions) map[string]bool {
	keep := keepKeys(opts.Keep)
	if !opts.Offboard || len(keep) == 0 {
		return keep
	}
	found := make(map[string]bool, len(keep))
	for _, u := range m.users {
		if key, ok := emailKey(u.LoginName); ok && isMember(u) && keep[key] {
			found[key] = true
		}
	}
	for _, k := range opts.Keep {
		if key, _ := emailKey(k); !found[key] {
			p.Warnings = append(p.Warnings, fmt.Sprintf("Keep entry %s matches no member of the tailnet: check it for a typo", textsafe.Quote(k, 80)))
		}
	}
	return keep
}
