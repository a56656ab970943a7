package input

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// wantShareHeader says what a CSV file of shares should start with.
const wantShareHeader = `want a header line naming the columns: "device,email,allowExitNode" (allowExitNode is optional)`

// sharesKind is a list of device shares (shares plan and apply).
var sharesKind = &listKind{
	noun:        "shares",
	yamlExample: `want a list of shares, like "- device: tag:ci" (email: on the next line; allowExitNode: optional)`,
	jsonExample: `want an array of shares, like [{"device": "tag:ci", "email": "a@partner.org", "allowExitNode": false}]`,
	yamlItem:    `"- device: tag:ci"`,
	jsonItem:    `{"device": "tag:ci", "email": "a@partner.org"}`,
}

// ShareRow is one share read, and the line of the file it is on (for YAML and JSON,
// the line its item starts on).
type ShareRow struct {
	Line  int
	Share reconcile.Share
}

// ShareFile is what ReadShares read: the shares, and the CSV columns not read.
type ShareFile struct {
	Rows    []ShareRow
	Ignored []string
	source  string
}

// Shares are the file's shares, in the file's order, for reconcile.NewSharePlan.
func (f ShareFile) Shares() []reconcile.Share {
	out := make([]reconcile.Share, len(f.Rows))
	for i, r := range f.Rows {
		out[i] = r.Share
	}
	return out
}

// IgnoredNote is the line to say (on stderr) about the CSV columns that were ignored,
// or "" when there were none.
func (f ShareFile) IgnoredNote() string {
	if len(f.Ignored) == 0 {
		return ""
	}
	names := make([]string, len(f.Ignored))
	for i, n := range f.Ignored {
		names[i] = quoted(n)
	}
	return fmt.Sprintf("tsinvites: %s: ignoring %s: only the device, email and allowExitNode columns are read", f.source, strings.Join(names, ", "))
}

// LineError is err with its problems on the file's lines: when err wraps a
// *tsinvites.InputError about the file's shares (reconcile.NewSharePlan's, whose
// problems' Index is a share's in Shares), an *Error naming each problem's line;
// otherwise err itself.
func (f ShareFile) LineError(err error) error {
	var inErr *tsinvites.InputError
	if !errors.As(err, &inErr) {
		return err
	}
	c := &checker{bad: &Error{source: f.source, unit: "line"}, where: "on line"}
	for _, r := range f.Rows {
		c.meta = append(c.meta, meta{line: int32(r.Line)})
	}
	c.merge(inErr.Problems, nil)
	return c.bad
}

// ReadShares reads a list of device shares from r, as ReadDesired reads invites: format
// is "csv", "yaml", "json", or "" to decide by source's extension or the content. A CSV
// file has a header naming the columns device, email and allowExitNode (optional;
// true, false, yes, no, 1, 0 or empty, which is false), in any order and case; other
// columns are ignored. A YAML file is a list of mappings and a JSON file an array of
// objects, with those keys (allowExitNode a boolean, or its text). Every share is
// checked with reconcile.ValidateShares (the SDK's one input policy for the emails)
// and every problem reported at once in an *Error naming its line. Other errors are of
// reading r, or of format.
func ReadShares(r io.Reader, source, format string) (ShareFile, error) {
	name := source
	if source == "-" {
		name = "stdin"
	}
	format, r, name, err := chooseFormat(r, source, format, name)
	if err != nil {
		return ShareFile{}, err
	}
	c := &shareChecker{itemChecker: itemChecker{checker: checker{bad: &Error{source: name, unit: "line"}, where: "on line"}, kind: sharesKind}}
	c.take = c.item
	var ignored []string
	if format == "csv" {
		if ignored, err = c.readCSV(r); err != nil {
			return ShareFile{}, err
		}
	} else if err := c.load(r, name, format); err != nil {
		return ShareFile{}, err
	}
	rows := c.finish()
	if c.stop.msg != "" {
		c.bad.stop(c.stop.line, "%s", c.stop.msg)
	}
	if c.bad.Count() > 0 {
		return ShareFile{}, c.bad
	}
	return ShareFile{Rows: rows, Ignored: ignored, source: name}, nil
}

// shareChecker reads the shares of a file, their lines and problems.
type shareChecker struct {
	itemChecker
	shares []reconcile.Share // of each meta
}

// add adds the share on line, and what its reader found wrong with it (msg, or "").
func (c *shareChecker) add(line int, s reconcile.Share, msg string) {
	c.shares = append(c.shares, s)
	c.meta = append(c.meta, meta{line: int32(line), msg: msg})
}

