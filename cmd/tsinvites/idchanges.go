package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites/reconcile"
)

// idChangeOptions are the inputs of resend and delete: the same change for each ID.
type idChangeOptions struct {
	*options
	op          bulkOp
	action      reconcile.Action
	args        []string // the invite IDs, or "-" for stdin
	concurrency int
	dryRun      bool
}

// newIDChangeCommand makes the command of resend or delete from its texts.
func newIDChangeCommand(opts *idChangeOptions, short, long, example string) *cobra.Command {
	cmd := &cobra.Command{
		Use:     opts.op.name + " ID...",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    minArgs(1, "invite ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			return idChangeRun(cmd.Context(), opts)
		},
	}
	concurrencyFlag(cmd.Flags(), &opts.concurrency, "how many requests to send at once")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print what would be done, send nothing")
	return cmd
}

// idChangeRun builds a plan of the same change for each ID, runs it with the engine
// (reconcile.Apply) and prints the report.
func idChangeRun(ctx context.Context, opts *idChangeOptions) error {
	ids, err := opts.ids(opts.op, opts.args, opts.concurrency)
	if err != nil {
		return err
	}
	// A wrong ID is worth reporting: the invite the person meant is still open.
	plan := &reconcile.Plan{Changes: make([]reconcile.Change, len(ids))}
	applyOpts := reconcile.ApplyOptions{Concurrency: opts.concurrency, NotFoundFails: true}
	for i, id := range ids {
		plan.Changes[i] = reconcile.Change{Action: opts.action, InviteID: id}
	}
	p := opts.printer()
	if opts.dryRun {
		return p.report(newReport(reportOf{op: opts.op, tailnet: opts.config().Tailnet, items: planItems(plan, applyOpts, statusDryRun, nil)}))
	}
	r, err := opts.runPlan(ctx, opts.op, plan, applyOpts, nil)
	if err != nil {
		return err
	}
	return p.finish(r)
}
