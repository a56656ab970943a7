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
	if *a, err = jsonbody.Array[UserInvite](dec); err == nil && *a == nil {
		return errors.New("the answer is null, not a JSON array")
	}
	return cmp.Or(err, withIDs(*a))
}

// inviteAnswer is one invite (Get).
type inviteAnswer UserInvite

func (*inviteAnswer) MaxSize() int64 { return maxBody }

func (a *inviteAnswer) Decode(dec *json.Decoder) error {
	*a = inviteAnswer{} // no leftovers from an earlier attempt
	return cmp.Or(dec.Decode(a), withIDs([]UserInvite{UserInvite(*a)}))
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

// withIDs refuses invites without an ID (such as {} or [{}]).
func withIDs(invites []UserInvite) error {
	for i, inv := range invites {
		if inv.ID == "" {
			return fmt.Errorf("invite %d of the answer has no id", i+1)
		}
	}
	return nil
}
