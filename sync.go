package tsinvites

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites/internal/words"
)

// Plan and Apply make the open invites of a tailnet match a desired list ("declarative
// invites"): Plan compares the list with the open invites and says what would change,
// Apply makes those changes. Running both again after a partial failure finishes the
// job without creating anything twice.

// SyncOptions tunes [Client.Plan] and [Client.Apply]. The zero value plans creates,
// recreates and the removal of duplicates only, and applies with the defaults below.
type SyncOptions struct {
	// Prune deletes the open invites whose email is not in the desired list, and those
	// without an email. Without it they are left alone.
	Prune bool
	// ResendAfter, when above zero, resends the invites of the list whose email was last
	// sent longer ago than this (or never, as far as the API says).
	ResendAfter time.Duration
	// Now is the time ResendAfter counts back from; zero means time.Now().
	Now time.Time
	// BatchSize is the number of invites Apply creates per API call, 1 to
	// MaxSyncBatchSize (100); zero means 100.
	BatchSize int
	// Concurrency is the number of deletes and resends Apply runs at once, 1 to
	// MaxSyncConcurrency (64); zero means 4.
	Concurrency int
	// StopAfterFailedBatch makes Apply send no more create calls once one has failed
	// (or may have reached the API): the creates and recreates of the later batches are
	// [StatusNotAttempted]. Without it the later batches are sent. Deletes and resends
	// run either way.
	StopAfterFailedBatch bool
	// NotFoundFails makes a delete of an invite that does not exist (404) fail, rather
	// than count as done: for deletes of IDs a person gave, where a wrong ID is worth
	// reporting. A plan made by Plan wants the invite gone, however it went.
	NotFoundFails bool
	// WithoutUsers plans from the open invites alone, without reading the tailnet's
	// users: for a credential that may not read them. People who have joined are then
	// not recognised: their invite is gone, so each gets a create.
	WithoutUsers bool
	// Progress, when set, is called by Apply after each change it attempted, with its
	// result (not for changes left not attempted). Calls come one at a time: during the
	// creates on Apply's goroutine, then from its workers while they wait, so keep it
	// quick.
	Progress func(ChangeResult)
}

// Defaults and limits of [SyncOptions].
const (
	DefaultSyncBatchSize   = 100
	DefaultSyncConcurrency = 4
	MaxSyncBatchSize       = 100
	MaxSyncConcurrency     = 64 // the default HTTP client's connections per host
)

// check refuses options out of range; the error is the reason alone.
func (o SyncOptions) check() error {
	switch {
	case o.ResendAfter < 0:
		return fmt.Errorf("option ResendAfter %s is negative", o.ResendAfter)
	case o.BatchSize < 0 || o.BatchSize > MaxSyncBatchSize:
		return fmt.Errorf("option BatchSize %d: want 1 to %d (0 for %d)", o.BatchSize, MaxSyncBatchSize, DefaultSyncBatchSize)
	case o.Concurrency < 0 || o.Concurrency > MaxSyncConcurrency:
		return fmt.Errorf("option Concurrency %d: want 1 to %d (0 for %d)", o.Concurrency, MaxSyncConcurrency, DefaultSyncConcurrency)
	}
	return nil
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
	}
	return "="
}

// Change is one step of a [Plan]. Its JSON form uses the field names below.
type Change struct {
	Action Action `json:"action"`
	// Email is the desired email (create, recreate, resend, unchanged) or the open
	// invite's (delete; "" for an invite without one).
	Email string `json:"email,omitempty"`
	// Role is the role the person gets (create, recreate) or has (resend, delete,
	// unchanged).
	Role UserRole `json:"role,omitempty"`
	// InviteID is the open invite acted on: replaced (recreate), resent, deleted or
	// kept (unchanged). Empty for a create.
	InviteID string `json:"inviteId,omitempty"`
	// OldRole is the role of the invite a recreate replaces.
	OldRole UserRole `json:"oldRole,omitempty"`
	// LastEmailSentAt is when the open invite was last emailed, if ever.
	LastEmailSentAt time.Time `json:"lastEmailSentAt,omitzero"`
	// Reason says why, for deletes and resends.
	Reason string `json:"reason,omitempty"`
}

