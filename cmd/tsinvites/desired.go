package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tsinvites/tsinvites"
)

// Examples of the wanted shapes, for messages about a file of the wrong shape.
const (
	yamlExample = `want a list of invites, like "- email: a@example.com" (role: on the next line, optional)`
	jsonExample = `want an array of invites, like [{"email": "a@example.com", "role": "admin"}]`
)

// maxTreeBytes caps a YAML or JSON file, which is parsed whole into a tree that takes
// up to 200 times its size in memory for a file of many tiny items (a CSV file is read
// row by row). 4 MiB is some 80,000 invites.
const maxTreeBytes = 4 << 20

// sniffBytes is how much of the input readDesired looks at to guess its format.
const sniffBytes = 64 << 10

// utf8BOM is the byte-order mark some editors put at the start of a UTF-8 file.
var utf8BOM = []byte("\uFEFF")

// readDesired reads the invites of a plan or apply file from r. format is "csv", "yaml",
// "json", or "" to decide: by source's extension (.csv; .yaml/.yml; .json), otherwise
// (stdin "-", other extensions) by sniffing the content.
//
// A CSV file is read by readCSV, with the columns cols names; cols are for CSV only. A YAML file is a list of mappings and a JSON file an
// array of objects, each with the keys email (required) and role (optional; empty, null
// or missing means member); keys are case-insensitive as CSV column names are. Every
// invite gets readCSV's checks, and every problem is reported at once in an *inputError
// naming the line of the invite (the line of its "-" or "{"). When the format was not
// given, messages name the one assumed, as in "invites.txt (read as YAML): ...".
func readDesired(r io.Reader, source, format string, cols csvColumns) (csvFile, error) {
	name := source
	if source == "-" {
		name = "stdin"
	}
	switch format {
	case "csv", "yaml", "json":
	case "":
		format = formatByExtension(source)
		if format == "" {
			br := bufio.NewReaderSize(r, sniffBytes)
			head, err := br.Peek(sniffBytes)
			if err != nil && !errors.Is(err, io.EOF) {
				return csvFile{}, fmt.Errorf("%s: %w", name, err)
			}
			format, r = sniffFormat(head), br
		}
		name = fmt.Sprintf("%s (read as %s)", name, strings.ToUpper(format))
	default:
		return csvFile{}, fmt.Errorf("unknown format %q (want csv, yaml or json)", format)
	}
	if format == "csv" {
		return readCSV(r, name, "", cols)
	}
	if cols.given() {
		return csvFile{}, fmt.Errorf("%s: --email-column and --role-column are for CSV files; a %s file has the keys email and role", name, strings.ToUpper(format))
	}

	data, err := io.ReadAll(&capReader{r: r, n: maxTreeBytes})
	c := &itemChecker{bad: &inputError{source: name, unit: "line"}, firstLine: map[string]int{}}
	switch {
	case errors.Is(err, errTooBig):
		c.report(bytes.Count(data, []byte("\n"))+1, "the file is larger than %d MiB, the limit for YAML and JSON (CSV may have %d MiB)", maxTreeBytes>>20, maxCSVBytes>>20)
		return csvFile{}, c.bad
	case err != nil:
		return csvFile{}, fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if format == "yaml" {
		c.readYAML(data)
	} else {
		c.readJSON(data)
	}
	if c.bad.count() > 0 {
		return csvFile{}, c.bad
	}
	return csvFile{rows: c.rows}, nil
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

// itemChecker checks the invites of a YAML or JSON file as readCSV checks a CSV file's
// rows, collecting the valid ones and the problems.
type itemChecker struct {
	bad       *inputError
	rows      []inviteRow
	firstLine map[string]int // lower-cased email → line of the item it was first in
	items     int            // items seen
}

// tooMany counts an item, on line, and reports whether it is one more than maxInvites:
// the reader then stops, with that problem.
func (c *itemChecker) tooMany(line int) bool {
	if c.items++; c.items <= maxInvites {
		return false
	}
	c.bad.stop(line, "more than %d invites, the most one file may have (stopped reading here)", maxInvites)
	return true
}

// field is one key of an item and its value.
type field struct {
	key   string
	value string // the text of the value; "" for null
	bad   string // what is wrong with the value if it is not text or null, or ""
}

// report adds a problem on a line.
func (c *itemChecker) report(line int, format string, args ...any) {
	c.bad.add(line, format, args...)
}

// add checks one item, on line, with its fields and the problems msgs its reader found,
// and adds either a row or one problem listing all that is wrong with it.
func (c *itemChecker) add(line int, fields []field, msgs ...string) {
	values := map[string]string{}
	badValue := false
	for _, f := range fields {
		key := strings.ToLower(f.key)
		_, twice := values[key]
		switch {
		case key != "email" && key != "role":
			msgs = append(msgs, fmt.Sprintf("unknown key %q (want email and role)", shortText(f.key)))
			continue
		case twice:
			msgs = append(msgs, fmt.Sprintf("key %s given twice", key))
		case f.bad != "":
			msgs = append(msgs, f.bad)
			badValue = true
		}
		values[key] = f.value
	}
	email, hasEmail := values["email"]
	email = strings.TrimSpace(email)
	role := tsinvites.UserRoleMember
	if r := strings.ToLower(strings.TrimSpace(values["role"])); r != "" {
		role = tsinvites.UserRole(r)
	}
	switch {
	case !hasEmail:
		msgs = append(msgs, "no email")
	case badValue: // said already; checking the empty value would only repeat it
	default:
		if msg := checkInvite(email, role); msg != "" {
			msgs = append(msgs, msg)
		}
	}
	if msg := duplicateEmail(c.firstLine, email, line, "on line"); msg != "" {
		msgs = append(msgs, msg)
	}
	if len(msgs) > 0 {
		c.report(line, "%s", strings.Join(msgs, "; "))
		return
	}
	// fromCSV means that line is a line of the input file, as it is here.
	c.rows = append(c.rows, inviteRow{line: line, fromCSV: true, req: tsinvites.CreateUserInviteRequest{Email: email, Role: role}})
}

// yamlErrLine matches the line the YAML parser puts in its errors.
var yamlErrLine = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// readYAML reads the items of a YAML file, one document holding a list of mappings. It
// walks the parsed nodes and refuses aliases, so the work stays in proportion to the
// input.
func (c *itemChecker) readYAML(data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		c.report(1, "no invites: the file is empty; %s", yamlExample)
		return
	case err != nil:
		c.yamlError(err)
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		c.report(extra.Line, "a second YAML document (after ---); want one list of invites")
		return
	case !errors.Is(err, io.EOF):
		c.yamlError(err)
		return
	}
	if len(doc.Content) != 1 { // the parser makes one child, but be sure
		c.report(doc.Line, "no invites: the file is empty; %s", yamlExample)
		return
	}
	list := doc.Content[0]
	switch {
	case list.Kind == yaml.ScalarNode && list.ShortTag() == "!!null":
		c.report(list.Line, "no invites: the file is empty; %s", yamlExample)
		return
	case list.Kind != yaml.SequenceNode:
		c.report(list.Line, "the file is %s; %s", yamlKind(list), yamlExample)
		return
	case len(list.Content) == 0:
		c.report(list.Line, "no invites: the list is empty")
		return
	}
	for _, item := range list.Content {
		if c.tooMany(item.Line) {
			break
		}
		if item.Kind != yaml.MappingNode {
			c.report(item.Line, "the item is %s; want a mapping, like \"- email: a@example.com\"", yamlKind(item))
			continue
		}
		var fields []field
		var msgs []string
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				msgs = append(msgs, fmt.Sprintf("a key is %s; want email or role", yamlKind(k)))
				continue
			}
			f := field{key: k.Value}
			switch {
			case v.Kind != yaml.ScalarNode:
				f.bad = fmt.Sprintf("%s is %s; want text", shortText(k.Value), yamlKind(v))
			case v.ShortTag() != "!!null":
				f.value = v.Value
			}
			fields = append(fields, f)
		}
		c.add(item.Line, fields, msgs...)
	}
}

