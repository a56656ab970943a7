package reconcile_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// shareTailnet is an in-memory stand-in for the device calls of a tailnet: a
// reconcile.DeviceClient with devices and device invites, no network. Its user calls
// are not there (the embedded Client is nil): a share plan must not make one.
type shareTailnet struct {
	reconcile.Client // nil

	mu      sync.Mutex
	now     time.Time
	devices []tsinvites.Device
	invites map[string][]tsinvites.DeviceInvite // by the device's nodeId
	next    int
	calls   map[string]int // by method
	// inFlight and maxInFlight count the ListDeviceInvites calls at once.
	inFlight, maxInFlight int
	// gate, when set, is received from by every ListDeviceInvites (to hold them).
	gate chan struct{}
	// fail, by method, is the error the next call of the method returns, once (for
	// CreateDeviceInvites: after making the invites, as a lost answer).
	fail map[string]error
	// filter is the filter of the last ListDevices.
	filter tsinvites.ListTailnetDevicesParams
}

// failure is the error to return for method, once; f.mu is held.
func (f *shareTailnet) failure(method string) error {
	err := f.fail[method]
	delete(f.fail, method)
	return err
}

// newShareTailnet is a tailnet of devices at time now, without invites.
func newShareTailnet(now time.Time, devices ...tsinvites.Device) *shareTailnet {
	return &shareTailnet{now: now, devices: devices, invites: map[string][]tsinvites.DeviceInvite{}, calls: map[string]int{}, fail: map[string]error{}}
}

// testDevices is n devices, build-000.example.ts.net (host build-000, nodeId n000,
// ID 1000) ..., the first tagged of them with tag.
func testDevices(n, tagged int, tag string) []tsinvites.Device {
	ds := make([]tsinvites.Device, n)
	for i := range ds {
		ds[i] = tsinvites.Device{ID: fmt.Sprint(1000 + i), NodeID: fmt.Sprintf("n%03d", i), Name: fmt.Sprintf("build-%03d.example.ts.net", i), Hostname: fmt.Sprintf("build-%03d", i)}
		if i < tagged {
			ds[i].Tags = []string{tag}
		}
	}
	return ds
}

func (f *shareTailnet) Tailnet() string                    { return "example.com" }
func (f *shareTailnet) RetryPolicy() tsinvites.RetryPolicy { return tsinvites.RetryPolicy{} }

func (f *shareTailnet) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *shareTailnet) ListDevices(_ context.Context, params tsinvites.ListTailnetDevicesParams) ([]tsinvites.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["ListDevices"]++
	f.filter = params
	var out []tsinvites.Device
	for _, d := range f.devices {
		if params.Tags != nil && slices.ContainsFunc(*params.Tags, func(t string) bool { return !slices.Contains(d.Tags, t) }) ||
			params.Hostname != nil && *params.Hostname != d.Hostname {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

func (f *shareTailnet) device(id string) (string, bool) {
	for _, d := range f.devices {
		if d.NodeID == id || d.ID == id {
			return d.NodeID, true
		}
	}
	return "", false
}

func (f *shareTailnet) ListDeviceInvites(ctx context.Context, deviceID string) ([]tsinvites.DeviceInvite, error) {
	f.mu.Lock()
	f.calls["ListDeviceInvites"]++
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
	if err := f.failure("ListDeviceInvites"); err != nil {
		return nil, err
	}
	dev, ok := f.device(deviceID)
	if !ok {
		return nil, &tsinvites.APIError{StatusCode: http.StatusNotFound, Message: "no such device"}
	}
	return slices.Clone(f.invites[dev]), nil
}

func (f *shareTailnet) CreateDeviceInvites(_ context.Context, deviceID string, reqs ...tsinvites.CreateDeviceInviteRequest) ([]tsinvites.DeviceInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["CreateDeviceInvites"]++
	dev, ok := f.device(deviceID)
	if !ok {
		return nil, &tsinvites.APIError{StatusCode: http.StatusNotFound, Message: "no such device"}
	}
	made := make([]tsinvites.DeviceInvite, len(reqs))
	for i, r := range reqs {
		f.next++
		made[i] = tsinvites.DeviceInvite{ID: fmt.Sprint("di", f.next), Email: r.Email, AllowExitNode: r.AllowExitNode, MultiUse: r.MultiUse,
			Created: f.now, InviteURL: "https://login.tailscale.com/admin/invite/secret" + fmt.Sprint(f.next)}
		if r.Email != "" {
			made[i].LastEmailSentAt = f.now
		}
		f.invites[dev] = append(f.invites[dev], made[i])
	}
	if err := f.failure("CreateDeviceInvites"); err != nil {
		return nil, err
	}
	return made, nil
}

// find is the device and position of invite id.
func (f *shareTailnet) find(id string) (string, int) {
	for dev, list := range f.invites {
		for i, inv := range list {
			if inv.ID == id {
				return dev, i
			}
		}
	}
	return "", -1
}

func (f *shareTailnet) GetDeviceInvite(_ context.Context, id string) (*tsinvites.DeviceInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetDeviceInvite"]++
	dev, i := f.find(id)
	if i < 0 {
		return nil, &tsinvites.APIError{StatusCode: http.StatusNotFound, Message: "no such invite"}
	}
	inv := f.invites[dev][i]
	return &inv, nil
}

func (f *shareTailnet) DeleteDeviceInvite(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["DeleteDeviceInvite"]++
	dev, i := f.find(id)
	if i < 0 {
		return &tsinvites.APIError{StatusCode: http.StatusNotFound, Message: "no such invite"}
	}
	f.invites[dev] = slices.Delete(f.invites[dev], i, i+1)
	return nil
}

func (f *shareTailnet) ResendDeviceInvite(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["ResendDeviceInvite"]++
	if err := f.failure("ResendDeviceInvite"); err != nil {
		return err
	}
	dev, i := f.find(id)
	if i < 0 {
		return &tsinvites.APIError{StatusCode: http.StatusNotFound, Message: "no such invite"}
	}
	f.invites[dev][i].LastEmailSentAt = f.now
	return nil
}

// add puts invite inv on device dev (a nodeId), as made elsewhere.
func (f *shareTailnet) add(dev string, inv tsinvites.DeviceInvite) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invites[dev] = append(f.invites[dev], inv)
}

// accept marks invite id accepted by loginName.
func (f *shareTailnet) accept(id, loginName string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dev, i := f.find(id)
	f.invites[dev][i].Accepted, f.invites[dev][i].AcceptedBy.LoginName = true, loginName
}

// all is every invite, in device order.
func (f *shareTailnet) all() []tsinvites.DeviceInvite {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []tsinvites.DeviceInvite
	for _, d := range f.devices {
		out = append(out, f.invites[d.NodeID]...)
	}
	return out
}
