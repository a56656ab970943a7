package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/tsinvites/tsinvites/internal/words"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites"
)

// Limits of the CSV reader, so that a wrong or hostile file (a disk image, a log, a
// line of commas) fails fast instead of filling memory. Without the limits on rows, a
// 16 MiB file of commas took 1.26 GB as fields before it was refused; with them, the
// CSV reader holds at most one row of 16 KiB and 256 fields at a time (its slice of
// fields reused from row to row), and reads at most maxInvites rows.
const (
	maxCSVBytes    = 16 << 20 // the whole file
	maxCSVRowBytes = 16 << 10 // one row (a valid one has fewer than 300 bytes, an HR export's a few more)
	maxCSVFields   = 256      // fields of one row (email and role, and an HR export's other columns)
	maxEmailLen    = 254      // the longest address SMTP allows
)

// maxInvites caps the invites of one file, CSV rows or YAML and JSON items, valid or
// not: 1,000 create calls of 100.
const maxInvites = 100_000

// inviteRow is one invite to create and where it came from.
type inviteRow struct {
	line    int  // the line in the CSV file, or the position of the --email flag
	fromCSV bool // line is a line of a CSV file
	req     tsinvites.CreateUserInviteRequest
}

// problem is one bad row (or the header) of the input.
type problem struct {
	line int
	msg  string
}

// inputError lists the problems of the input; nothing is sent when there is one. It
// keeps the first maxShownProblems and counts the others, so that a file of a million
// bad rows does not become a million messages.
type inputError struct {
	source string // "invites.csv", "stdin" or "--email"
	unit   string // "line" or "--email"
	// problems are the first maxShownProblems problems, in the order found, and the
	// one that stopped the reading (see stop), which is kept even past them.
	problems []problem
	more     int // problems found and not kept
}

// maxShownProblems caps the problems an inputError keeps and its message lists.
const maxShownProblems = 50

// add adds a problem on line, or only counts it when maxShownProblems are kept.
func (e *inputError) add(line int, format string, args ...any) {
	if len(e.problems) >= maxShownProblems {
		e.more++
		return
	}
	e.problems = append(e.problems, problem{line: line, msg: fmt.Sprintf(format, args...)})
}

// stop adds the problem that stopped the reading, the last one: it is kept and shown
// whatever came before it.
func (e *inputError) stop(line int, format string, args ...any) {
	e.problems = append(e.problems, problem{line: line, msg: fmt.Sprintf(format, args...)})
}

// count is the number of problems found.
func (e *inputError) count() int { return len(e.problems) + e.more }

func (e *inputError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s; nothing was sent:", e.source, words.Plural(e.count(), "problem", "problems"))
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

// errTooBig is returned by capReader past its limit.
var errTooBig = fmt.Errorf("the file is larger than %d MiB", maxCSVBytes>>20)

// capReader reads at most n bytes of r, then fails with errTooBig (rather than EOF,
// which would look like a complete, shorter file).
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// rowGuard passes CSV text through until a row (a record: a line end inside quotes
// does not end it) has more than maxCSVFields fields or maxCSVRowBytes bytes; it then
// stops at that byte and fails with a *rowLimitError. encoding/csv reads a whole row
// before it returns it, as a string and a slice of fields: this keeps that row small.
type rowGuard struct {
	r       io.Reader
	err     error // the limit passed, returned from then on
	line    int   // the line being read, from 1
	rowLine int   // the line the row being read starts on
	fields  int   // of the row being read
	bytes   int   // of the row being read; 0 between rows
	quoted  bool  // inside quotes
}

// rowLimitError is a row past a limit of rowGuard.
type rowLimitError struct {
	line int // the line the row starts on
	msg  string
}

func (e *rowLimitError) Error() string { return e.msg }

func (g *rowGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if g.bytes == 0 {
			g.rowLine, g.fields = g.line, 1
		}
		g.bytes++
		switch {
		case c == '"':
			g.quoted = !g.quoted // a doubled quote toggles twice
		case c == ',' && !g.quoted:
			g.fields++
		case c == '\n':
			g.line++
			if !g.quoted {
				g.bytes = 0
			}
		}
		switch {
		case g.fields > maxCSVFields:
			g.err = &rowLimitError{line: g.rowLine, msg: fmt.Sprintf("more than %d fields", maxCSVFields)}
		case g.bytes > maxCSVRowBytes:
			g.err = &rowLimitError{line: g.rowLine, msg: fmt.Sprintf("the row is longer than %d KiB", maxCSVRowBytes>>10)}
		default:
			continue
		}
		return i, g.err
	}
	return n, err
}

