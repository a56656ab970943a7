package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites/internal/textsafe"

	"github.com/schollz/progressbar/v3"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// The bulk commands (create, resend, delete and apply) run on one engine: each builds a
// reconcile.Plan of changes (apply has reconcile.NewPlan make it) and runs it with
// reconcile.Apply, which batches the creates, runs the deletes and resends a few at a
// time and says what became of each change. They print one report, of items.

// statusDryRun is the status of an item of a dry run, for which nothing was sent; the
// other statuses are reconcile.Status's own.
const statusDryRun reconcile.Status = "dry-run"

// statusUnpaired is the status of an item the CLI adds for an invite of a create
// answer that no change asked for (reconcile's Result.Unpaired): it may exist.
const statusUnpaired reconcile.Status = "unpaired"

// progressThreshold is the number of items above which a progress bar is shown on a
// terminal.
const progressThreshold = 20

// bulkOp is a bulk command, as its report names it.
type bulkOp struct {
	name     string // create, resend, delete, apply, get
	verb     string // past tense: created
	noun     string // what it counts: invite or change
	progress string // the progress bar's label
}

var (
	opCreate = bulkOp{"create", "created", "invite", "creating"}
	opResend = bulkOp{"resend", "resent", "invite", "resending"}
	opDelete = bulkOp{"delete", "deleted", "invite", "deleting"}
	opApply  = bulkOp{"apply", "applied", "change", "applying"}
	opGet    = bulkOp{"get", "got", "invite", "getting"}
)

func (op bulkOp) count(n int) string { return textsafe.Plural(n, op.noun, op.noun+"s") }

// item is one change of a report and what became of it. Its JSON form is part of the
// stable output.
type item struct {
	reconcile.ChangeResult
	// Line is where the item came from: its line in the CSV, YAML or JSON file.
	Line int `json:"line,omitempty"`
	// Batch is the create call a create or recreate goes in, from 1.
	Batch int `json:"batch,omitempty"`
	// Invite is the invite made, with its URL only when printed with --show-urls.
	Invite *tsinvites.UserInvite `json:"invite,omitempty"`
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
	return "invite " + it.InviteID
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
	Unpaired     int    `json:"unpaired,omitempty"` // invites the API made that were not asked for
	Results      []item `json:"results"`

	op         bulkOp
	created    []tsinvites.UserInvite // the invites made, with their URLs
	behindBar  bool                   // a progress bar was shown
	listed     bool                   // the items not done were printed one a line
	users      bool                   // apply acts on users: CSV has a userId column
	failedMade int                    // failed items whose invite was made all the same (another role)
}

func newReport(op bulkOp, tailnet string, items []item) *report {
	r := &report{Operation: op.name, Tailnet: cmp.Or(tailnet, "-"), Results: items, op: op}
	for _, it := range items {
		switch it.Status {
		case reconcile.StatusDone:
			r.Done++
			if it.Invite != nil {
				r.created = append(r.created, *it.Invite)
			}
		case reconcile.StatusFailed:
			r.Failed++
			if it.NewInviteID != "" {
				r.failedMade++
			}
		case reconcile.StatusNotAttempted:
			r.NotAttempted++
		case reconcile.StatusUnknown:
			r.Unknown++
		case statusUnpaired:
			r.Unpaired++
			r.created = append(r.created, *it.Invite)
		case statusDryRun:
			r.DryRun = true
		}
	}
	return r
}

// exitCode is 0 when every item was done (or it was a dry run) and no invite came
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

// finish prints the report and returns the command's error. A report that cannot be
// written (a full disk, a closed pipe) does not hide what was done: the exit code and
// the summary on stderr still say it, so that nobody re-runs a create that was made.
func (p *printer) finish(r *report) error {
	printErr := p.report(r)
	if printErr == nil {
		return r.err()
	}
	if r.exitCode() == exitOK && r.Done > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%s %s, but the report could not be written: %w", r.op.verb, r.op.count(r.Done), printErr)}
	}
	var xe *exitError
	if errors.As(r.err(), &xe) {
		return &exitError{code: xe.code, err: fmt.Errorf("%w (and the report could not be written: %v)", xe.err, printErr)}
	}
	return failed(printErr)
}

// err is the error for the exit code, nil when every item was done: a summary such as
// "deleted 2 of 3 invites; 1 failed".
func (r *report) err() error {
	code := r.exitCode()
	if code == exitOK {
		return nil
	}
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
	if i := slices.IndexFunc(r.Results, func(it item) bool {
		return it.Status == reconcile.StatusFailed || it.Status == reconcile.StatusUnknown
	}); i >= 0 && !r.listed { // the reasons are in the JSON or CSV: say the first here too
		msg += fmt.Sprintf("; the first: %s: %s", r.Results[i].what(r.op), r.Results[i].Error)
	}
	return &exitError{code: code, err: errors.New(msg)}
}