// yamlError reports an error of the YAML parser, on its line when it names one.
func (c *itemChecker) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			line = n
		}
		msg = msg[len(m[0]):]
	}
	c.report(line, "%s (not valid YAML)", strings.TrimPrefix(msg, "yaml: "))
}

// yamlKind names the kind of a YAML node for a message.
func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return fmt.Sprintf("an alias (*%s; aliases are not supported)", shortText(n.Value))
	case yaml.ScalarNode:
		return fmt.Sprintf("a single value (%q)", shortText(n.Value))
	}
	return "not a list, mapping or value"
}

// readJSON reads the items of a JSON file, one array of objects.
func (c *itemChecker) readJSON(data []byte) {
	lines := lineCounter{data: data, line: 1}
	start := skipBlank(data, 0)
	switch {
	case start == len(data):
		c.report(1, "no invites: the file is empty; %s", jsonExample)
		return
	case data[start] != '[':
		c.report(lines.at(start), "the file is %s; %s", jsonKind(data[start]), jsonExample)
		return
	case !json.Valid(data):
		// Unmarshal checks the whole input before decoding it, so its error says
		// where in data the first mistake is (a Decoder's may count from the value
		// it was decoding).
		err := json.Unmarshal(data, new(json.RawMessage))
		off := len(data)
		if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
			off = int(se.Offset) - 1 // Offset counts the bad byte
		}
		c.report(lines.at(off), "%v (not valid JSON)", err)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	_, err := dec.Token() // the [
	items := 0
	for err == nil && dec.More() {
		// The element starts after blanks and, from the second on, a comma.
		off := skipBlank(data, int(dec.InputOffset()))
		if off < len(data) && data[off] == ',' {
			off = skipBlank(data, off+1)
		}
		if c.tooMany(lines.at(off)) {
			break
		}
		var raw json.RawMessage
		if err = dec.Decode(&raw); err == nil {
			items++
			c.jsonItem(lines.at(off), raw)
		}
	}
	switch {
	case err != nil: // not expected: data is valid JSON
		c.report(lines.at(int(dec.InputOffset())), "%v", err)
	case items == 0:
		c.report(lines.at(start), "no invites: the array is empty")
	}
}

