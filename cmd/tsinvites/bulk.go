package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tsinvites/tsinvites"
)

// The states of one item of a bulk command.
const (
	statusDone         = "done"
	statusFailed       = "failed"
	statusNotAttempted = "not-attempted"
	statusUnknown      = "unknown" // create: the request failed after it may have reached the API
	statusDryRun       = "dry-run"
)

// progressThreshold is the number of items above which a progress bar is shown on a
// terminal.
const progressThreshold = 20

// result is the outcome of one item: an invite ID to delete or resend, or an email to
// invite. Its JSON form is part of the stable output.
type result struct {
	ID     string                `json:"id,omitempty"`
	Email  string                `json:"email,omitempty"`
	Role   tsinvites.UserRole    `json:"role,omitempty"`
	Line   int                   `json:"line,omitempty"`  // create --from-csv: the line in the file
	Batch  int                   `json:"batch,omitempty"` // create: the request it goes in
	Status string                `json:"status"`
	Error  string                `json:"error,omitempty"`
	Invite *tsinvites.UserInvite `json:"invite,omitempty"` // create: the invite made
}

// report is the JSON document that create, resend and delete print with -o json.
type report struct {
	Operation    string   `json:"operation"`
	DryRun       bool     `json:"dryRun,omitempty"`
	Done         int      `json:"done"`
	Failed       int      `json:"failed"`
	NotAttempted int      `json:"notAttempted"`
	Unknown      int      `json:"unknown"` // may have been created: list to see
	Results      []result `json:"results"`
}

func newReport(op string, results []result) *report {
	r := &report{Operation: op, Results: results}
	for _, res := range results {
		switch res.Status {
		case statusDone:
			r.Done++
		case statusFailed:
			r.Failed++
		case statusNotAttempted:
			r.NotAttempted++
		case statusUnknown:
			r.Unknown++
		case statusDryRun:
			r.DryRun = true
		}
	}
	return r
}

// exitCode is 0 when every item was done, 3 when some were (or may have been), 1 when
// none were.
func (r *report) exitCode() int {
	switch {
	case r.DryRun || r.Failed+r.NotAttempted+r.Unknown == 0:
		return exitOK
	case r.Done > 0 || r.Unknown > 0:
		return exitPartial
	}
	return exitFailed
}

// err is the error for the exit code, nil when every item was done. verb is the past
// tense of the operation ("deleted").
func (r *report) err(verb string) error {
	code := r.exitCode()
	if code == exitOK {
		return nil
	}
	msg := fmt.Sprintf("%s %d of %s", verb, r.Done, plural(len(r.Results), "invite", "invites"))
	if r.Failed > 0 {
		msg += fmt.Sprintf("; %d failed", r.Failed)
	}
	if r.NotAttempted > 0 {
		msg += fmt.Sprintf("; %d not attempted", r.NotAttempted)
	}
	if r.Unknown > 0 {
		msg += fmt.Sprintf("; %d may have been created (check with 'tsinvites list' before trying them again)", r.Unknown)
	}
	return &exitError{code: code, err: errors.New(msg)}
}

// forEach calls do for each of n items, at most concurrency at a time, and returns their
// results (in item order): done, failed with the reason, or not attempted when ctx ended
// before the item was started.
func forEach(ctx context.Context, n, concurrency int, prog *progress, do func(ctx context.Context, i int) error) []result {
	results := make([]result, n)
	for i := range results {
		results[i].Status = statusNotAttempted
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, n) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil { // the feeder and ctx.Done raced: leave it not attempted
					continue
				}
				if err := do(ctx, i); err != nil {
					results[i].Status, results[i].Error = statusFailed, reason(err)
				} else {
					results[i].Status = statusDone
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
	if err := ctx.Err(); err != nil {
		for i := range results {
			if results[i].Status == statusNotAttempted {
				results[i].Error = "not started: " + stopReason(ctx)
			}
		}
	}
	return results
}

// stopReason says why ctx ended, for people.
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "--timeout reached"
	}
	return "interrupted"
}

// reason is an error's text without the "tsinvites: <operation>: " prefix: the report
// already says which item it was about.
func reason(err error) string {
	var apiErr *tsinvites.APIError
	msg := err.Error()
	if errors.As(err, &apiErr) {
		if i := strings.Index(msg, fmt.Sprintf(": %d ", apiErr.StatusCode)); i >= 0 {
			return msg[i+2:]
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out (--timeout or the 60s request limit)"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return strings.TrimPrefix(msg, "tsinvites: ")
}

// report prints the results of a bulk command: for table, one line per item on stderr
// (only a count when everything worked behind a progress bar; on stdout for a dry run);
// for json the report document and for csv one row per item, on stdout.
func (p *printer) report(r *report, verb string, quietSuccess bool) error {
	switch p.format {
	case "json":
		return p.json(r)
	case "csv":
		w := newCSVWriter(p.stdout)
		if r.Operation == "create" {
			header := []string{"line", "email", "role", "batch", "status", "id", "error"}
			if p.showURLs {
				header = append(header, "inviteUrl")
			}
			_ = w.Write(header)
		} else {
			_ = w.Write([]string{"id", "status", "error"})
		}
		for _, res := range r.Results {
			if r.Operation != "create" {
				_ = w.Write([]string{res.ID, res.Status, res.Error})
				continue
			}
			id := ""
			if res.Invite != nil {
				id = res.Invite.ID
			}
			_ = w.Write(p.withURL([]string{itoa(res.Line), res.Email, string(res.Role), itoa(res.Batch), res.Status, id, res.Error}, res.Invite))
		}
		w.Flush()
		return w.Error()
	}
	if r.DryRun { // what would be done is the data
		printResultLines(p.stdout, r, verb)
		fmt.Fprintln(p.stderr, "Dry run: nothing was sent.")
		return nil
	}
	if quietSuccess && r.exitCode() == exitOK {
		fmt.Fprintf(p.stderr, "%s %s.\n", capitalize(verb), plural(r.Done, "invite", "invites"))
		return nil
	}
	printResultLines(p.stderr, r, verb)
	return nil
}

// printResultLines lists each item and what happened to it.
func printResultLines(w io.Writer, r *report, verb string) {
	for _, res := range r.Results {
		what := "invite " + res.ID
		if res.Email != "" {
			what = res.Email
			if res.Line > 0 {
				what += fmt.Sprintf(" (line %d)", res.Line)
			}
		}
		switch res.Status {
		case statusDone:
			if res.Invite != nil {
				what += " → invite " + res.Invite.ID
			}
			printLine(w, "%s %s", verb, what)
		case statusFailed:
			printLine(w, "FAILED %s: %s", what, res.Error)
		case statusNotAttempted:
			printLine(w, "not attempted: %s: %s", what, res.Error)
		case statusUnknown:
			printLine(w, "UNKNOWN %s: %s", what, res.Error)
		case statusDryRun:
			printLine(w, "would be %s: %s", verb, what)
		}
	}
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
