package tsinvites

import (
	"regexp"
	"strings"
	"sync/atomic"
)

// A redactor removes credentials and invite URLs from text that goes into errors. It
// knows the client's own secrets and the last bearer token sent, and also removes
// anything shaped like a Tailscale key or an invite URL. It is safe for concurrent use.
type redactor struct {
	secrets []string               // the credentials given in Config
	token   atomic.Pointer[string] // the last bearer token sent (OAuth tokens change)
}

const redacted = "[REDACTED]"

var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`tskey-[A-Za-z0-9_-]+`), "tskey-" + redacted},
	{regexp.MustCompile(`https?://[^\s"'<>]*/invite/[^\s"'<>]*`), "[invite URL redacted]"},
	{regexp.MustCompile(`("inviteUrl"\s*:\s*)"(?:[^"\\]|\\.)*"`), `$1"` + redacted + `"`},
}

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// sent records a bearer token that was sent, so that an echo of it is removed too.
func (r *redactor) sent(token string) {
	if p := r.token.Load(); p == nil || *p != token {
		r.token.Store(&token)
	}
}

func (r *redactor) redact(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	if p := r.token.Load(); p != nil && *p != "" {
		s = strings.ReplaceAll(s, *p, redacted)
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

func (r *redactor) redactBytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	return []byte(r.redact(string(b)))
}

// redactedError is an error whose text had secrets removed; Unwrap still gives the
// original, so errors.Is and errors.As keep working (context.Canceled, *url.Error, ...).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
