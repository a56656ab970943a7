package main

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
	"github.com/tsinvites/tsinvites/reconcile"
)

const sharesPlanLong = `Compare a file of device shares with the invites of the devices it names and print what
'tsinvites shares apply' would change. Nothing is changed.

The file has one share per line: CSV with a header line "device,email,allowExitNode"
(allowExitNode optional: true, false, yes, no, 1, 0; other columns are ignored), or a
YAML or JSON list of {device, email, allowExitNode}. The format comes from the extension,
or --format; for stdin ("-") it is recognised from the content.

A device is named by its nodeId or ID, its MagicDNS name (with or without the tailnet's
suffix) or its hostname, or "tag:NAME" for every device with that tag; a name that
matches two devices is refused, naming both. For each device and person the plan says:
  + create    no invite of the device for the person
  ~ recreate  a pending invite made more than 30 days ago (unused share links expire
              then), or whose allowExitNode is not the file's
  > resend    a pending invite last emailed longer ago than --resend-after
  - delete    another pending invite for the same person, and, with --prune, pending
              invites of the devices in the file that the file does not hold
  = accepted  an accepted share, counted for who accepted it; never deleted by a plan
              (the API's document does not promise that deleting one ends the share)

Exit codes: 0 planned (or, with --detailed-exitcode, nothing to change), 1 failed, 2
usage error or bad file (nothing was sent), 4 with --detailed-exitcode: changes pending.`

// shareFlags are the flags shares plan and apply share.
type shareFlags struct {
	file, format string
	prune        bool
	resendAfter  time.Duration
	concurrency  int
}

func (sf *shareFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&sf.file, "file", "f", "", `the shares: a CSV, YAML or JSON file ("-": stdin)`)
	f.StringVar(&sf.format, "format", "", "the file's format: csv, yaml or json (default: from its extension or content)")
	f.BoolVar(&sf.prune, "prune", false, "also delete the pending invites of the file's devices that the file does not hold")
	f.DurationVar(&sf.resendAfter, "resend-after", 0, "resend pending invites last emailed longer ago than this, e.g. 72h (0: never)")
	concurrencyFlag(f, &sf.concurrency, "requests in flight (lists of invites, create calls, deletes and resends)")
	_ = cmd.MarkFlagFilename("file", "csv", "yaml", "yml", "json")
}

// plan makes the plan of file (within --timeout); a problem of the file found then (a
// device that names none, or two) is a usage error, with the file's lines.
func (sf *shareFlags) plan(ctx context.Context, o *options, c *tsinvites.Client, file input.ShareFile) (*reconcile.Plan, error) {
	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	plan, err := reconcile.NewSharePlan(ctx, c, file.Shares(), reconcile.PlanOptions{Prune: sf.prune, ResendAfter: sf.resendAfter, Concurrency: sf.concurrency, Now: o.env.now()})
	if errors.Is(err, tsinvites.ErrInvalidInput) { // a device that names none, or two
		return nil, usageErrorf("%w", file.LineError(err))
	}
	if err != nil {
		return nil, failed(err)
	}
	o.warn(plan)
	return plan, nil
}

// read checks the flags and reads the file.
func (sf *shareFlags) read(o *options) (input.ShareFile, error) {
	switch {
	case sf.file == "":
		return input.ShareFile{}, flagErrorf("give the shares with -f FILE (\"-\": stdin)")
	case checkResendAfter(sf.resendAfter) != nil:
		return input.ShareFile{}, checkResendAfter(sf.resendAfter)
	}
	if err := checkConcurrency(sf.concurrency); err != nil {
		return input.ShareFile{}, err
	}
	r, _, closeFn, err := openInput("-f", sf.file, o.env.stdin)
	if err != nil {
		return input.ShareFile{}, err
	}
	defer closeFn()
	file, err := input.ReadShares(r, sf.file, sf.format) // "-" for stdin: ReadShares names it
	if err != nil {
		return input.ShareFile{}, usageErrorf("%w", err)
	}
	if note := file.IgnoredNote(); note != "" {
		printLine(o.env.stderr, "%s", note)
	}
	return file, nil
}

// sharesPlanOptions are the inputs of shares plan.
type sharesPlanOptions struct {
	*options
	shares   shareFlags
	detailed bool
}

