package input

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tsinvites/tsinvites"
)

// meta is where an invite to check came from: its line, and what its reader found.
type meta struct {
	line      int32
	roleGiven bool   // the role came from the row (its cell or key), not a default
	msg       string // what the reader found wrong with the row's shape, said first; or ""
}

// shapeProblem is a row with no invite to check, only a problem of its shape.
type shapeProblem struct {
	line int
	msg  string
}

// checker gathers the rows of one input and checks their invites all at once with
// tsinvites.ValidateList, the one input policy of the SDK, the engine and the CLI: the
// CLI adds only where each problem is (its line, or its --email flag). Rows come in
// the order of their lines.
type checker struct {
	bad    *Error
	where  string                              // where a duplicate's first is: "on line" or "as --email"
	list   []tsinvites.CreateUserInviteRequest // the invites to check
	meta   []meta                              // of each invite of list
	shapes []shapeProblem                      // the rows without an invite, the first maxShownProblems
	more   int                                 // the rows without an invite past those: counted only
}

// add adds a row on line with an invite to check, and what its reader found wrong with
// it (msg, or "").
func (c *checker) add(line int, inv tsinvites.CreateUserInviteRequest, roleGiven bool, msg string) {
	if len(c.list) == cap(c.list) { // double, rather than append's quarter for long slices
		c.list, c.meta = slices.Grow(c.list, max(len(c.list), 64)), slices.Grow(c.meta, max(len(c.meta), 64))
	}
	c.list, c.meta = append(c.list, inv), append(c.meta, meta{line: int32(line), roleGiven: roleGiven, msg: msg})
}

// report adds a problem of the row on line, which has no invite to check. Past
// maxShownProblems such rows, a row is only counted: the shown problems are the first
// in line order, and these come after as many.
func (c *checker) report(line int, format string, args ...any) {
	if len(c.shapes) >= maxShownProblems {
		c.more++
		return
	}
	c.shapes = append(c.shapes, shapeProblem{line: line, msg: fmt.Sprintf(format, args...)})
}

// finish checks the invites with tsinvites.ValidateList and adds every problem to
// c.bad, one line each, in order: the row's own, then the policy's (role, email,
// duplicate). gate, for a CSV role column found by its default name (nil otherwise),
// may replace the rows' role problems by one about the column. It returns the valid
// rows, which are all the rows when c.bad has no problem.
func (c *checker) finish(gate *roleGate) []Row {
	var problems []tsinvites.InputProblem // in list order
	var inErr *tsinvites.InputError
	if errors.As(tsinvites.ValidateList(c.list), &inErr) {
		problems = inErr.Problems
	}
	hideRoles := gate.verdict(c, problems)
	valid := c.merge(problems, func(p tsinvites.InputProblem, m meta) bool {
		return p.Field == "role" && hideRoles && m.roleGiven // said once, of the column
	})
	rows := make([]Row, len(valid))
	for k, i := range valid {
		rows[k] = Row{Line: int(c.meta[i].line), FromFile: true, Invite: c.list[i], RoleGiven: c.meta[i].roleGiven}
	}
	c.list, c.meta, c.shapes, c.more = nil, nil, nil, 0
	return rows
}

// merge adds to c.bad, in line order, the shape problems and, for each item of c.meta,
// its reader's problem and problems (a policy's, in item order, each with the item's
// Index and, for a duplicate, the First), but those that hide says were said another
// way (hide may be nil). It returns the indices of the items without a problem.
func (c *checker) merge(problems []tsinvites.InputProblem, hide func(tsinvites.InputProblem, meta) bool) []int {
	valid := make([]int, 0, len(c.meta)-min(len(problems), len(c.meta)))
	next, shape := 0, 0 // the next problem, the next shape problem
	for i, m := range c.meta {
		for ; shape < len(c.shapes) && c.shapes[shape].line <= int(m.line); shape++ {
			c.bad.add(c.shapes[shape].line, "%s", c.shapes[shape].msg)
		}
		msg, bad := m.msg, m.msg != ""
		for ; next < len(problems) && problems[next].Index == i; next++ {
			p := problems[next]
			switch bad = true; {
			case hide != nil && hide(p, m):
			case c.bad.full():
				msg = "…" // counted, not said
			default:
				msg = join(msg, p.Reason)
				if p.First >= 0 && p.First < len(c.meta) {
					msg += fmt.Sprintf(" (first %s %d)", c.where, c.meta[p.First].line)
				}
			}
		}
		switch {
		case msg != "":
			c.bad.add(int(m.line), "%s", msg)
		case !bad:
			valid = append(valid, i)
		}
	}
	for ; shape < len(c.shapes); shape++ {
		c.bad.add(c.shapes[shape].line, "%s", c.shapes[shape].msg)
	}
	c.bad.more += c.more
	return valid
}

// join joins two messages about one row with "; ", either of which may be "".
func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
