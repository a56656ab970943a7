package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// getOptions are get's inputs.
type getOptions struct {
	*options
	args        []string // the invite IDs, or "-" for stdin
	concurrency int
}

func newGetCommand(o *options) *cobra.Command {
	opts := &getOptions{options: o}
	cmd := &cobra.Command{
		Use:   "get ID...",
		Short: "Show invites by ID",
		Long: `Show invites by ID. IDs that are not found (accepted or deleted invites are gone) are
reported on stderr; the others are printed. Give - to read IDs from stdin, one a line.`,
		Example: `  tsinvites get 12
  tsinvites get 12 13 14 -o json
  tsinvites list -o json | jq -r '.[].id' | tsinvites get -`,
		Args: minArgs(1, "invite ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			return getRun(cmd.Context(), opts)
		},
	}
	concurrencyFlag(cmd.Flags(), &opts.concurrency, "how many requests to send at once")
	return cmd
}

// getRun gets the invites and prints them (getEach).
func getRun(ctx context.Context, opts *getOptions) error {
	return getEach(ctx, opts.options, opts.args, opts.concurrency, opGet, (*tsinvites.Client).Get, (*printer).invites)
}

// getEach is get and shares get: it checks the IDs (args; "-": stdin) and
// --concurrency, gets each with get, concurrency at a time (the project's one worker
// pool, internal/pool, which slows down on 429s as the engine does), prints those
// found with print (always one document with -o json or csv) and reports the others
// on stderr, one a line.
func getEach[T any](ctx context.Context, o *options, args []string, concurrency int, op bulkOp, get func(*tsinvites.Client, context.Context, string) (*T, error), print func(*printer, []T) error) error {
	ids, err := o.ids(op, args, concurrency)
	if err != nil {
		return err
	}
	ctx, c, done, err := o.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	found := make([]*T, len(ids))
	items := o.runEach(ctx, c, ids, concurrency, op, func(ctx context.Context, i int) error {
		var err error
		found[i], err = get(c, ctx, ids[i])
		return err
	})
	var got []T
	for _, v := range found {
		if v != nil {
			got = append(got, *v)
		}
	}
	p := o.printer()
	if len(got) > 0 || p.format != "table" { // json and csv: always one document
		if err := print(p, got); err != nil {
			return failedf("%w", err)
		}
	}
	return o.getFailures(newReport(reportOf{op: op, tailnet: c.Tailnet(), items: items}))
}

// getFailures reports on stderr, one a line, the items of a get (of invites or device
// invites) that were not found, and returns the command's error.
func (o *options) getFailures(r *report) error {
	if r.exitCode() == exitOK {
		return nil
	}
	for _, it := range r.Results {
		if it.Status != reconcile.StatusDone {
			printLine(o.env.stderr, "tsinvites: %s %s %s: %s", r.op.name, r.op.noun, it.InviteID, it.Error)
		}
	}
	if len(r.Results) == 1 { // one asked for: its line says it all
		return &exitError{code: exitFailed}
	}
	return r.err(true) // each was listed above
}
