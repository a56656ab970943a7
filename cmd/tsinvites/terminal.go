package main

import (
	"fmt"
	"io"

	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// printable returns s as it may be shown to a person: textsafe.Escape, the project's one
// escaping of text. Every character a terminal would act on rather than show (the C0
// controls, the newline and tab too, DEL, the C1 controls, the bidi embeddings,
// overrides and isolates), every character that does not show (a zero-width space, a
// no-break space) and every byte that is not UTF-8 is written as a Go escape, visibly,
// so that text from the server or a file (IDs, emails, login names, roles, error
// messages) can neither run a terminal sequence (an OSC 52 sequence writes the
// clipboard, a CSI one rewrites the screen) nor pass for other text: ESC is shown as
// \x1b, U+202E as \u202e, U+200B as \u200b.
//
// Everything printed for a person goes through it (printLine, tables, errors); JSON
// output escapes the controls itself, and CSV output keeps them, in quoted cells.
func printable(s string) string { return textsafe.Escape(s) }

// needsEscape reports whether printable would change s.
func needsEscape(s string) bool { return printable(s) != s }

// printLine prints one line for a person on w: format and args as for fmt.Printf,
// made printable, and a newline.
func printLine(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, printable(fmt.Sprintf(format, args...)))
}