// finish checks the shares with reconcile.ValidateShares, adds every problem to c.bad
// in line order, and returns the shares without one.
func (c *shareChecker) finish() []ShareRow {
	var problems []tsinvites.InputProblem
	var inErr *tsinvites.InputError
	if errors.As(reconcile.ValidateShares(c.shares), &inErr) {
		problems = inErr.Problems
	}
	valid := c.merge(problems, nil)
	rows := make([]ShareRow, len(valid))
	for k, i := range valid {
		rows[k] = ShareRow{Line: int(c.meta[i].line), Share: c.shares[i]}
	}
	return rows
}

// item reads one YAML or JSON item, on line, with its fields and its reader's
// problems msgs.
func (c *shareChecker) item(line int, fields []field, msgs []string) {
	var s reconcile.Share
	seen := map[string]bool{}
	for _, f := range fields {
		k := strings.ToLower(f.key)
		switch {
		case k != "device" && k != "email" && k != "allowexitnode":
			msgs = append(msgs, fmt.Sprintf("unknown key %s (want device, email and allowExitNode)", quoted(f.key)))
			continue
		case seen[k]:
			msgs = append(msgs, fmt.Sprintf("key %s given twice", f.key))
		case k == "allowexitnode" && f.boolean != "":
			f.value, f.bad = f.boolean, ""
		case f.bad != "":
			msgs = append(msgs, f.bad)
		}
		seen[k] = true
		msgs = c.set(&s, k, f.value, msgs)
	}
	c.add(line, s, strings.Join(msgs, "; "))
}

// set sets the field k (lower-case) of s to value, adding to msgs what is wrong.
func (c *shareChecker) set(s *reconcile.Share, k, value string, msgs []string) []string {
	switch k {
	case "device":
		s.Device = value
	case "email":
		s.Email = value
	case "allowexitnode":
		b, ok := parseBool(value)
		if !ok {
			return append(msgs, fmt.Sprintf("allowExitNode %s: want true or false (or empty)", quoted(value)))
		}
		s.AllowExitNode = b
	}
	return msgs
}

// parseBool reads an allowExitNode cell: true, false, yes, no, 1, 0 (any case), or
// empty for false.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "no", "0":
		return false, true
	case "true", "yes", "1":
		return true, true
	}
	return false, false
}

// readCSV reads a CSV file of shares, within the CSV limits; it returns the names of
// the columns ignored, or the one problem that stops the reading (c.bad).
func (c *shareChecker) readCSV(r io.Reader) ([]string, error) {
	cr := newCSVReader(r)
	h, cols, ok := c.readHeader(cr)
	if !ok {
		return nil, c.bad
	}
	n := 0
	stop := readRecords(cr, h.line, func(rec []string, line int) {
		if !h.fits(&c.checker, rec, line) {
			return
		}
		n++
		var s reconcile.Share
		var msgs []string
		for k, i := range cols {
			msgs = c.set(&s, k, RestoreCell(rec[i]), msgs)
		}
		s.Device, s.Email = strings.Clone(s.Device), strings.Clone(s.Email)
		c.add(line, s, strings.Join(msgs, "; "))
	})
	if stop.tooBig {
		c.bad.problems, c.bad.more = nil, 0
		c.bad.stop(stop.line, "%s", stop.msg)
		return nil, c.bad
	}
	c.stop = stop
	if n == 0 && stop.msg == "" && len(c.shapes) == 0 {
		c.bad.add(h.line, "no shares: the file has only a header")
	}
	return h.ignored, nil
}

// readHeader reads the header of a CSV file of shares: the columns' places by their
// lower-case names (device, email, allowexitnode). It reports false, having added the
// problems to c.bad, when the header will not do.
func (c *shareChecker) readHeader(cr *csv.Reader) (header, map[string]int, bool) {
	names, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		c.bad.add(1, "the file is empty; %s", wantShareHeader)
		return header{}, nil, false
	case err != nil:
		c.bad.add(errLine(err, 1), "header: %s", csvReason(err))
		return header{}, nil, false
	}
	names = slices.Clone(names)
	line, _ := cr.FieldPos(0)
	h := header{line: line, width: len(names)}
	cols := map[string]int{}
	for i, name := range names {
		switch k := key(name); {
		case k == "device" || k == "email" || k == "allowexitnode":
			if _, twice := cols[k]; twice {
				c.bad.add(line, "column %s is named twice", quoted(strings.TrimSpace(name)))
			}
			cols[k] = i
		case strings.Contains(name, "@"):
			c.bad.add(line, "no header: found %s; %s", quoted(name), wantShareHeader)
			return header{}, nil, false
		default:
			h.ignored = append(h.ignored, cmp.Or(strings.TrimSpace(name), "column "+strconv.Itoa(i+1)+" (no name)"))
		}
	}
	for _, k := range []string{"device", "email"} {
		if _, ok := cols[k]; !ok {
			c.bad.add(line, "no %s column; %s (the columns are %s)", k, wantShareHeader, columnList(names))
		}
	}
	return h, cols, c.bad.Count() == 0
}
