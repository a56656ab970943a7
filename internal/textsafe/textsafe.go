// Package textsafe says which characters must not reach a terminal as they are: the
// SDK's error messages and the CLI's output escape them, so that text from a server
// cannot move the cursor, rewrite the screen or set the clipboard.
package textsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escaped reports whether r is a control character (C0, DEL or C1) or a bidi control
// that can reorder a line.
func Escaped(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// Shorten folds white space, makes s valid UTF-8, escapes the characters [Escaped]
// names (a server's escape sequence must not reach a terminal), and cuts s to max
// characters, marking the cut with "…".
func Shorten(s string, max int) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(strings.Join(strings.Fields(s), " "), "?") {
		if Escaped(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	if s = b.String(); utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
