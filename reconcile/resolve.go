package reconcile

import (
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// ValidateDevice checks name as [NewSharePlan] checks a [Share]'s Device before it
// sends anything: not empty, without white space or an invisible character, "tag:"
// with a name. Its error is as [ResolveDevices]'.
func ValidateDevice(name string) error {
	if reason := deviceReason(name); reason != "" {
		return deviceError(name, reason)
	}
	return nil
}

// ResolveDevices is the devices, of devices (a tailnet's, from
// [tsinvites.Client.ListDevices]), that name names by the rule of a [Share]'s Device:
// its ID or nodeId, its MagicDNS name (with or without the tailnet's suffix, without
// ASCII case) or its hostname, or "tag:NAME" for every device with that tag (none is
// no error). A name that matches no device, or two (not a tag), is refused, naming
// them; so is a name [ValidateDevice] refuses. An error matches
// [tsinvites.ErrInvalidInput] and wraps a [*tsinvites.InputError] with one problem,
// Field "device", whose Reason says what is wrong. A program (the CLI) calls it to
// take devices by the names plans take.
func ResolveDevices(devices []tsinvites.Device, name string) ([]tsinvites.Device, error) {
	if err := ValidateDevice(name); err != nil {
		return nil, err
	}
	found, reason := newDeviceIndex(devices).find(name)
	if reason != "" {
		return nil, deviceError(name, reason)
	}
	out := make([]tsinvites.Device, len(found))
	for k, i := range found {
		out[k] = devices[i]
	}
	return out, nil
}

// ResolveDevice is the one device of devices that name names, as [ResolveDevices]
// finds it; a tag is refused unless it names exactly one device, naming those it
// names. Errors match [tsinvites.ErrInvalidInput].
func ResolveDevice(devices []tsinvites.Device, name string) (tsinvites.Device, error) {
	found, err := ResolveDevices(devices, name)
	if err != nil {
		return tsinvites.Device{}, err
	}
	switch len(found) {
	case 0:
		return tsinvites.Device{}, deviceError(name, "no device has the tag "+textsafe.Quote(name, 64))
	case 1:
		return found[0], nil
	default:
		x := newDeviceIndex(found)
		labels := make([]string, len(found))
		for i := range found {
			labels[i] = x.scope(i).label()
		}
		return tsinvites.Device{}, deviceError(name, fmt.Sprintf("device %s names %d devices, want one: %s", textsafe.Quote(name, 64), len(found), strings.Join(labels, ", ")))
	}
}

// DeviceID is the ID the API's device calls take for d: its nodeId, or its legacy ID.
func DeviceID(d tsinvites.Device) string { return newDeviceIndex([]tsinvites.Device{d}).scope(0).id }

// deviceError is the error of a device name refused for reason.
func deviceError(name, reason string) error {
	return fmt.Errorf("reconcile: device: %w", &tsinvites.InputError{Problems: []tsinvites.InputProblem{deviceProblem(0, Share{Device: name}, reason)}})
}
