// Package tsinvites is a client for the user-invites endpoints of the Tailscale API:
// list, create, get, delete and resend the invitations that let people join a tailnet,
// and plan them against a list of people, knowing who has joined.
//
// What you need is a handful of names:
//
//   - [New] with a [Config] ([ConfigFromEnv] reads the variables Tailscale's Terraform
//     provider reads) gives a [Client];
//   - [Client.List], [Client.Create], [Client.Get], [Client.Delete] and [Client.Resend]
//     work on invites; [Client.ListUsers] lists the tailnet's users; [Client.Plan] and
//     [Client.Apply] make the open invites match a desired list;
//   - every failure is a clear error: [*APIError] for any non-2xx answer, with
//     [IsNotFound], [IsUnauthorized], [IsForbidden] and [IsRateLimited];
//     [ErrInvalidInput] for input refused before sending; [ErrMayHaveCreated] for a
//     create whose invites may exist.
//
// For example:
//
//	c, err := tsinvites.New(tsinvites.ConfigFromEnv())
//	if err != nil {
//		return err // says which variables to set
//	}
//	invites, err := c.List(ctx)
//
// The Client adds the credential, defaults the tailnet to "-" (the credential's own),
// checks input before anything is sent, retries what is safe to retry (never a create
// that may have reached the API: see [RetryPolicy]), and is safe for concurrent use.
//
// Everything else in this package is generated from api/openapi.yaml by oapi-codegen:
// the models ([UserInvite], [UserRole], [User], ...) and a low-level client
// ([NewClient], [ClientWithResponses], the New...Request builders, [ClientOption],
// [WithHTTPClient], [WithBaseURL]). The Client sends every request through that
// generated code; use it directly ([Client.API] gives one with the Client's credential)
// only for what the Client does not cover, knowing that it neither checks input nor
// retries, and returns a nil error on 4xx and 5xx answers.
//
// A [UserInvite]'s InviteURL lets anyone who holds it join the tailnet: treat it as a
// secret. Errors returned by this package never contain it, nor the credential.
//
// Package tsinvitestest provides a fake of the API for tests.
package tsinvites

// Version is the version of this module, sent in the default User-Agent.
const Version = "0.1.0"
