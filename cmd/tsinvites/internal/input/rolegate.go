package input

import (
	"strconv"
	"strings"
)

// roleGate holds the problems of the rows of a CSV file whose role column was found by
// its default name ("role", not --role-column) until a row shows that it holds roles.
// An HR export's "Role" column often holds job titles ("software engineer"): then no
// row has a known role, and rather than refuse each row for it, finish says once what
// the column holds and how to proceed, and reports the rows' other problems. When a
// row has a known role, the held problems are reported as they are (a typo in a real
// role column), in their order, and the gate opens. A nil *roleGate holds nothing.
//
// It keeps the first maxShownProblems problems either way, and counts the others.
type roleGate struct {
	column      string // the column's name, as in the header
	headerLine  int
	defaultRole string
	open        bool // a row had a known role
	held        []heldRow
	others      int // held rows with problems besides the role
	dropped     int // rows not held (past the ones shown either way)
	// droppedOthers are the dropped rows with problems besides the role.
	droppedOthers int
	firstLine     int // the first row with an unknown role, and its role
	firstRole     string
}

// heldRow is the problems of one row held by a roleGate.
type heldRow struct {
	line    int
	roleMsg string // about its role, or ""
	others  string // its other problems, or ""
}

// holds holds a row's problems and reports true, or reports false when the gate is
// open (or nil) and the problems are to be reported as they come.
func (g *roleGate) holds(line int, role, roleMsg string, msgs []string) bool {
	if g == nil || g.open {
		return false
	}
	if roleMsg != "" && g.firstLine == 0 {
		g.firstLine, g.firstRole = line, role
	}
	row := heldRow{line: line, roleMsg: roleMsg, others: strings.Join(msgs, "; ")}
	switch {
	case len(g.held) < maxShownProblems || row.others != "" && g.others < maxShownProblems:
		g.held = append(g.held, row)
		if row.others != "" {
			g.others++
		}
	case row.others != "":
		g.dropped++
		g.droppedOthers++
	default:
		g.dropped++
	}
	return true
}

// sawRole opens the gate: a row had a known role, so the column holds roles and every
// problem held is reported, to bad.
func (g *roleGate) sawRole(bad *Error) {
	if g == nil || g.open {
		return
	}
	g.open = true
	for _, r := range g.held {
		bad.add(r.line, "%s", strings.Join(nonEmpty(r.roleMsg, r.others), "; "))
	}
	bad.more += g.dropped
	g.held = nil
}

// finish reports what the gate holds at the end of the rows (or where the reading
// stopped): the problems as they are when it is open, or else, when a row had a role
// that is not one, one problem saying what the column holds, on the header's line,
// and the rows' other problems.
func (g *roleGate) finish(bad *Error) {
	if g == nil || g.open {
		return
	}
	if g.firstLine == 0 { // every role cell empty: nothing about roles held
		g.sawRole(bad)
		return
	}
	g.open = true
	bad.add(g.headerLine, "column %q holds no role (line %d has %q; the roles are %s): name the column that holds the roles with --role-column, or give --ignore-role-column to invite everyone as %s",
		shortText(g.column), g.firstLine, shortText(g.firstRole), RoleList(), plainOrQuoted(string(g.defaultRole)))
	for _, r := range g.held {
		if r.others != "" {
			bad.add(r.line, "%s", r.others)
		}
	}
	bad.more += g.droppedOthers
	g.held = nil
}

// nonEmpty is the strings of ss that are not empty.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// plainOrQuoted is s as it is when quoting would change nothing but the quotes (a role
// such as member), else quoted: a default role with a line break (never one the CLI
// lets through) must not break the message's line.
func plainOrQuoted(s string) string {
	if q := strconv.Quote(s); q != `"`+s+`"` {
		return q
	}
	return s
}
