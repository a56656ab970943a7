package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestResendRateLimited: a 429 is a failure that says when to retry.
func TestResendRateLimited(t *testing.T) {
	t.Parallel()
	f, vars := middleServer(t, func(*tsinvitestest.Fake, *http.Request) {},
		tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "a@example.com"}, tsinvites.CreateUserInviteRequest{Email: "b@example.com"}))
	if got := cli(t, vars, "resend", "1"); got.code != exitOK {
		t.Fatalf("first resend: exit %d: %s", got.code, got.stderr)
	}
	got := cli(t, vars, "resend", "1", "2", "-o", "table")
	if got.code != exitPartial || !strings.Contains(got.stderr, "FAILED invite 1: 429 too many requests") || !strings.Contains(got.stderr, "retry after 1m0s") {
		t.Errorf("exit %d; stderr:\n%s", got.code, got.stderr)
	}
	if n := f.RequestCount(tsinvitestest.OpResend); n != 3 {
		t.Errorf("%d resend calls, want 3", n)
	}
}
