package input

import (
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// problem is one bad row (or the header) of the input.
type problem struct {
	line int
	msg  string
}

// Error lists the problems of an input; nothing is to be sent when there is one. It
// keeps the first maxShownProblems and counts the others, so that a file of a million
// bad rows does not become a million messages. Its message names the source and then
// each problem on a line of its own: "  line 3: unknown role ...".
type Error struct {
	source string // "invites.csv", "stdin" or "--email"
	unit   string // "line" or "--email"
	// problems are the first maxShownProblems problems, in the order found, and the
	// one that stopped the reading (see stop), which is kept even past them.
	problems []problem
	more     int // problems found and not kept
}

// maxShownProblems caps the problems an Error keeps and its message lists.
const maxShownProblems = 50

// add adds a problem on line, or only counts it when maxShownProblems are kept.
func (e *Error) add(line int, format string, args ...any) {
	if len(e.problems) >= maxShownProblems {
		e.more++
		return
	}
	e.problems = append(e.problems, problem{line: line, msg: fmt.Sprintf(format, args...)})
}

// full reports whether add only counts from now on.
func (e *Error) full() bool { return len(e.problems) >= maxShownProblems }

// stop adds the problem that stopped the reading, the last one: it is kept and shown
// whatever came before it.
func (e *Error) stop(line int, format string, args ...any) {
	e.problems = append(e.problems, problem{line: line, msg: fmt.Sprintf(format, args...)})
}

// Count is the number of problems found.
func (e *Error) Count() int { return len(e.problems) + e.more }

// Error lists the problems, one a line after a first line naming the source and count.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s; nothing was sent:", e.source, textsafe.Plural(e.Count(), "problem", "problems"))
	for i, p := range e.problems {
		if i == maxShownProblems && e.more > 0 { // the problem that stopped the reading
			fmt.Fprintf(&b, "\n  ... and %d more", e.more)
		}
		fmt.Fprintf(&b, "\n  %s %d: %s", e.unit, p.line, p.msg)
	}
	if e.more > 0 && len(e.problems) <= maxShownProblems {
		fmt.Fprintf(&b, "\n  ... and %d more", e.more)
	}
	return b.String()
}
