package tsinvites_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
)

// After a 2xx answer to a create, the invites exist whatever is wrong with the body:
// every error must match ErrMayHaveCreated, or a re-run creates duplicates and sends
// duplicate emails.
func TestCreateAnswerThatIsNotTheAPIsMayHaveCreated(t *testing.T) {
	t.Parallel()
	const a = `{"id":"1","email":"a@example.com","role":"member","tailnetId":1,"inviterId":1}`
	for _, tc := range []struct{ name, body string }{
		{"null", `null`},
		{"an invite without an id", `[{"email":"a@example.com","role":"member"}]`},
		{"an object, not an array", `{"id":"1"}`},
		{"bytes after the JSON value", "[" + a + "]\n<!-- cache: HIT -->"},
		{"two JSON values", "[" + a + "][" + a + "]"},
		{"cut inside the array", "[" + a},
		{"fewer invites than asked", "[" + a + "]"},
		{"an invite for another email", `[` + a + `,{"id":"2","email":"mallory@example.com","role":"admin"}]`},
		{"two invites for one email", `[` + a + `,` + a + `]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tc.body)
			})
			_, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: "a@example.com"}, tsinvites.CreateUserInviteRequest{Email: "b@example.com"})
			if !errors.Is(err, tsinvites.ErrMayHaveCreated) {
				t.Errorf("err = %v, want one matching ErrMayHaveCreated", err)
			}
		})
	}
}

// A 2xx answer cut after a complete JSON value (the connection closes before the
// promised Content-Length) was done too.
func TestCreateAnswerCutAfterItsValueMayHaveCreated(t *testing.T) {
	t.Parallel()
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "500")
		_, _ = io.WriteString(w, `[{"id":"1","email":"a@example.com","role":"member"}]`)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: "a@example.com"})
	if !errors.Is(err, tsinvites.ErrMayHaveCreated) {
		t.Errorf("err = %v, want one matching ErrMayHaveCreated", err)
	}
}

// The invites of an answer are paired with the requests by email, not by position: an
// answer in another order gives each request its own invite.
func TestCreatePairsAnswersByEmail(t *testing.T) {
	t.Parallel()
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"9","role":"member"},{"id":"2","email":"B@Example.com","role":"admin"},{"id":"1","email":"a@example.com","role":"member"}]`)
	})
	got, err := c.Create(t.Context(),
		tsinvites.CreateUserInviteRequest{Email: "a@example.com"},
		tsinvites.CreateUserInviteRequest{Email: "b@example.com", Role: tsinvites.UserRoleAdmin},
		tsinvites.CreateUserInviteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, inv := range got {
		ids = append(ids, inv.ID)
	}
	if strings.Join(ids, ",") != "1,2,9" {
		t.Errorf("invites for a, b and the link = %v, want 1,2,9", ids)
	}
}

// An answer that cannot be paired returns what could be, and nothing in the place of a
// request without its invite: never another request's invite.
func TestCreateAnswerForOtherEmailsIsNotAnyonesInvite(t *testing.T) {
	t.Parallel()
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"7","email":"admin@example.com","role":"admin","inviteUrl":"https://login.tailscale.com/uinv/x"},{"id":"1","email":"a@example.com","role":"member"}]`)
	})
	got, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: "a@example.com"}, tsinvites.CreateUserInviteRequest{Email: "b@example.com"})
	if !errors.Is(err, tsinvites.ErrMayHaveCreated) || !strings.Contains(err.Error(), "admin@example.com") {
		t.Errorf("err = %v, want ErrMayHaveCreated naming the invite not asked for", err)
	}
	if len(got) != 2 || got[0].ID != "1" || got[1].ID != "" {
		t.Errorf("got %v, want a's invite and nothing for b", got)
	}
}

// Bytes after a list's JSON value are reported in words, with what came, and not retried.
func TestListAnswerWithTrailingBytesIsExplained(t *testing.T) {
	t.Parallel()
	calls := 0
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "[]\n<!-- cache: HIT -->")
	})
	_, err := c.List(t.Context())
	if err == nil || !strings.Contains(err.Error(), "cache: HIT") || !strings.Contains(err.Error(), "proxy") {
		t.Errorf("err = %v, want the trailing bytes shown and a proxy named as the likely cause", err)
	}
	if calls != 1 {
		t.Errorf("%d requests, want 1 (not retried)", calls)
	}
}
