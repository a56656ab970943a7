package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// readJSON reads the items of a JSON file, one array of objects.
func (c *itemChecker) readJSON(data []byte) {
	lines := lineCounter{data: data, line: 1}
	start := skipBlank(data, 0)
	switch {
	case start == len(data):
		c.report(1, "no %s: the file is empty; %s", c.kind.noun, c.kind.jsonExample)
		return
	case data[start] != '[':
		c.report(lines.at(start), "the file is %s; %s", jsonKind(data[start]), c.kind.jsonExample)
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
		c.report(lines.at(start), "no %s: the array is empty", c.kind.noun)
	}
}

// jsonItem checks one element of the array, raw, which is on line.
func (c *itemChecker) jsonItem(line int, raw json.RawMessage) {
	if raw[0] != '{' {
		c.report(line, "the item is %s; want an object, like %s", jsonKind(raw[0]), c.kind.jsonItem)
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
		case 't', 'f':
			f.boolean = string(value)
			fallthrough
		default:
			f.bad = fmt.Sprintf("%s is %s; want a string", textsafe.Shorten(f.key, 40), jsonKind(value[0]))
		}
		fields = append(fields, f)
	}
	if err != nil { // not expected: raw is valid JSON
		c.report(line, "%v", err)
		return
	}
	c.item(line, fields)
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
