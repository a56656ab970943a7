package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// checkShareChanges refuses the share changes of plan (those with a DeviceID) that
// Apply cannot make with c: c without the device calls (a [DeviceClient]), an action
// other than create, recreate, resend and delete, a role, a bad ID, or creates for one
// device that the one input policy refuses (a bad email, one person twice). The error
// is the reason alone.
func checkShareChanges(c Client, plan *Plan) error {
	creates := map[string][]int{} // device → its creates' changes
	var devices []string
	shares := false
	for i, ch := range plan.Changes {
		if ch.DeviceID == "" {
			continue
		}
		shares = true
		switch ch.Action {
		case ActionCreate, ActionRecreate, ActionResend, ActionDelete:
		default:
			return fmt.Errorf("change %d: a share change (with a deviceId) cannot %s", i+1, ch.Action)
		}
		if err := tsinvites.ValidateInviteID(ch.DeviceID); err != nil {
			return fmt.Errorf("change %d (%s): device: %v", i+1, ch.Action, err)
		}
		if ch.Role != "" || ch.UserID != "" {
			return fmt.Errorf("change %d (%s): a share change has no role and no user", i+1, ch.Action)
		}
		if makesInvite(ch.Action) {
			if _, ok := creates[ch.DeviceID]; !ok {
				devices = append(devices, ch.DeviceID)
			}
			creates[ch.DeviceID] = append(creates[ch.DeviceID], i)
		}
	}
	if _, ok := c.(DeviceClient); shares && !ok {
		return errors.New("the plan shares devices, and the client has no device calls: want a reconcile.DeviceClient, such as a *tsinvites.Client")
	}
	for _, dev := range devices { // one person once a device; the same on two devices is fine
		at := creates[dev]
		reqs := make([]tsinvites.CreateUserInviteRequest, len(at))
		for k, i := range at {
			reqs[k].Email = plan.Changes[i].Email
		}
		if err := createsError(plan, reqs, at); err != nil {
			return err
		}
	}
	return nil
}

// runShareCreates makes the share creates and recreates (indices into the plan's
// changes): one create call per device (more when a device has more than BatchSize),
// as many in flight as the pool allows; each call is sent once.
func (a *applier) runShareCreates(ctx context.Context, idx []int) {
	var batches [][]int
	at := map[string]int{} // device → its batch being filled
	for _, i := range idx {
		dev := a.changes[i].DeviceID
		b, ok := at[dev]
		if !ok || len(batches[b]) == a.opts.BatchSize {
			b, at[dev] = len(batches), len(batches)
			batches = append(batches, nil)
		}
		batches[b] = append(batches[b], i)
	}
	runCreateBatches(ctx, a, batches, a.shareCreates(), func(b int) error {
		return changeError(nil, "not attempted after the create call for device %s failed", a.changes[batches[b][0]].DeviceID)
	})
}

// shareCreates is the create call of a device's shares,
// [DeviceClient.CreateDeviceInvites], for changes all of one device.
func (a *applier) shareCreates() createCall[tsinvites.DeviceInvite] {
	return createCall[tsinvites.DeviceInvite]{
		send: func(ctx context.Context, idx []int) ([]tsinvites.DeviceInvite, error) {
			reqs := make([]tsinvites.CreateDeviceInviteRequest, len(idx))
			for j, i := range idx {
				reqs[j] = tsinvites.CreateDeviceInviteRequest{Email: a.changes[i].Email, AllowExitNode: a.changes[i].AllowExitNode}
			}
			return a.dc.CreateDeviceInvites(ctx, a.changes[idx[0]].DeviceID, reqs...) // paired by email
		},
		unpaired: tsinvites.UnpairedDeviceInvites,
		keep:     &a.res.UnpairedShares,
		result:   shareCreatedResult,
	}
}

// shareCreatedResult is what became of a share's create or recreate r given inv, the
// device invite the call's answer paired with it (zero for none), and the call's
// error: as createdResult, with allowExitNode where a user invite has a role.
func shareCreatedResult(r ChangeResult, inv tsinvites.DeviceInvite, err error) ChangeResult {
	var wrong string
	if inv.AllowExitNode != r.AllowExitNode {
		wrong = fmt.Sprintf("the API made device invite %s with allowExitNode %t where %t was asked for: it exists, not as asked", inv.ID, inv.AllowExitNode, r.AllowExitNode)
	}
	if r = madeResult(r, inv.ID, wrong, err); r.NewInviteID != "" {
		r.Share = &inv
	}
	return r
}

