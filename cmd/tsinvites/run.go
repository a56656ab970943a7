package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
)

// Exit codes.
const (
	exitOK      = 0 // everything was done
	exitFailed  = 1 // nothing (or the one thing) was done
	exitUsage   = 2 // refused before sending anything: bad flag, argument, CSV or credential
	exitPartial = 3 // some items were done and some were not
	exitChanges = 4 // plan --detailed-exitcode: the plan has changes
)

// env is everything the command takes from the process, so that tests run it in-process
// with their own streams, variables and clock. There is no other global state.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// stdinTTY, stdoutTTY and stderrTTY say whether the streams are terminals: the
	// default output format, colours, the progress bar and apply's confirmation prompt
	// depend on them.
	stdinTTY, stdoutTTY, stderrTTY bool
	// httpClient sends the requests to the API (not to --fake's); nil means the
	// library's default. Tests give one over an in-memory network.
	httpClient *http.Client
}

// exitError is an error with the exit code it calls for. A nil err means the problem
// was already reported (item by item) and only the code is left.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is an error found before anything was sent: exit code 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// usage wraps err as an error found before anything was sent.
func usage(err error) error { return &exitError{code: exitUsage, err: err} }

// failed wraps err as a failure of the command: exit code 1.
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// run runs the command line args (without the program name) and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	help := fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath()) // the failing command's help
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			printError(e.stderr, xe.err)
			if xe.code == exitUsage && isFlagProblem(xe.err) {
				fmt.Fprintln(e.stderr, help)
			}
		}
		return xe.code
	}
	// Anything else comes from cobra itself: an unknown command, flag or argument count.
	// Its suggestions are indented with a tab, which printError would show as \t.
	printError(e.stderr, errors.New(strings.ReplaceAll(err.Error(), "\n\t", "\n  ")))
	fmt.Fprintln(e.stderr, help)
	return exitUsage
}

// flagProblem marks an error in the command line itself, which the help can fix.
type flagProblem struct{ error }

func (f flagProblem) Unwrap() error { return f.error }

func isFlagProblem(err error) bool {
	var fp flagProblem
	return errors.As(err, &fp)
}

// printError prints err on w with the program's prefix (once: the library's errors
// already start with "tsinvites: "), each of its lines made printable: every error
// the command prints goes through here.
func printError(w io.Writer, err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, "tsinvites: ") {
		msg = "tsinvites: " + msg
	}
	for line := range strings.SplitSeq(msg, "\n") {
		printLine(w, "%s", line)
	}
}

// options are the global flags, shared by every command.
type options struct {
	env        *env
	tailnet    string
	baseURL    string
	apiKeyFile string
	timeout    time.Duration
	output     string
	// outputChosen says -o was given (rather than defaulted from the terminal).
	outputChosen bool
	showURLs     bool
	fake         bool
}

const rootLong = `tsinvites lists, creates, resends and deletes the user invites of a Tailscale tailnet,
and makes them match a file of desired invites (plan, apply).

Credentials come from the variables the Terraform provider uses: TAILSCALE_API_KEY (a
user-owned API key: creating, resending and deleting need one), or
TAILSCALE_OAUTH_CLIENT_ID with TAILSCALE_OAUTH_CLIENT_SECRET (an OAuth client) or with
TAILSCALE_IDENTITY_TOKEN (workload identity federation: a CI system's OIDC token, no
stored secret), which may list, get and plan but not change invites; or --api-key-file,
which wins over the variables. The key is never taken as a flag (it would show in ps)
and never printed.

--fake runs any command against a fake API in this process, seeded with sample invites:
no credentials needed, nothing reaches Tailscale, and changes last for that one command.

Invite URLs let anyone who holds them join the tailnet: they are hidden unless --show-urls.

Output goes to stdout (table on a terminal, json otherwise; -o to choose); progress,
warnings and errors go to stderr.

Exit codes: 0 all done, 1 failed, 2 usage error (nothing was sent), 3 partly done; with
--detailed-exitcode, plan exits 4 when changes are pending (0 when none).`

