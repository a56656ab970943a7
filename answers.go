package tsinvites

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/jsonbody"
)

// The caps of a 2xx answer: maxUsersBody for a users list (50,000 users are about
// 21 MiB; Tailscale's plans go to tens of thousands), maxBody for the others.
const maxBody, maxUsersBody = 16 << 20, 256 << 20

// answer is what an operation's 2xx body holds, its size cap and decoder: each is
// declared here and named by its wrapper method (a new operation declares one; the
// transport needs no edit).
type answer = httpx.Answer

// inviteListAnswer is an array of invites (List, Create), decoded an invite at a time.
type inviteListAnswer []UserInvite

func (*inviteListAnswer) MaxSize() int64 { return maxBody }

func (a *inviteListAnswer) Decode(dec *json.Decoder) (err error) {
	*a, err = inviteArray[UserInvite](dec, "invite")
	return err
}

// inviteAnswer is one invite (Get).
type inviteAnswer UserInvite

func (*inviteAnswer) MaxSize() int64 { return maxBody }

func (a *inviteAnswer) Decode(dec *json.Decoder) error {
	*a = inviteAnswer{} // no leftovers from an earlier attempt
	return cmp.Or(dec.Decode(a), withIDs("invite", UserInvite(*a)))
}

// userListAnswer is a users list (ListUsers): an object whose "users" array is decoded
// a user at a time. A tailnet always has a user, its owner: no list is no answer.
type userListAnswer UserList

func (*userListAnswer) MaxSize() int64 { return maxUsersBody }

func (a *userListAnswer) Decode(dec *json.Decoder) (err error) {
	var found bool
	if a.Users, found, err = jsonbody.Field[User](dec, "users"); err == nil && !found {
		return errors.New(`the answer has no "users" array`)
	}
	return err
}

// inviteArray decodes an array of invites (user or device invites: what), an invite
// at a time, refusing null and an invite without an ID; the invites decoded are
// returned with the error.
func inviteArray[I pairable](dec *json.Decoder, what string) ([]I, error) {
	list, err := jsonbody.Array[I](dec)
	if err == nil && list == nil {
		return nil, errors.New("the answer is null, not a JSON array")
	}
	return list, cmp.Or(err, withIDs(what, list...))
}

// withIDs refuses invites (what: "invite", "device invite") without an ID (such as {}
// or [{}]).
func withIDs[I pairable](what string, invites ...I) error {
	for i, inv := range invites {
		if id, _ := inv.pairKey(); id == "" {
			return fmt.Errorf("%s %d of the answer has no id", what, i+1)
		}
	}
	return nil
}

// deviceListAnswer is a devices list (ListDevices): an object whose "devices" array is
// decoded a device at a time. No array is no answer (a tailnet without devices has an
// empty one). Capped as a users list: with fields=all a device is a few KiB.
type deviceListAnswer DeviceList

func (*deviceListAnswer) MaxSize() int64 { return maxUsersBody }

func (a *deviceListAnswer) Decode(dec *json.Decoder) error {
	devices, found, err := jsonbody.Field[Device](dec, "devices")
	switch {
	case err != nil:
		return err
	case !found:
		return errors.New(`the answer has no "devices" array`)
	}
	a.Devices = devices
	return nil
}

// deviceInviteListAnswer is an array of device invites (ListDeviceInvites,
// CreateDeviceInvites), decoded an invite at a time.
type deviceInviteListAnswer []DeviceInvite

func (*deviceInviteListAnswer) MaxSize() int64 { return maxBody }

func (a *deviceInviteListAnswer) Decode(dec *json.Decoder) error {
	list, err := inviteArray[DeviceInvite](dec, "device invite")
	if err == nil {
		*a = list
	}
	return err
}

// deviceInviteAnswer is one device invite (GetDeviceInvite).
type deviceInviteAnswer DeviceInvite

func (*deviceInviteAnswer) MaxSize() int64 { return maxBody }

func (a *deviceInviteAnswer) Decode(dec *json.Decoder) error {
	var inv DeviceInvite // no leftovers from an earlier attempt
	if err := dec.Decode(&inv); err != nil {
		return err
	}
	if err := withIDs("device invite", inv); err != nil {
		return err
	}
	*a = deviceInviteAnswer(inv)
	return nil
}

// acceptAnswer is what AcceptDeviceInvite's answer holds.
type acceptAnswer AcceptDeviceInviteResult

func (*acceptAnswer) MaxSize() int64 { return maxBody }

func (a *acceptAnswer) Decode(dec *json.Decoder) error {
	var res AcceptDeviceInviteResult // no leftovers from an earlier attempt
	if err := dec.Decode(&res); err != nil {
		return err
	}
	*a = acceptAnswer(res)
	return nil
}
