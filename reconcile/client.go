package reconcile

import (
	"context"

	"github.com/tsinvites/tsinvites"
)

// Client is what [NewPlan] and [Apply] need of a client: exactly the methods they call.
// A [*tsinvites.Client] (made with [tsinvites.New]) is one; a program may plan and
// apply against its own stand-in, such as a recorder or a dry run. The methods must be
// safe for concurrent use, and answer as the *tsinvites.Client's document says: errors
// as [*tsinvites.APIError] for the API's answers (Apply reads their status and
// Retry-After), [tsinvites.ErrMayHaveCreated] for a create that may have been done.
type Client interface {
	// Tailnet is the tailnet the client works on; a plan records it, and Apply
	// refuses a plan for another.
	Tailnet() string
	// RetryPolicy is the client's retry policy: Apply waits out a 429's Retry-After of
	// up to its MaxRetryAfter (0 means tsinvites.DefaultMaxRetryAfter), as the client
	// does, and stops starting calls when asked to wait longer.
	RetryPolicy() tsinvites.RetryPolicy

	List(ctx context.Context) ([]tsinvites.UserInvite, error)
	Create(ctx context.Context, invites ...tsinvites.CreateUserInviteRequest) ([]tsinvites.UserInvite, error)
	Delete(ctx context.Context, id string) error
	Resend(ctx context.Context, id string) error

	ListUsers(ctx context.Context, params tsinvites.ListUsersParams) ([]tsinvites.User, error)
	ApproveUser(ctx context.Context, userID string) error
	SetUserRole(ctx context.Context, userID string, role tsinvites.TailnetRole) error
	SuspendUser(ctx context.Context, userID string) error
	RestoreUser(ctx context.Context, userID string) error
}

// The SDK's client is a Client.
var _ Client = (*tsinvites.Client)(nil)

// noClient reports whether c is no client at all: nil, or a nil *tsinvites.Client.
func noClient(c Client) bool {
	tc, ok := c.(*tsinvites.Client)
	return c == nil || ok && tc == nil
}
