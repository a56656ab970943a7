// Package tsinvites is a client for the user-invites, users, device-invites and devices
// endpoints of the Tailscale API, generated from the API's OpenAPI document and wrapped thinly.
//
// [New] with a [Config] ([ConfigFromEnv] reads the variables Tailscale's Terraform
// provider reads) gives a [Client], whose operations are each one API call:
//
//   - invites: [Client.List], [Client.Create], [Client.Get], [Client.Delete],
//     [Client.Resend];
//   - users: [Client.ListUsers], [Client.ApproveUser], [Client.SetUserRole],
//     [Client.SuspendUser], [Client.RestoreUser];
//   - device shares: [Client.ListDevices], [Client.ListDeviceInvites],
//     [Client.CreateDeviceInvites], [Client.GetDeviceInvite], [Client.DeleteDeviceInvite],
//     [Client.ResendDeviceInvite], [Client.AcceptDeviceInvite];
//   - the tailnet: [Client.Tailnet] ("-", the credential's own, unless
//     [Config.Tailnet] or [Client.WithTailnet] says otherwise);
//   - everything else the document has: [Client.API], the generated low-level client
//     with the Client's credential.
//
// Every failure is a clear error: [*APIError] for any non-2xx answer, with
// [IsNotFound], [IsUnauthorized], [IsForbidden] and [IsRateLimited]; [ErrInvalidInput]
// for input refused before sending, and for invites an [*InputError] listing every
// problem (the one input policy, [ValidateInvites] and [ValidateList], that the engine
// and the CLI call too); [ErrMayHaveCreated] for a create whose invites may exist.
//
//	c, err := tsinvites.New(tsinvites.ConfigFromEnv())
//	if err != nil {
//		return err // says which variables to set
//	}
//	invites, err := c.List(ctx)
//
// The Client adds the credential as the generated client's request editor, checks
// input before anything is sent, retries what is safe to retry (never a create that may
// have reached the API: see [RetryPolicy]), and is safe for concurrent use.
//
// To make a tailnet's invites match a list of people (declarative plans, applied in
// batches), use package github.com/tsinvites/tsinvites/reconcile; for a fake of the API
// in tests, package github.com/tsinvites/tsinvites/tsinvitestest.
//
// Everything else in this package is generated from api/openapi.yaml by oapi-codegen:
// the models ([UserInvite], [UserRole], [User], ...) and the low-level client
// ([NewClient], [ClientWithResponses], the New...Request builders, [ClientOption],
// [WithHTTPClient], [WithBaseURL]: those names belong to the generated client; the
// wrapper's constructor is [New]). Used directly, the generated client neither checks
// input nor retries, and returns a nil error on 4xx and 5xx answers.
//
// A [UserInvite]'s InviteURL lets anyone who holds it join the tailnet, a
// [DeviceInvite]'s anyone accept the share: treat both as secrets. Errors returned by this package never contain it, nor the credential.
package tsinvites

// Version is the version of this module, sent in the default User-Agent.
const Version = "0.1.0"