// String formats the change as a line of a plan, such as
// "+ create   amelie@example.com (admin)".
func (ch Change) String() string {
	who := ch.Email
	if who == "" {
		who = "an invite without email" // not "(no email)": a parenthesis follows
	}
	role := string(ch.Role)
	if ch.Action == ActionRecreate {
		role = string(ch.OldRole) + " → " + role
	}
	s := fmt.Sprintf("%s %-9s %s (%s", ch.Action.symbol(), ch.Action, who, role)
	if ch.InviteID != "" {
		s += ", invite " + ch.InviteID
	}
	s += ")"
	if ch.Reason != "" {
		s += ": " + ch.Reason
	}
	return s
}

// Plan is what [Client.Apply] will do to make a tailnet's open invites match a desired
// list, as computed by [Client.Plan]. It prints readably (String) and as JSON (its
// fields). It holds no invite URLs.
type Plan struct {
	// Tailnet is the tailnet of the client that made the plan; Apply refuses a client
	// for another.
	Tailnet string `json:"tailnet"`
	// Changes are the steps, grouped by action: creates, recreates, resends, deletes.
	Changes []Change `json:"changes"`
	// Unchanged are the desired invites that are open as wanted and need nothing.
	Unchanged []Change `json:"unchanged"`
	// NotListed is the number of open invites that are not in the list and are left
	// alone because Options.Prune is off.
	NotListed int `json:"notListed"`
	// Joined are the people of the list who are users of the tailnet already (suspended
	// and awaiting approval included): nothing is created or resent for them. Empty
	// with Options.WithoutUsers.
	Joined []Joined `json:"joined"`
	// Options are the options of Plan, which Apply uses too (BatchSize, Concurrency,
	// Progress). They are not in the JSON form: a plan read back from JSON has the
	// zero options, and so the defaults, unless you set them.
	Options SyncOptions `json:"-"`
}

// Joined is a person of the desired list who is a user of the tailnet: their login name
// is the desired email (without case). Users are never changed by Apply.
type Joined struct {
	Email  string   `json:"email"`
	Role   UserRole `json:"role"` // the role the list wants
	UserID string   `json:"userId"`
	// UserRole is the user's role in the tailnet; when it differs from Role it is
	// reported, never changed (a user's role is not the invites' to change).
	UserRole TailnetRole `json:"userRole"`
	Status   UserStatus  `json:"status"`
	// OpenInvites are the open invites still there for the email: redundant, deleted
	// with Options.Prune.
	OpenInvites []string `json:"openInvites,omitempty"`
}

