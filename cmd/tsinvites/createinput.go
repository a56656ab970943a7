package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
)

// inviteRow is one invite create sends, and where it came from: a row of a CSV file or
// an --email flag (read by package input), or a --link invite.
type inviteRow struct {
	line    int  // the line in the CSV file, or the position of the --email flag
	fromCSV bool // line is a line of a CSV file
	req     tsinvites.CreateUserInviteRequest
}

// fromInput is create's rows for the rows package input read.
func fromInput(rows []input.Row) []inviteRow {
	out := make([]inviteRow, len(rows))
	for i, r := range rows {
		out[i] = inviteRow{line: r.Line, fromCSV: r.FromFile, req: r.Invite}
	}
	return out
}

// maxLinks caps create --link --count: one API call.
const maxLinks = 100

// linkRows checks the flags of create --link and returns count invites without email.
func linkRows(emails []string, fromCSV string, role tsinvites.UserRole, count int) ([]inviteRow, error) {
	switch {
	case len(emails) > 0 || fromCSV != "":
		return nil, flagErrorf("--link creates invites without email: give no --email or --from-csv with it")
	case count < 1 || count > maxLinks:
		return nil, flagErrorf("--count %d: want 1 to %d", count, maxLinks)
	case role != "" && !role.Valid():
		return nil, flagErrorf("--role %q: want one of %s", role, input.RoleList())
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

// createInput checks create's flags and reads its invites (role: --role, normalised);
// every error is a usage error.
func (opts *createOptions) createInput(role tsinvites.UserRole) ([]inviteRow, error) {
	emails, fromCSV := opts.emails, opts.fromCSV
	if err := opts.cols.Check(); err != nil {
		return nil, flagErrorf("%w", err)
	}
	switch {
	case role != "" && !role.Valid():
		return nil, flagErrorf("--role %q: want one of %s", role, input.RoleList())
	case len(emails) > 0 && fromCSV != "":
		return nil, flagErrorf("give --email or --from-csv, not both")
	case len(emails) == 0 && fromCSV == "":
		return nil, flagErrorf("give --email ADDRESS (repeatable), --from-csv FILE or --link")
	case len(emails) > 0:
		rows, err := input.EmailRows(emails, role)
		if err != nil {
			return nil, usageErrorf("%w", err)
		}
		return fromInput(rows), nil
	}
	r, source, closeFn, err := openInput("--from-csv", fromCSV, opts.env.stdin)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	file, err := input.ReadCSV(r, source, role, opts.cols)
	if err != nil {
		return nil, usageErrorf("%w", err)
	}
	if note := file.IgnoredNote(source); note != "" {
		printLine(opts.env.stderr, "%s", note)
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
