package fakeserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// firstUserID is the ID the fake gives its first user without one; the next get the
// following numbers.
const firstUserID = 3001

// WithUsers adds these users to the fake when it starts, after any added before. The
// fake has no users otherwise (not even the owner of its API key). LoginName is
// required and must be unique, without case; the zero value of another field gets a
// default: ID the next free number from 3001, Type member, Role member, Status active,
// TailnetID the fake's tailnet name for a member, Created the fake's clock. Any status
// is allowed (suspended, needs-approval, ...). A user the document would not allow
// (an unknown role, say) makes [NewServer] fail.
func WithUsers(users ...tsinvites.User) Option {
	return func(f *Fake) { f.seedUsers = append(f.seedUsers, users...) }
}

// Users returns a copy of the fake's users, in the order they were added.
func (f *Fake) Users() []tsinvites.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.users)
}

// AcceptInvite does what the person an invite was emailed to does by accepting it: the
// open invite id is gone, and the tailnet has a new member user whose login name is the
// invite's email, with the invite's role and the status active (needs-approval with
// [WithUserApproval]). It fails, changing
// nothing, for an ID that is not an open invite, for an invite without email (use
// [Fake.AcceptInviteAs]), and when a user with that login name exists.
func (f *Fake) AcceptInvite(id string) error { return f.accept(id, "") }

// AcceptInviteAs is [Fake.AcceptInvite] for a person who logs in as loginName: the way
// to accept an invite without email (its URL shared by hand), or one emailed to an
// address other than the one the person logs in with.
func (f *Fake) AcceptInviteAs(id, loginName string) error {
	if loginName == "" {
		return fmt.Errorf("tsinvitestest: accept invite %q: empty login name", id)
	}
	return f.accept(id, loginName)
}

func (f *Fake) accept(id, loginName string) error {
	now := f.now().UTC()
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, ok := f.invites[id]
	if !ok {
		return fmt.Errorf("tsinvitestest: accept invite %q: no open invite has this ID", id)
	}
	if loginName == "" {
		loginName = rec.invite.Email
	}
	if loginName == "" {
		return fmt.Errorf("tsinvitestest: accept invite %q: it has no email; AcceptInviteAs says who accepts it", id)
	}
	u := tsinvites.User{
		LoginName: loginName,
		Role:      tsinvites.TailnetRole(rec.invite.Role),
		Status:    f.joinStatus(),
		Created:   now,
		LastSeen:  now,
	}
	if err := f.addUserLocked(u); err != nil {
		return fmt.Errorf("tsinvitestest: accept invite %q: %w", id, err)
	}
	delete(f.invites, id)
	return nil
}

// addUserLocked checks u, gives its zero fields their defaults and adds it; f.mu is held.
func (f *Fake) addUserLocked(u tsinvites.User) error {
	if u.LoginName == "" {
		return errors.New("a user has no LoginName")
	}
	for _, other := range f.users {
		if strings.EqualFold(other.LoginName, u.LoginName) {
			return fmt.Errorf("a user with the login name %q exists (ID %s)", other.LoginName, other.ID)
		}
		if u.ID != "" && other.ID == u.ID {
			return fmt.Errorf("user %q: the ID %s is taken by %q", u.LoginName, u.ID, other.LoginName)
		}
	}
	if u.ID == "" {
		f.nextUserID = max(f.nextUserID, firstUserID)
		for f.userIDTakenLocked(strconv.Itoa(f.nextUserID)) {
			f.nextUserID++
		}
		u.ID = strconv.Itoa(f.nextUserID)
		f.nextUserID++
	}
	if u.Type == "" {
		u.Type = tsinvites.UserTypeMember
	}
	if u.Role == "" {
		u.Role = tsinvites.TailnetRoleMember
	}
	if u.Status == "" {
		u.Status = tsinvites.UserStatusActive
	}
	if u.TailnetID == "" && u.Type == tsinvites.UserTypeMember {
		u.TailnetID = f.tailnet
	}
	if u.Created.IsZero() {
		u.Created = f.now().UTC()
	}
	if u.DisplayName == "" {
		u.DisplayName, _, _ = strings.Cut(u.LoginName, "@")
	}
	switch {
	case !u.Type.Valid():
		return fmt.Errorf("user %q: type %q is not in the document", u.LoginName, u.Type)
	case !u.Role.Valid():
		return fmt.Errorf("user %q: role %q is not in the document", u.LoginName, u.Role)
	case !u.Status.Valid():
		return fmt.Errorf("user %q: status %q is not in the document", u.LoginName, u.Status)
	}
	f.users = append(f.users, u)
	return nil
}

func (f *Fake) userIDTakenLocked(id string) bool {
	return slices.ContainsFunc(f.users, func(u tsinvites.User) bool { return u.ID == id })
}

// listUsersLocked returns the users that the filters of listUsers select, with the
// document's defaults for filters not given (type member, role all); f.mu is held.
func (f *Fake) listUsersLocked(p tsinvites.ListUsersParams) []tsinvites.User {
	typ, role := tsinvites.ListUsersParamsTypeMember, tsinvites.ListUsersParamsRoleAll
	if p.Type != nil {
		typ = *p.Type
	}
	if p.Role != nil {
		role = *p.Role
	}
	out := []tsinvites.User{}
	for _, u := range f.users {
		if (typ == tsinvites.ListUsersParamsTypeAll || string(u.Type) == string(typ)) &&
			(role == tsinvites.ListUsersParamsRoleAll || string(u.Role) == string(role)) {
			out = append(out, u)
		}
	}
	return out
}

func (h *handlers) ListUsers(_ context.Context, req fakeapi.ListUsersRequestObject) (fakeapi.ListUsersResponseObject, error) {
	if !h.f.knowsTailnet(req.Tailnet) {
		return fakeapi.ListUsers404JSONResponse{NotFoundJSONResponse: notFound("tailnet")}, nil
	}
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	return userList(h.f.listUsersLocked(req.Params)), nil
}

// userList answers listUsers with {"users": [...]}, the array present even when empty
// (the generated type omits an empty one).
type userList []tsinvites.User

func (l userList) VisitListUsersResponse(w http.ResponseWriter) error {
	return writeJSON(w, http.StatusOK, struct {
		Users []tsinvites.User `json:"users"`
	}{l})
}
