package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// tagPrefix starts a Share's Device that names every device with a tag.
const tagPrefix = "tag:"

// ValidateShares checks a list of shares as [NewSharePlan] does before it sends
// anything, and returns nil or an error matching [tsinvites.ErrInvalidInput] that wraps
// a [*tsinvites.InputError] listing every problem, each with the line's Index in shares
// (Field "email", or "device"): an email the SDK's one input policy refuses, one person
// twice for the same Device, an empty Device or one with white space or an invisible
// character, "tag:" without a name. Whether each Device names one device is known only
// once the devices are listed: NewSharePlan says so. A program (the CLI) calls it to
// check a file before planning.
func ValidateShares(shares []Share) error { return checkShares(shares) }

// checkShares checks a list of shares before anything is sent: the emails of the lines
// naming the same Device with the SDK's one input policy (tsinvites.ValidateList: one
// person twice for the same Device is a duplicate; the same person on other devices is
// not), and each Device: not empty, without white space or an invisible character, a
// tag with a name. The error wraps a *tsinvites.InputError with every problem, indexed
// by line.
func checkShares(shares []Share) error {
	groups := map[string][]int{} // Device → its lines
	var order []string
	for i, s := range shares {
		if _, ok := groups[s.Device]; !ok {
			order = append(order, s.Device)
		}
		groups[s.Device] = append(groups[s.Device], i)
	}
	var problems []tsinvites.InputProblem
	for _, dev := range order {
		lines := groups[dev]
		list := make([]tsinvites.CreateUserInviteRequest, len(lines))
		for k, i := range lines {
			list[k].Email = shares[i].Email
		}
		if inErr := inputError(tsinvites.ValidateList(list)); inErr != nil {
			for _, p := range inErr.Problems {
				p.Index = lines[p.Index]
				if p.First >= 0 {
					p.First = lines[p.First]
				}
				problems = append(problems, p)
			}
		}
		if reason := deviceReason(dev); reason != "" {
			for _, i := range lines {
				problems = append(problems, deviceProblem(i, shares[i], reason))
			}
		}
	}
	return shareInputError(problems)
}

// deviceReason is what is wrong with a Share's Device, or "".
func deviceReason(dev string) string {
	switch r, flawed := identity.Flaw(dev); {
	case dev == "":
		return "no device given"
	case flawed:
		return fmt.Sprintf("device %s holds %s (%s)", textsafe.Quote(dev, 64), blankOrInvisible(r), textsafe.Escape(string(r)))
	case dev == tagPrefix:
		return "device \"tag:\" names no tag"
	}
	return ""
}

// deviceProblem is the problem of line i (share s) with its device.
func deviceProblem(i int, s Share, reason string) tsinvites.InputProblem {
	return tsinvites.InputProblem{Index: i, Field: "device", Email: s.Email, Reason: reason, First: -1}
}

// inputError is err's *tsinvites.InputError, or nil.
func inputError(err error) *tsinvites.InputError {
	if inErr, ok := err.(*tsinvites.InputError); ok {
		return inErr
	}
	return nil
}

// shareInputError is the error of a share list's problems (nil for none), in line
// order.
func shareInputError(problems []tsinvites.InputProblem) error {
	if len(problems) == 0 {
		return nil
	}
	slices.SortStableFunc(problems, func(a, b tsinvites.InputProblem) int { return cmp.Compare(a.Index, b.Index) })
	return fmt.Errorf("reconcile: share plan: %w", &tsinvites.InputError{Problems: problems})
}

// scopeDevice is a device in scope of a share plan, with the shares the list wants on
// it.
type scopeDevice struct {
	id, name string // id is the nodeId (or legacy ID) the calls use
	wants    []shareWant
}

// label names the device for people: "build-1.example.ts.net (nXYZ)".
func (d scopeDevice) label() string {
	if d.name == "" {
		return d.id
	}
	return textsafe.Escape(d.name) + " (" + d.id + ")"
}

// shareWant is one share a list wants on one device.
type shareWant struct {
	line  int // the Share's index in the list
	email string
	exit  bool
}

// deviceIndex finds devices by what a Share's Device may say.
type deviceIndex struct {
	devices []tsinvites.Device
	byID    map[string]int
	byName  map[string][]int // name (with and without the suffix) and hostname, without ASCII case
	byTag   map[string][]int
}

