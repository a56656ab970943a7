package input

import (
	"strconv"

	"github.com/tsinvites/tsinvites"
)

// roleGate is a CSV file's role column found by its default name ("role", not
// --role-column). An HR export's "Role" column often holds job titles ("software
// engineer"): when no row's cell is a role (a user's role: owner counts, so that a
// column of owners is told that an invite cannot give owner), rather than refuse each
// row for it, the gate says once what the column holds and how to proceed, and the
// rows' other problems are reported. When a row has a role, every problem is reported
// as it is (a typo in a real role column). A nil *roleGate changes nothing.
type roleGate struct {
	column      string // the column's name, as in the header
	headerLine  int
	defaultRole string
}

// verdict reports whether the rows' role problems are to be left out, having added to
// c.bad the one problem that says what the column holds instead; problems are the
// policy's, of c.list.
func (g *roleGate) verdict(c *checker, problems []tsinvites.InputProblem) bool {
	if g == nil {
		return false
	}
	first := -1 // the first invite with a role problem
	for _, p := range problems {
		if p.Field == "role" {
			first = p.Index
			break
		}
	}
	if first < 0 {
		return false
	}
	for i, m := range c.meta {
		if m.roleGiven && tsinvites.TailnetRoleOf(c.list[i].Role).Valid() {
			return false // the column holds roles
		}
	}
	c.bad.add(g.headerLine, "column %s holds no role (line %d has %s; the roles are %s): name the column that holds the roles with --role-column, or give --ignore-role-column to invite everyone as %s",
		quoted(g.column), c.meta[first].line, quoted(string(c.list[first].Role)), RoleList(), plainOrQuoted(g.defaultRole))
	return true
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
