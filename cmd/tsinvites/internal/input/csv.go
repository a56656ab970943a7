package input

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// wantHeader says what a CSV file's header should be.
const wantHeader = `want a header line naming the columns: "email,role" (role is optional)`

// ReadCSV reads invites from a CSV file with a header line naming its columns: email
// (required) and role (optional; empty means defaultRole, and defaultRole "" means
// member), or the columns cols names. The columns may come in any order; their names
// are case-insensitive. Other columns (an HR export's name, department, ...) are
// ignored, and named in the result. A UTF-8 byte-order mark, CRLF line ends and blank
// lines are fine, and so is the quote the CLI's own CSV output puts before a cell that
// a spreadsheet would read as a formula ("'-dash@example.com"): it is taken off.
//
// It checks every row and returns either rows that are all valid (a bare address each,
// no address twice, a known role) or an *Error listing every problem with its line
// number. source names the file in the messages.
func ReadCSV(r io.Reader, source string, defaultRole tsinvites.UserRole, cols Columns) (File, error) {
	if defaultRole == "" {
		defaultRole = tsinvites.UserRoleMember
	}
	bad := &Error{source: source, unit: "line"}
	cr := newCSVReader(r)
	h, ok := readHeader(cr, cols, bad)
	if !ok {
		return File{}, bad
	}
	c := &rowChecker{h: h, defaultRole: defaultRole, checker: checker{bad: bad, where: "on line"}}
	var gate *roleGate
	if h.roleCol >= 0 && cols.Role == "" {
		gate = &roleGate{column: h.roleName, headerLine: h.line, defaultRole: string(defaultRole)}
	}
	stop := c.readRows(cr)
	if stop.tooBig { // the one problem worth reporting
		bad.problems, bad.more = nil, 0
		bad.stop(stop.line, "%s", stop.msg)
		return File{}, bad
	}
	rows := c.finish(gate)
	if stop.msg != "" {
		bad.stop(stop.line, "%s", stop.msg)
	}
	if bad.Count() > 0 {
		return File{}, bad
	}
	if len(rows) == 0 {
		bad.add(h.line, "no invites: the file has only a header")
		return File{}, bad
	}
	return File{Rows: rows, Ignored: h.ignored}, nil
}

// newCSVReader reads r within the limits (of the file, a row and its fields), after a
// byte-order mark.
func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(&rowGuard{r: &capReader{r: r, n: MaxCSVBytes}, line: 1})
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, to report every bad row
	cr.ReuseRecord = true   // what is kept of a row is copied out of it
	// Blanks before a cell are the file's layout ("a@example.com, admin"); a quoted
	// cell keeps its own, which the policy refuses in an email.
	cr.TrimLeadingSpace = true
	return cr
}

// header is what a CSV file's header says.
type header struct {
	line              int
	width             int    // fields
	emailCol, roleCol int    // -1: none
	roleName          string // the role column's name, as in the header
	ignored           []string
}

// readHeader reads the header line and finds the columns cols names; it reports
// false, having added the problems to bad, when the header will not do.
func readHeader(cr *csv.Reader, cols Columns, bad *Error) (header, bool) {
	names, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		bad.add(1, "the file is empty; %s", wantHeader)
		return header{}, false
	case err != nil:
		bad.add(errLine(err, 1), "header: %s", csvReason(err))
		return header{}, false
	}
	names = slices.Clone(names)
	line, _ := cr.FieldPos(0)
	h := header{line: line, width: len(names), emailCol: -1, roleCol: -1}
	if !h.findColumns(names, cols, bad) {
		return header{}, false
	}
	switch {
	case h.emailCol < 0 && cols.Email != "":
		bad.add(line, "no column %s (--email-column); the columns are %s", quoted(cols.Email), columnList(names))
	case h.emailCol < 0:
		bad.add(line, "no email column; %s, or name the column with --email-column (the columns are %s)", wantHeader, columnList(names))
	}
	if h.roleCol < 0 && cols.Role != "" {
		bad.add(line, "no column %s (--role-column); the columns are %s", quoted(cols.Role), columnList(names))
	}
	return h, bad.Count() == 0
}

// findColumns finds the email and role columns among names, and the others, which
// are ignored (the role column too with cols.IgnoreRole). It reports false when the
// first line is not a header at all.
func (h *header) findColumns(names []string, cols Columns, bad *Error) bool {
	emailKey, roleKey := key(cols.emailName()), key(cols.Role)
	if roleKey == "" {
		roleKey = "role"
	}
	for i, name := range names {
		switch k := key(name); {
		case k == emailKey:
			h.setColumn(&h.emailCol, i, name, bad)
		case k == roleKey && !cols.IgnoreRole:
			h.setColumn(&h.roleCol, i, name, bad)
			h.roleName = strings.TrimSpace(name)
		case strings.Contains(name, "@"):
			bad.add(h.line, "no header: found %s; %s", quoted(name), wantHeader)
			return false
		default:
			h.ignored = append(h.ignored, cmp.Or(strings.TrimSpace(name), fmt.Sprintf("column %d (no name)", i+1)))
		}
	}
	return true
}

