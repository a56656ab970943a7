package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
)

// devicesListOptions are the inputs of devices list.
type devicesListOptions struct {
	*options
	tags     []string
	hostname string
}

// newDevicesCommand is devices, whose one subcommand is list.
func newDevicesCommand(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the devices of the tailnet (to share them: tsinvites shares)",
		Args:  noArgs,
	}
	opts := &devicesListOptions{options: o}
	list := &cobra.Command{
		Use:   "list [--tag T ...] [--hostname H]",
		Short: "List the devices of the tailnet",
		Long: `List the devices of the tailnet: their nodeId (what 'tsinvites shares' takes as --device),
MagicDNS name, hostname and tags. --tag (repeatable: every tag) and --hostname filter,
exactly, on the API's side.`,
		Example: `  tsinvites devices list
  tsinvites devices list --tag tag:ci -o json | jq -r '.[].nodeId'
  tsinvites --fake devices list`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return devicesListRun(cmd.Context(), opts)
		},
	}
	list.Flags().StringArrayVar(&opts.tags, "tag", nil, "only the devices with this tag, such as tag:ci (repeat: every one of them)")
	list.Flags().StringVar(&opts.hostname, "hostname", "", "only the devices with this hostname (exact)")
	cmd.AddCommand(list)
	return cmd
}

// devicesListRun lists the devices and prints them.
func devicesListRun(ctx context.Context, opts *devicesListOptions) error {
	var params tsinvites.ListTailnetDevicesParams // the API checks them
	if len(opts.tags) > 0 {
		params.Tags = &opts.tags
	}
	if opts.hostname != "" {
		params.Hostname = &opts.hostname
	}
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	devices, err := c.ListDevices(ctx, params)
	if err != nil {
		return apiFailure(err)
	}
	if err := opts.printer().devices(devices); err != nil {
		return failedf("%w", err)
	}
	return nil
}

// devices prints devices: a table, a JSON array with the API's fields, or CSV.
func (p *printer) devices(devices []tsinvites.Device) error {
	switch p.format {
	case "json":
		if devices == nil {
			devices = []tsinvites.Device{}
		}
		return p.json(devices)
	case "csv":
		w := newCSVWriter(p.stdout)
		_ = w.Write([]string{"nodeId", "id", "name", "hostname", "tags", "os", "user", "lastSeen"})
		for _, d := range devices {
			_ = w.Write([]string{d.NodeID, d.ID, d.Name, d.Hostname, strings.Join(d.Tags, " "), d.Os, d.User, d.LastSeen})
		}
		w.Flush()
		return w.Error()
	}
	if len(devices) == 0 {
		fmt.Fprintln(p.stderr, "No devices.")
		return nil
	}
	tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE ID\tNAME\tHOSTNAME\tTAGS\tOS")
	for _, d := range devices {
		cells := []string{d.NodeID, orDash(d.Name), orDash(d.Hostname), orDash(strings.Join(d.Tags, ",")), orDash(d.Os)}
		for i, c := range cells {
			cells[i] = printable(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}
