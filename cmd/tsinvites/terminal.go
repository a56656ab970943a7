package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// printable returns s as it may be shown to a person: every character a terminal would
// act on rather than show is written as a Go escape, visibly, so that text from the
// server (IDs, emails, roles, error messages) can neither run a terminal sequence (an
// OSC 52 sequence writes the clipboard, a CSI one rewrites the screen) nor hide itself.
// Those are the C0 controls (the newline and tab too: a table cell or a line must stay
// one), DEL, the C1 controls U+0080 to U+009F, the bidi embeddings, overrides and
// isolates (U+202A to U+202E, U+2066 to U+2069), and bytes that are not UTF-8: ESC is
// shown as \x1b, U+202E as \u202e.
//
// Everything printed for a person goes through it (printLine, tables, errors); JSON
// output escapes these characters itself, and CSV output keeps them, in quoted cells.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case textsafe.Escaped(r):
			q := strconv.QuoteRune(r) // '\x1b'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether printable would change s.
func needsEscape(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, textsafe.Escaped)
}

// printLine prints one line for a person on w: format and args as for fmt.Printf,
// made printable, and a newline.
func printLine(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, printable(fmt.Sprintf(format, args...)))
}