// jsonItem checks one element of the array, raw, which is on line.
func (c *itemChecker) jsonItem(line int, raw json.RawMessage) {
	if raw[0] != '{' {
		c.report(line, "the item is %s; want an object, like {\"email\": \"a@example.com\"}", jsonKind(raw[0]))
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var fields []field
	_, err := dec.Token() // the {
	for err == nil && dec.More() {
		var key json.Token
		var value json.RawMessage
		if key, err = dec.Token(); err != nil {
			break
		}
		if err = dec.Decode(&value); err != nil {
			break
		}
		f := field{key: fmt.Sprint(key)}
		switch value[0] {
		case '"':
			err = json.Unmarshal(value, &f.value)
		case 'n': // null
		default:
			f.bad = fmt.Sprintf("%s is %s; want a string", shortText(f.key), jsonKind(value[0]))
		}
		fields = append(fields, f)
	}
	if err != nil { // not expected: raw is valid JSON
		c.report(line, "%v", err)
		return
	}
	c.add(line, fields)
}

// jsonKind names the kind of the JSON value that starts with b for a message.
func jsonKind(b byte) string {
	switch b {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	}
	return "not JSON"
}

// skipBlank is the offset of the first byte of data at or after off that is not JSON
// white space, or len(data).
func skipBlank(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	for off < len(data) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
		off++
	}
	return off
}

// lineCounter finds the line of offsets in data, counting the line ends between
// the offset it was asked last and the next, so that asking in increasing order costs
// one pass over the data.
type lineCounter struct {
	data []byte
	off  int // the last offset asked
	line int // its line
}

// at is the line (from 1) of the byte at off.
func (l *lineCounter) at(off int) int {
	off = min(max(off, 0), len(l.data))
	if off < l.off {
		l.off, l.line = 0, 1
	}
	l.line += bytes.Count(l.data[l.off:off], []byte("\n"))
	l.off = off
	return l.line
}
