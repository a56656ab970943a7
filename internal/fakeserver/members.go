package fakeserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// The operation IDs of the operations that change a user, for [Fake.RequestCount] and
// [Fake.InjectFault].
const (
	OpApproveUser    = "approveUser"    // POST /users/{userId}/approve
	OpUpdateUserRole = "updateUserRole" // POST /users/{userId}/role
	OpSuspendUser    = "suspendUser"    // POST /users/{userId}/suspend
	OpRestoreUser    = "restoreUser"    // POST /users/{userId}/restore
)

// memberOptions are the options of the operations that change a user.
type memberOptions struct {
	approval bool   // WithUserApproval
	keyUser  string // WithKeyUser: the API key's own user, by ID or login name
}

// WithUserApproval makes the fake a tailnet that requires user approval: every invite
// accepted with [Fake.AcceptInvite] or [Fake.AcceptInviteAs] becomes a user with the
// status needs-approval, who is active once approved (approveUser). Without it, they
// are active at once, and approveUser changes nothing, as the real API's does.
func WithUserApproval() Option { return func(f *Fake) { f.member.approval = true } }

// WithKeyUser names the user (by ID or login name, without case) who owns the fake's API
// key ([WithToken]): as the real API does, the key may then not approve, suspend or
// restore that user or change its role (403). It need not be a user of the fake when it
// starts. OAuth and federated tokens belong to no user and are not concerned.
func WithKeyUser(user string) Option { return func(f *Fake) { f.member.keyUser = user } }

// userOps are the operations that change a user: OAuth and federated tokens need the
// scope users for them, and the API key may not do them to its own user.
var userOps = []string{OpApproveUser, OpUpdateUserRole, OpSuspendUser, OpRestoreUser}

// tokenKey is the request context's key of the request's issuedToken.
type tokenKey struct{}

// withToken gives the handlers the token that made the request.
func withToken(r *http.Request, tok issuedToken) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok))
}

// userAnswer is the answer to an operation that changes a user: 200 with no body when
// status is 0 or 200, otherwise the status and the API's JSON error with message.
type userAnswer struct {
	status  int
	message string
}

func (a userAnswer) visit(w http.ResponseWriter) error {
	if a.status == 0 || a.status == http.StatusOK {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeJSON(w, a.status, tsinvites.Error{Message: a.message})
}

func (a userAnswer) VisitApproveUserResponse(w http.ResponseWriter) error    { return a.visit(w) }
func (a userAnswer) VisitUpdateUserRoleResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a userAnswer) VisitSuspendUserResponse(w http.ResponseWriter) error    { return a.visit(w) }
func (a userAnswer) VisitRestoreUserResponse(w http.ResponseWriter) error    { return a.visit(w) }

func (h *handlers) ApproveUser(ctx context.Context, req fakeapi.ApproveUserRequestObject) (fakeapi.ApproveUserResponseObject, error) {
	return h.f.changeUser(ctx, req.UserID, "approve", func(u *tsinvites.User) userAnswer {
		if u.Status == tsinvites.UserStatusNeedsApproval { // anyone else: a no-op
			u.Status = tsinvites.UserStatusActive
		}
		return userAnswer{}
	}), nil
}

// UpdateUserRole sets a user's role, except the owner's, and never to owner: a tailnet
// has one owner, and the real API's way to another (a transfer in the admin console,
// which demotes the old owner) is not the document's. The fake refuses both with 400.
func (h *handlers) UpdateUserRole(ctx context.Context, req fakeapi.UpdateUserRoleRequestObject) (fakeapi.UpdateUserRoleResponseObject, error) {
	if req.Body == nil { // the document requires the body: validation refused it already
		return userAnswer{http.StatusBadRequest, "no role given"}, nil
	}
	role := req.Body.Role
	return h.f.changeUser(ctx, req.UserID, "change the role of", func(u *tsinvites.User) userAnswer {
		switch {
		case u.Role == tsinvites.TailnetRoleOwner && role != u.Role:
			return userAnswer{http.StatusBadRequest, "the owner's role cannot be changed; ownership is transferred in the admin console"}
		case role == tsinvites.TailnetRoleOwner && u.Role != role:
			return userAnswer{http.StatusBadRequest, "no user can be made owner through the API; ownership is transferred in the admin console"}
		}
		u.Role = role
		return userAnswer{}
	}), nil
}

func (h *handlers) SuspendUser(ctx context.Context, req fakeapi.SuspendUserRequestObject) (fakeapi.SuspendUserResponseObject, error) {
	return h.f.changeUser(ctx, req.UserID, "suspend", func(u *tsinvites.User) userAnswer {
		if u.Role == tsinvites.TailnetRoleOwner {
			return userAnswer{http.StatusBadRequest, "the tailnet's owner cannot be suspended"}
		}
		u.Status = tsinvites.UserStatusSuspended // again: a no-op
		return userAnswer{}
	}), nil
}

func (h *handlers) RestoreUser(ctx context.Context, req fakeapi.RestoreUserRequestObject) (fakeapi.RestoreUserResponseObject, error) {
	return h.f.changeUser(ctx, req.UserID, "restore", func(u *tsinvites.User) userAnswer {
		if u.Status == tsinvites.UserStatusSuspended { // anyone else: a no-op
			u.Status = tsinvites.UserStatusActive
		}
		return userAnswer{}
	}), nil
}

// changeUser applies change to the user with this ID, unless there is none (404), it is
// the API key's own user and the request came with the key (403), or it is shared from
// another tailnet (400: not this tailnet's to change).
func (f *Fake) changeUser(ctx context.Context, id, verb string, change func(*tsinvites.User) userAnswer) userAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.users, func(u tsinvites.User) bool { return u.ID == id })
	if i < 0 {
		return userAnswer{http.StatusNotFound, "user not found"}
	}
	u := &f.users[i]
	if tok, ok := ctx.Value(tokenKey{}).(issuedToken); ok && tok.kind == userKey && f.isKeyUser(*u) {
		return userAnswer{http.StatusForbidden, fmt.Sprintf("user-based access tokens cannot %s their own user", verb)}
	}
	if u.Type == tsinvites.UserTypeShared {
		return userAnswer{http.StatusBadRequest, fmt.Sprintf("user %s is shared from another tailnet; only its own tailnet can %s it", id, verb)}
	}
	return change(u)
}

// isKeyUser reports whether u is the API key's own user ([WithKeyUser]).
func (f *Fake) isKeyUser(u tsinvites.User) bool {
	k := f.member.keyUser
	return k != "" && (u.ID == k || strings.EqualFold(u.LoginName, k))
}

// joinStatus is the status of a user who accepted an invite.
func (f *Fake) joinStatus() tsinvites.UserStatus {
	if f.member.approval {
		return tsinvites.UserStatusNeedsApproval
	}
	return tsinvites.UserStatusActive
}
