package main

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites/reconcile"
)

// finish prints the report and returns the command's error. A report that cannot be
// written (a full disk, a closed pipe) does not hide what was done: the exit code and
// the summary on stderr still say it, so that nobody re-runs a create that was made.
func (p *printer) finish(r *report) error {
	printErr := p.report(r)
	listed := p.format == "table" // the items not done were printed one a line
	if printErr == nil {
		return r.err(listed)
	}
	if r.exitCode() == exitOK && r.Done > 0 {
		return &exitError{code: exitPartial, own: true, err: fmt.Errorf("%s %s, but the report could not be written: %w", r.op.verb, r.op.count(r.Done), printErr)}
	}
	var xe *exitError
	if errors.As(r.err(listed), &xe) {
		return &exitError{code: xe.code, own: true, err: fmt.Errorf("%w (and the report could not be written: %v)", xe.err, printErr)}
	}
	return failedf("%w", printErr)
}

// report prints a report: with json the document and with csv a row per item, on
// stdout; with table, for a dry run what would be done on stdout, otherwise the
// invites made (create, or with --show-urls) on stdout and a line per item not done on
// stderr (resend and delete: every item, unless behind a progress bar). A count on
// stderr ends a report of items that were all done. It changes nothing in r.
func (p *printer) report(r *report) error {
	var err error
	// resend and delete list each item done, unless behind a progress bar; create
	// prints the invites made, and apply has printed its plan.
	listedDone := p.format == "table" && r.op.listsEach() && !r.behindBar
	switch {
	case p.format == "json":
		err = p.reportJSON(r)
	case p.format == "csv":
		err = p.reportCSV(r)
	case r.DryRun: // what would be done is the data
		for _, it := range r.Results {
			printLine(p.stdout, "would be %s: %s", r.op.verb, it.what(r.op))
		}
		fmt.Fprintln(p.stderr, "Dry run: nothing was sent.")
		return nil
	default:
		err = p.reportTable(r, listedDone)
	}
	if p.format != "table" || r.op != opCreate && !p.showURLs {
		p.urlNote(r.created)
		p.shareURLNote(r.shares)
	}
	if err == nil && !r.DryRun && !listedDone && len(r.Results) > 0 && r.exitCode() == exitOK {
		fmt.Fprintln(p.stderr, r.doneLine())
	}
	return err
}

// reportTable prints the invites made (create, or with --show-urls) on stdout and a
// line per item not done on stderr, and, with listedDone, one per item done too.
func (p *printer) reportTable(r *report, listedDone bool) error {
	var err error
	if len(r.created) > 0 && (r.op == opCreate || p.showURLs) {
		err = p.invites(r.created) // with the URL note
	}
	if len(r.shares) > 0 && p.showURLs {
		err = cmp.Or(err, p.shares(r.shares))
	}
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
	return err
}

// reportCSV prints a row per item.
func (p *printer) reportCSV(r *report) error {
	w := newCSVWriter(p.stdout)
	header := append(append([]string{"action", "line", "batch", "email", "role", "inviteId", "newInviteId", "status", "error"}, r.userColumn("userId")...), r.deviceColumns(nil)...)
	if p.showURLs {
		header = append(header, "inviteUrl")
	}
	_ = w.Write(header)
	for _, it := range r.Results {
		row := append(append([]string{string(it.Action), itoa(it.Line), itoa(it.Batch), it.Email, string(it.Role), it.InviteID, it.NewInviteID, string(it.Status), it.Error}, r.userColumn(it.UserID)...), r.deviceColumns(&it)...)
		if it.Share != nil {
			row = p.shareURL(row, it.Share.InviteURL)
		} else {
			row = p.withURL(row, it.Invite)
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
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
		if it.Share != nil {
			inv := p.visibleShare(*it.Share)
			it.Share = &inv
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
