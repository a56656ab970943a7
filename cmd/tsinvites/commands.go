package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

func newListCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the open invites of the tailnet",
		Long:  "List the open (not yet accepted) invites of the tailnet. Invite URLs are hidden unless --show-urls.",
		Example: `  tsinvites list
  tsinvites list -o json | jq -r '.[] | select(.role == "admin") | .email'
  tsinvites list -o csv > invites.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, c, done, err := o.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			invites, err := c.List(ctx)
			if err != nil {
				return apiFailure(err)
			}
			return o.printer().invites(invites)
		},
	}
}

// apiFailure is the exit error for a single call that failed: a usage error when the
// library refused the input before sending, a failure otherwise.
func apiFailure(err error) error {
	if errors.Is(err, tsinvites.ErrInvalidInput) {
		return usage(err)
	}
	return failed(err)
}

func newGetCommand(o *options) *cobra.Command {
	var concurrency int
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
			ids, err := o.ids(args, concurrency)
			if err != nil {
				return err
			}
			ctx, c, done, err := o.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			found := make([]*tsinvites.UserInvite, len(ids))
			prog := o.newProgress(len(ids), "getting")
			results := forEach(ctx, len(ids), concurrency, prog, func(ctx context.Context, i int) error {
				inv, err := c.Get(ctx, ids[i])
				found[i] = inv
				return err
			})
			prog.done()
			var invites []tsinvites.UserInvite
			for i := range results {
				results[i].InviteID = ids[i]
				if found[i] != nil {
					invites = append(invites, *found[i])
				}
			}
			p := o.printer()
			if len(invites) > 0 || p.format != "table" { // json and csv: always one document
				if err := p.invites(invites); err != nil {
					return failed(err)
				}
			}
			r := newReport(opGet, c.Tailnet(), results)
			r.listed = true // below
			if r.exitCode() != exitOK {
				for _, res := range results {
					if res.Status != reconcile.StatusDone {
						printLine(o.env.stderr, "tsinvites: get invite %s: %s", res.InviteID, res.Error)
					}
				}
				if len(ids) == 1 {
					return &exitError{code: exitFailed}
				}
			}
			return r.err()
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("how many requests to send at once, 1 to %d", reconcile.MaxConcurrency))
	return cmd
}

// ids checks the ID arguments (reading them from stdin for "-") and --concurrency.
func (o *options) ids(args []string, concurrency int) ([]string, error) {
	if err := checkConcurrency(concurrency); err != nil {
		return nil, err
	}
	if len(args) == 1 && args[0] == "-" {
		var err error
		if args, err = readIDs(o.env.stdin); err != nil {
			return nil, usage(err)
		}
		if len(args) == 0 {
			return nil, usageErrorf("no invite IDs on stdin")
		}
	}
	seen := map[string]bool{}
	for _, id := range args {
		switch {
		case strings.TrimSpace(id) == "" || id == "-":
			return nil, usageErrorf("invite ID %q: want an ID such as 12 (give - alone to read IDs from stdin)", id)
		case tsinvites.ValidateInviteID(id) != nil:
			return nil, usageErrorf("%v", tsinvites.ValidateInviteID(id))
		case seen[id]:
			return nil, usageErrorf("invite ID %s is given twice", id)
		}
		seen[id] = true
	}
	return args, nil
}

// checkConcurrency checks --concurrency against the engine's limit.
func checkConcurrency(n int) error {
	if n < 1 || n > reconcile.MaxConcurrency {
		return usage(flagProblem{fmt.Errorf("--concurrency %d: want 1 to %d", n, reconcile.MaxConcurrency)})
	}
	return nil
}

// maxIDs caps how many IDs are read from stdin.
const maxIDs = 100_000

// readIDs reads invite IDs from r, one a line (blank lines and surrounding space ignored).
func readIDs(r io.Reader) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			if len(ids) == maxIDs {
				return nil, fmt.Errorf("more than %d invite IDs on stdin", maxIDs)
			}
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read invite IDs from stdin: %w", err)
	}
	return ids, nil
}

// newIDCommand makes resend and delete: a plan of the same change for each ID, run by
// the engine (reconcile.Apply), with a report.
func newIDCommand(o *options, op bulkOp, action reconcile.Action, short, long, example string) *cobra.Command {
	var (
		concurrency int
		dryRun      bool
	)
	cmd := &cobra.Command{
		Use:     op.name + " ID...",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    minArgs(1, "invite ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := o.ids(args, concurrency)
			if err != nil {
				return err
			}
			// A wrong ID is worth reporting: the invite the person meant is still open.
			plan := &reconcile.Plan{Changes: make([]reconcile.Change, len(ids))}
			opts := reconcile.ApplyOptions{Concurrency: concurrency, NotFoundFails: true}
			for i, id := range ids {
				plan.Changes[i] = reconcile.Change{Action: action, InviteID: id}
			}
			p := o.printer()
			if dryRun {
				return p.report(newReport(op, o.tailnet, planItems(plan, opts, statusDryRun, nil)))
			}
			r, err := o.runPlan(cmd.Context(), op, plan, opts, planItems(plan, opts, reconcile.StatusNotAttempted, nil))
			if err != nil {
				return err
			}
			return p.finish(r)
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("how many requests to send at once, 1 to %d", reconcile.MaxConcurrency))
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be done, send nothing")
	return cmd
}

func newResendCommand(o *options) *cobra.Command {
	return newIDCommand(o, opResend, reconcile.ActionResend, "Send invitation emails again",
		`Send the invitation emails of invites again. The API allows it only for invites created
with an email, and at most once a minute for each invite (a refused resend says how long
to wait). Needs a user-owned API key. Give - to read IDs from stdin, one a line.`,
		`  tsinvites resend 12
  tsinvites resend 12 13 14 --concurrency 2
  tsinvites list -o json | jq -r '.[] | select(.email != null) | .id' | tsinvites resend -`)
}

func newDeleteCommand(o *options) *cobra.Command {
	return newIDCommand(o, opDelete, reconcile.ActionDelete, "Delete invites",
		`Delete open invites: their URLs stop working. Needs a user-owned API key. Give - to read
IDs from stdin, one a line.`,
		`  tsinvites delete 12
  tsinvites delete 12 13 14 --dry-run
  tsinvites list -o json | jq -r '.[] | select(.role == "admin") | .id' | tsinvites delete -`)
}

func newVersionCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build information",
		Example: `  tsinvites version
  tsinvites --version
  tsinvites version -o json`,
		Args: noArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			v := readBuildInfo()
			if o.outputChosen && o.output == "json" { // text unless asked: "tsinvites <Version>" first
				return o.printer().json(v)
			}
			_, err := io.WriteString(o.env.stdout, v.text())
			return err
		},
	}
}

// buildInfo is what version prints.
type buildInfo struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Module   string `json:"module,omitempty"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
}

// readBuildInfo is the program's version and what the Go toolchain recorded of its build.
func readBuildInfo() buildInfo {
	v := buildInfo{Version: tsinvites.Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Go = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module = bi.Main.Path + " " + bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	return v
}

// text is the version's text form, "tsinvites <Version>" first, a line for each fact.
func (v buildInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tsinvites %s\n", v.Version)
	fmt.Fprintf(&b, "%s %s\n", v.Go, v.Platform)
	if v.Module != "" {
		fmt.Fprintf(&b, "module %s\n", v.Module)
	}
	if v.Revision != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(&b, "revision %s%s\n", v.Revision, mod)
	}
	return b.String()
}