// planItems are the items of plan's changes, not yet run: creates and recreates numbered
// by the create call they go in (opts.BatchSize each), lines from lineOf (nil: none).
func planItems(plan *reconcile.Plan, opts reconcile.ApplyOptions, status reconcile.Status, lineOf func(i int, ch reconcile.Change) int) []item {
	batch := cmp.Or(opts.BatchSize, reconcile.DefaultBatchSize)
	items := make([]item, len(plan.Changes))
	creates := 0
	for i, ch := range plan.Changes {
		items[i] = item{ChangeResult: reconcile.ChangeResult{Change: ch, Status: status}}
		if ch.Action == reconcile.ActionCreate || ch.Action == reconcile.ActionRecreate {
			items[i].Batch = creates/batch + 1
			creates++
		}
		if lineOf != nil {
			items[i].Line = lineOf(i, ch)
		}
	}
	return items
}

// runPlan connects (see connect) and runs plan, whose empty Tailnet is the client's,
// with execute: for the commands whose plan is built by hand (create, resend, delete).
func (o *options) runPlan(ctx context.Context, op bulkOp, plan *reconcile.Plan, opts reconcile.ApplyOptions, items []item) (*report, error) {
	ctx, c, done, err := o.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return o.execute(ctx, c, op, plan, opts, items)
}

// execute runs plan with the engine, reconcile.Apply, behind a progress bar, and returns
// the report of items (from planItems), each with its outcome, for c's tailnet.
func (o *options) execute(ctx context.Context, c *tsinvites.Client, op bulkOp, plan *reconcile.Plan, opts reconcile.ApplyOptions, items []item) (*report, error) {
	prog := o.newProgress(len(plan.Changes), op.progress)
	opts.Progress = func(reconcile.ChangeResult) { prog.add(1) }
	res, err := reconcile.Apply(ctx, c, plan, opts)
	prog.done()
	if res == nil { // refused before sending
		return nil, apiFailure(err)
	}
	for i, r := range res.Results {
		items[i].ChangeResult = r
		items[i].Error = itemError(ctx, r.Status, r.Err)
		items[i].Invite = r.Invite
	}
	for _, inv := range res.Unpaired {
		items = append(items, unpairedItem(inv))
	}
	rep := newReport(op, c.Tailnet(), items)
	rep.behindBar = prog != nil
	return rep, nil
}

// unpairedItem is the item of an invite of a create answer that no change asked for.
func unpairedItem(inv tsinvites.UserInvite) item {
	ch := reconcile.Change{Action: reconcile.ActionCreate, Email: inv.Email, Role: inv.Role}
	return item{ChangeResult: reconcile.ChangeResult{Change: ch, Status: statusUnpaired, NewInviteID: inv.ID,
		Error: fmt.Sprintf("the API's answer held this invite, not asked for: it may exist (share it, or delete it: tsinvites delete %s)", shellWord(inv.ID))}, Invite: &inv}
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

// itemError is why an item is not done, for people: without the "tsinvites: ..."
// prefix (the report says which item it is about), and for an item not started, why.
func itemError(ctx context.Context, status reconcile.Status, err error) string {
	switch {
	case err == nil:
		return ""
	case status == reconcile.StatusNotAttempted && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return "not started: " + stopReason(ctx)
	}
	return reason(err)
}

// stopReason says why ctx ended, for people.
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "--timeout reached"
	}
	return "interrupted"
}

