package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// sharesIDOptions are the inputs of shares get, delete and resend: device invite IDs.
type sharesIDOptions struct {
	*options
	op          bulkOp
	args        []string // the device invite IDs, or "-" for stdin
	concurrency int
	dryRun      bool
}

// sharesIDTexts are the help texts of shares get, delete and resend.
var sharesIDTexts = map[string][2]string{
	"get": {"Show device invites by ID", `Show device invites by ID. IDs not found are reported on stderr; the others are
printed. Give - to read IDs from stdin, one a line.`},
	"delete": {"Delete device invites", `Delete device invites: their URLs stop working. The API's document does not say
whether deleting an accepted invite ends the share. Give - to read IDs from stdin.`},
	"resend": {"Send device invites' emails again", `Send the emails of device invites again: only for invites made with an email, at
most once a minute each. Needs a user-owned API key. Give - to read IDs from stdin.`},
}

// newSharesIDCommand makes shares get, delete or resend.
func newSharesIDCommand(opts *sharesIDOptions, run func(context.Context, *sharesIDOptions) error) *cobra.Command {
	texts := sharesIDTexts[opts.op.name]
	cmd := &cobra.Command{
		Use:     opts.op.name + " ID...",
		Short:   texts[0],
		Long:    texts[1],
		Example: fmt.Sprintf("  tsinvites shares %s 50001 50002\n  tsinvites shares list -o json | jq -r '.[] | select(.accepted | not) | .id' | tsinvites shares %s -", opts.op.name, opts.op.name),
		Args:    minArgs(1, "device invite ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			return run(cmd.Context(), opts)
		},
	}
	concurrencyFlag(cmd.Flags(), &opts.concurrency, "how many requests to send at once")
	if opts.op.action != "" {
		cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print what would be done, send nothing")
	}
	return cmd
}

func newSharesGetCommand(o *options) *cobra.Command {
	return newSharesIDCommand(&sharesIDOptions{options: o, op: opShareGet}, sharesGetRun)
}

func newSharesIDChangeCommand(o *options, op bulkOp) *cobra.Command {
	return newSharesIDCommand(&sharesIDOptions{options: o, op: op}, sharesIDChangeRun)
}

// sharesGetRun gets the device invites and prints them, as get does for invites
// (getEach).
func sharesGetRun(ctx context.Context, opts *sharesIDOptions) error {
	return getEach(ctx, opts.options, opts.args, opts.concurrency, opts.op, (*tsinvites.Client).GetDeviceInvite, func(p *printer, found []tsinvites.DeviceInvite) error {
		rows := make([]shareRow, len(found))
		for i, inv := range found {
			rows[i] = shareRow{DeviceInvite: inv}
		}
		return p.shares(rows)
	})
}

// sharesIDChangeRun deletes or resends the device invites and prints the report, as
// delete and resend do for invites.
func sharesIDChangeRun(ctx context.Context, opts *sharesIDOptions) error {
	ids, err := opts.ids(opts.op, opts.args, opts.concurrency)
	if err != nil {
		return err
	}
	p := opts.printer()
	if opts.dryRun {
		items := make([]item, len(ids))
		for i, id := range ids {
			items[i] = item{Change: reconcile.Change{Action: opts.op.action, InviteID: id}, Status: statusDryRun}
		}
		return p.report(newReport(reportOf{op: opts.op, tailnet: opts.config().Tailnet, items: items}))
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	call := c.DeleteDeviceInvite
	if opts.op.action == reconcile.ActionResend {
		call = c.ResendDeviceInvite
	}
	items := opts.runEach(ctx, c, ids, opts.concurrency, opts.op, func(ctx context.Context, i int) error { return call(ctx, ids[i]) })
	return p.finish(newReport(reportOf{op: opts.op, tailnet: c.Tailnet(), items: items, behindBar: opts.showsProgress(len(ids))}))
}
