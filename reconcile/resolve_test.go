package reconcile_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// resolveDevices are the devices of TestResolveDevices: two with the hostname web.
var resolveDevices = []tsinvites.Device{
	{ID: "11", NodeID: "nA", Name: "alpha.example.ts.net", Hostname: "Alpha-Host", Tags: []string{"tag:ci"}},
	{ID: "12", NodeID: "nB", Name: "beta.example.ts.net", Hostname: "web", Tags: []string{"tag:ci", "tag:prod"}},
	{ID: "13", NodeID: "nC", Name: "gamma.example.ts.net", Hostname: "web"},
	{ID: "14", Name: "legacy.example.ts.net", Hostname: "legacy"},
}

// TestResolveDevices: ResolveDevices finds devices as a Share's Device does (ID,
// nodeId, MagicDNS name with or without the suffix, hostname, tag); ResolveDevice
// wants exactly one, naming those a tag or a name matches when more.
func TestResolveDevices(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want []string // DeviceID of each device found
		err  string   // ResolveDevices' refusal
		one  string   // ResolveDevice's refusal ("" with err: the same)
	}{
		{name: "11", want: []string{"nA"}},
		{name: "nB", want: []string{"nB"}},
		{name: "14", want: []string{"14"}}, // no nodeId: the legacy ID
		{name: "gamma.example.ts.net.", want: []string{"nC"}},
		{name: "GAMMA", want: []string{"nC"}},
		{name: "alpha-host", want: []string{"nA"}},
		{name: "tag:prod", want: []string{"nB"}},
		{name: "tag:ci", want: []string{"nA", "nB"}, one: "names 2 devices, want one: alpha.example.ts.net (nA), beta.example.ts.net (nB)"},
		{name: "tag:none", want: []string{}, one: "no device has the tag"},
		{name: "web", err: "names 2 devices: beta.example.ts.net (nB), gamma.example.ts.net (nC)"},
		{name: "epsilon", err: "no device has the ID, name or hostname"},
		{name: "", err: "no device given"},
		{name: "a b", err: "holds"},
		{name: "tag:", err: "names no tag"},
	} {
		early := "" // ValidateDevice refuses these names before any device is read
		if slices.Contains([]string{"", "a b", "tag:"}, tc.name) {
			early = tc.err
		}
		if err := reconcile.ValidateDevice(tc.name); !refused(err, early) {
			t.Errorf("ValidateDevice(%q) = %v, want %q", tc.name, err, early)
		}
		found, err := reconcile.ResolveDevices(resolveDevices, tc.name)
		if !refused(err, tc.err) {
			t.Errorf("ResolveDevices(%q): err = %v, want %q", tc.name, err, tc.err)
		}
		got := []string{}
		for _, d := range found {
			got = append(got, reconcile.DeviceID(d))
		}
		if tc.err == "" && !slices.Equal(got, tc.want) {
			t.Errorf("ResolveDevices(%q) = %v, want %v", tc.name, got, tc.want)
		}
		d, err := reconcile.ResolveDevice(resolveDevices, tc.name)
		want := tc.one
		if tc.err != "" {
			want = tc.err
		}
		if !refused(err, want) || (want == "" && reconcile.DeviceID(d) != tc.want[0]) {
			t.Errorf("ResolveDevice(%q) = %q, %v, want %v or %q", tc.name, reconcile.DeviceID(d), err, tc.want, want)
		}
	}
}

// refused: err is nil for want "", else an input error with one problem of the
// device, whose Reason holds want.
func refused(err error, want string) bool {
	if want == "" {
		return err == nil
	}
	var inErr *tsinvites.InputError
	return errors.As(err, &inErr) && errors.Is(err, tsinvites.ErrInvalidInput) && len(inErr.Problems) == 1 &&
		inErr.Problems[0].Field == "device" && strings.Contains(inErr.Problems[0].Reason, want)
}
