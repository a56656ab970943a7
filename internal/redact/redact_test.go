package redact

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := New("fixed-secret-123", "short")
	for i := range maxRemembered + 2 {
		r.Remember(fmt.Sprintf("rotating-token-%02d", i))
	}
	text := "FIXED-SECRET-123 short rotating-token-09 tskey-api-abc https://login.tailscale.com/uinv/x " + `{"inviteUrl":"https://x/y"}`
	got := r.String(text)
	for _, secret := range []string{"FIXED-SECRET-123", "rotating-token-09", "tskey-api-abc", "uinv/x", "https://x/y"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q left in %q", secret, got)
		}
	}
	if !strings.Contains(got, "short") {
		t.Errorf("a secret under %d characters was replaced: %q", minSecret, got)
	}
	if old := r.String("rotating-token-00"); old != "rotating-token-00" {
		t.Errorf("the oldest of more than %d rotating secrets is still known: %q", maxRemembered, old)
	}
	if got := string(r.JSON([]byte(`{"m":"fixed\u002dsecret\u002d123"}`))); strings.Contains(got, "123") {
		t.Errorf("a secret hidden by JSON escapes was left: %s", got)
	}
}
