package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// sharesCreateOptions are the inputs of shares create.
type sharesCreateOptions struct {
	*options
	device         string
	emails         []string
	link, multiUse bool
	allowExitNode  bool
	multiUseSet    bool
}

func newSharesCreateCommand(o *options) *cobra.Command {
	opts := &sharesCreateOptions{options: o}
	cmd := &cobra.Command{
		Use:   "create --device D (--email E ... | --link [--multi-use]) [--allow-exit-node]",
		Short: "Share a device: invites by email, or a link to share by hand",
		Long: `Create invites of one device, in one API call: one for each --email (an invitation
email is sent), or with --link one invite without email whose URL you share by hand
(--multi-use: up to 1,000 people may accept it). --link needs --show-urls: the URL is
what it makes, and anyone holding it can use the device. Needs a user-owned API key.

--device names the device as the file of 'tsinvites shares plan' does:
` + deviceFlagHelp + `,
or a tag with one device; a name or tag that names two devices is refused, naming them.`,
		Example: `  tsinvites shares create --device nABC123 --email ann@partner.org --email bo@partner.org
  tsinvites shares create --device build-1 --link --multi-use --show-urls
  tsinvites --fake shares create --device n40001 --email friend@partner.org --allow-exit-node`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.multiUseSet = cmd.Flags().Changed("multi-use")
			return sharesCreateRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.device, "device", "", "the device to share: "+deviceFlagHelp)
	f.StringArrayVar(&opts.emails, "email", nil, "address to share the device with (repeat for more)")
	f.BoolVar(&opts.link, "link", false, "create one invite without email, whose URL you share by hand (needs --show-urls)")
	f.BoolVar(&opts.multiUse, "multi-use", false, "with --link: the invite may be accepted up to 1,000 times")
	f.BoolVar(&opts.allowExitNode, "allow-exit-node", false, "let the people use the device as an exit node, when it advertises as one")
	return cmd
}

// sharesCreateRun checks the flags, finds the device (namedDevice) and creates the
// invites in one call (never retried once it may have reached the API), then prints
// them.
func sharesCreateRun(ctx context.Context, opts *sharesCreateOptions) error {
	reqs, err := opts.requests()
	if err != nil {
		return err
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	d, err := namedDevice(ctx, c, opts.device)
	if err != nil {
		return err
	}
	id := reconcile.DeviceID(d)
	created, err := c.CreateDeviceInvites(ctx, id, reqs...) // the SDK checks the emails first
	rows := make([]shareRow, 0, len(created)+len(tsinvites.UnpairedDeviceInvites(err)))
	for _, inv := range append(created, tsinvites.UnpairedDeviceInvites(err)...) {
		if inv.ID != "" {
			rows = append(rows, shareRow{Device: id, DeviceName: d.Name, DeviceInvite: inv})
		}
	}
	if len(rows) > 0 {
		if perr := opts.printer().shares(rows); perr != nil && err == nil {
			err = perr
		}
	}
	switch {
	case err == nil:
		if opts.link {
			fmt.Fprintln(opts.env.stderr, "tsinvites: the invite URL lets anyone who holds it use the device: share it privately")
		}
		return nil
	case errors.Is(err, tsinvites.ErrMayHaveCreated):
		return &exitError{code: exitPartial, err: fmt.Errorf("%w (check with 'tsinvites shares list --device %s' before trying again)", err, shellWord(id))}
	}
	return apiFailure(err)
}

// requests checks the flags (--device as a name, before anything is sent) and gives
// the invites to create.
func (opts *sharesCreateOptions) requests() ([]tsinvites.CreateDeviceInviteRequest, error) {
	var reqs []tsinvites.CreateDeviceInviteRequest
	switch {
	case opts.device == "":
		return nil, flagErrorf("give the device to share with --device (%s, from 'tsinvites devices list')", deviceFlagHelp)
	case opts.link && len(opts.emails) > 0:
		return nil, flagErrorf("--link creates an invite without email: give no --email with it")
	case opts.multiUseSet && !opts.link:
		return nil, flagErrorf("--multi-use goes with --link")
	case opts.link && !opts.showURLs:
		return nil, flagErrorf("--link makes an invite URL to share by hand, which anyone holding it can use: add --show-urls to have it printed")
	case opts.link:
		reqs = []tsinvites.CreateDeviceInviteRequest{{MultiUse: opts.multiUse, AllowExitNode: opts.allowExitNode}}
	case len(opts.emails) == 0:
		return nil, flagErrorf("give --email ADDRESS (repeatable) or --link")
	}
	if err := checkDeviceNames([]string{opts.device}); err != nil {
		return nil, err
	}
	for _, e := range opts.emails {
		reqs = append(reqs, tsinvites.CreateDeviceInviteRequest{Email: e, AllowExitNode: opts.allowExitNode})
	}
	return reqs, nil
}

// sharesAcceptOptions are the inputs of shares accept.
type sharesAcceptOptions struct {
	*options
	invite string
}

func newSharesAcceptCommand(o *options) *cobra.Command {
	opts := &sharesAcceptOptions{options: o}
	return &cobra.Command{
		Use:   "accept URL|CODE|-",
		Short: "Accept a device invite into your own tailnet",
		Long: `Accept a device invite, given its URL or the code that ends it, as the user who owns the
API key: the device is shared into that user's tailnet. The URL is a secret: it is never
printed, and "-" reads it from stdin (one line) so that it stays out of the process list
and the shell's history. Needs a user-owned API key.`,
		Example: `  tsinvites shares accept - < invite-url.txt
  tsinvites shares accept https://login.tailscale.com/admin/invite/...`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return flagErrorf("give one invite URL or code (or - to read it from stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.invite = args[0]
			return sharesAcceptRun(cmd.Context(), opts)
		},
	}
}

// sharesAcceptRun accepts the invite and prints the device now shared.
func sharesAcceptRun(ctx context.Context, opts *sharesAcceptOptions) error {
	invite := opts.invite
	if invite == "-" {
		line, _ := bufio.NewReader(opts.env.stdin).ReadString('\n')
		if invite = strings.TrimSpace(line); invite == "" {
			return usageErrorf("no invite URL or code on stdin")
		}
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	res, err := c.AcceptDeviceInvite(ctx, invite) // its errors never hold the URL
	if err != nil {
		return apiFailure(err)
	}
	p := opts.printer()
	if p.format == "json" {
		return p.json(res)
	}
	printLine(opts.env.stdout, "Accepted: device %s (%s) shared by %s, into the tailnet of %s; exit node: %s",
		orDash(res.Device.Fqdn), orDash(res.Device.ID), orDash(res.Sharer.LoginName), orDash(res.AcceptedBy.LoginName), yesNo(res.Device.IncludeExitNode))
	return nil
}
