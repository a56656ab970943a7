package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tsinvites/tsinvites/internal/textsafe"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
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

func newCreateCommand(o *options) *cobra.Command {
	var (
		emails    []string
		role      string
		fromCSV   string
		cols      input.Columns
		link      bool
		count     int
		batchSize int
		dryRun    bool
	)
	cmd := &cobra.Command{
		Use:     "create (--email ADDRESS... | --from-csv FILE|- | --link [--count N])",
		Short:   "Create invites from --email flags or a CSV file, or invite links",
		Long:    createLong,
		Example: createExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if batchSize < 1 || batchSize > reconcile.MaxBatchSize {
				return usage(flagProblem{fmt.Errorf("--batch-size %d: want 1 to %d", batchSize, reconcile.MaxBatchSize)})
			}
			if !link && cmd.Flags().Changed("count") {
				return usage(flagProblem{errors.New("--count goes with --link: give --email or --from-csv for invites with email")})
			}
			if cols.Given() && fromCSV == "" {
				return usage(flagProblem{errors.New("--email-column and --role-column go with --from-csv, as --ignore-role-column does")})
			}
			role := tsinvites.UserRole(strings.ToLower(strings.TrimSpace(role))) // --role Admin is admin
			var rows []inviteRow
			var err error
			if link {
				rows, err = linkRows(emails, fromCSV, role, count)
			} else {
				rows, err = o.createInput(emails, role, fromCSV, cols)
			}
			if err != nil {
				return err
			}
			return o.create(cmd.Context(), rows, batchSize, dryRun, link)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&emails, "email", nil, "address to invite (repeat for more)")
	f.StringVar(&role, "role", "", "role of the invites: "+input.RoleList()+` (default "member"); for CSV, of rows without one`)
	f.StringVar(&fromCSV, "from-csv", "", `read invites from this CSV file ("-": stdin) with a header line "email,role"`)
	registerColumnFlags(cmd, &cols)
	f.BoolVar(&link, "link", false, "create invites without email and print their URLs, to share by hand")
	f.IntVar(&count, "count", 1, fmt.Sprintf("with --link: how many invites, 1 to %d (one API call)", maxLinks))
	f.IntVar(&batchSize, "batch-size", reconcile.DefaultBatchSize, fmt.Sprintf("invites per API call, 1 to %d", reconcile.MaxBatchSize))
	f.BoolVar(&dryRun, "dry-run", false, "check the input and print what would be sent, send nothing")
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

// maxLinks caps create --link --count: one API call.
const maxLinks = 100

// linkRows checks the flags of create --link and returns count invites without email.
func linkRows(emails []string, fromCSV string, role tsinvites.UserRole, count int) ([]inviteRow, error) {
	switch {
	case len(emails) > 0 || fromCSV != "":
		return nil, usage(flagProblem{errors.New("--link creates invites without email: give no --email or --from-csv with it")})
	case count < 1 || count > maxLinks:
		return nil, usage(flagProblem{fmt.Errorf("--count %d: want 1 to %d", count, maxLinks)})
	case role != "" && !role.Valid():
		return nil, usage(flagProblem{fmt.Errorf("--role %q: want one of %s", role, input.RoleList())})
	}
	if role == "" {
		role = tsinvites.UserRoleMember
	}
	rows := make([]inviteRow, count)
	for i := range rows {
		rows[i] = inviteRow{line: i + 1, req: tsinvites.CreateUserInviteRequest{Role: role}}
	}
	return rows, nil
}

// linkWarning is said on stderr when create --link prints invite URLs.
const linkWarning = "tsinvites: each invite URL lets anyone who holds it join the tailnet: share each with one person, privately"

// createInput checks create's flags and reads its invites; every error is a usage error.
func (o *options) createInput(emails []string, role tsinvites.UserRole, fromCSV string, cols input.Columns) ([]inviteRow, error) {
	if err := cols.Check(); err != nil {
		return nil, usage(flagProblem{err})
	}
	switch {
	case role != "" && !role.Valid():
		return nil, usage(flagProblem{fmt.Errorf("--role %q: want one of %s", role, input.RoleList())})
	case len(emails) > 0 && fromCSV != "":
		return nil, usage(flagProblem{fmt.Errorf("give --email or --from-csv, not both")})
	case len(emails) == 0 && fromCSV == "":
		return nil, usage(flagProblem{fmt.Errorf("give --email ADDRESS (repeatable), --from-csv FILE or --link")})
	case len(emails) > 0:
		rows, err := emailRows(emails, role)
		if err != nil {
			return nil, usage(err)
		}
		return rows, nil
	}
	var (
		r      io.Reader
		source = fromCSV
	)
	if fromCSV == "-" {
		r, source = o.env.stdin, "stdin"
	} else {
		f, err := os.Open(fromCSV)
		if err != nil {
			return nil, usage(fmt.Errorf("--from-csv: %w", err))
		}
		defer f.Close()
		r = f
	}
	file, err := input.ReadCSV(r, source, role, cols)
	if err != nil {
		return nil, usage(err)
	}
	if note := file.IgnoredNote(source); note != "" {
		printLine(o.env.stderr, "%s", note)
	}
	return fromInput(file.Rows), nil
}

// registerColumnFlags adds --email-column, --role-column and --ignore-role-column,
// which fill cols.
func registerColumnFlags(cmd *cobra.Command, cols *input.Columns) {
	f := cmd.Flags()
	f.StringVar(&cols.Email, "email-column", "", `the CSV column holding the emails, by its name in the header (default "email"; any case)`)
	f.StringVar(&cols.Role, "role-column", "", `the CSV column holding the roles, by its name in the header (default "role"; any case)`)
	f.BoolVar(&cols.IgnoreRole, "ignore-role-column", false, `read no role column (an HR export's "Role" of job titles): every invite gets the default role (member, or create's --role)`)
}

// create creates the invites with the engine (reconcile.Apply), in batches one after
// the other, and stops at the first batch that fails: its invites are reported failed
// (or unknown) and later batches not attempted. With link (invites without email) their
// URLs are printed: they are what was asked for.
func (o *options) create(ctx context.Context, rows []inviteRow, batchSize int, dryRun, link bool) error {
	plan := &reconcile.Plan{Changes: make([]reconcile.Change, len(rows))}
	opts := reconcile.ApplyOptions{BatchSize: batchSize, Concurrency: 1, StopAfterFailedBatch: true}
	for i, row := range rows {
		plan.Changes[i] = reconcile.Change{Action: reconcile.ActionCreate, Email: row.req.Email, Role: row.req.Role}
	}
	lineOf := func(i int, _ reconcile.Change) int {
		if rows[i].fromCSV {
			return rows[i].line
		}
		return 0
	}
	p := o.printer()
	p.showURLs = p.showURLs || link
	if dryRun {
		r := newReport(opCreate, o.tailnet, planItems(plan, opts, statusDryRun, lineOf))
		if p.format != "table" {
			return p.report(r)
		}
		batches := (len(rows) + batchSize - 1) / batchSize
		fmt.Fprintf(o.env.stderr, "Dry run: would create %s in %s of at most %d; nothing was sent.\n",
			textsafe.Plural(len(rows), "invite", "invites"), textsafe.Plural(batches, "API call", "API calls"), batchSize)
		return p.dryRunTable(r.Results)
	}

	r, err := o.runPlan(ctx, opCreate, plan, opts, planItems(plan, opts, reconcile.StatusNotAttempted, lineOf))
	if err != nil {
		return err
	}
	if link && len(r.created) > 0 {
		fmt.Fprintln(o.env.stderr, linkWarning)
	}
	return p.finish(r)
}

// dryRunTable prints the invites a create would send, batch by batch.
func (p *printer) dryRunTable(results []item) error {
	tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
	withLine := len(results) > 0 && results[0].Line > 0
	if withLine {
		fmt.Fprintln(tw, "BATCH\tLINE\tEMAIL\tROLE")
	} else {
		fmt.Fprintln(tw, "BATCH\tEMAIL\tROLE")
	}
	for _, r := range results {
		email, role := printable(orDash(r.Email)), printable(string(r.Role))
		if withLine {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", r.Batch, r.Line, email, role)
		} else {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", r.Batch, email, role)
		}
	}
	return tw.Flush()
}
