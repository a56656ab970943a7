package input

import (
	"fmt"
	"io"
)

// errTooBig is returned by capReader past its limit.
var errTooBig = fmt.Errorf("the file is larger than %d MiB", MaxCSVBytes>>20)

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
