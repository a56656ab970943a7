package input

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tsinvites/tsinvites"
)

// listKind is what a YAML or JSON list holds, for its reader's messages.
type listKind struct {
	noun        string // "invites"
	yamlExample string // the wanted shape of a file, for a file of the wrong shape
	jsonExample string
	yamlItem    string // the wanted shape of an item
	jsonItem    string
}

// invitesKind is a list of invites (plan and apply).
var invitesKind = &listKind{
	noun:        "invites",
	yamlExample: `want a list of invites, like "- email: a@example.com" (role: on the next line, optional)`,
	jsonExample: `want an array of invites, like [{"email": "a@example.com", "role": "admin"}]`,
	yamlItem:    `"- email: a@example.com"`,
	jsonItem:    `{"email": "a@example.com"}`,
}

// sniffBytes is how much of the input ReadDesired looks at to guess its format.
const sniffBytes = 64 << 10

// utf8BOM is the byte-order mark some editors put at the start of a UTF-8 file.
var utf8BOM = []byte("\uFEFF")

// ReadDesired reads the invites of a plan or apply file from r. format is "csv", "yaml",
// "json", or "" to decide: by source's extension (.csv; .yaml/.yml; .json), otherwise
// (stdin "-", other extensions) by sniffing the content.
//
// A CSV file is read by ReadCSV, with the columns cols names; cols are for CSV only. A
// YAML file is a list of mappings and a JSON file an array of objects, each with the
// keys email (required) and role (optional; empty, null or missing means member); keys
// are case-insensitive as CSV column names are. Every invite gets ReadCSV's checks,
// and every problem is reported at once in an *Error naming the line of the invite
// (the line of its "-" or "{"). When the format was not given, messages name the one
// assumed, as in "invites.txt (read as YAML): ...". Other errors are of reading r, or
// of format or cols.
func ReadDesired(r io.Reader, source, format string, cols Columns) (File, error) {
	name := source
	if source == "-" {
		name = "stdin"
	}
	format, r, name, err := chooseFormat(r, source, format, name)
	switch {
	case err != nil:
		return File{}, err
	case format == "csv":
		return ReadCSV(r, name, "", cols)
	case cols.Given():
		return File{}, fmt.Errorf("%s: --email-column and --role-column are for CSV files, as --ignore-role-column is; a %s file has the keys email and role", name, strings.ToUpper(format))
	}
	c := &itemChecker{checker: checker{bad: &Error{source: name, unit: "line"}, where: "on line"}, kind: invitesKind}
	if err := c.load(r, name, format); err != nil {
		return File{}, err
	}
	rows := c.finish(nil)
	if c.stop.msg != "" {
		c.bad.stop(c.stop.line, "%s", c.stop.msg)
	}
	if c.bad.Count() > 0 {
		return File{}, c.bad
	}
	return File{Rows: rows}, nil
}

// load reads a YAML or JSON file (format) from r, within its limit, and its items into
// c. Its error is the one problem of a file past its limit (c.bad) or one of reading r.
func (c *itemChecker) load(r io.Reader, name, format string) error {
	limit := int64(MaxJSONBytes)
	if format == "yaml" {
		limit = MaxYAMLBytes
	}
	data, err := io.ReadAll(&capReader{r: r, n: limit})
	switch {
	case errors.Is(err, errTooBig):
		c.bad.add(bytes.Count(data, []byte("\n"))+1, "%s", tooBig(format))
		return c.bad
	case err != nil:
		return fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if format == "yaml" {
		c.readYAML(data)
	} else {
		c.readJSON(data)
	}
	return nil
}

// tooBig says that a file of format is past its limit, and what to do.
func tooBig(format string) string {
	if format == "yaml" {
		return fmt.Sprintf("the file is larger than %d KiB, the limit for YAML (some 12,000 invites); give a longer list as CSV (up to %d MiB) or JSON (%d MiB)",
			MaxYAMLBytes>>10, MaxCSVBytes>>20, MaxJSONBytes>>20)
	}
	return fmt.Sprintf("the file is larger than %d MiB, the limit for JSON (CSV may have %d MiB)", MaxJSONBytes>>20, MaxCSVBytes>>20)
}

// chooseFormat checks format, or, when it is "", chooses it by source's extension or
// by sniffing r; it returns the reader to read from then, and name as messages are to
// name the source ("invites.txt (read as YAML)" when the format was not given).
func chooseFormat(r io.Reader, source, format, name string) (string, io.Reader, string, error) {
	switch format {
	case "csv", "yaml", "json":
		return format, r, name, nil
	case "":
	default:
		return "", nil, "", fmt.Errorf("unknown format %q (want csv, yaml or json)", format)
	}
	format = formatByExtension(source)
	if format == "" {
		br := bufio.NewReaderSize(r, sniffBytes)
		head, err := br.Peek(sniffBytes)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", nil, "", fmt.Errorf("%s: %w", name, err)
		}
		format, r = sniffFormat(head), br
	}
	return format, r, fmt.Sprintf("%s (read as %s)", name, strings.ToUpper(format)), nil
}