func newDeviceIndex(devices []tsinvites.Device) *deviceIndex {
	x := &deviceIndex{devices: devices, byID: map[string]int{}, byName: map[string][]int{}, byTag: map[string][]int{}}
	for i, d := range devices {
		for _, id := range []string{d.ID, d.NodeID} {
			if id != "" {
				x.byID[id] = i
			}
		}
		full := strings.TrimSuffix(d.Name, ".")
		short, _, _ := strings.Cut(full, ".")
		for _, n := range []string{full, short, d.Hostname} {
			if k := nameKey(n); k != "" && !slices.Contains(x.byName[k], i) {
				x.byName[k] = append(x.byName[k], i)
			}
		}
		for _, t := range d.Tags {
			x.byTag[t] = append(x.byTag[t], i)
		}
	}
	return x
}

// nameKey is a device name as compared: DNS names and hostnames without ASCII case,
// without a final dot.
func nameKey(s string) string { return identity.LowerASCII(strings.TrimSuffix(s, ".")) }

// find is the devices dev names, or why it names none, or too many.
func (x *deviceIndex) find(dev string) ([]int, string) {
	if strings.HasPrefix(dev, tagPrefix) {
		return x.byTag[dev], ""
	}
	if i, ok := x.byID[dev]; ok {
		return []int{i}, ""
	}
	found := x.byName[nameKey(dev)]
	switch len(found) {
	case 0:
		return nil, fmt.Sprintf("no device has the ID, name or hostname %s", textsafe.Quote(dev, 64))
	case 1:
		return found, ""
	}
	names := make([]string, len(found))
	for k, i := range found {
		names[k] = x.scope(i).label()
	}
	return nil, fmt.Sprintf("device %s names %d devices: %s; name one by its ID or full name", textsafe.Quote(dev, 64), len(found), strings.Join(names, ", "))
}

// scope is device i as a device in scope, without shares yet.
func (x *deviceIndex) scope(i int) scopeDevice {
	d := x.devices[i]
	return scopeDevice{id: cmp.Or(d.NodeID, d.ID), name: d.Name}
}

// resolveShares finds the devices of each share, and returns the devices in scope (in
// the devices list's order) with the shares wanted on each; a tag that names no device
// is a warning. A line whose Device names no device, or two (not a tag), and two lines
// that share one device with one person with different AllowExitNode, are problems.
func resolveShares(shares []Share, devices []tsinvites.Device) ([]scopeDevice, []string, error) {
	x := newDeviceIndex(devices)
	var (
		problems []tsinvites.InputProblem
		warnings []string
		warned   = map[string]bool{}
		wanted   = map[int][]shareWant{}
		seen     = map[[2]string]shareWant{} // (device id, email key) → its first want
		clashed  = map[[2]int]bool{}         // the pairs of lines reported
	)
	for line, s := range shares {
		found, reason := x.find(s.Device)
		if reason != "" {
			problems = append(problems, deviceProblem(line, s, reason))
			continue
		}
		if len(found) == 0 && !warned[s.Device] {
			warned[s.Device] = true
			warnings = append(warnings, fmt.Sprintf("no device has the tag %s: nothing is shared for its lines", textsafe.Quote(s.Device, 64)))
		}
		key, _ := emailKey(s.Email) // checked by checkShares
		for _, i := range found {
			d := x.scope(i)
			w := shareWant{line: line, email: s.Email, exit: s.AllowExitNode}
			if first, dup := seen[[2]string{d.id, key}]; dup {
				if first.exit != w.exit && !clashed[[2]int{first.line, line}] {
					clashed[[2]int{first.line, line}] = true
					problems = append(problems, deviceProblem(line, s, fmt.Sprintf("lines %d and %d share device %s with %s, one with allowExitNode and one without",
						first.line+1, line+1, d.label(), textsafe.Quote(s.Email, 64))))
				}
				continue // the same share twice: once is enough
			}
			seen[[2]string{d.id, key}] = w
			wanted[i] = append(wanted[i], w)
		}
	}
	if err := shareInputError(problems); err != nil {
		return nil, nil, err
	}
	idx := make([]int, 0, len(wanted))
	for i := range wanted {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	scope := make([]scopeDevice, len(idx))
	for k, i := range idx {
		scope[k] = x.scope(i)
		scope[k].wants = wanted[i]
	}
	return scope, warnings, nil
}