// setColumn sets *col to i, the column called name, or says that name is there twice.
func (h *header) setColumn(col *int, i int, name string, bad *Error) {
	if *col >= 0 {
		bad.add(h.line, "column %s is named twice", quoted(strings.TrimSpace(name)))
	}
	*col = i
}

// rowChecker reads the rows of a CSV file after its header, for its checker.
type rowChecker struct {
	checker
	h           header
	defaultRole tsinvites.UserRole
}

// stopped is why the reading of rows stopped before the end of the file, if it did.
type stopped struct {
	line   int
	msg    string // "" when the file was read to its end
	tooBig bool   // the file is past its limit: the one problem worth reporting
}

// readRows reads the rows until the end of the file or the first error that stops the
// reading (a limit passed, a broken quote), which it returns.
func (c *rowChecker) readRows(cr *csv.Reader) stopped { return readRecords(cr, c.h.line, c.row) }

// readRecords reads the rows after the header (on line) with row, until the end of the
// file or the first error that stops the reading (a limit passed, a broken quote, more
// than MaxInvites rows), which it returns.
func readRecords(cr *csv.Reader, line int, row func(rec []string, line int)) stopped {
	for n := 1; ; n++ {
		rec, err := cr.Read()
		switch {
		case errors.Is(err, io.EOF):
			return stopped{}
		case errors.Is(err, errTooBig):
			return stopped{line: line + 1, msg: err.Error(), tooBig: true}
		case err != nil:
			// FieldPos panics after a failed Read: the error has the line, or the
			// line after the last record read.
			return stopped{line: errLine(err, line+1), msg: csvReason(err) + " (stopped reading here)"}
		}
		line, _ = cr.FieldPos(0)
		if n > MaxInvites {
			return stopped{line: line, msg: fmt.Sprintf("more than %d rows, the most one file may have (stopped reading here)", MaxInvites)}
		}
		row(rec, line)
	}
}

// row reads one row, on line, as a candidate: its email as the cell holds it, its role
// (without case, a file's convenience) from its role cell or the default.
func (c *rowChecker) row(rec []string, line int) {
	if !c.h.fits(&c.checker, rec, line) {
		return
	}
	inv, given := tsinvites.CreateUserInviteRequest{Email: cell(rec[c.h.emailCol]), Role: c.defaultRole}, false
	if c.h.roleCol >= 0 {
		if r := strings.ToLower(strings.TrimSpace(cell(rec[c.h.roleCol]))); r != "" {
			inv.Role, given = tsinvites.UserRole(r), true
		}
	}
	c.add(line, inv, given, "")
}

// fits reports whether rec, the row on line, has the header's width; c is told when not.
func (h header) fits(c *checker, rec []string, line int) bool {
	if len(rec) != h.width {
		c.report(line, "%s, the header has %d", textsafe.Plural(len(rec), "field", "fields"), h.width)
		return false
	}
	return true
}

// cell is the text of a CSV cell: without the quote the CLI's CSV output puts before a
// formula, and copied (a kept substring would keep the whole row alive). Nothing else
// is trimmed (the reader drops the blanks before a cell).
func cell(s string) string {
	return strings.Clone(RestoreCell(s))
}

// columnList lists a header's column names for a message, quoted and shortened.
func columnList(header []string) string {
	const shown = 10
	var names []string
	for i, name := range header {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(header)-shown))
			break
		}
		names = append(names, quoted(strings.TrimSpace(name)))
	}
	return strings.Join(names, ", ")
}

// errLine is the line of a csv.ParseError or a *rowLimitError, or def.
func errLine(err error, def int) int {
	var (
		pe *csv.ParseError
		le *rowLimitError
	)
	switch {
	case errors.As(err, &pe) && pe.Line > 0:
		return pe.Line
	case errors.As(err, &le):
		return le.line
	}
	return max(def, 1)
}

// csvReason describes a CSV read error without the position csv.ParseError adds (the
// report adds the line itself).
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			return fmt.Sprintf("%v in column %d (quote a field that holds a quote, doubling the quote)", pe.Err, pe.Column)
		}
		return pe.Err.Error()
	}
	return err.Error()
}