// formatByExtension is the format a file's name says, or "" when it says none.
func formatByExtension(source string) string {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".csv":
		return "csv"
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	}
	return ""
}

// sniffFormat guesses the format of a file from its first bytes, head: by the first
// byte that is not blank, after a byte-order mark. "[" (or "{", to say that an array
// is wanted) is JSON; "-" (an item or "---") or "#" (a comment) is YAML; anything else,
// CSV.
func sniffFormat(head []byte) string {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) == 0 {
		return "csv"
	}
	switch head[0] {
	case '[', '{':
		return "json"
	case '-', '#':
		return "yaml"
	}
	return "csv"
}

// itemChecker checks the invites of a YAML or JSON file as ReadCSV checks a CSV file's
// rows, collecting the valid ones and the problems.
type itemChecker struct {
	checker
	kind *listKind
	// take reads an item; nil: an invite (itemChecker.invite).
	take  func(line int, fields []field, msgs []string)
	items int     // items seen
	stop  stopped // why the reading stopped early, if it did
}

// tooMany counts an item, on line, and reports whether it is one more than MaxInvites:
// the reader then stops, with that problem.
func (c *itemChecker) tooMany(line int) bool {
	if c.items++; c.items <= MaxInvites {
		return false
	}
	c.stop = stopped{line: line, msg: fmt.Sprintf("more than %d %s, the most one file may have (stopped reading here)", MaxInvites, c.kind.noun)}
	return true
}

// field is one key of an item and its value.
type field struct {
	key   string
	value string // the text of the value; "" for null
	bad   string // what is wrong with the value if it is not text or null, or ""
	// boolean is a JSON true or false ("true", "false"; bad says it is not text), for
	// a key that takes one.
	boolean string
}

// item reads one item, on line, with its fields and the problems msgs its reader
// found: with take, or as an invite.
func (c *itemChecker) item(line int, fields []field, msgs ...string) {
	if c.take != nil {
		c.take(line, fields, msgs)
		return
	}
	c.invite(line, fields, msgs...)
}

// invite reads one item, on line, with its fields and the problems msgs its reader
// found, as a candidate: its email as the file holds it, its role (without case, a
// file's convenience; empty, null or missing means member).
func (c *itemChecker) invite(line int, fields []field, msgs ...string) {
	values := map[string]string{}
	badValue := false
	for _, f := range fields {
		key := strings.ToLower(f.key)
		_, twice := values[key]
		switch {
		case key != "email" && key != "role":
			msgs = append(msgs, fmt.Sprintf("unknown key %s (want email and role)", quoted(f.key)))
			continue
		case twice:
			msgs = append(msgs, fmt.Sprintf("key %s given twice", key))
		case f.bad != "":
			msgs = append(msgs, f.bad)
			badValue = true
		}
		values[key] = f.value
	}
	if badValue { // said already; checking the empty value would only repeat it
		c.report(line, "%s", strings.Join(msgs, "; "))
		return
	}
	inv, given := tsinvites.CreateUserInviteRequest{Email: values["email"], Role: tsinvites.UserRoleMember}, false
	if r := strings.ToLower(strings.TrimSpace(values["role"])); r != "" {
		inv.Role, given = tsinvites.UserRole(r), true
	}
	c.add(line, inv, given, strings.Join(msgs, "; "))
}
