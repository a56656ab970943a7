package fakeserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// The operation IDs of the devices list and of device-share invites, for
// [Fake.RequestCount] and [Fake.InjectFault].
const (
	OpListDevices        = "listTailnetDevices"  // GET /tailnet/{tailnet}/devices
	OpListDeviceInvites  = "listDeviceInvites"   // GET /device/{deviceId}/device-invites
	OpCreateDeviceInvite = "createDeviceInvites" // POST /device/{deviceId}/device-invites
	OpGetDeviceInvite    = "getDeviceInvite"     // GET /device-invites/{deviceInviteId}
	OpDeleteDeviceInvite = "deleteDeviceInvite"  // DELETE /device-invites/{deviceInviteId}
	OpResendDeviceInvite = "resendDeviceInvite"  // POST /device-invites/{deviceInviteId}/resend
	OpAcceptDeviceInvite = "acceptDeviceInvite"  // POST /device-invites/-/accept
)

// Numbering of what the fake makes for devices.
const (
	firstDeviceID       = 40001 // of a device given without ID
	firstDeviceInviteID = 50001
	firstAcceptorID     = 60001 // of people outside the tailnet who accept a share
	// deviceInviteURL is where a device invite's code goes, the real form.
	deviceInviteURL = "https://login.tailscale.com/admin/invite/"
)

// deviceState is the fake's devices and their share invites; Fake.mu guards it.
type deviceState struct {
	devices    []tsinvites.Device // in the order added
	invites    map[string]*deviceRecord
	nextInvite int
	nextPerson int
}

// deviceRecord is a device invite and what the fake knows of it beyond the API's fields.
type deviceRecord struct {
	invite     tsinvites.DeviceInvite
	device     string // the device's ID
	code       string // the last part of its URL; accept takes either
	lastResend time.Time
	accepts    int
}

// WithDevices adds these devices to the tailnet when the fake starts, in this order. A
// device without ID gets one (a number from 40001), one without NodeID gets "n" and its
// ID, one without Name gets its Hostname and the tailnet's name as MagicDNS name.
// Devices are listed (listTailnetDevices, filtered by tags and hostname) and shared
// (the device-invites operations) by their ID or NodeID.
func WithDevices(devices ...tsinvites.Device) Option {
	return func(f *Fake) { f.dev.devices = append(f.dev.devices, devices...) }
}

// initDevices completes the seeded devices; f is not shared yet.
func (f *Fake) initDevices() {
	f.dev.invites = map[string]*deviceRecord{}
	f.dev.nextInvite, f.dev.nextPerson = firstDeviceInviteID, firstAcceptorID
	f.dev.devices = slices.Clone(f.dev.devices)
	for i := range f.dev.devices {
		d := &f.dev.devices[i]
		if d.ID == "" {
			d.ID = strconv.Itoa(firstDeviceID + i)
		}
		if d.NodeID == "" {
			d.NodeID = "n" + d.ID
		}
		if d.Name == "" && d.Hostname != "" {
			d.Name = d.Hostname + "." + f.tailnet
		}
	}
}

// Devices returns a copy of the fake's devices, in the order they were added.
func (f *Fake) Devices() []tsinvites.Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.dev.devices)
}

// DeviceInvites returns a copy of the device invites, pending and accepted, ordered by ID.
func (f *Fake) DeviceInvites() []tsinvites.DeviceInvite {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.deviceInvitesLocked(func(*deviceRecord) bool { return true })
}

// AcceptDeviceInviteAs does what a person outside the tailnet who logs in as loginName
// does with the invite's URL: the invite is accepted, acceptedBy names them. Anyone
// holding the URL can accept it, so loginName need not be the invite's email. It fails,
// changing nothing, for an ID that is no device invite, an empty login name, and an
// invite already accepted (a multi-use one: after 1,000 acceptances).
func (f *Fake) AcceptDeviceInviteAs(id, loginName string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, ok := f.dev.invites[id]
	if !ok {
		return fmt.Errorf("tsinvitestest: accept device invite %q: no device invite has this ID", id)
	}
	_, err := f.acceptLocked(rec, loginName)
	if err != nil {
		return fmt.Errorf("tsinvitestest: accept device invite %q: %w", id, err)
	}
	return nil
}

// maxAccepts is how often a multi-use device invite can be accepted, as the document says.
const maxAccepts = 1000

// acceptLocked accepts rec for loginName; f.mu is held.
func (f *Fake) acceptLocked(rec *deviceRecord, loginName string) (tsinvites.DeviceInviteAcceptedBy, error) {
	switch {
	case strings.TrimSpace(loginName) == "":
		return tsinvites.DeviceInviteAcceptedBy{}, fmt.Errorf("empty login name")
	case rec.invite.Accepted && !rec.invite.MultiUse, rec.accepts >= maxAccepts:
		return tsinvites.DeviceInviteAcceptedBy{}, fmt.Errorf("the invite was accepted already")
	}
	rec.accepts++
	by := tsinvites.DeviceInviteAcceptedBy{ID: int64(f.dev.nextPerson), LoginName: loginName}
	f.dev.nextPerson++
	if !rec.invite.Accepted {
		rec.invite.Accepted, rec.invite.AcceptedBy = true, by
	}
	return by, nil
}