// recheckShares re-reads, for a saved plan, the invites of the devices its share
// changes are on (through the Apply's pool) and marks [StatusSkipped], with the
// reason, every share change whose starting point is gone: a create whose person has a
// live pending or an accepted invite of the device by now, an invite no longer there,
// accepted, or emailed since.
func (a *applier) recheckShares(ctx context.Context, plan *Plan) error {
	var devices []string
	seen := map[string]bool{}
	for i, ch := range plan.Changes {
		if ch.DeviceID != "" && !seen[ch.DeviceID] && a.res.Results[i].Status != StatusSkipped {
			seen[ch.DeviceID] = true
			devices = append(devices, ch.DeviceID)
		}
	}
	if len(devices) == 0 {
		return nil
	}
	now := make(map[string][]tsinvites.DeviceInvite, len(devices))
	var (
		mu    sync.Mutex
		first error
	)
	next, why := a.pool.Run(ctx, len(devices), func(ctx context.Context, k int) error {
		list, err := a.dc.ListDeviceInvites(ctx, devices[k])
		mu.Lock()
		defer mu.Unlock()
		now[devices[k]], first = list, cmp.Or(first, err)
		return err
	})
	if err := cmp.Or(first, why); err != nil || next < len(devices) {
		return fmt.Errorf("reconcile: apply: re-reading the device invites for a saved plan: %w", cmp.Or(err, context.Canceled))
	}
	for i, ch := range plan.Changes {
		if ch.DeviceID == "" {
			continue
		}
		if why := shareChanged(ch, now[ch.DeviceID], plan.Options); why != "" {
			a.res.Results[i].Status, a.res.Results[i].Err = StatusSkipped, changeError(nil, "skipped: %s", why)
		}
	}
	return nil
}

// shareChanged says how the starting point of ch, a share change, is not what the plan
// saw, given the device's invites now ("" when it is).
func shareChanged(ch Change, invites []tsinvites.DeviceInvite, opts PlanOptions) string {
	key, _ := emailKey(ch.Email)
	if makesInvite(ch.Action) {
		for _, inv := range invites {
			switch {
			case key == "" || inv.ID == ch.InviteID:
			case inv.Accepted:
				if k, ok := emailKey(inv.AcceptedBy.LoginName); ok && k == key {
					return fmt.Sprintf("%s has accepted a share of the device since the plan (invite %s)", ch.Email, inv.ID)
				}
			case linkLive(inv, opts.Now) && inv.AllowExitNode == ch.AllowExitNode:
				if k, ok := emailKey(inv.Email); ok && k == key {
					return fmt.Sprintf("an invite of the device for %s is pending already (invite %s)", ch.Email, inv.ID)
				}
			}
		}
		if ch.Action == ActionCreate {
			return ""
		}
	}
	for _, inv := range invites {
		switch {
		case inv.ID != ch.InviteID:
		case inv.Accepted:
			return fmt.Sprintf("device invite %s was accepted since the plan", ch.InviteID)
		case ch.Action == ActionResend && !inv.LastEmailSentAt.Equal(ch.LastEmailSentAt):
			return fmt.Sprintf("device invite %s was emailed since the plan (%s)", ch.InviteID, lastEmailed(inv.LastEmailSentAt))
		default:
			return ""
		}
	}
	return fmt.Sprintf("device invite %s is no longer there", ch.InviteID)
}

// deleteShare deletes device invite id unless it has been accepted since the plan: it
// reads the invite first, as the person may accept it while Apply waits (at a prompt,
// or between the plan and its apply), and a plan never deletes an accepted share.
// What was accepted is an *acceptedError; an invite that is gone is the API's 404.
func (a *applier) deleteShare(ctx context.Context, id string) error {
	inv, err := a.dc.GetDeviceInvite(ctx, id)
	switch {
	case err != nil:
		return err
	case inv.Accepted:
		return &acceptedError{id: id, by: inv.AcceptedBy.LoginName}
	}
	return a.dc.DeleteDeviceInvite(ctx, id)
}

// acceptedError is why a share's delete was not sent: the invite was accepted since
// the plan.
type acceptedError struct{ id, by string }

func (e *acceptedError) Error() string {
	return fmt.Sprintf("device invite %s was accepted since the plan (by %s): a plan never deletes an accepted share", e.id, textsafe.Escape(cmp.Or(e.by, "someone")))
}