// reason is why an item failed, for people, without saying which operation it was (the
// report says which item it was about): the engine's own reason, or the API's status
// and message, or the error.
func reason(err error) string {
	var changeErr *reconcile.ChangeError
	var apiErr *tsinvites.APIError
	switch {
	case errors.As(err, &changeErr) && changeErr.Err == nil:
		return changeErr.Reason
	case errors.As(err, &changeErr):
		return changeErr.Reason + ": " + changeErr.Err.Error()
	case errors.As(err, &apiErr):
		return apiReason(err, apiErr)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out (--timeout or the 60s request limit)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

// apiReason is the API's status and message, such as "404 not found: invite not
// found", then what the client adds after them (what to do: check the credential, retry
// after a while, list before creating again).
func apiReason(err error, apiErr *tsinvites.APIError) string {
	s := fmt.Sprintf("%d %s", apiErr.StatusCode, strings.ToLower(http.StatusText(apiErr.StatusCode)))
	if apiErr.Message != "" {
		s += ": " + apiErr.Message
	}
	_, advice, _ := strings.Cut(err.Error(), s)
	return s + advice
}

// report prints a report: with json the document and with csv a row per item, on
// stdout; with table, for a dry run what would be done on stdout, otherwise the
// invites made (create, or with --show-urls) on stdout and a line per item not done on
// stderr (resend and delete: every item, unless behind a progress bar). A count on
// stderr ends a report of items that were all done.
func (p *printer) report(r *report) error {
	var err error
	// resend and delete list each item done, unless behind a progress bar; create
	// prints the invites made, and apply has printed its plan.
	listedDone := p.format == "table" && (r.op == opResend || r.op == opDelete) && !r.behindBar
	switch p.format {
	case "json":
		err = p.reportJSON(r)
	case "csv":
		w := newCSVWriter(p.stdout)
		header := append([]string{"action", "line", "batch", "email", "role", "inviteId", "newInviteId", "status", "error"}, r.userColumn("userId")...)
		if p.showURLs {
			header = append(header, "inviteUrl")
		}
		_ = w.Write(header)
		for _, it := range r.Results {
			row := append([]string{string(it.Action), itoa(it.Line), itoa(it.Batch), it.Email, string(it.Role), it.InviteID, it.NewInviteID, string(it.Status), it.Error}, r.userColumn(it.UserID)...)
			_ = w.Write(p.withURL(row, it.Invite))
		}
		w.Flush()
		err = w.Error()
	default:
		if r.DryRun { // what would be done is the data
			for _, it := range r.Results {
				printLine(p.stdout, "would be %s: %s", r.op.verb, it.what(r.op))
			}
			fmt.Fprintln(p.stderr, "Dry run: nothing was sent.")
			return nil
		}
		if len(r.created) > 0 && (r.op == opCreate || p.showURLs) {
			err = p.invites(r.created) // with the URL note
		}
		r.listed = true
		for _, it := range r.Results {
			switch {
			case it.Status == reconcile.StatusDone && listedDone:
				what := it.what(r.op)
				if it.NewInviteID != "" {
					what += " → invite " + it.NewInviteID
				}
				printLine(p.stderr, "%s %s", r.op.verb, what)
			case it.Status != reconcile.StatusDone:
				printLine(p.stderr, "%s %s: %s", strings.ToUpper(string(it.Status)), it.what(r.op), it.Error)
			}
		}
	}
	if p.format != "table" || r.op != opCreate && !p.showURLs {
		p.urlNote(r.created)
	}
	if err == nil && !r.DryRun && !listedDone && len(r.Results) > 0 && r.exitCode() == exitOK {
		fmt.Fprintf(p.stderr, "%s %s.\n", capitalize(r.op.verb), r.op.count(r.Done))
	}
	return err
}

// reportJSON prints the report as JSON, each invite's URL shown only with --show-urls.
func (p *printer) reportJSON(r *report) error {
	shown := *r
	shown.Results = make([]item, len(r.Results))
	for i, it := range r.Results {
		if it.Invite != nil {
			inv := p.visible(*it.Invite)
			it.Invite = &inv
		}
		shown.Results[i] = it
	}
	return p.json(shown)
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// forEach calls get for each of n items, at most concurrency at a time, and returns
// their items (in order): done, failed with the reason, or not attempted when ctx ended
// before the item was started. It is get's: the commands that change invites run on
// reconcile.Apply.
func forEach(ctx context.Context, n, concurrency int, prog *progress, get func(ctx context.Context, i int) error) []item {
	items := make([]item, n)
	for i := range items {
		items[i].Status = reconcile.StatusNotAttempted
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, n) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil { // the feeder and ctx.Done raced: leave it not attempted
					continue
				}
				if err := get(ctx, i); err != nil {
					items[i].Status, items[i].Error = reconcile.StatusFailed, reason(err)
				} else {
					items[i].Status = reconcile.StatusDone
				}
				prog.add(1)
			}
		})
	}
feed:
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i := range items {
		if items[i].Status == reconcile.StatusNotAttempted {
			items[i].Error = "not started: " + stopReason(ctx)
		}
	}
	return items
}

// progress is a progress bar on stderr, or nothing (a nil *progress is valid).
type progress struct{ bar *progressbar.ProgressBar }

// newProgress shows a progress bar for n items when there are more than 20 and stderr
// is a terminal.
func (o *options) newProgress(n int, desc string) *progress {
	if n <= progressThreshold || !o.env.stderrTTY {
		return nil
	}
	return &progress{bar: progressbar.NewOptions(n,
		progressbar.OptionSetWriter(o.env.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add(n int) {
	if p != nil {
		_ = p.bar.Add(n)
	}
}

// done removes the bar, so that what follows starts on a clean line.
func (p *progress) done() {
	if p != nil {
		_ = p.bar.Clear()
		_ = p.bar.Exit()
	}
}