// csvColumns names the columns of a CSV file that hold the email and the role
// (--email-column, --role-column), matched without case and surrounding spaces; ""
// means "email" and "role". The role column is optional unless named.
type csvColumns struct{ email, role string }

// given reports whether either column was named.
func (c csvColumns) given() bool { return c.email != "" || c.role != "" }

// check refuses the same name for both columns.
func (c csvColumns) check() error {
	if c.given() && strings.EqualFold(strings.TrimSpace(cmp.Or(c.email, "email")), strings.TrimSpace(cmp.Or(c.role, "role"))) {
		return fmt.Errorf("--email-column and --role-column name the same column, %q", shortText(c.email+c.role))
	}
	return nil
}

// csvFile is what readCSV read: the invites, and the names of the columns it ignored.
type csvFile struct {
	rows    []inviteRow
	ignored []string
}

// ignoredNote is the line said on stderr about the columns of source that were
// ignored, or "" when there were none.
func (f csvFile) ignoredNote(source string) string {
	if len(f.ignored) == 0 {
		return ""
	}
	names := make([]string, len(f.ignored))
	for i, n := range f.ignored {
		names[i] = strconv.Quote(shortText(n))
	}
	word := "columns"
	if len(names) == 1 {
		word = "column"
	}
	return fmt.Sprintf("tsinvites: %s: ignoring %s %s: only the email and role columns are read (--email-column and --role-column pick others)",
		source, word, strings.Join(names, ", "))
}

// readCSV reads invites from a CSV file with a header line naming its columns: email
// (required) and role (optional; empty means defaultRole, and defaultRole "" means
// member), or the columns cols names. The columns may come in any order; their names
// are case-insensitive. Other columns (an HR export's name, department, ...) are
// ignored, and named in the result. A UTF-8 byte-order mark, CRLF line ends and blank
// lines are fine.
//
// It checks every row and returns either rows that are all valid (a bare address each,
// no address twice, a known role) or an *inputError listing every problem with its line
// number.
func readCSV(r io.Reader, source string, defaultRole tsinvites.UserRole, cols csvColumns) (csvFile, error) {
	if defaultRole == "" {
		defaultRole = tsinvites.UserRoleMember
	}
	bad := &inputError{source: source, unit: "line"}
	report := bad.add

	br := bufio.NewReader(&rowGuard{r: &capReader{r: r, n: maxCSVBytes}, line: 1})
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, to report every bad row
	cr.ReuseRecord = true   // what is kept of a row is copied out of it

	const wantHeader = `want a header line naming the columns: "email,role" (role is optional)`
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		report(1, "the file is empty; %s", wantHeader)
		return csvFile{}, bad
	case err != nil:
		report(errLine(err, 1), "header: %s", csvReason(err))
		return csvFile{}, bad
	}
	header = slices.Clone(header)
	headerLine, _ := cr.FieldPos(0)
	emailName := strings.ToLower(strings.TrimSpace(cmp.Or(cols.email, "email")))
	roleName := strings.ToLower(strings.TrimSpace(cmp.Or(cols.role, "role")))
	emailCol, roleCol := -1, -1
	var ignored []string
	for i, name := range header {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case emailName:
			if emailCol >= 0 {
				report(headerLine, "column %q is named twice", shortText(strings.TrimSpace(name)))
			}
			emailCol = i
		case roleName:
			if roleCol >= 0 {
				report(headerLine, "column %q is named twice", shortText(strings.TrimSpace(name)))
			}
			roleCol = i
		default:
			if strings.Contains(name, "@") {
				report(headerLine, "no header: found %q; %s", shortText(name), wantHeader)
				return csvFile{}, bad
			}
			ignored = append(ignored, cmp.Or(strings.TrimSpace(name), fmt.Sprintf("column %d (no name)", i+1)))
		}
	}
	switch {
	case emailCol < 0 && cols.email != "":
		report(headerLine, "no column %q (--email-column); the columns are %s", shortText(cols.email), columnList(header))
	case emailCol < 0:
		report(headerLine, "no email column; %s, or name the column with --email-column (the columns are %s)", wantHeader, columnList(header))
	}
	if roleCol < 0 && cols.role != "" {
		report(headerLine, "no column %q (--role-column); the columns are %s", shortText(cols.role), columnList(header))
	}
	if bad.count() > 0 {
		return csvFile{}, bad
	}

	var rows []inviteRow
	firstLine := map[string]int{} // lower-cased email → line it was first on
	line := headerLine
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errTooBig) { // the one problem worth reporting
			bad.problems, bad.more = nil, 0
			bad.stop(line+1, "%v", err)
			break
		}
		if err != nil {
			// FieldPos panics after a failed Read: the error has the line, or the
			// line after the last record read.
			bad.stop(errLine(err, line+1), "%s (stopped reading here)", csvReason(err))
			break
		}
		line, _ = cr.FieldPos(0)
		if n > maxInvites {
			bad.stop(line, "more than %d rows, the most one file may have (stopped reading here)", maxInvites)
			break
		}
		if len(rec) != len(header) {
			report(line, "%s, the header has %d", words.Plural(len(rec), "field", "fields"), len(header))
			continue
		}
		// Copies: a kept substring would keep the whole row (its other columns) alive.
		email := strings.Clone(strings.TrimSpace(rec[emailCol]))
		role := defaultRole
		if roleCol >= 0 {
			if r := strings.ToLower(strings.TrimSpace(rec[roleCol])); r != "" {
				role = tsinvites.UserRole(strings.Clone(r))
			}
		}
		// A row can have two problems: a bad role and an email seen before.
		var msgs []string
		if msg := checkInvite(email, role); msg != "" {
			msgs = append(msgs, msg)
		}
		if msg := duplicateEmail(firstLine, email, line, "on line"); msg != "" {
			msgs = append(msgs, msg)
		}
		if len(msgs) > 0 {
			report(line, "%s", strings.Join(msgs, "; "))
			continue
		}
		rows = append(rows, inviteRow{line: line, fromCSV: true, req: tsinvites.CreateUserInviteRequest{Email: email, Role: role}})
	}
	if bad.count() > 0 {
		return csvFile{}, bad
	}
	if len(rows) == 0 {
		report(headerLine, "no invites: the file has only a header")
		return csvFile{}, bad
	}
	return csvFile{rows: rows, ignored: ignored}, nil
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
		names = append(names, strconv.Quote(shortText(strings.TrimSpace(name))))
	}
	return strings.Join(names, ", ")
}

