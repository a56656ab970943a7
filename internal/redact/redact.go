// Package redact removes credentials and invite URLs from text that goes into errors.
package redact

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces what is removed.
const Redacted = "[REDACTED]"

// minSecret is the shortest secret replaced wherever it appears: a shorter one would
// mangle ordinary text (real keys and OAuth secrets are far longer).
const minSecret = 8

// maxRemembered is how many rotating secrets (bearer tokens sent, identity tokens
// exchanged) a Redactor keeps besides the fixed ones: the newest.
const maxRemembered = 8

var patterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)tskey-[A-Za-z0-9_-]+`), "tskey-" + Redacted},
	// A JWT (an identity token, possibly a rotated one the Config never held).
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`), Redacted},
	// Invite URLs look like https://login.tailscale.com/uinv/<code>; other forms are
	// caught by path (/uinv/, /invite/) and any login.tailscale.com link with a path.
	{regexp.MustCompile(`(?i)https?://[^\s"'<>]*/(?:uinv|invite)/[^\s"'<>]*`), "[invite URL redacted]"},
	{regexp.MustCompile(`(?i)https?://login\.tailscale\.com/[^\s"'<>]+`), "[invite URL redacted]"},
	{regexp.MustCompile(`("inviteUrl"\s*:\s*)"(?:[^"\\]|\\.)*"`), `$1"` + Redacted + `"`},
}

// A Redactor knows a client's secrets: the fixed ones it was made with and the newest
// rotating ones it was told of. It also removes anything shaped like a Tailscale key, a
// JWT or an invite URL. It is safe for concurrent use.
type Redactor struct {
	fixed []*regexp.Regexp
	mu    sync.Mutex
	seen  []secret // the newest rotating secrets, oldest first
}

type secret struct {
	text string
	re   *regexp.Regexp
}

// anyCase matches s in any letter case, with white space around it trimmed: a server
// may echo a secret upper-cased, or a token with the white space it came with.
func anyCase(s string) *regexp.Regexp {
	return regexp.MustCompile("(?i)" + regexp.QuoteMeta(strings.TrimSpace(s)))
}

// New returns a Redactor for the given secrets (empty and very short ones are ignored).
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) >= minSecret {
			r.fixed = append(r.fixed, anyCase(s))
		}
	}
	return r
}

// Remember adds a secret that changes over time (an access token sent, an identity
// token exchanged), so that an echo of it is removed too.
func (r *Redactor) Remember(s string) {
	if len(strings.TrimSpace(s)) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.seen {
		if k.text == s {
			return
		}
	}
	keep := r.seen[max(0, len(r.seen)-maxRemembered+1):]
	r.seen = append(slices.Clone(keep), secret{s, anyCase(s)}) // readers keep their copy
}

// String removes every secret from s.
func (r *Redactor) String(s string) string {
	for _, re := range r.fixed {
		s = re.ReplaceAllLiteralString(s, Redacted)
	}
	r.mu.Lock()
	seen := r.seen
	r.mu.Unlock()
	for _, k := range seen {
		s = k.re.ReplaceAllLiteralString(s, Redacted)
	}
	for _, p := range patterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// JSON removes secrets from a body, also those that JSON escapes (\u002d, \/) hide:
// such a body is re-encoded without the escapes and redacted again.
func (r *Redactor) JSON(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	raw := r.String(string(b))
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
	if red := r.String(plain); red != plain {
		return []byte(red)
	}
	return []byte(raw)
}
