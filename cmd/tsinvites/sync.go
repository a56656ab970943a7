package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
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

const planExample = `  tsinvites plan -f invites.csv
  tsinvites plan -f people.csv --detailed-exitcode   # exit 4: apply has work to do
  tsinvites plan -f invites.yaml --prune --resend-after 72h
  tsinvites plan -f invites.json -o json | jq '.changes[] | select(.action == "delete")'
  tsinvites --fake plan -f invites.csv
  tsinvites plan -f people.csv --approve --manage-roles --offboard --keep ci-bot@example.com`

const applyExample = `  tsinvites apply -f invites.csv
  tsinvites apply -f invites.yaml --prune --resend-after 72h --yes
  hr-export | tsinvites apply -f - --format csv --yes -o json > applied.json
  tsinvites apply -f people.csv --approve --yes        # nightly: approve who accepted
  tsinvites apply -f people.csv --offboard --max-offboard 20 --keep ci-bot@example.com`

// syncFlags are the flags plan and apply share.
type syncFlags struct {
	file, format string
	cols         input.Columns
	prune        bool
	noUsers      bool
	resendAfter  time.Duration
	members      memberFlags
}

func (sf *syncFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&sf.file, "file", "f", "", `the desired invites: a CSV, YAML or JSON file ("-": stdin)`)
	f.StringVar(&sf.format, "format", "", "the file's format: csv, yaml or json (default: from its extension or content)")
	registerColumnFlags(cmd, &sf.cols)
	f.BoolVar(&sf.prune, "prune", false, "also delete open invites that are not in the file (and those without an email)")
	f.DurationVar(&sf.resendAfter, "resend-after", 0, "resend invites of the file last emailed longer ago than this, e.g. 72h (0: never)")
	f.BoolVar(&sf.noUsers, "no-users", false, "plan from the open invites alone, without reading the tailnet's users (for a credential without users:read): people who joined then get a create")
	sf.members.register(cmd)
	_ = cmd.MarkFlagFilename("file", "csv", "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"csv", "yaml", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

func newPlanCommand(o *options) *cobra.Command {
	sf := &syncFlags{}
	var detailed bool
	cmd := &cobra.Command{
		Use:     "plan -f FILE",
		Short:   "Show what apply would change to match a file of desired invites",
		Long:    planLong,
		Example: planExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			desired, _, err := sf.read(o)
			if err != nil {
				return err
			}
			ctx, c, done, err := o.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			plan, err := reconcile.NewPlan(ctx, c, desired, sf.options(o))
			if err != nil {
				return planFailure(err)
			}
			o.warn(plan)
			if err := o.printPlan(plan, o.env.stdout, o.env.stdoutTTY); err != nil {
				return failed(err)
			}
			if detailed && !plan.Empty() {
				return &exitError{code: exitChanges}
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 4 when the plan has changes (0 when none; 1 and 2 keep their meaning): for drift detection in CI")
	return cmd
}

func newApplyCommand(o *options) *cobra.Command {
	sf := &syncFlags{}
	var (
		yes         bool
		concurrency int
	)
	cmd := &cobra.Command{
		Use:     "apply -f FILE",
		Short:   "Make the open invites match a file of desired invites",
		Long:    applyLong,
		Example: applyExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkConcurrency(concurrency); err != nil {
				return err
			}
			if !yes && (sf.file == "-" || !o.env.stdinTTY) {
				return usageErrorf("apply needs --yes when it cannot ask for confirmation (stdin is not a terminal, or is the file); nothing was sent")
			}
			desired, lineOf, err := sf.read(o)
			if err != nil {
				return err
			}
			c, closeFn, err := o.client()
			if err != nil {
				return err
			}
			defer closeFn()
			ctx, cancel := o.withTimeout(cmd.Context()) // --timeout: for planning, then for applying
			plan, err := reconcile.NewPlan(ctx, c, desired, sf.options(o))
			cancel()
			if err != nil {
				return planFailure(err)
			}
			o.warn(plan)
			return o.apply(cmd.Context(), c, plan, reconcile.ApplyOptions{Concurrency: concurrency}, yes, lineOf)
		},
	}
	sf.register(cmd)
	f := cmd.Flags()
	f.BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	f.IntVar(&concurrency, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("create calls in flight, then deletes and resends (then changes to users) at once, 1 to %d", reconcile.MaxConcurrency))
	return cmd
}

// read checks the flags and reads the desired invites; every error is a usage error.
// lineOf gives the line of the file each email (any case) is on.
func (sf *syncFlags) read(o *options) (desired []tsinvites.CreateUserInviteRequest, lineOf map[string]int, _ error) {
	switch {
	case sf.file == "":
		return nil, nil, usage(flagProblem{errors.New("give the desired invites with -f FILE (\"-\": stdin)")})
	case sf.resendAfter < 0:
		return nil, nil, usage(flagProblem{fmt.Errorf("--resend-after %s: want 0 (never) or more", sf.resendAfter)})
	}
	if err := sf.cols.Check(); err != nil {
		return nil, nil, usage(flagProblem{err})
	}
	if err := sf.members.check(sf.noUsers); err != nil {
		return nil, nil, usage(flagProblem{err})
	}
	r, source := o.env.stdin, "stdin"
	if sf.file != "-" {
		f, err := os.Open(sf.file)
		if err != nil {
			return nil, nil, usage(fmt.Errorf("-f: %w", err))
		}
		defer f.Close()
		r, source = f, sf.file
	}
	file, err := input.ReadDesired(r, source, sf.format, sf.cols)
	if err != nil {
		return nil, nil, usage(err)
	}
	if note := file.IgnoredNote(source); note != "" {
		printLine(o.env.stderr, "%s", note)
	}
	desired = make([]tsinvites.CreateUserInviteRequest, len(file.Rows))
	lineOf = make(map[string]int, len(file.Rows))
	for i, row := range file.Rows {
		desired[i] = row.Invite
		if sf.members.manageRoles && !row.RoleGiven { // "": the row says nothing of the user's role
			desired[i].Role = ""
		}
		key, _ := identity.Key(row.Invite.Email)
		lineOf[key] = row.Line
	}
	return desired, lineOf, nil
}

func (sf *syncFlags) options(o *options) reconcile.PlanOptions {
	opts := reconcile.PlanOptions{Prune: sf.prune, ResendAfter: sf.resendAfter, WithoutUsers: sf.noUsers, Now: o.env.now()}
	sf.members.options(&opts)
	return opts
}

// printPlan prints plan in the output format: as text (coloured when w is a terminal
// and NO_COLOR is not set), JSON or CSV.
func (o *options) printPlan(plan *reconcile.Plan, w io.Writer, tty bool) error {
	p := o.printer()
	switch o.output {
	case "json":
		return p.json(plan)
	case "csv":
		cw := newCSVWriter(p.stdout)
		header := []string{"action", "email", "role", "oldRole", "inviteId", "lastEmailSentAt", "reason"}
		if plan.Options.ChangesUsers() {
			header = append(header, "userId")
		}
		_ = cw.Write(header)
		for _, ch := range plan.Changes {
			sent := ""
			if !ch.LastEmailSentAt.IsZero() {
				sent = ch.LastEmailSentAt.UTC().Format(time.RFC3339)
			}
			row := []string{string(ch.Action), ch.Email, string(ch.Role), string(ch.OldRole), ch.InviteID, sent, ch.Reason}
			if plan.Options.ChangesUsers() {
				row = append(row, ch.UserID)
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	o.writePlanText(w, plan, tty)
	return nil
}

// writePlanText writes the plan as Plan.String does (a line per change, one per joined
// person worth a look, the summary) to w, each line coloured by its mark when w is a
// terminal and neither NO_COLOR (https://no-color.org) nor TERM=dumb says otherwise.
func (o *options) writePlanText(w io.Writer, plan *reconcile.Plan, tty bool) {
	colors := map[string]*color.Color{
		"+ ": color.New(color.FgGreen),   // create
		"~ ": color.New(color.FgYellow),  // recreate
		"> ": color.New(color.FgCyan),    // resend
		"- ": color.New(color.FgRed),     // delete
		"= ": color.New(color.FgMagenta), // joined
		"^ ": color.New(color.FgGreen),   // approve
		"* ": color.New(color.FgYellow),  // set-role
		"! ": color.New(color.FgRed),     // suspend
		"& ": color.New(color.FgCyan),    // restore
	}
	on := tty && o.env.getenv("NO_COLOR") == "" && o.env.getenv("TERM") != "dumb"
	for _, c := range colors { // per color, never the package's global switch
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	for line := range strings.SplitSeq(printablePlan(plan).String(), "\n") {
		if c := colors[line[:min(2, len(line))]]; c != nil {
			line = c.Sprint(line)
		}
		fmt.Fprintln(w, line)
	}
}

// warn prints the plan's warnings on stderr (a login name that matches nobody, a near
// match, a --keep that matches no member).
func (o *options) warn(plan *reconcile.Plan) {
	for _, w := range plan.Warnings {
		printLine(o.env.stderr, "tsinvites: warning: %s", w)
	}
}

// printablePlan is a copy of plan whose texts (from the server or the file) are made
// printable, so that its String has no line ends but its own.
func printablePlan(plan *reconcile.Plan) *reconcile.Plan {
	p := *plan
	p.Warnings = nil // said on stderr (warn)
	p.Changes, p.Held = slices.Clone(plan.Changes), slices.Clone(plan.Held)
	for _, changes := range [][]reconcile.Change{p.Changes, p.Held} {
		for i, ch := range changes {
			ch.Email, ch.InviteID, ch.Reason, ch.UserID = printable(ch.Email), printable(ch.InviteID), printable(ch.Reason), printable(ch.UserID)
			ch.Role, ch.OldRole = tsinvites.UserRole(printable(string(ch.Role))), tsinvites.UserRole(printable(string(ch.OldRole)))
			changes[i] = ch
		}
	}
	p.Joined = slices.Clone(plan.Joined)
	for i, j := range p.Joined {
		j.Email, j.UserID = printable(j.Email), printable(j.UserID)
		j.Role, j.UserRole, j.Status = tsinvites.UserRole(printable(string(j.Role))), tsinvites.TailnetRole(printable(string(j.UserRole))), tsinvites.UserStatus(printable(string(j.Status)))
		j.OpenInvites = slices.Clone(j.OpenInvites)
		for k, id := range j.OpenInvites {
			j.OpenInvites[k] = printable(id)
		}
		p.Joined[i] = j
	}
	return &p
}

// apply shows the plan, asks for confirmation unless yes, runs it with the engine
// (reconcile.Apply, with opts) behind a progress bar and reports what became of each
// change, with the line of the file it comes from (lineOf, by lower-cased email).
func (o *options) apply(ctx context.Context, c *tsinvites.Client, plan *reconcile.Plan, opts reconcile.ApplyOptions, yes bool, lineOf map[string]int) error {
	p := o.printer()
	// The plan is for the person; with -o json or csv it goes to stderr, off the data.
	planOut, planTTY := o.env.stdout, o.env.stdoutTTY
	if o.output != "table" {
		planOut, planTTY = o.env.stderr, o.env.stderrTTY
	}
	o.writePlanText(planOut, plan, planTTY)
	items := planItems(plan, opts, reconcile.StatusNotAttempted, func(_ int, ch reconcile.Change) int {
		if ch.Action == reconcile.ActionDelete { // an open invite, not a person of the file
			return 0
		}
		key, _ := identity.Key(ch.Email)
		return lineOf[key]
	})
	if plan.Empty() {
		r := newReport(opApply, plan.Tailnet, items)
		r.Unchanged, r.users = len(plan.Unchanged), plan.Options.ChangesUsers()
		return p.report(r)
	}
	if !yes {
		ok, err := o.confirm(ctx, fmt.Sprintf("Apply %s to tailnet %q? Only 'yes' is accepted: ", textsafe.Plural(len(plan.Changes), "change", "changes"), plan.Tailnet))
		if err != nil {
			return failed(err)
		}
		if !ok {
			return failed(errors.New("apply cancelled; nothing was sent"))
		}
	}

	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	r, err := o.execute(ctx, c, opApply, plan, opts, items)
	if err != nil {
		return err
	}
	r.Unchanged, r.users = len(plan.Unchanged), plan.Options.ChangesUsers()
	return p.finish(r)
}

// confirm asks question on stderr and reads the answer from stdin; only "yes" agrees.
// It gives up when ctx ends (an interrupt while waiting).
func (o *options) confirm(ctx context.Context, question string) (bool, error) {
	fmt.Fprint(o.env.stderr, printable(question))
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(o.env.stdin).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case a := <-answer:
		return a == "yes", nil
	case <-ctx.Done():
		fmt.Fprintln(o.env.stderr)
		return false, fmt.Errorf("no answer (%s); nothing was sent", stopReason(ctx))
	}
}
