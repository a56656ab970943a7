package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
	"github.com/tsinvites/tsinvites/internal/textsafe"
	"github.com/tsinvites/tsinvites/reconcile"
)

const createLong = `Create invites: one for each --email, one for each row of a CSV file, or --count
invites without email (--link), whose URLs you share by hand.

The CSV file needs a header line naming its columns: email, and optionally role (empty
means --role, which defaults to member; any case). Other columns, such as an HR export's
name and department, are ignored and listed on stderr; --email-column and --role-column
pick columns with other names ("Work Email"). Every row is checked first (bad address,
unknown role, the same email twice): if any row is bad, each problem is listed with its
line number and nothing is sent. Invites are then created in batches of --batch-size (1
to 100, the API's limit per call), one API call each. If a batch fails, the batches
before it are done and the later ones are not attempted; the report says which emails
are in which state (the same report as resend, delete and apply give).

Invites for emails outside the tailnet's domain come with an invite URL, hidden unless
--show-urls. With --link the URLs are the point, and are printed: each lets anyone who
holds it join the tailnet, so share each with one person only.

Needs a user-owned API key.`

const createExample = `  tsinvites create --email amelie@example.com --role admin
  tsinvites create --email a@example.com --email b@example.com
  tsinvites create --from-csv people.csv --dry-run
  tsinvites create --from-csv people.csv -o json > created.json
  printf 'email,role\nbob@example.com,auditor\n' | tsinvites create --from-csv -
  tsinvites create --link --count 3 --role member`

// createOptions are create's inputs.
type createOptions struct {
	*options
	emails    []string
	role      string
	fromCSV   string
	cols      input.Columns
	link      bool
	count     int
	countSet  bool // --count was given
	batchSize int
	dryRun    bool
}

func newCreateCommand(o *options) *cobra.Command {
	opts := &createOptions{options: o}
	cmd := &cobra.Command{
		Use:     "create (--email ADDRESS... | --from-csv FILE|- | --link [--count N])",
		Short:   "Create invites from --email flags or a CSV file, or invite links",
		Long:    createLong,
		Example: createExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.countSet = cmd.Flags().Changed("count")
			return createRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.emails, "email", nil, "address to invite (repeat for more)")
	f.StringVar(&opts.role, "role", "", "role of the invites: "+input.RoleList()+` (default "member"); for CSV, of rows without one`)
	f.StringVar(&opts.fromCSV, "from-csv", "", `read invites from this CSV file ("-": stdin) with a header line "email,role"`)
	registerColumnFlags(cmd, &opts.cols)
	f.BoolVar(&opts.link, "link", false, "create invites without email and print their URLs, to share by hand")
	f.IntVar(&opts.count, "count", 1, fmt.Sprintf("with --link: how many invites, 1 to %d (one API call)", maxLinks))
	f.IntVar(&opts.batchSize, "batch-size", reconcile.DefaultBatchSize, fmt.Sprintf("invites per API call, 1 to %d", reconcile.MaxBatchSize))
	f.BoolVar(&opts.dryRun, "dry-run", false, "check the input and print what would be sent, send nothing")
	_ = cmd.RegisterFlagCompletionFunc("role", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, r := range tsinvites.Roles() {
			names = append(names, string(r))
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.MarkFlagFilename("from-csv", "csv")
	return cmd
}

// createRun checks the flags, reads the invites and creates them with the engine
// (reconcile.Apply), in batches one after the other, and stops at the first batch that
// fails: its invites are reported failed (or unknown) and later batches not attempted.
// With --link (invites without email) their URLs are printed: they are what was asked
// for.
func createRun(ctx context.Context, opts *createOptions) error {
	rows, err := opts.rows()
	if err != nil {
		return err
	}
	plan := &reconcile.Plan{Changes: make([]reconcile.Change, len(rows))}
	applyOpts := reconcile.ApplyOptions{BatchSize: opts.batchSize, Concurrency: 1, StopAfterFailedBatch: true}
	for i, row := range rows {
		plan.Changes[i] = reconcile.Change{Action: reconcile.ActionCreate, Email: row.req.Email, Role: row.req.Role}
	}
	lineOf := func(i int, _ reconcile.Change) int {
		if rows[i].fromCSV {
			return rows[i].line
		}
		return 0
	}
	p := opts.printer()
	p.showURLs = p.showURLs || opts.link
	if opts.dryRun {
		return opts.dryRunReport(p, plan, applyOpts, lineOf)
	}
	r, err := opts.runPlan(ctx, opCreate, plan, applyOpts, lineOf)
	if err != nil {
		return err
	}
	if opts.link && len(r.created) > 0 {
		fmt.Fprintln(opts.env.stderr, linkWarning)
	}
	return p.finish(r)
}

// rows checks the flags and reads the invites to create; every error is a usage error.
func (opts *createOptions) rows() ([]inviteRow, error) {
	switch {
	case opts.batchSize < 1 || opts.batchSize > reconcile.MaxBatchSize:
		return nil, flagErrorf("--batch-size %d: want 1 to %d", opts.batchSize, reconcile.MaxBatchSize)
	case !opts.link && opts.countSet:
		return nil, flagErrorf("--count goes with --link: give --email or --from-csv for invites with email")
	case opts.cols.Given() && opts.fromCSV == "":
		return nil, flagErrorf("--email-column and --role-column go with --from-csv, as --ignore-role-column does")
	}
	role := tsinvites.UserRole(strings.ToLower(strings.TrimSpace(opts.role))) // --role Admin is admin
	if opts.link {
		return linkRows(opts.emails, opts.fromCSV, role, opts.count)
	}
	return opts.createInput(role)
}

// dryRunReport prints what create would send: the report, or with table a count and
// the invites batch by batch.
func (opts *createOptions) dryRunReport(p *printer, plan *reconcile.Plan, applyOpts reconcile.ApplyOptions, lineOf func(int, reconcile.Change) int) error {
	r := newReport(reportOf{op: opCreate, tailnet: opts.config().Tailnet, items: planItems(plan, applyOpts, statusDryRun, lineOf)})
	if p.format != "table" {
		return p.report(r)
	}
	n := len(plan.Changes)
	batches := (n + opts.batchSize - 1) / opts.batchSize
	fmt.Fprintf(opts.env.stderr, "Dry run: would create %s in %s of at most %d; nothing was sent.\n",
		textsafe.Plural(n, "invite", "invites"), textsafe.Plural(batches, "API call", "API calls"), opts.batchSize)
	return p.dryRunTable(r.Results)
}
