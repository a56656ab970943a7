package main

import (
	"context"
	"fmt"

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
	cmd.Flags().IntVar(&opts.concurrency, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("how many requests to send at once, 1 to %d", reconcile.MaxConcurrency))
	return cmd
}

// getRun gets the invites --concurrency at a time (the project's one worker pool,
// internal/pool, which slows down on 429s as the engine does), prints those found and
// reports the others on stderr, one a line.
func getRun(ctx context.Context, opts *getOptions) error {
	ids, err := opts.ids(opts.args, opts.concurrency)
	if err != nil {
		return err
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	found := make([]*tsinvites.UserInvite, len(ids))
	items := opts.runEach(ctx, c, ids, opts.concurrency, opGet, func(ctx context.Context, i int) error {
		inv, err := c.Get(ctx, ids[i])
		found[i] = inv
		return err
	})
	var invites []tsinvites.UserInvite
	for i := range items {
		if found[i] != nil {
			invites = append(invites, *found[i])
		}
	}
	p := opts.printer()
	if len(invites) > 0 || p.format != "table" { // json and csv: always one document
		if err := p.invites(invites); err != nil {
			return failedf("%w", err)
		}
	}
	return opts.getFailures(newReport(reportOf{op: opGet, tailnet: c.Tailnet(), items: items}), len(ids))
}

// getFailures reports on stderr, one a line, the items of a get (of invites or device
// invites) that were not found, and returns the command's error.
func (o *options) getFailures(r *report, n int) error {
	if r.exitCode() == exitOK {
		return nil
	}
	for _, it := range r.Results {
		if it.Status != reconcile.StatusDone {
			printLine(o.env.stderr, "tsinvites: %s %s %s: %s", r.op.name, r.op.noun, it.InviteID, it.Error)
		}
	}
	if n == 1 {
		return &exitError{code: exitFailed}
	}
	return r.err(true) // each was listed above
}
