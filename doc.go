// Package tsinvites is a client for the user-invites endpoints of the Tailscale API:
// list, create, get, delete and resend the invitations that let people join a tailnet.
//
// The models and the low-level client ([GeneratedClient], [ClientWithResponses]) are
// generated from api/openapi.yaml with oapi-codegen. [Client] sends every request
// through them ([Client.API] gives the generated client). It adds the credential,
// defaults the tailnet to "-" (the token's own tailnet), checks input before anything
// is sent, and turns every failure into a clear error ([*APIError] for any non-2xx
// answer). It retries what is safe to retry, and never a create that may have reached
// the server: see [RetryPolicy].
//
//	c, err := tsinvites.New(tsinvites.ConfigFromEnv())
//	if err != nil {
//		return err
//	}
//	invites, err := c.List(ctx)
//
// A [UserInvite]'s InviteURL lets anyone who holds it join the tailnet: treat it as a
// secret. Errors returned by this package never contain it, nor the credential.
//
// Package tsinvitestest provides a fake of the API for tests.
package tsinvites

// Version is the version of this module, sent in the default User-Agent.
const Version = "0.1.0"