// deviceLocked returns the device whose ID or NodeID is id; f.mu is held.
func (f *Fake) deviceLocked(id string) (tsinvites.Device, bool) {
	for _, d := range f.dev.devices {
		if d.ID == id || d.NodeID == id {
			return d, true
		}
	}
	return tsinvites.Device{}, false
}

// deviceInvitesLocked returns the device invites that keep says to, ordered by ID; f.mu
// is held.
func (f *Fake) deviceInvitesLocked(keep func(*deviceRecord) bool) []tsinvites.DeviceInvite {
	out := []tsinvites.DeviceInvite{}
	for _, rec := range f.dev.invites {
		if keep(rec) {
			out = append(out, rec.invite)
		}
	}
	sortByID(out, func(inv tsinvites.DeviceInvite) string { return inv.ID })
	return out
}

// hasAll reports whether have holds every one of want.
func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func (h *handlers) ListTailnetDevices(_ context.Context, req fakeapi.ListTailnetDevicesRequestObject) (fakeapi.ListTailnetDevicesResponseObject, error) {
	if !h.f.knowsTailnet(req.Tailnet) {
		return fakeapi.ListTailnetDevices404JSONResponse{NotFoundJSONResponse: notFound("tailnet")}, nil
	}
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	out := []tsinvites.Device{}
	for _, d := range h.f.dev.devices {
		if req.Params.Tags != nil && !hasAll(d.Tags, *req.Params.Tags) {
			continue
		}
		if req.Params.Hostname != nil && d.Hostname != *req.Params.Hostname {
			continue
		}
		out = append(out, d)
	}
	return deviceList(out), nil
}

// deviceList answers listTailnetDevices with {"devices": [...]}, the array present even
// when empty (the generated type omits an empty one).
type deviceList []tsinvites.Device

func (l deviceList) VisitListTailnetDevicesResponse(w http.ResponseWriter) error {
	return writeJSON(w, http.StatusOK, struct {
		Devices []tsinvites.Device `json:"devices"`
	}{l})
}

func (h *handlers) ListDeviceInvites(_ context.Context, req fakeapi.ListDeviceInvitesRequestObject) (fakeapi.ListDeviceInvitesResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	d, ok := h.f.deviceLocked(req.DeviceID)
	if !ok {
		return fakeapi.ListDeviceInvites404JSONResponse{NotFoundJSONResponse: notFound("device")}, nil
	}
	return fakeapi.ListDeviceInvites200JSONResponse(h.f.deviceInvitesLocked(func(rec *deviceRecord) bool { return rec.device == d.ID })), nil
}

// deviceNumber is a device's ID as a device invite's deviceId gives it (0 for an ID that
// is not a number).
func deviceNumber(d tsinvites.Device) int64 {
	n, _ := strconv.ParseInt(d.ID, 10, 64)
	return n
}

func (h *handlers) CreateDeviceInvites(_ context.Context, req fakeapi.CreateDeviceInvitesRequestObject) (fakeapi.CreateDeviceInvitesResponseObject, error) {
	now := h.f.now().UTC()
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	d, ok := h.f.deviceLocked(req.DeviceID)
	if !ok {
		return fakeapi.CreateDeviceInvites404JSONResponse{NotFoundJSONResponse: notFound("device")}, nil
	}
	if req.Body == nil || len(*req.Body) == 0 {
		return fakeapi.CreateDeviceInvites400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: "no invites to create"}}, nil
	}
	created := make([]tsinvites.DeviceInvite, 0, len(*req.Body))
	for _, r := range *req.Body {
		code := strings.ToLower(rand.Text())
		inv := tsinvites.DeviceInvite{
			ID:            strconv.Itoa(h.f.dev.nextInvite),
			Created:       now,
			DeviceID:      deviceNumber(d),
			SharerID:      DefaultInviterID,
			TailnetID:     DefaultTailnetID,
			Email:         r.Email,
			MultiUse:      r.MultiUse,
			AllowExitNode: r.AllowExitNode,
			InviteURL:     deviceInviteURL + code,
		}
		if inv.Email != "" {
			inv.LastEmailSentAt = now
		}
		h.f.dev.nextInvite++
		h.f.dev.invites[inv.ID] = &deviceRecord{invite: inv, device: d.ID, code: code}
		created = append(created, inv)
	}
	return fakeapi.CreateDeviceInvites200JSONResponse(created), nil
}

