package tsinvites

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync/atomic"
)

// A redactor removes credentials and invite URLs from text that goes into errors. It
// knows the client's own secrets and the last bearer token sent, and also removes
// anything shaped like a Tailscale key or an invite URL. It is safe for concurrent use.
type redactor struct {
	secrets []*regexp.Regexp           // the credentials given in Config
	token   atomic.Pointer[tokenMatch] // the last bearer token sent (OAuth tokens change)
}

type tokenMatch struct {
	token string
	re    *regexp.Regexp
}

// anyCase matches secret in any letter case: a server may echo it upper-cased.
func anyCase(secret string) *regexp.Regexp {
	return regexp.MustCompile("(?i)" + regexp.QuoteMeta(secret))
}

const redacted = "[REDACTED]"

var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)tskey-[A-Za-z0-9_-]+`), "tskey-" + redacted},
	// A JWT (an identity token, possibly a rotated one the Config never held).
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`), redacted},
	// Invite URLs look like https://login.tailscale.com/uinv/<code>; other forms are
	// caught by path (/uinv/, /invite/) and any login.tailscale.com link with a path.
	{regexp.MustCompile(`(?i)https?://[^\s"'<>]*/(?:uinv|invite)/[^\s"'<>]*`), "[invite URL redacted]"},
	{regexp.MustCompile(`(?i)https?://login\.tailscale\.com/[^\s"'<>]+`), "[invite URL redacted]"},
	{regexp.MustCompile(`("inviteUrl"\s*:\s*)"(?:[^"\\]|\\.)*"`), `$1"` + redacted + `"`},
}

// minSecret is the shortest secret replaced wherever it appears: a shorter one would
// mangle ordinary text (real keys and OAuth secrets are far longer).
const minSecret = 8

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if len(s) >= minSecret {
			r.secrets = append(r.secrets, anyCase(s))
		}
	}
	return r
}

// sent records a bearer token that was sent, so that an echo of it is removed too.
func (r *redactor) sent(token string) {
	if p := r.token.Load(); (p == nil || p.token != token) && len(token) >= minSecret {
		r.token.Store(&tokenMatch{token, anyCase(token)}) // only for a new token
	}
}

func (r *redactor) redact(s string) string {
	for _, secret := range r.secrets {
		s = secret.ReplaceAllLiteralString(s, redacted)
	}
	if p := r.token.Load(); p != nil {
		s = p.re.ReplaceAllLiteralString(s, redacted)
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// redactJSON removes secrets from a body, also those that JSON escapes (\u002d, \/)
// hide: such a body is re-encoded without the escapes and redacted again.
func (r *redactor) redactJSON(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	raw := r.redact(string(b))
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return []byte(raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return []byte(raw)
	}
	plain := strings.TrimSpace(buf.String())
	if red := r.redact(plain); red != plain {
		return []byte(red)
	}
	return []byte(raw)
}