// String formats the person as a line of a plan, such as
// "= joined    ann@example.com (admin; suspended)".
func (j Joined) String() string {
	s := fmt.Sprintf("= %-9s %s (%s", "joined", j.Email, j.UserRole)
	if j.Status != "" && j.Status != UserStatusActive && j.Status != UserStatusIdle {
		s += "; " + string(j.Status)
	}
	s += ")"
	if string(j.UserRole) != string(j.Role) {
		s += fmt.Sprintf(": the list says %s; a user's role is not changed here", j.Role)
	}
	if len(j.OpenInvites) > 0 {
		s += fmt.Sprintf(": %s still open", words.Plural(len(j.OpenInvites), "redundant invite", "redundant invites"))
	}
	return s
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
	s := fmt.Sprintf("Plan: %d to create, %d to recreate, %d to resend, %d to delete; %d unchanged",
		p.Count(ActionCreate), p.Count(ActionRecreate), p.Count(ActionResend), p.Count(ActionDelete), p.Count(ActionUnchanged))
	if p.Empty() {
		s = "No changes: " + words.Plural(p.Count(ActionUnchanged), "open invite matches", "open invites match") + " the list"
	}
	if p != nil && !p.Options.WithoutUsers {
		s += fmt.Sprintf("; %d joined", len(p.Joined))
		if n := p.countJoined(func(j Joined) bool { return j.Status == UserStatusSuspended || j.Status == UserStatusNeedsApproval }); n > 0 {
			s += fmt.Sprintf(" (%d suspended or awaiting approval, counted as joined)", n)
		}
	}
	s += "."
	if p != nil && p.NotListed > 0 {
		s += " " + words.Plural(p.NotListed, "open invite", "open invites") + " not in the list left alone (pruning would delete them)."
	}
	if n := p.countJoined(func(j Joined) bool { return len(j.OpenInvites) > 0 && !p.Options.Prune }); n > 0 {
		s += " " + words.Plural(n, "joined person has", "joined people have") + " a redundant open invite (pruning would delete it)."
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
// (another role, a status other than active, a redundant invite), then the summary.
func (p *Plan) String() string {
	var b strings.Builder
	if p != nil {
		for _, ch := range p.Changes {
			b.WriteString(ch.String())
			b.WriteByte('\n')
		}
		for _, j := range p.Joined {
			if string(j.UserRole) != string(j.Role) || len(j.OpenInvites) > 0 || j.Status != UserStatusActive && j.Status != UserStatusIdle {
				b.WriteString(j.String())
				b.WriteByte('\n')
			}
		}
	}
	b.WriteString(p.Summary())
	return b.String()
}

// firstOf remembers where each email (by emailKey) was first seen, for the duplicate
// checks of Plan and Apply.
type firstOf map[string]int

// seen reports the position where email was first seen and true, or records i as its
// first and returns false. An empty email is never a duplicate.
func (f firstOf) seen(email string, i int) (int, bool) {
	if email == "" {
		return 0, false
	}
	if j, dup := f[words.EmailKey(email)]; dup {
		return j, true
	}
	f[words.EmailKey(email)] = i
	return 0, false
}

// Plan lists the open invites of the client's tailnet and compares them with desired,
// matching emails without case and surrounding spaces. For each desired invite it plans
// a create (no open invite for the email), a recreate (open, with another role), a
// resend (open, last emailed longer ago than opts.ResendAfter) or nothing (unchanged).
// When an email has several open invites, the one with the desired role that was
// emailed last is kept and the others are deleted. With opts.Prune, open invites whose
// email is not desired, or that have none, are deleted; without it they are not
// touched.
//
// Plan also lists the tailnet's users (two requests in all): a desired person whose
// email is a user's login name (without case) has joined, whatever the user's status
// (suspended and awaiting approval count): nothing is created or resent for them, an
// open invite for them is redundant (deleted with opts.Prune), and a role that differs
// from the list is reported in [Plan.Joined], never changed. A credential that may not
// read users gets an error saying so; opts.WithoutUsers plans from the invites alone.
//
// An empty desired list plans nothing without opts.Prune, and with it the deletion of
// every open invite.
//
// Every desired invite needs a valid email (role "" means member), and no email may be
// listed twice: otherwise Plan returns an error matching [ErrInvalidInput] that lists
// every problem, and sends nothing.
func (c *Client) Plan(ctx context.Context, desired []CreateUserInviteRequest, opts SyncOptions) (*Plan, error) {
	op := operation{verb: "plan"}
	if err := opts.check(); err != nil {
		return nil, invalid(op, "%v", err)
	}
	want, err := checkDesired(op, desired)
	if err != nil {
		return nil, err
	}
	open, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	users := map[string]User{} // by lower-cased login name
	if !opts.WithoutUsers {
		list, err := c.ListUsers(ctx, ListUsersParams{})
		if IsForbidden(err) || IsNotFound(err) || IsUnauthorized(err) {
			return nil, fmt.Errorf("tsinvites: plan: this credential may not read the tailnet's users, which a plan needs to know who has joined: use an API key, or an OAuth client or federated identity with the users:read scope; or plan from the open invites alone with SyncOptions.WithoutUsers (tsinvites plan --no-users): %w", err)
		}
		if err != nil {
			return nil, err
		}
		for _, u := range list {
			users[words.EmailKey(u.LoginName)] = u
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	byEmail := map[string][]UserInvite{}
	for _, inv := range open {
		byEmail[words.EmailKey(inv.Email)] = append(byEmail[words.EmailKey(inv.Email)], inv)
	}
	p := &Plan{Tailnet: c.tailnet, Options: opts, Changes: []Change{}, Unchanged: []Change{}, Joined: []Joined{}}
	var creates, recreates, resends, deletes []Change
	for _, d := range want {
		key := words.EmailKey(d.Email)
		invs := byEmail[key]
		delete(byEmail, key)
		if u, joined := users[key]; joined {
			j := Joined{Email: d.Email, Role: d.Role, UserID: u.ID, UserRole: u.Role, Status: u.Status}
			for _, inv := range invs {
				j.OpenInvites = append(j.OpenInvites, inv.ID)
				if opts.Prune {
					deletes = append(deletes, deleteChange(inv, "already joined the tailnet, so the invite is redundant"))
				}
			}
			p.Joined = append(p.Joined, j)
			continue
		}
		if len(invs) == 0 {
			creates = append(creates, Change{Action: ActionCreate, Email: d.Email, Role: d.Role})
			continue
		}
		// Keep the invite emailed last, preferring one with the desired role.
		keep := slices.MaxFunc(invs, func(a, b UserInvite) int {
			return cmp.Or(cmpBool(a.Role == d.Role, b.Role == d.Role), a.LastEmailSentAt.Compare(b.LastEmailSentAt))
		})
		ch := Change{Email: d.Email, Role: d.Role, InviteID: keep.ID, LastEmailSentAt: keep.LastEmailSentAt}
		switch {
		case keep.Role != d.Role:
			ch.Action, ch.OldRole = ActionRecreate, keep.Role
			recreates = append(recreates, ch)
		case opts.ResendAfter > 0 && now.Sub(keep.LastEmailSentAt) > opts.ResendAfter:
			ch.Action, ch.Reason = ActionResend, lastEmailed(keep.LastEmailSentAt)
			resends = append(resends, ch)
		default:
			ch.Action = ActionUnchanged
			p.Unchanged = append(p.Unchanged, ch)
		}
		for _, inv := range invs {
			if inv.ID != keep.ID {
				deletes = append(deletes, deleteChange(inv, fmt.Sprintf("another invite for this email, %s, is kept", keep.ID)))
			}
		}
	}
	for _, inv := range open { // in list order
		if _, left := byEmail[words.EmailKey(inv.Email)]; !left {
			continue
		}
		switch {
		case !opts.Prune:
			p.NotListed++
		case inv.Email == "":
			deletes = append(deletes, deleteChange(inv, "no email, so not in the list"))
		default:
			deletes = append(deletes, deleteChange(inv, "not in the list"))
		}
	}
	p.Changes = append(p.Changes, slices.Concat(creates, recreates, resends, deletes)...) // [] in JSON when empty
	return p, nil
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

func deleteChange(inv UserInvite, reason string) Change {
	return Change{Action: ActionDelete, Email: inv.Email, Role: inv.Role, InviteID: inv.ID, LastEmailSentAt: inv.LastEmailSentAt, Reason: reason}
}

func lastEmailed(t time.Time) string {
	if t.IsZero() {
		return "never emailed"
	}
	return "last emailed " + t.UTC().Format("2006-01-02 15:04 MST")
}

// checkDesired checks the desired invites and returns them with emails trimmed and
// roles defaulted; the error lists every problem.
func checkDesired(op operation, desired []CreateUserInviteRequest) ([]CreateUserInviteRequest, error) {
	want := make([]CreateUserInviteRequest, len(desired))
	first := firstOf{}
	var problems []string
	for i, d := range desired {
		d.Email = strings.TrimSpace(d.Email)
		if d.Role == "" {
			d.Role = UserRoleMember
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
		return nil, invalid(op, "%s", strings.Join(problems, "; "))
	}
	return want, nil
}

// Status is the outcome of one change of [Client.Apply].
type Status string

// The outcomes of a change.
const (
	StatusDone         Status = "done"
	StatusFailed       Status = "failed"        // not done, or (recreate) only half done: see Err
	StatusUnknown      Status = "unknown"       // a create or recreate whose create call failed after it may have reached the API
	StatusNotAttempted Status = "not-attempted" // the context ended first
)

// ChangeResult is what became of one change.
type ChangeResult struct {
	Change
	Status Status `json:"status"`
	// NewInviteID is the invite made by a create or recreate.
	NewInviteID string `json:"newInviteId,omitempty"`
	// Invite is the invite made by a create or recreate, with its InviteURL (a secret:
	// it is left out of the JSON form).
	Invite *UserInvite `json:"-"`
	// Error is Err's text.
	Error string `json:"error,omitempty"`
	// Err is why the change is not done.
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

// ApplyResult is the outcome of [Client.Apply]: one result per change of the plan, in
// the plan's order.
type ApplyResult struct {
	Results []ChangeResult `json:"results"`
}

// Count returns the number of changes with the status.
func (r *ApplyResult) Count(s Status) int {
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

// Apply makes the changes of plan: first the creates and recreates, in create calls of
// up to plan.Options.BatchSize invites, one after the other; then the deletes, the
// resends and the deletes of the invites that recreates replaced, plan.Options.Concurrency
// at a time. A recreate deletes the invite it replaces only after its new invite
// exists, so a failure in between leaves the person invited (twice, until the next
// Plan and Apply delete the old invite). A delete of an invite that is gone already
// (accepted or deleted since Plan) counts as done, unless Options.NotFoundFails.
//
// A plan may be built by hand, not only by Plan: a create without email makes an
// invite to share by hand (its InviteURL in the result), and deletes and resends of
// given IDs run as a plan's do. Options.StopAfterFailedBatch stops the creates at the
// first create call that fails.
//
// The result has one entry per change. When the context ends, no new call is started
// and the changes not begun are [StatusNotAttempted]. A create batch that fails after it
// may have reached the API is [StatusUnknown], never retried: Plan and Apply again to
// finish, which creates only what is still missing. A delete cut short by the context
// is [StatusFailed] though the API may have done it; the next Plan sees which. The
// error is nil when every change is done; otherwise it counts the outcomes and wraps
// the first failed or unknown change's error and the context's error, if it ended.
//
// A plan whose Tailnet is not the client's (compared without case; "-" is whatever
// tailnet the credential belongs to, so the check cannot tell two credentials apart),
// or with invalid changes, is refused before anything is sent, with an error matching
// [ErrInvalidInput].
func (c *Client) Apply(ctx context.Context, plan *Plan) (*ApplyResult, error) {
	op := operation{verb: "apply"}
	if err := checkPlan(ctx, c, plan); err != nil {
		return nil, invalid(op, "%v", err)
	}
	opts := plan.Options
	batch := cmp.Or(opts.BatchSize, DefaultSyncBatchSize)
	res := &ApplyResult{Results: make([]ChangeResult, len(plan.Changes))}
	var mu sync.Mutex // serialises Progress and writes to res from the phase 2 workers
	finish := func(i int, r ChangeResult) {
		mu.Lock()
		defer mu.Unlock()
		res.Results[i] = r
		if opts.Progress != nil && r.Status != StatusNotAttempted {
			opts.Progress(r)
		}
	}
	var creates, later []int // indices into plan.Changes
	for i, ch := range plan.Changes {
		res.Results[i] = ChangeResult{Change: ch, Status: StatusNotAttempted}
		if ch.Action == ActionCreate || ch.Action == ActionRecreate {
			creates = append(creates, i)
		} else {
			later = append(later, i)
		}
	}

	// Phase 1: creates, a batch at a time.
	for start := 0; start < len(creates) && ctx.Err() == nil; start += batch {
		if opts.StopAfterFailedBatch && start > 0 && slices.ContainsFunc(creates[start-batch:start], func(i int) bool {
			return res.Results[i].Status == StatusFailed || res.Results[i].Status == StatusUnknown
		}) {
			for _, i := range creates[start:] {
				res.Results[i].Err = fmt.Errorf("tsinvites: apply: not attempted after create batch %d failed", start/batch)
			}
			break
		}
		idx := creates[start:min(start+batch, len(creates))]
		reqs := make([]CreateUserInviteRequest, len(idx))
		for j, i := range idx {
			reqs[j] = CreateUserInviteRequest{Email: plan.Changes[i].Email, Role: plan.Changes[i].Role}
		}
		created, err := c.Create(ctx, reqs...) // created[j] is reqs[j]'s invite, or zero
		for j, i := range idx {
			r := res.Results[i]
			var inv UserInvite
			if j < len(created) {
				inv = created[j]
			}
			ok := inv.ID != ""
			switch {
			case ok && r.Action == ActionRecreate && inv.ID == r.InviteID: // never delete it
				r.Status, r.Err = StatusFailed, fmt.Errorf("tsinvites: apply: the API answered the create for %q with the invite to replace, %s", r.Email, inv.ID)
			case ok:
				r.Status, r.NewInviteID, r.Invite = StatusDone, inv.ID, &inv
				if r.Action == ActionRecreate { // its old invite goes in phase 2
					later = append(later, i)
					res.Results[i] = r
					continue
				}
			case errors.Is(err, ErrMayHaveCreated):
				r.Status, r.Err = StatusUnknown, err
			case err != nil:
				r.Status, r.Err = StatusFailed, err
			default:
				r.Status, r.Err = StatusUnknown, fmt.Errorf("tsinvites: apply: the API's answer has no invite for %q", r.Email)
			}
			finish(i, r)
		}
	}

	// Phase 2: deletes, resends and the old invites of recreates, concurrently.
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(cmp.Or(opts.Concurrency, DefaultSyncConcurrency), len(later)) {
		wg.Go(func() {
			for i := range work {
				finish(i, c.applyOne(ctx, res.Results[i], opts))
			}
		})
	}
	for k, i := range later {
		if ctx.Err() == nil {
			select {
			case work <- i:
				continue
			case <-ctx.Done():
			}
		}
		for _, i := range later[k:] { // the context ended: settle the rest unsent
			finish(i, c.applyOne(ctx, res.Results[i], opts))
		}
		break
	}
	close(work)
	wg.Wait()
	return res, applyError(ctx, res)
}

// applyOne makes a delete or resend, or deletes the invite a done recreate replaced.
// The result it is given is not shared while it runs.
func (c *Client) applyOne(ctx context.Context, r ChangeResult, opts SyncOptions) ChangeResult {
	if err := ctx.Err(); err != nil { // not started
		if r.Action == ActionRecreate {
			r.Status, r.Err = StatusFailed, fmt.Errorf("tsinvites: apply: created invite %s, but deleting the invite it replaces, %s, was not started: %w", r.NewInviteID, r.InviteID, err)
		}
		return r
	}
	var err error
	switch r.Action {
	case ActionResend:
		err = c.Resend(ctx, r.InviteID)
	case ActionDelete, ActionRecreate:
		if err = c.Delete(ctx, r.InviteID); IsNotFound(err) && (r.Action == ActionRecreate || !opts.NotFoundFails) {
			err = nil // gone already: what the plan wanted
		}
	}
	switch {
	case err == nil:
		r.Status = StatusDone
	case r.Action == ActionRecreate:
		r.Status, r.Err = StatusFailed, fmt.Errorf("tsinvites: apply: created invite %s, but deleting the invite it replaces, %s, failed (Plan and Apply again to delete it): %w", r.NewInviteID, r.InviteID, err)
	default:
		r.Status, r.Err = StatusFailed, err
	}
	return r
}

// applyError sums up the results that are not done, and fills in their Error texts.
func applyError(ctx context.Context, res *ApplyResult) error {
	var first error // of the first change that failed or is unknown
	for i := range res.Results {
		r := &res.Results[i]
		if r.Status == StatusNotAttempted && r.Err == nil {
			r.Err = fmt.Errorf("tsinvites: apply: not started: %w", cmp.Or(ctx.Err(), context.Canceled))
		}
		if r.Err != nil {
			r.Error = r.Err.Error()
		}
		if r.Status == StatusFailed || r.Status == StatusUnknown {
			first = cmp.Or(first, r.Err)
		}
	}
	done := res.Count(StatusDone)
	if done == len(res.Results) {
		return nil
	}
	summary := fmt.Sprintf("tsinvites: apply: %d of %s done, %d failed, %d unknown (may have been created), %d not attempted; Plan and Apply again to finish",
		done, words.Plural(len(res.Results), "change", "changes"), res.Count(StatusFailed), res.Count(StatusUnknown), res.Count(StatusNotAttempted))
	switch {
	case ctx.Err() != nil && first != nil:
		return fmt.Errorf("%s: %w; first failure: %w", summary, ctx.Err(), first)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", summary, ctx.Err())
	case first == nil: // not expected: the context or a failed batch leaves changes not attempted
		return errors.New(summary)
	}
	return fmt.Errorf("%s: %w", summary, first)
}

// checkPlan refuses a plan that Apply cannot make safely with client c.
func checkPlan(ctx context.Context, c *Client, plan *Plan) error {
	switch {
	case c == nil || c.gen == nil:
		return errors.New("the Client was not made with tsinvites.New")
	case ctx == nil:
		return errors.New("nil context")
	case plan == nil:
		return errors.New("no plan given")
	}
	if err := plan.Options.check(); err != nil {
		return err
	}
	if !strings.EqualFold(plan.Tailnet, c.tailnet) {
		return fmt.Errorf("the plan is for tailnet %q, the client for %q", plan.Tailnet, c.tailnet)
	}
	creating := firstOf{}
	for i, ch := range plan.Changes {
		switch ch.Action {
		case ActionCreate, ActionRecreate:
			req := CreateUserInviteRequest{Email: ch.Email, Role: ch.Role}
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
			if err := ValidateInviteID(ch.InviteID); err != nil {
				return fmt.Errorf("change %d (%s): %v", i+1, ch.Action, err)
			}
		}
	}
	return nil
}
