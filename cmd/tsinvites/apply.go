package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"
	"github.com/tsinvites/tsinvites/reconcile"
)

const applyLong = `Make the tailnet's open invites match a file of desired invites: print the plan
(as 'tsinvites plan' does), ask for confirmation unless --yes, then create (in batches),
recreate, resend and delete.

Running it again is safe: it plans only what is still to do. After a partial failure
(exit code 3) run it again to finish: nothing is created twice, and a recreate deletes
the old invite only once the new one exists, so nobody is left uninvited.

--timeout limits planning and applying, each; the wait for your answer is not counted.

` + syncFileHelp

const syncFileHelp = `The file lists one invite per person: CSV with a header line "email,role", or a YAML
or JSON list of {email, role}; see 'tsinvites plan --help'.`

const applyExample = `  tsinvites apply -f invites.csv
  tsinvites apply -f invites.yaml --prune --resend-after 72h --yes
  hr-export | tsinvites apply -f - --format csv --yes -o json > applied.json
  tsinvites apply -f people.csv --approve --yes        # nightly: approve who accepted
  tsinvites apply -f people.csv --offboard --max-offboard 20 --keep ci-bot@example.com
  tsinvites plan -f people.csv --approve -o json > plan.json && tsinvites apply --plan plan.json`

// applyOptions are apply's inputs.
type applyOptions struct {
	*options
	sync        syncFlags
	planFile    string // --plan: a saved plan to apply instead of -f
	yes         bool
	concurrency int
	prompter    prompter
}

func newApplyCommand(o *options) *cobra.Command {
	opts := &applyOptions{options: o, prompter: newPrompter(o.env)}
	cmd := &cobra.Command{
		Use:     "apply (-f FILE | --plan FILE)",
		Short:   "Make the open invites match a file of desired invites",
		Long:    applyLong,
		Example: applyExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.sync.given(cmd)
			if cmd.Flags().Changed("plan") {
				return applyPlanRun(cmd.Context(), opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}
	opts.sync.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.planFile, "plan", "", `apply a plan saved by 'tsinvites plan -o json' ("-": stdin), instead of planning from -f`)
	f.BoolVarP(&opts.yes, "yes", "y", false, "apply without asking for confirmation")
	f.IntVar(&opts.concurrency, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("create calls in flight, then deletes and resends (then changes to users) at once, 1 to %d", reconcile.MaxConcurrency))
	_ = cmd.MarkFlagFilename("plan", "json")
	return cmd
}

// applyRun reads the file, plans (within --timeout), shows the plan, confirms and
// applies it (within --timeout again).
func applyRun(ctx context.Context, opts *applyOptions) error {
	if err := opts.checkFlags(opts.sync.file); err != nil {
		return err
	}
	desired, lineOf, err := opts.sync.read(opts.options)
	if err != nil {
		return err
	}
	c, closeFn, err := opts.client()
	if err != nil {
		return err
	}
	defer closeFn()
	planOpts := opts.sync.options(opts.options)
	planCtx, cancel := opts.withTimeout(ctx) // --timeout: for planning, then for applying
	plan, err := reconcile.NewPlan(planCtx, c, desired, planOpts)
	cancel()
	if err != nil {
		return planFailure(err)
	}
	opts.warn(plan)
	return opts.apply(ctx, c, plan, lineOf)
}

// checkFlags checks --concurrency and that apply can ask for confirmation: not without
// a terminal, nor when stdin is the file (from, "-").
func (o *applyOptions) checkFlags(from string) error {
	if err := checkConcurrency(o.concurrency); err != nil {
		return err
	}
	if !o.yes && (from == "-" || !o.env.stdinTTY) {
		return usageErrorf("apply needs --yes when it cannot ask for confirmation (stdin is not a terminal, or is the file); nothing was sent")
	}
	return nil
}

// apply shows the plan, asks for confirmation unless yes, runs it with the engine
// (reconcile.Apply, --concurrency at a time) behind a progress bar and reports what became of each
// change, with the line of the file it comes from (lineOf, by lower-cased email).
func (o *applyOptions) apply(ctx context.Context, c *tsinvites.Client, plan *reconcile.Plan, lineOf map[string]int) error {
	p := o.printer()
	opts := reconcile.ApplyOptions{Concurrency: o.concurrency}
	// The plan is for the person; with -o json or csv it goes to stderr, off the data.
	planOut, planTTY := o.env.stdout, o.env.stdoutTTY
	if o.output != "table" {
		planOut, planTTY = o.env.stderr, o.env.stderrTTY
	}
	o.writePlanText(planOut, plan, planTTY)
	lines := func(_ int, ch reconcile.Change) int {
		if ch.Action == reconcile.ActionDelete { // an open invite, not a person of the file
			return 0
		}
		key, _ := identity.Key(ch.Email)
		return lineOf[key]
	}
	of := reportOf{op: opApply, tailnet: plan.Tailnet, unchanged: len(plan.Unchanged), users: plan.Options.ChangesUsers(), devices: plan.DeviceShares}
	if plan.Empty() {
		of.items = planItems(plan, opts, reconcile.StatusNotAttempted, lines)
		return p.report(newReport(of))
	}
	if !o.yes {
		ok, err := o.prompter.Confirm(ctx, fmt.Sprintf("Apply %s to tailnet %q? Only 'yes' is accepted: ", textsafe.Plural(len(plan.Changes), "change", "changes"), plan.Tailnet))
		if err != nil {
			return failedf("%w", err)
		}
		if !ok {
			return failedf("apply cancelled; nothing was sent")
		}
	}
	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	ran, err := o.execute(ctx, c, opApply, plan, opts, lines)
	if err != nil {
		return err
	}
	of.tailnet, of.items, of.behindBar = c.Tailnet(), ran.items, ran.behindBar
	return p.finish(newReport(of))
}