func newSharesPlanCommand(o *options) *cobra.Command {
	opts := &sharesPlanOptions{options: o}
	cmd := &cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show what shares apply would change to match a file of shares",
		Long:  sharesPlanLong,
		Example: `  tsinvites shares plan -f shares.csv
  tsinvites shares plan -f shares.yaml --prune --detailed-exitcode   # exit 4: apply has work to do
  tsinvites --fake shares plan -f examples/shares.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sharesPlanRun(cmd.Context(), opts)
		},
	}
	opts.shares.register(cmd)
	cmd.Flags().BoolVar(&opts.detailed, "detailed-exitcode", false, "exit 4 when the plan has changes (0 when none; 1 and 2 keep their meaning)")
	return cmd
}

// sharesPlanRun reads the file, plans and prints the plan.
func sharesPlanRun(ctx context.Context, opts *sharesPlanOptions) error {
	return opts.shares.withPlan(ctx, opts.options, func(_ *tsinvites.Client, plan *reconcile.Plan) error {
		return opts.showPlan(plan, opts.detailed)
	})
}

// withPlan reads the file (before connecting), plans it (plan) and calls then with
// the client and the plan: shares plan and shares apply -f.
func (sf *shareFlags) withPlan(ctx context.Context, o *options, then func(*tsinvites.Client, *reconcile.Plan) error) error {
	file, err := sf.read(o)
	if err != nil {
		return err
	}
	c, closeFn, err := o.client()
	if err != nil {
		return err
	}
	defer closeFn()
	plan, err := sf.plan(ctx, o, c, file)
	if err != nil {
		return err
	}
	return then(c, plan)
}

// sharesApplyOptions are the inputs of shares apply: apply's (--yes, --plan, the
// prompter) and the shares' flags.
type sharesApplyOptions struct {
	applyOptions
	shares shareFlags
}

func newSharesApplyCommand(o *options) *cobra.Command {
	opts := &sharesApplyOptions{applyOptions: applyOptions{options: o, prompter: newPrompter(o.env)}}
	cmd := &cobra.Command{
		Use:   "apply (-f FILE | --plan FILE)",
		Short: "Make the devices' shares match a file of shares",
		Long: `Make the invites of the devices a file names match it: print the plan (as 'tsinvites
shares plan' does), ask for confirmation unless --yes, then create (one call per
device), recreate, resend and delete. Running it again is safe: it plans only what is
left. Accepted shares are never deleted. --plan applies a plan saved by 'tsinvites
shares plan -o json' instead, skipping what changed since. Needs a user-owned API key.`,
		Example: `  tsinvites shares apply -f shares.csv
  tsinvites shares apply -f shares.yaml --prune --yes -o json > applied.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.concurrency = opts.shares.concurrency
			if !cmd.Flags().Changed("plan") {
				return sharesApplyRun(cmd.Context(), opts)
			}
			var shaping []string // the flags that make a new plan
			for _, name := range []string{"file", "format", "prune", "resend-after"} {
				if cmd.Flags().Changed(name) {
					shaping = append(shaping, name)
				}
			}
			return opts.applySaved(cmd.Context(), "shares plan", shaping, func(plan *reconcile.Plan) error {
				if !plan.DeviceShares {
					return usageErrorf("--plan %s: a plan of invites, not of shares: apply it with 'tsinvites apply --plan'", opts.planFile)
				}
				return nil
			})
		},
	}
	opts.shares.register(cmd)
	cmd.Flags().StringVar(&opts.planFile, "plan", "", `apply a plan saved by 'tsinvites shares plan -o json' ("-": stdin), instead of planning from -f`)
	cmd.Flags().BoolVarP(&opts.yes, "yes", "y", false, "apply without asking for confirmation")
	return cmd
}

// sharesApplyRun plans from the file, shows the plan, confirms and applies it with
// the engine, as apply does.
func sharesApplyRun(ctx context.Context, opts *sharesApplyOptions) error {
	if err := opts.checkFlags(opts.shares.file); err != nil {
		return err
	}
	return opts.shares.withPlan(ctx, opts.options, func(c *tsinvites.Client, plan *reconcile.Plan) error {
		return opts.apply(ctx, c, plan, nil)
	})
}
