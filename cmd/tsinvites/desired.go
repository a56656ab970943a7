package main

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/reconcile"
)

// syncFlags are the flags plan and apply share: the file of desired invites and the
// options that shape the plan.
type syncFlags struct {
	file, format string
	cols         input.Columns
	prune        bool
	noUsers      bool
	resendAfter  time.Duration
	members      memberFlags
	// names are the flags registered here; shaping, those of them given.
	names, shaping []string
}

func (sf *syncFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	before := map[string]bool{}
	f.VisitAll(func(fl *pflag.Flag) { before[fl.Name] = true })
	f.StringVarP(&sf.file, "file", "f", "", `the desired invites: a CSV, YAML or JSON file ("-": stdin)`)
	f.StringVar(&sf.format, "format", "", "the file's format: csv, yaml or json (default: from its extension or content)")
	registerColumnFlags(cmd, &sf.cols)
	f.BoolVar(&sf.prune, "prune", false, "also delete open invites that are not in the file (and those without an email)")
	f.DurationVar(&sf.resendAfter, "resend-after", 0, "resend invites of the file last emailed longer ago than this, e.g. 72h (0: never)")
	f.BoolVar(&sf.noUsers, "no-users", false, "plan from the open invites alone, without reading the tailnet's users (for a credential without users:read): people who joined then get a create")
	sf.members.register(cmd)
	_ = cmd.MarkFlagFilename("file", "csv", "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"csv", "yaml", "json"}, cobra.ShellCompDirectiveNoFileComp))
	f.VisitAll(func(fl *pflag.Flag) {
		if !before[fl.Name] {
			sf.names = append(sf.names, fl.Name)
		}
	})
}

// command makes cmd one of the commands of the sync flags (plan, apply): they are
// registered, cmd takes no arguments, and which of them were given is recorded
// before run.
func (sf *syncFlags) command(cmd *cobra.Command, run func(*cobra.Command) error) {
	cmd.Args = noArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		sf.given(cmd)
		return run(cmd)
	}
	sf.register(cmd)
}

// given records which of the flags were given on cmd's command line.
func (sf *syncFlags) given(cmd *cobra.Command) {
	sf.shaping = nil
	for _, name := range sf.names {
		if cmd.Flags().Changed(name) {
			sf.shaping = append(sf.shaping, name)
		}
	}
	sf.members.maxOffboardSet = cmd.Flags().Changed("max-offboard")
	sf.members.offboardGraceSet = cmd.Flags().Changed("offboard-grace")
}

// checkResendAfter checks --resend-after (plan, apply and theirs for shares).
func checkResendAfter(d time.Duration) error {
	if d < 0 {
		return flagErrorf("--resend-after %s: want 0 (never) or more", d)
	}
	return nil
}

// read checks the flags and reads the desired invites; every error is a usage error.
// lineOf gives the line of the file each email (any case) is on.
func (sf *syncFlags) read(o *options) (desired []tsinvites.CreateUserInviteRequest, lineOf map[string]int, _ error) {
	switch {
	case sf.file == "":
		return nil, nil, flagErrorf("give the desired invites with -f FILE (\"-\": stdin)")
	case checkResendAfter(sf.resendAfter) != nil:
		return nil, nil, checkResendAfter(sf.resendAfter)
	}
	if err := sf.cols.Check(); err != nil {
		return nil, nil, flagErrorf("%w", err)
	}
	if err := sf.members.check(sf.noUsers); err != nil {
		return nil, nil, err
	}
	r, source, closeFn, err := openInput("-f", sf.file, o.env.stdin)
	if err != nil {
		return nil, nil, err
	}
	defer closeFn()
	file, err := input.ReadDesired(r, source, sf.format, sf.cols)
	if err != nil {
		return nil, nil, usageErrorf("%w", err)
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

// options are the plan's options, from the flags.
func (sf *syncFlags) options(o *options) reconcile.PlanOptions {
	opts := reconcile.PlanOptions{Prune: sf.prune, ResendAfter: sf.resendAfter, WithoutUsers: sf.noUsers, Now: o.env.now()}
	sf.members.options(&opts)
	return opts
}
