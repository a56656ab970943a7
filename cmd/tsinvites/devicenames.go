package main

import (
	"context"
	"errors"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// deviceFlagHelp says what --device takes: the names a plan's device column takes,
// by reconcile's one rule (reconcile.ResolveDevices).
const deviceFlagHelp = "its ID or nodeId, MagicDNS name (with or without the tailnet's suffix) or hostname"

// checkDeviceNames checks the --device names before anything is sent
// (reconcile.ValidateDevice).
func checkDeviceNames(names []string) error {
	for _, name := range names {
		if err := reconcile.ValidateDevice(name); err != nil {
			return deviceFlagError(err, flagErrorf)
		}
	}
	return nil
}

// namedDevices lists the tailnet's devices once and gives those names name, by the
// rule of a plan's device (reconcile.ResolveDevices), each once, in the order named;
// no names: every device. A tag that names no device is said on stderr.
func (o *options) namedDevices(ctx context.Context, c *tsinvites.Client, names []string) ([]tsinvites.Device, error) {
	all, err := c.ListDevices(ctx, tsinvites.ListTailnetDevicesParams{})
	switch {
	case err != nil:
		return nil, apiFailure(err)
	case len(names) == 0:
		return all, nil
	}
	var found []tsinvites.Device
	seen := map[string]bool{}
	for _, name := range names {
		devices, err := reconcile.ResolveDevices(all, name)
		if err != nil {
			return nil, deviceFlagError(err, usageErrorf)
		}
		if len(devices) == 0 {
			printLine(o.env.stderr, "tsinvites: warning: --device %s: no device has the tag", shellWord(name))
		}
		for _, d := range devices {
			if id := reconcile.DeviceID(d); !seen[id] {
				seen[id] = true
				found = append(found, d)
			}
		}
	}
	return found, nil
}

// namedDevice lists the tailnet's devices and gives the one name names
// (reconcile.ResolveDevice): a tag or a name that names two is refused, naming them.
func namedDevice(ctx context.Context, c *tsinvites.Client, name string) (tsinvites.Device, error) {
	all, err := c.ListDevices(ctx, tsinvites.ListTailnetDevicesParams{})
	if err != nil {
		return tsinvites.Device{}, apiFailure(err)
	}
	d, err := reconcile.ResolveDevice(all, name)
	if err != nil {
		return tsinvites.Device{}, deviceFlagError(err, usageErrorf)
	}
	return d, nil
}

// deviceFlagError is the exit error (made by errorf) of a --device that reconcile
// refused: its reason, read from the *tsinvites.InputError's one problem.
func deviceFlagError(err error, errorf func(string, ...any) error) error {
	var inErr *tsinvites.InputError
	if errors.As(err, &inErr) && len(inErr.Problems) == 1 {
		return errorf("--device: %s", inErr.Problems[0].Reason)
	}
	return failed(err)
}
