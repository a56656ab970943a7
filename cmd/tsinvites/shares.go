package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

const sharesLong = `Share devices with people outside the tailnet (Tailscale's device-share invites): a
build server with a contractor, a game server with friends. Each invite is of one
device; the person accepts it and uses the device from their own tailnet.

  list                 the invites of some devices (--device), or of every device
  create               invites of one device, by email or as links to share by hand
  get, delete, resend  invites by ID
  accept               accept an invite (its URL or code) into your own tailnet
  plan, apply          make the shares match a file of (device, email, allowExitNode)

Invite URLs let anyone who holds them use the device: they are hidden unless
--show-urls. Creating, resending and accepting need a user-owned API key.`

// newSharesCommand is shares and its subcommands.
func newSharesCommand(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "shares",
		Short: "Share devices with people outside the tailnet (device invites)",
		Long:  sharesLong,
		Args:  noArgs,
	}
	cmd.AddCommand(
		newSharesListCommand(o),
		newSharesCreateCommand(o),
		newSharesGetCommand(o),
		newSharesIDChangeCommand(o, opShareDelete),
		newSharesIDChangeCommand(o, opShareResend),
		newSharesAcceptCommand(o),
		newSharesPlanCommand(o),
		newSharesApplyCommand(o),
	)
	return cmd
}

// sharesListOptions are the inputs of shares list.
type sharesListOptions struct {
	*options
	devices     []string
	concurrency int
}

func newSharesListCommand(o *options) *cobra.Command {
	opts := &sharesListOptions{options: o}
	cmd := &cobra.Command{
		Use:   "list [--device D ...]",
		Short: "List the invites of devices, pending and accepted",
		Long: `List the invites of the devices given with --device (repeatable), or of every device
of the tailnet: one list call per device, --concurrency at a time. Invite URLs are
hidden unless --show-urls.

--device names devices as the file of 'tsinvites shares plan' does:
` + deviceFlagHelp + `, or
tag:NAME for every device with that tag.`,
		Example: `  tsinvites shares list
  tsinvites shares list --device nABC123 -o json
  tsinvites shares list --device build-1 --device tag:ci
  tsinvites --fake shares list`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sharesListRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.devices, "device", nil, "a device: "+deviceFlagHelp+", or tag:NAME (repeat for more; default: every device)")
	concurrencyFlag(cmd.Flags(), &opts.concurrency, "how many lists to send at once")
	return cmd
}

// sharesListRun lists the invites of the devices and prints them, device by device.
func sharesListRun(ctx context.Context, opts *sharesListOptions) error {
	if err := checkConcurrency(opts.concurrency); err != nil {
		return err
	}
	if err := checkDeviceNames(opts.devices); err != nil {
		return err
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	devices, err := opts.namedDevices(ctx, c, opts.devices) // none named: every device
	if err != nil {
		return err
	}
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = reconcile.DeviceID(d)
	}
	lists := make([][]tsinvites.DeviceInvite, len(ids))
	items := opts.runEach(ctx, c, ids, opts.concurrency, bulkOp{name: "list", noun: "device", progress: "listing"}, func(ctx context.Context, i int) error {
		var err error
		lists[i], err = c.ListDeviceInvites(ctx, ids[i])
		return err
	})
	var rows []shareRow
	for i, list := range lists {
		for _, inv := range list {
			rows = append(rows, shareRow{Device: ids[i], DeviceName: devices[i].Name, DeviceInvite: inv})
		}
	}
	if err := opts.printer().shares(rows); err != nil {
		return failedf("%w", err)
	}
	r := newReport(reportOf{op: bulkOp{name: "list invites of", verb: "listed", noun: "device"}, tailnet: c.Tailnet(), items: items})
	return opts.getFailures(r)
}