// duplicateEmail says that email is a duplicate when firstLine (lower-cased email →
// the line it was first on) has it, or records it as first on line and returns "". An
// empty email is neither. where says where the first one was, such as "on line" for a
// line of a file ("first on line 3").
func duplicateEmail(firstLine map[string]int, email string, line int, where string) string {
	if email == "" {
		return ""
	}
	key := words.EmailKey(email)
	if first, dup := firstLine[key]; dup {
		return fmt.Sprintf("duplicate email %q (first %s %d)", shortText(email), where, first)
	}
	firstLine[key] = line
	return ""
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

// checkInvite checks one invite as tsinvites.Client.Create will (with
// CreateUserInviteRequest.Validate), and also that it has an email of a sane length; it
// returns what is wrong, or "".
func checkInvite(email string, role tsinvites.UserRole) string {
	if !role.Valid() { // said here, shortened: the role may be a whole mangled row
		return fmt.Sprintf("unknown role %q (want one of %s)", shortText(string(role)), roleList())
	}
	switch {
	case email == "":
		return "the email is empty"
	case len(email) > maxEmailLen:
		return fmt.Sprintf("the email is longer than %d characters", maxEmailLen)
	}
	if err := (tsinvites.CreateUserInviteRequest{Email: email, Role: role}).Validate(); err != nil {
		return err.Error()
	}
	return ""
}

func roleList() string {
	var names []string
	for _, r := range tsinvites.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// shortText cuts s for an error message.
func shortText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// emailRows checks invites given with --email flags, as readCSV checks a file's rows.
func emailRows(emails []string, role tsinvites.UserRole) ([]inviteRow, error) {
	if role == "" {
		role = tsinvites.UserRoleMember
	}
	bad := &inputError{source: "--email", unit: "--email"}
	var rows []inviteRow
	firstFlag := map[string]int{} // lower-cased email → the --email it was first in
	for i, raw := range emails {
		email := strings.TrimSpace(raw)
		if msg := checkInvite(email, role); msg != "" {
			bad.add(i+1, "%s", msg)
			continue
		}
		if msg := duplicateEmail(firstFlag, email, i+1, "as --email"); msg != "" {
			bad.add(i+1, "%s", msg)
			continue
		}
		rows = append(rows, inviteRow{line: i + 1, req: tsinvites.CreateUserInviteRequest{Email: email, Role: role}})
	}
	if bad.count() > 0 {
		return nil, bad
	}
	return rows, nil
}
