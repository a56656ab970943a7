package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"tailscale.com/client/tailscale/v2"

	"github.com/tsinvites/tsinvites"
)

// userListSizes are the sizes of the users lists compared (issue 24, item 11): one user
// shows a call's fixed cost, 1,000 its cost per user.
var userListSizes = []int{1, 1000}

// rawGet is careful hand-written net/http and encoding/json code decoding the answer
// at base+path into a T: the floor of each client, with the client's own type.
func rawGet[T any](ctx context.Context, hc *http.Client, base, path string) (T, error) {
	var out T
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v2/"+path, nil)
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := hc.Do(req)
	if err != nil {
		return out, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("status %d", resp.StatusCode)
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// userCalls are the users calls of both clients, and the raw decoding of each client's
// own type, on the same answer bytes.
func userCalls(b *testing.B, base string, hc *http.Client) map[string]func(ctx context.Context, want int) error {
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	official := &tailscale.Client{APIKey: apiKey, BaseURL: u, HTTP: hc}
	ours, err := tsinvites.New(tsinvites.Config{APIKey: apiKey, BaseURL: base, HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	const listPath = "tailnet/-/users"
	return map[string]func(ctx context.Context, want int) error{
		"list/impl=raw-tsinvites": func(ctx context.Context, want int) error {
			list, err := rawGet[struct{ Users []tsinvites.User }](ctx, hc, base, listPath)
			return cmpOr(err, checkLen(len(list.Users), want))
		},
		"list/impl=tsinvites": func(ctx context.Context, want int) error {
			users, err := ours.ListUsers(ctx, tsinvites.ListUsersParams{})
			return cmpOr(err, checkLen(len(users), want))
		},
		"list/impl=raw-official": func(ctx context.Context, want int) error {
			list, err := rawGet[struct{ Users []tailscale.User }](ctx, hc, base, listPath)
			return cmpOr(err, checkLen(len(list.Users), want))
		},
		"list/impl=official": func(ctx context.Context, want int) error {
			users, err := official.Users().List(ctx, nil, nil)
			return cmpOr(err, checkLen(len(users), want))
		},
		"get/impl=raw-official": func(ctx context.Context, _ int) error {
			usr, err := rawGet[tailscale.User](ctx, hc, base, "users/u1")
			return cmpOr(err, checkLen(len(usr.ID), 2))
		},
		"get/impl=official": func(ctx context.Context, _ int) error {
			usr, err := official.Users().Get(ctx, "u1")
			if err != nil {
				return err
			}
			return checkLen(len(usr.ID), 2)
		},
	}
}

func cmpOr(err, check error) error {
	if err != nil {
		return err
	}
	return check
}

// BenchmarkUsers compares like with like, in memory (each client's own work): our
// ListUsers against the official client's Users().List on identical answer bytes, and
// each against raw decoding of its own user type; the official Users().Get against raw
// decoding of its user (BenchmarkGet has our Get against raw decoding of an invite).
func BenchmarkUsers(b *testing.B) {
	names := []string{"list/impl=raw-tsinvites", "list/impl=tsinvites", "list/impl=raw-official", "list/impl=official"}
	for _, n := range userListSizes {
		for _, name := range names {
			b.Run(fmt.Sprintf("n=%d/op=%s", n, name), func(b *testing.B) {
				base, hc := transports[0].setup(b, data.usersOf(n))
				call := userCalls(b, base, hc)[name]
				measure(b, len(data.usersOf(n)), false, func(ctx context.Context) error { return call(ctx, n) })
			})
		}
	}
	for _, name := range []string{"get/impl=raw-official", "get/impl=official"} {
		b.Run("n=1/op="+name, func(b *testing.B) {
			base, hc := transports[0].setup(b, data.user)
			call := userCalls(b, base, hc)[name]
			measure(b, len(data.user), false, func(ctx context.Context) error { return call(ctx, 1) })
		})
	}
}
