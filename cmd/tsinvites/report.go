package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
	"github.com/tsinvites/tsinvites/reconcile"
)

// The bulk commands (create, resend, delete and apply) run on one engine: each builds a
// reconcile.Plan of changes (apply has reconcile.NewPlan make it) and runs it with
// reconcile.Apply, which batches the creates, runs the deletes and resends a few at a
// time and says what became of each change. They print one report, of items: built
// once, from the plan and the engine's results, and only read by printing.

// statusDryRun is the status of an item of a dry run, for which nothing was sent; the
// other statuses are reconcile.Status's own.
const statusDryRun reconcile.Status = "dry-run"

// statusUnpaired is the status of an item the CLI adds for an invite of a create
// answer that no change asked for (reconcile's Result.Unpaired): it may exist.
const statusUnpaired reconcile.Status = "unpaired"

// bulkOp is a bulk command, as its report names it.
type bulkOp struct {
	name     string // create, resend, delete, apply, get
	verb     string // past tense: created
	noun     string // what it counts: invite, device invite or change
	progress string // the progress bar's label
	action   reconcile.Action
}

var (
	opCreate      = bulkOp{"create", "created", "invite", "creating", reconcile.ActionCreate}
	opResend      = bulkOp{"resend", "resent", "invite", "resending", reconcile.ActionResend}
	opDelete      = bulkOp{"delete", "deleted", "invite", "deleting", reconcile.ActionDelete}
	opApply       = bulkOp{"apply", "applied", "change", "applying", ""}
	opGet         = bulkOp{"get", "got", "invite", "getting", ""}
	opShareResend = bulkOp{"resend", "resent", "device invite", "resending", reconcile.ActionResend}
	opShareDelete = bulkOp{"delete", "deleted", "device invite", "deleting", reconcile.ActionDelete}
	opShareGet    = bulkOp{"get", "got", "device invite", "getting", ""}
)

// listsEach reports whether the op's table report lists each item done (resend and
// delete, of invites or device invites).
func (op bulkOp) listsEach() bool {
	return op.action == reconcile.ActionResend || op.action == reconcile.ActionDelete
}

func (op bulkOp) count(n int) string { return textsafe.Plural(n, op.noun, op.noun+"s") }

// item is one change of a report and what became of it: the plan's change, then the
// outcome, each field said once. Its JSON form is part of the stable output.
type item struct {
	reconcile.Change
	Status reconcile.Status `json:"status"`
	// NewInviteID is the invite made by a create or recreate.
	NewInviteID string `json:"newInviteId,omitempty"`
	// Error is why the item is not done, for people (see reason).
	Error string `json:"error,omitempty"`
	// Line is where the item came from: its line in the CSV, YAML or JSON file.
	Line int `json:"line,omitempty"`
	// Batch is the create call a create or recreate goes in, from 1.
	Batch int `json:"batch,omitempty"`
	// Invite is the invite made, with its URL only when printed with --show-urls.
	Invite *tsinvites.UserInvite `json:"invite,omitempty"`
	// Share is the device invite made (shares apply), with its URL only when printed
	// with --show-urls.
	Share *tsinvites.DeviceInvite `json:"share,omitempty"`
}

// what names the item for a person: the plan's line for apply, otherwise the email
// (and its line) or the invite ID.
func (it item) what(op bulkOp) string {
	switch {
	case it.Status == statusUnpaired:
		return "invite " + it.NewInviteID
	case op == opApply:
		return it.Change.String()
	case it.Action == reconcile.ActionCreate && it.Email == "":
		return "an invite without email"
	case it.Action == reconcile.ActionCreate && it.Line > 0:
		return fmt.Sprintf("%s (line %d)", it.Email, it.Line)
	case it.Action == reconcile.ActionCreate:
		return it.Email
	}
	return op.noun + " " + it.InviteID
}

// report is what a bulk command did, item by item: with -o json, this document.
type report struct {
	Operation    string `json:"operation"`
	Tailnet      string `json:"tailnet"`
	DryRun       bool   `json:"dryRun,omitempty"`
	Done         int    `json:"done"`
	Failed       int    `json:"failed"`
	Unknown      int    `json:"unknown"` // creates that may have been made: list to see
	NotAttempted int    `json:"notAttempted"`
	Unchanged    int    `json:"unchanged"`          // apply: the invites of the file that need nothing
	Skipped      int    `json:"skipped,omitempty"`  // apply --plan: changes whose starting point changed since the plan
	Unpaired     int    `json:"unpaired,omitempty"` // invites the API made that were not asked for
	Results      []item `json:"results"`

	op         bulkOp
	created    []tsinvites.UserInvite // the invites made, with their URLs
	shares     []shareRow             // the device invites made, with their URLs
	behindBar  bool                   // a progress bar was shown
	users      bool                   // apply acts on users: CSV has a userId column
	devices    bool                   // apply shares devices: CSV has device columns
	failedMade int                    // failed items whose invite was made all the same (another role)
}

// reportOf is what a report is built from.
type reportOf struct {
	op        bulkOp
	tailnet   string // "" is "-"
	items     []item
	behindBar bool // a progress bar was shown while the items ran
	unchanged int  // apply: the invites of the file that need nothing
	users     bool // apply acts on users
	devices   bool // apply shares devices
}

