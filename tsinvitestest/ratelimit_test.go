package tsinvitestest_test

import (
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestResendRateLimitSaysWhenOnce: the fake's 429 to a second resend within a minute
// says when to retry in its Retry-After header, which the client's error shows once
// ("retry after 1m0s"), not a second time in the message (issue 20, small things).
func TestResendRateLimitSaysWhenOnce(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t, tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "a@example.com"}))
	c := srv.Client()
	if err := c.Resend(t.Context(), "1"); err != nil {
		t.Fatal(err)
	}
	err := c.Resend(t.Context(), "1")
	if !tsinvites.IsRateLimited(err) {
		t.Fatalf("second resend: %v, want a 429", err)
	}
	msg := err.Error()
	if strings.Count(msg, "retry after 1m0s") != 1 || strings.Contains(msg, "try again") || strings.Contains(msg, "60 s") {
		t.Errorf("the error says when to retry other than once, as retry after 1m0s: %q", msg)
	}
}
