package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites/reconcile"
)

const planLong = `Compare a file of desired invites with the tailnet's open invites and print what
'tsinvites apply' would change. Nothing is changed.

The file lists one invite per person: CSV with a header line "email,role" (as for
'create --from-csv': other columns are ignored, --email-column and --role-column pick
columns with other names), or a YAML or JSON list of {email, role} (role defaults to
member; roles in any case).
The format comes from the extension (.csv, .yaml, .yml, .json), or --format; for stdin
("-") and other names it is recognised from the content. Emails match without case.

For each invite in the file, the plan says:
  + create    no open invite for the email
  ~ recreate  an open invite with another role (the API cannot change a role: the new
              invite is created first, then the old one deleted)
  > resend    the open invite was last emailed longer ago than --resend-after
  - delete    another open invite for the same email (duplicates), and, with --prune,
              open invites not in the file or without an email
  = joined    a person of the file who is a user of the tailnet already (their login
              name is the email; suspended and awaiting approval count): nothing is
              created or resent for them, an open invite for them is deleted with
              --prune, and a role that differs from the file is reported (changed
              only with --manage-roles, below)
Open invites not in the file are left alone without --prune.
` + memberHelp + `

A plan reads the open invites and the tailnet's users: the credential needs to read
users (an API key, or an OAuth client or federated identity with the users:read
scope). --no-users plans from the open invites alone, as if nobody had joined.

Exit codes: 0 planned (or, with --detailed-exitcode, nothing to change), 1 failed, 2
usage error (nothing was sent), 4 with --detailed-exitcode: changes pending, for a
scheduled job that fails when the tailnet has drifted from the file.`

const planExample = `  tsinvites plan -f invites.csv
  tsinvites plan -f people.csv --detailed-exitcode   # exit 4: apply has work to do
  tsinvites plan -f invites.yaml --prune --resend-after 72h
  tsinvites plan -f invites.json -o json | jq '.changes[] | select(.action == "delete")'
  tsinvites --fake plan -f invites.csv
  tsinvites plan -f people.csv --approve --manage-roles --offboard --keep ci-bot@example.com`

// planOptions are plan's inputs.
type planOptions struct {
	*options
	sync     syncFlags
	detailed bool // --detailed-exitcode
}

func newPlanCommand(o *options) *cobra.Command {
	opts := &planOptions{options: o}
	cmd := &cobra.Command{
		Use:     "plan -f FILE",
		Short:   "Show what apply would change to match a file of desired invites",
		Long:    planLong,
		Example: planExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.sync.given(cmd)
			return planRun(cmd.Context(), opts)
		},
	}
	opts.sync.register(cmd)
	cmd.Flags().BoolVar(&opts.detailed, "detailed-exitcode", false, "exit 4 when the plan has changes (0 when none; 1 and 2 keep their meaning): for drift detection in CI")
	return cmd
}

// planRun reads the file, plans and prints the plan.
func planRun(ctx context.Context, opts *planOptions) error {
	desired, _, err := opts.sync.read(opts.options)
	if err != nil {
		return err
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	planOpts := opts.sync.options(opts.options)
	plan, err := reconcile.NewPlan(ctx, c, desired, planOpts)
	if err != nil {
		return planFailure(err)
	}
	opts.warn(plan)
	if err := opts.printPlan(plan, opts.env.stdout, opts.env.stdoutTTY); err != nil {
		return failedf("%w", err)
	}
	if opts.detailed && !plan.Empty() {
		return &exitError{code: exitChanges}
	}
	return nil
}
