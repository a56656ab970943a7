package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
)

// options are the global flags, shared by every command, and the process's env. Each
// command keeps its own flags in its own options struct.
type options struct {
	env        *env
	tailnet    string
	baseURL    string
	apiKeyFile string
	timeout    time.Duration
	output     string
	showURLs   bool
	fake       bool
	// outputChosen says -o was given (rather than defaulted from the terminal);
	// tailnetSet and baseURLSet say --tailnet and --base-url were given (they then win
	// over the environment).
	outputChosen, tailnetSet, baseURLSet bool
}

const rootLong = `tsinvites lists, creates, resends and deletes the user invites of a Tailscale tailnet,
and makes them match a file of desired invites (plan, apply); it shares devices with
people outside the tailnet the same way (devices, shares).

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
		return flagErrorf("%w", err)
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
		newDevicesCommand(o),
		newSharesCommand(o),
		newFakeServerCommand(o),
		newVersionCommand(o),
	)
	return root
}

// check validates the global flags and fills in the default output format.
func (o *options) check(cmd *cobra.Command) error {
	o.outputChosen = o.output != ""
	o.tailnetSet, o.baseURLSet = cmd.Flags().Changed("tailnet"), cmd.Flags().Changed("base-url")
	switch o.output {
	case "":
		o.output = "json"
		if o.env.stdoutTTY {
			o.output = "table"
		}
	case "table", "json", "csv":
	default:
		return flagErrorf("--output %q: want table, json or csv", o.output)
	}
	if o.timeout < 0 {
		return flagErrorf("--timeout %s: want 0 (no limit) or more", o.timeout)
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
			return flagErrorf("give at least %d %s", n, what)
		}
		return nil
	}
}

// noArgs refuses arguments, with an error that is a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return flagErrorf("unexpected argument %q", args[0])
	}
	return nil
}
