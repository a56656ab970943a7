// Package textsafe says which characters must not reach a person as they are, and
// writes them escaped: one escaping for the SDK's error messages, the engine's plans and
// the CLI's output, so that text from a server cannot move the cursor, rewrite the
// screen or set the clipboard, and a login name cannot pass for another by hiding a
// character. It also holds the plural of the messages.
package textsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tsinvites/tsinvites/internal/identity"
)

// Escaped reports whether r is a control character (C0, DEL or C1) or a bidi control
// that can reorder a line.
func Escaped(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// hidden reports whether r is written escaped by Escape: a character [Escaped] names,
// or one that shows nothing or shows as a space ([identity.IsInvisible]: U+200B, U+00A0,
// U+2028, U+2060, ...).
func hidden(r rune) bool { return Escaped(r) || identity.IsInvisible(r) }

// Escape returns s with every character a terminal would act on rather than show, or
// that shows nothing or as a space, written as a Go escape (ESC as \x1b, U+202E as
// \u202e, a no-break space as \u00a0, a tab as \t), and every byte that is not UTF-8 as
// \xff: what is printed is what the text holds. Other characters, non-ASCII letters
// included, are left as they are. The CLI's output, the engine's plans and the SDK's
// input errors show text through it.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case hidden(r):
			b.WriteString(escapeRune(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether Escape would change s.
func needsEscape(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, hidden)
}

// escapeRune is r as a Go escape: \u200b.
func escapeRune(r rune) string {
	q := strconv.QuoteRuneToASCII(r)
	return q[1 : len(q)-1]
}

// Quote is s cut to max characters (the cut marked with "…") in double quotes, escaped
// as %q escapes it and as [Escape] does (a Hangul filler, which %q shows, is escaped
// too): "ali\u200bce@example.com". Messages quote what a person typed with it.
func Quote(s string, max int) string {
	if len(s) <= max && plain(s) { // the quick path: nothing to escape or cut
		return `"` + s + `"`
	}
	var b strings.Builder
	for _, r := range strconv.Quote(cut(s, max)) {
		if identity.IsInvisible(r) {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain reports whether s is printable ASCII without a quote or a backslash.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Shorten folds white space, makes s valid UTF-8, escapes the characters [Escape]
// escapes (a server's escape sequence must not reach a terminal), and cuts s to max
// characters, marking the cut with "…".
func Shorten(s string, max int) string {
	return cut(Escape(strings.ToValidUTF8(strings.Join(strings.Fields(s), " "), "?")), max)
}

// cut cuts s to max characters, marking the cut with "…".
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// Plural formats n with the singular or plural noun: "1 invite", "3 invites".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
