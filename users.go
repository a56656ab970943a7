package tsinvites

import (
	"context"
	"net/http"
)

// ListUsers returns the users of the client's tailnet: by default (a zero params) the
// tailnet's own members of every role, whatever their status (active, idle, suspended,
// needs-approval, ...). params filters by type (member, shared, all) and role; its fields
// are the generated ones, so a filter the API document adds reaches it with no change
// here. It never changes a user.
//
// Reading users needs an API key, or an OAuth client or federated identity with the
// users:read scope; the API answers 403, or 404 ("does not have access to read users"),
// otherwise.
//
// GET /api/v2/tailnet/{tailnet}/users
func (c *Client) ListUsers(ctx context.Context, params ListUsersParams) ([]User, error) {
	op := operation{verb: "list users"}
	if err := checkPathValue("tailnet", c.tailnetOf()); err != nil {
		return nil, invalid(op, "%v", err)
	}
	var list UserList
	err := c.do(ctx, op, opRead, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListUsers(ctx, c.tailnet, &params)
	}, &list)
	if err != nil {
		return nil, err
	}
	return list.Users, nil
}
