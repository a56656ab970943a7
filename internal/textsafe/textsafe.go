// Package textsafe says which characters must not reach a terminal as they are: the
// SDK's error messages and the CLI's output escape them, so that text from a server
// cannot move the cursor, rewrite the screen or set the clipboard.
package textsafe

// Escaped reports whether r is a control character (C0, DEL or C1) or a bidi control
// that can reorder a line.
func Escaped(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
