package tsinvites

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/jsonbody"
)

// maxBody caps how much of a successful answer is read; maxUsersBody, of a users list
// (50,000 users are about 21 MiB; Tailscale's plans go to tens of thousands).
const (
	maxBody      = 16 << 20
	maxUsersBody = 256 << 20
)

// answer is what an operation's 2xx body holds, its size cap and decoder: each is
// declared here and named by its wrapper method (a new operation declares one; the
// transport needs no edit).
type answer = httpx.Answer

// inviteListAnswer is an array of invites (List, Create), decoded an invite at a time.
type inviteListAnswer []UserInvite

func (*inviteListAnswer) MaxSize() int64 { return maxBody }

func (a *inviteListAnswer) Decode(dec *json.Decoder) error {
	list, err := jsonbody.Array[UserInvite](dec)
	switch {
	case err != nil:
		return err
	case list == nil:
		return errors.New("the answer is null, not a JSON array")
	}
	for i, inv := range list {
		if inv.ID == "" {
			return fmt.Errorf("invite %d of the answer has no id", i+1)
		}
	}
	*a = list
	return nil
}

// inviteAnswer is one invite (Get).
type inviteAnswer UserInvite

func (*inviteAnswer) MaxSize() int64 { return maxBody }

func (a *inviteAnswer) Decode(dec *json.Decoder) error {
	var inv UserInvite // no leftovers from an earlier attempt
	if err := dec.Decode(&inv); err != nil {
		return err
	}
	if inv.ID == "" {
		return errors.New("invite 1 of the answer has no id")
	}
	*a = inviteAnswer(inv)
	return nil
}

// userListAnswer is a users list (ListUsers): an object whose "users" array is decoded
// a user at a time. A tailnet always has a user, its owner: no list is no answer.
type userListAnswer UserList

func (*userListAnswer) MaxSize() int64 { return maxUsersBody }

func (a *userListAnswer) Decode(dec *json.Decoder) error {
	users, found, err := jsonbody.Field[User](dec, "users")
	switch {
	case err != nil:
		return err
	case !found:
		return errors.New(`the answer has no "users" array`)
	}
	a.Users = users
	return nil
}