const rootExample = `  # Try it with no credentials, against a fake API:
  tsinvites --fake list

  # On your tailnet:
  export TAILSCALE_API_KEY=tskey-api-...
  tsinvites list
  tsinvites create --email amelie@example.com --role admin
  tsinvites list -o json | jq -r '.[].email'
  tsinvites plan -f invites.yaml --prune && tsinvites apply -f invites.yaml --prune`

func newRootCommand(e *env) *cobra.Command {
	o := &options{env: e}
	root := &cobra.Command{
		Use:           "tsinvites",
		Short:         "Manage the user invites of a Tailscale tailnet",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return o.check(cmd)
		},
	}
	// --version prints what the version command prints (cobra runs the template, so
	// the text goes in as a template that writes it as it is).
	root.Version = tsinvites.Version
	root.SetVersionTemplate(fmt.Sprintf("{{%q}}", readBuildInfo().text()))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usage(flagProblem{err})
	})
	pf := root.PersistentFlags()
	pf.StringVar(&o.tailnet, "tailnet", "", `tailnet ID or organisation name; "-" is the credential's own (env TAILSCALE_TAILNET, default "-")`)
	pf.StringVar(&o.baseURL, "base-url", "", "API host root (env TAILSCALE_BASE_URL, default https://api.tailscale.com)")
	pf.StringVar(&o.apiKeyFile, "api-key-file", "", "read the API key from this file instead of TAILSCALE_API_KEY")
	pf.DurationVar(&o.timeout, "timeout", 0, "give up after this long, e.g. 30s (0: no limit; each request has its own 60s limit)")
	pf.StringVarP(&o.output, "output", "o", "", "output format: table, json or csv (default table on a terminal, json otherwise)")
	pf.BoolVar(&o.showURLs, "show-urls", false, "show invite URLs (secrets: anyone holding one can join the tailnet)")
	pf.BoolVar(&o.fake, "fake", false, "use a fake API in this process, seeded with sample invites (no credentials needed)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "csv"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddCommand(
		newListCommand(o),
		newGetCommand(o),
		newCreateCommand(o),
		newResendCommand(o),
		newDeleteCommand(o),
		newPlanCommand(o),
		newApplyCommand(o),
		newFakeServerCommand(o),
		newVersionCommand(o),
	)
	return root
}

// check validates the global flags and fills in defaults from the environment.
func (o *options) check(cmd *cobra.Command) error {
	o.outputChosen = o.output != ""
	switch o.output {
	case "":
		o.output = "json"
		if o.env.stdoutTTY {
			o.output = "table"
		}
	case "table", "json", "csv":
	default:
		return usage(flagProblem{fmt.Errorf("--output %q: want table, json or csv", o.output)})
	}
	// With --fake, the variables (set for a real tailnet) are not used: the fake knows
	// only "-" and example.com.
	if !cmd.Flags().Changed("tailnet") && !o.fake {
		o.tailnet = strings.TrimSpace(o.env.getenv("TAILSCALE_TAILNET"))
	}
	if !cmd.Flags().Changed("base-url") && !o.fake {
		o.baseURL = strings.TrimSpace(o.env.getenv("TAILSCALE_BASE_URL"))
	}
	if o.timeout < 0 {
		return usage(flagProblem{fmt.Errorf("--timeout %s: want 0 (no limit) or more", o.timeout)})
	}
	return nil
}

// connect returns a client (see client) and the command's context, ended by --timeout;
// call done when finished with them.
func (o *options) connect(ctx context.Context) (_ context.Context, _ *tsinvites.Client, done func(), _ error) {
	c, closeFn, err := o.client()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := o.withTimeout(ctx)
	return ctx, c, func() { cancel(); closeFn() }, nil
}

// withTimeout applies --timeout to ctx.
func (o *options) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.timeout > 0 {
		return context.WithTimeout(ctx, o.timeout)
	}
	return context.WithCancel(ctx)
}

// minArgs checks the argument count with an error that is a usage error.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usage(flagProblem{fmt.Errorf("give at least %d %s", n, what)})
		}
		return nil
	}
}

// noArgs refuses arguments, with an error that is a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage(flagProblem{fmt.Errorf("unexpected argument %q", args[0])})
	}
	return nil
}