func (h *handlers) GetDeviceInvite(_ context.Context, req fakeapi.GetDeviceInviteRequestObject) (fakeapi.GetDeviceInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	rec, ok := h.f.dev.invites[req.DeviceInviteID]
	if !ok {
		return fakeapi.GetDeviceInvite404JSONResponse{NotFoundJSONResponse: notFound("device invite")}, nil
	}
	return fakeapi.GetDeviceInvite200JSONResponse(rec.invite), nil
}

func (h *handlers) DeleteDeviceInvite(_ context.Context, req fakeapi.DeleteDeviceInviteRequestObject) (fakeapi.DeleteDeviceInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	if _, ok := h.f.dev.invites[req.DeviceInviteID]; !ok {
		return fakeapi.DeleteDeviceInvite404JSONResponse{NotFoundJSONResponse: notFound("device invite")}, nil
	}
	delete(h.f.dev.invites, req.DeviceInviteID)
	return fakeapi.DeleteDeviceInvite200Response{}, nil
}

func (h *handlers) ResendDeviceInvite(_ context.Context, req fakeapi.ResendDeviceInviteRequestObject) (fakeapi.ResendDeviceInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	rec, ok := h.f.dev.invites[req.DeviceInviteID]
	switch {
	case !ok:
		return fakeapi.ResendDeviceInvite404JSONResponse{NotFoundJSONResponse: notFound("device invite")}, nil
	case rec.invite.Email == "":
		return fakeapi.ResendDeviceInvite400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: noEmailToResend}}, nil
	case rec.invite.Accepted:
		return fakeapi.ResendDeviceInvite400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: "invite was accepted already"}}, nil
	}
	if tooSoon, refused := resendLocked(&rec.lastResend, &rec.invite.LastEmailSentAt, h.f.now().UTC()); refused {
		return fakeapi.ResendDeviceInvite429JSONResponse{TooManyRequestsJSONResponse: tooSoon}, nil
	}
	return fakeapi.ResendDeviceInvite200Response{}, nil
}

func (h *handlers) AcceptDeviceInvite(ctx context.Context, req fakeapi.AcceptDeviceInviteRequestObject) (fakeapi.AcceptDeviceInviteResponseObject, error) {
	if req.Body == nil || strings.TrimSpace(req.Body.Invite) == "" {
		return fakeapi.AcceptDeviceInvite400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: "no invite to accept"}}, nil
	}
	code := strings.TrimPrefix(strings.TrimSpace(req.Body.Invite), deviceInviteURL)
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	var rec *deviceRecord
	for _, r := range h.f.dev.invites {
		if r.code == code {
			rec = r
		}
	}
	if rec == nil {
		return fakeapi.AcceptDeviceInvite404JSONResponse{NotFoundJSONResponse: notFound("device invite")}, nil
	}
	by, err := h.f.acceptLocked(rec, h.f.keyUserLogin())
	if err != nil {
		return fakeapi.AcceptDeviceInvite400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: err.Error()}}, nil
	}
	d, _ := h.f.deviceLocked(rec.device)
	shared := tsinvites.SharedDevice{ID: d.ID, Name: d.Name, Fqdn: d.Name, Os: d.Os, IncludeExitNode: rec.invite.AllowExitNode}
	if len(d.Addresses) > 0 {
		shared.Ipv4 = d.Addresses[0]
	}
	return fakeapi.AcceptDeviceInvite200JSONResponse{
		AcceptedBy: tsinvites.DeviceShareUser{ID: strconv.FormatInt(by.ID, 10), LoginName: by.LoginName},
		Device:     shared,
		Sharer:     tsinvites.DeviceShareUser{ID: strconv.FormatInt(DefaultInviterID, 10)},
	}, nil
}

// keyUserLogin is who accepts a device invite through the API: the API key's user
// ([WithKeyUser]), or "key-owner@" and the tailnet's domain.
func (f *Fake) keyUserLogin() string {
	if strings.Contains(f.member.keyUser, "@") {
		return f.member.keyUser
	}
	return "key-owner@" + f.domain
}

// deviceRefusal is the status and message with which a token that no user owns is
// refused op, a device operation, or 0 when it may (scopes permitting: scope).
func deviceRefusal(op string) (scope string, status int, message string) {
	switch op {
	case OpListDevices:
		return "devices:core:read", 0, ""
	case OpListDeviceInvites, OpGetDeviceInvite:
		return "device_invites:read", 0, ""
	case OpDeleteDeviceInvite:
		return "device_invites", 0, ""
	case OpCreateDeviceInvite, OpResendDeviceInvite, OpAcceptDeviceInvite:
		return "", http.StatusForbidden, "not permitted for OAuth or federated tokens: the shared device is scoped to a user"
	}
	return "", 0, ""
}
