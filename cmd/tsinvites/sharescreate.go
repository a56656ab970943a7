package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
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
		Long: `Create invites of one device (--device: its nodeId or ID, as 'tsinvites devices list'
shows), in one API call: one for each --email (an invitation email is sent), or with
--link one invite without email whose URL you share by hand (--multi-use: up to 1,000
people may accept it). --link needs --show-urls: the URL is what it makes, and anyone
holding it can use the device. Needs a user-owned API key.`,
		Example: `  tsinvites shares create --device nABC123 --email ann@partner.org --email bo@partner.org
  tsinvites shares create --device nABC123 --link --multi-use --show-urls
  tsinvites --fake shares create --device n40001 --email friend@partner.org --allow-exit-node`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.multiUseSet = cmd.Flags().Changed("multi-use")
			return sharesCreateRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.device, "device", "", "the device to share: its nodeId or ID")
	f.StringArrayVar(&opts.emails, "email", nil, "address to share the device with (repeat for more)")
	f.BoolVar(&opts.link, "link", false, "create one invite without email, whose URL you share by hand (needs --show-urls)")
	f.BoolVar(&opts.multiUse, "multi-use", false, "with --link: the invite may be accepted up to 1,000 times")
	f.BoolVar(&opts.allowExitNode, "allow-exit-node", false, "let the people use the device as an exit node, when it advertises as one")
	return cmd
}

// sharesCreateRun checks the flags and creates the invites in one call (never retried
// once it may have reached the API), then prints them.
func sharesCreateRun(ctx context.Context, opts *sharesCreateOptions) error {
	var reqs []tsinvites.CreateDeviceInviteRequest
	switch {
	case opts.device == "":
		return flagErrorf("give the device to share with --device (its nodeId, from 'tsinvites devices list')")
	case opts.link && len(opts.emails) > 0:
		return flagErrorf("--link creates an invite without email: give no --email with it")
	case opts.multiUseSet && !opts.link:
		return flagErrorf("--multi-use goes with --link")
	case opts.link && !opts.showURLs:
		return flagErrorf("--link makes an invite URL to share by hand, which anyone holding it can use: add --show-urls to have it printed")
	case opts.link:
		reqs = []tsinvites.CreateDeviceInviteRequest{{MultiUse: opts.multiUse, AllowExitNode: opts.allowExitNode}}
	case len(opts.emails) == 0:
		return flagErrorf("give --email ADDRESS (repeatable) or --link")
	}
	for _, e := range opts.emails {
		reqs = append(reqs, tsinvites.CreateDeviceInviteRequest{Email: e, AllowExitNode: opts.allowExitNode})
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	created, err := c.CreateDeviceInvites(ctx, opts.device, reqs...) // the SDK checks the emails first
	rows := make([]shareRow, 0, len(created)+len(tsinvites.UnpairedDeviceInvites(err)))
	for _, inv := range append(created, tsinvites.UnpairedDeviceInvites(err)...) {
		if inv.ID != "" {
			rows = append(rows, shareRow{Device: opts.device, DeviceInvite: inv})
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
		return &exitError{code: exitPartial, err: fmt.Errorf("%w (check with 'tsinvites shares list --device %s' before trying again)", err, shellWord(opts.device))}
	}
	return apiFailure(err)
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