// newReport builds the report of in's items, with its counts.
func newReport(in reportOf) *report {
	r := &report{Operation: in.op.name, Tailnet: cmp.Or(in.tailnet, "-"), Results: in.items, op: in.op,
		Unchanged: in.unchanged, behindBar: in.behindBar, users: in.users, devices: in.devices}
	for _, it := range in.items {
		switch it.Status {
		case reconcile.StatusDone:
			r.Done++
			if it.Invite != nil {
				r.created = append(r.created, *it.Invite)
			}
			if it.Share != nil {
				r.shares = append(r.shares, shareRow{Device: it.DeviceID, DeviceName: it.DeviceName, DeviceInvite: *it.Share})
			}
		case reconcile.StatusFailed:
			r.Failed++
			if it.NewInviteID != "" {
				r.failedMade++
			}
		case reconcile.StatusNotAttempted:
			r.NotAttempted++
		case reconcile.StatusSkipped:
			r.Skipped++
		case reconcile.StatusUnknown:
			r.Unknown++
		case statusUnpaired:
			r.Unpaired++
			if it.Invite != nil {
				r.created = append(r.created, *it.Invite)
			}
			if it.Share != nil {
				r.shares = append(r.shares, shareRow{Device: it.DeviceID, DeviceInvite: *it.Share})
			}
		case statusDryRun:
			r.DryRun = true
		}
	}
	return r
}

// exitCode is 0 when every item was done (or skipped: a saved plan's change the
// tailnet no longer needs as the plan saw it; or it was a dry run) and no invite came
// unasked, 3 when some were (or may have been, or an invite was made though its item
// failed), 1 when none were.
func (r *report) exitCode() int {
	switch {
	case r.DryRun || r.Failed+r.NotAttempted+r.Unknown+r.Unpaired == 0:
		return exitOK
	case r.Done > 0 || r.Unknown > 0 || r.Unpaired > 0 || r.failedMade > 0:
		return exitPartial
	}
	return exitFailed
}

// err is the error for the exit code, nil when every item was done: a summary such as
// "deleted 2 of 3 invites; 1 failed". listed says the items not done were printed one a
// line (a table); otherwise the summary names the first and why.
func (r *report) err(listed bool) error {
	code := r.exitCode()
	if code == exitOK {
		return nil
	}
	msg := r.summary()
	if i := slices.IndexFunc(r.Results, func(it item) bool {
		return it.Status == reconcile.StatusFailed || it.Status == reconcile.StatusUnknown
	}); i >= 0 && !listed { // the reasons are in the JSON or CSV: say the first here too
		msg += fmt.Sprintf("; the first: %s: %s", r.Results[i].what(r.op), r.Results[i].Error)
	}
	return &exitError{code: code, err: fmt.Errorf("%s", msg), own: true}
}

// summary counts what was done and what was not, and says what to do next.
func (r *report) summary() string {
	asked := len(r.Results) - r.Unpaired
	msg := fmt.Sprintf("%s %d of %s", r.op.verb, r.Done, r.op.count(asked))
	switch {
	case asked == 1 && r.Done == 0: // not "resent 0 of 1 invite"
		msg = r.op.verb + " no " + r.op.noun
	case asked == r.Done:
		msg = r.op.verb + " " + r.op.count(r.Done)
	}
	if r.Failed > 0 {
		msg += fmt.Sprintf("; %d failed", r.Failed)
	}
	if r.Skipped > 0 {
		msg += fmt.Sprintf("; %d skipped", r.Skipped)
	}
	if r.NotAttempted > 0 {
		msg += fmt.Sprintf("; %d not attempted", r.NotAttempted)
	}
	if r.Unknown > 0 {
		msg += fmt.Sprintf("; %d may have been created", r.Unknown)
		if r.op != opApply {
			msg += " (check with 'tsinvites list' before trying them again)"
		}
	}
	if r.Unpaired > 0 {
		msg += fmt.Sprintf("; the API's answer held %s not asked for, which may exist (share or delete %s)", textsafe.Plural(r.Unpaired, "invite", "invites"), unpairedIDs(r.Results))
	}
	if r.op == opApply {
		msg += ": run apply again to finish (it plans only what is left)"
	}
	return msg
}

// doneLine is the line that ends a report whose items were all done (or skipped), such
// as "Applied 3 changes." or "Applied 3 changes; 1 skipped: the tailnet changed since
// the plan."
func (r *report) doneLine() string {
	s := capitalize(r.op.verb) + " " + r.op.count(r.Done)
	if r.Skipped > 0 {
		s += fmt.Sprintf("; %d skipped: the tailnet changed since the plan", r.Skipped)
	}
	return s + "."
}

// unpairedIDs lists the invite IDs of the unpaired items, such as "invite 3, 4".
func unpairedIDs(items []item) string {
	var ids []string
	for _, it := range items {
		if it.Status == statusUnpaired {
			ids = append(ids, it.NewInviteID)
		}
	}
	if len(ids) == 1 {
		return "invite " + ids[0]
	}
	return "invites " + strings.Join(ids, ", ")
}

// deviceColumns are the CSV report's device cells of it (their names for nil), when
// apply shares devices (nothing otherwise).
func (r *report) deviceColumns(it *item) []string {
	switch {
	case !r.devices:
		return nil
	case it == nil:
		return []string{"deviceId", "deviceName", "allowExitNode"}
	}
	return []string{it.DeviceID, it.DeviceName, strconv.FormatBool(it.AllowExitNode)}
}

// userColumn is the CSV report's userId cell, v, when apply acts on users (nothing
// otherwise, so that reports without them keep their columns).
func (r *report) userColumn(v string) []string {
	if r.users {
		return []string{v}
	}
	return nil
}
