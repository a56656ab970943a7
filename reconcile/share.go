package reconcile

// Device shares: a list of (device, person) lines, planned and applied on the same Plan
// and Apply as user invites.

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
)

// Share is one line of a list of device shares: Device shared with the person Email.
type Share struct {
	// Device names one device by its ID or nodeId, its name (MagicDNS, with or without
	// the tailnet's suffix) or its hostname, or every device with a tag: "tag:ci".
	Device string `json:"device"`
	// Email is the person the device is shared with: an invite is emailed to them.
	Email string `json:"email"`
	// AllowExitNode lets the person use the device as an exit node, when it advertises
	// as one.
	AllowExitNode bool `json:"allowExitNode"`
}

// DeviceClient is what [NewSharePlan] needs of a client, and what [Apply] needs of
// one for a plan of device shares: a [Client] with the device calls. A
// [*tsinvites.Client] is one. It is apart from Client so that a program planning only
// user invites keeps a stand-in with the methods it calls, and no more; Apply asks for
// it (before sending anything) only when the plan holds share changes.
type DeviceClient interface {
	Client

	ListDevices(ctx context.Context, params tsinvites.ListTailnetDevicesParams) ([]tsinvites.Device, error)
	ListDeviceInvites(ctx context.Context, deviceID string) ([]tsinvites.DeviceInvite, error)
	CreateDeviceInvites(ctx context.Context, deviceID string, invites ...tsinvites.CreateDeviceInviteRequest) ([]tsinvites.DeviceInvite, error)
	// GetDeviceInvite is read right before each delete: an invite accepted since the
	// plan is never deleted.
	GetDeviceInvite(ctx context.Context, id string) (*tsinvites.DeviceInvite, error)
	DeleteDeviceInvite(ctx context.Context, id string) error
	ResendDeviceInvite(ctx context.Context, id string) error
}

// The SDK's client is a DeviceClient.
var _ DeviceClient = (*tsinvites.Client)(nil)

// ShareLinkLifetime is how long an unused share link lasts: Tailscale's documentation
// (kb/1084) says unused share links expire 30 days after they are made. The API gives
// an invite's Created, not its expiry; a plan recreates a pending invite older than
// this.
const ShareLinkLifetime = 30 * 24 * time.Hour

// linkLive reports whether inv's link still works at now: it was made at most
// [ShareLinkLifetime] before.
func linkLive(inv tsinvites.DeviceInvite, now time.Time) bool {
	return now.Sub(inv.Created) <= ShareLinkLifetime
}

// NewSharePlan makes a plan that shares devices as the list shares says: it lists the
// tailnet's devices once (only those with the tag when every line names the same
// tag), finds the devices each line names (see [Share.Device]), lists
// the invites of those devices (the devices in scope), opts.Concurrency lists in
// flight, and compares. For each line and device it plans a create (no invite for the
// person), a recreate (a pending invite made longer ago than [ShareLinkLifetime], or
// whose AllowExitNode is not the line's: the new invite is made before the old is
// deleted), a resend (pending, last emailed longer ago than opts.ResendAfter) or
// nothing. When a person has several pending invites on a device, one is kept and the
// others deleted. With opts.Prune, the pending invites of the devices in scope that the
// list does not hold are deleted; those of other devices are never touched.
//
// An accepted invite counts for the person who accepted it (its acceptedBy login
// name, matched with the list's emails as NewPlan matches joined users: ASCII letters
// without case, a name with white space or an invisible character matches nobody),
// whoever it was emailed to: the person it was emailed to, if listed, gets a new
// invite. A plan never deletes an accepted invite: those the list does not hold are in
// [Plan.Accepted], reported, as the API's document does not promise that deleting one
// ends the share.
//
// The list is checked before anything is sent: every email by the SDK's one input
// policy ([tsinvites.ValidateList]; a person listed twice for the same Device, or for
// one device through two lines that disagree on AllowExitNode, is refused), every
// Device not empty; after the devices are listed, and before anything else is sent, a
// Device that names no device, or (not a tag) two devices, is refused, naming them. The
// error matches [tsinvites.ErrInvalidInput] and wraps a [*tsinvites.InputError] whose
// problems' Index is the line's in shares (Field "device" for a device). A tag that
// names no device is a warning: nothing is shared for its lines.
//
// The options on users (Approve, ManageRoles, Offboard, Keep, ...) are refused.
func NewSharePlan(ctx context.Context, c DeviceClient, shares []Share, opts PlanOptions) (*Plan, error) {
	if err := checkPlanArgs(ctx, c, opts, "share plan"); err != nil {
		return nil, err
	}
	if opts.ChangesUsers() || len(opts.Keep) > 0 || opts.MaxOffboard != 0 || opts.OffboardGrace != 0 {
		return nil, invalid("share plan", "the options on users (Approve, ManageRoles, Offboard and theirs) do not apply to device shares")
	}
	if err := checkShares(shares); err != nil {
		return nil, err
	}
	devices, err := c.ListDevices(ctx, devicesFilter(shares))
	if err != nil {
		return nil, fmt.Errorf("reconcile: share plan: listing devices: %w", err)
	}
	scope, warnings, err := resolveShares(shares, devices)
	if err != nil {
		return nil, err
	}
	invites, err := listShareInvites(ctx, c, scope, opts.Concurrency)
	if err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	p := &Plan{Tailnet: c.Tailnet(), Options: opts, DeviceShares: true, Changes: []Change{}, Unchanged: []Change{}, Joined: []Joined{}, Warnings: warnings}
	var sp sharePlan
	for k, dev := range scope {
		sp.device(p, dev, invites[k], opts)
	}
	p.Changes = append(append(append(append(p.Changes, sp.creates...), sp.recreates...), sp.resends...), sp.deletes...)
	return p, nil
}

// devicesFilter is the one devices list's filter: the tag, when every line names the
// same tag (the API filters; the devices are still matched to it here); none otherwise.
func devicesFilter(shares []Share) tsinvites.ListTailnetDevicesParams {
	if len(shares) == 0 || !strings.HasPrefix(shares[0].Device, tagPrefix) {
		return tsinvites.ListTailnetDevicesParams{}
	}
	for _, s := range shares[1:] {
		if s.Device != shares[0].Device {
			return tsinvites.ListTailnetDevicesParams{}
		}
	}
	return tsinvites.ListTailnetDevicesParams{Tags: &[]string{shares[0].Device}}
}

// listShareInvites lists the invites of each device of scope, up to concurrency (0:
// DefaultConcurrency) lists in flight through the engine's pool. The first list to
// fail stops the others, and its error (never the cancellation it caused) is the
// error.
func listShareInvites(ctx context.Context, c DeviceClient, scope []scopeDevice, concurrency int) ([][]tsinvites.DeviceInvite, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	invites := make([][]tsinvites.DeviceInvite, len(scope))
	var (
		mu    sync.Mutex
		first error
	)
	p := pool.New(cmp.Or(concurrency, DefaultConcurrency), c.RetryPolicy().MaxRetryAfter)
	next, why := p.Run(ctx, len(scope), func(ctx context.Context, k int) error {
		list, err := c.ListDeviceInvites(ctx, scope[k].id)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && first == nil {
			first = fmt.Errorf("reconcile: share plan: listing the invites of device %s: %w", scope[k].label(), err)
			cancel()
		}
		invites[k] = list
		return err
	})
	switch {
	case first != nil:
		return nil, first
	case next < len(scope):
		return nil, fmt.Errorf("reconcile: share plan: listing device invites: %w", why)
	}
	return invites, nil
}
