// Package jsonbody reads JSON answers as a stream: within a size cap, refusing long runs
// of white space, keeping the connection's error apart from bad JSON, and decoding large
// arrays an element at a time.
package jsonbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// MaxSpaceRun is the longest run of white space an answer may have.
const MaxSpaceRun = 4096

// Errors of an answer that decodes but is not one JSON value.
var (
	ErrTrailingData = errors.New("the answer has more after its JSON value")
	ErrSpaceRun     = fmt.Errorf("the answer has more than %d white space characters in a row, which the API never sends", MaxSpaceRun)
	// ErrDuplicateKey is an object that names a member twice: which one the API meant
	// is unknown (encoding/json would silently keep the last).
	ErrDuplicateKey = errors.New("the answer's object has a duplicated key")
)

// Reader reads a body up to a limit and keeps the connection's first error (not
// io.EOF), so that a body cut short is told from bad JSON. With LimitSpace it refuses a
// long run of white space, which encoding/json's Decoder rescans on every read.
type Reader struct {
	R          io.Reader
	Left       int64 // bytes it may still read
	Err        error // the first error of R other than io.EOF
	LimitSpace bool
	spaceRun   int // white space characters in a row so far
}

// Read reads from R within the limits.
func (b *Reader) Read(p []byte) (int, error) {
	if b.Left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.Left {
		p = p[:b.Left]
	}
	n, err := b.R.Read(p)
	b.Left -= int64(n)
	if err != nil && err != io.EOF && b.Err == nil {
		b.Err = err
	}
	if b.LimitSpace {
		run := b.spaceRun // in a local: this loop sees every byte of an answer
		for _, c := range p[:n] {
			switch {
			case c > ' ': // most bytes: one comparison
				run = 0
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				if run++; run > MaxSpaceRun {
					return 0, ErrSpaceRun
				}
			default:
				run = 0
			}
		}
		b.spaceRun = run
	}
	return n, err
}

// Array decodes a JSON array element by element (the decoder never holds the whole
// body) into blocks, each twice as long as the one before (up to 4,096 elements),
// joined once at the end. null gives nil.
func Array[T any](dec *json.Decoder) (_ []T, err error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("the answer is not a JSON array but starts with %q", fmt.Sprint(tok))
	}
	defer func() { // once the array has begun, its end is missing, not the answer
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
	}()
	var blocks [][]T
	block := make([]T, 0, 1) // doubling: a short list costs no more than its length
	for dec.More() {
		if len(block) == cap(block) {
			blocks = append(blocks, block)
			block = make([]T, 0, min(2*cap(block), 4096))
		}
		block = append(block, *new(T))
		if err := dec.Decode(&block[len(block)-1]); err != nil { // in place: no copy
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, err
	}
	if len(blocks) == 0 {
		return block, nil
	}
	return slices.Concat(append(blocks, block)...), nil
}

// Field decodes the array under key of a JSON object with [Array], skipping the
// object's other members; found says whether the key was there. An object that names
// any member twice is refused with [ErrDuplicateKey].
func Field[T any](dec *json.Decoder, key string) (list []T, found bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	if tok != json.Delim('{') {
		return nil, false, fmt.Errorf("the answer is not a JSON object but starts with %q", fmt.Sprint(tok))
	}
	var seen map[string]bool // made at the second member: most answers have one
	first := ""
	for n := 0; dec.More(); n++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, false, err
		}
		name, _ := tok.(string) // a member's name is always a string
		switch {
		case n > 0 && name == first || seen[name]:
			return nil, false, fmt.Errorf("%w: %s", ErrDuplicateKey, strconv.QuoteToASCII(name[:min(len(name), 40)]))
		case n == 0:
			first = name
		case seen == nil:
			seen = map[string]bool{name: true}
		default:
			seen[name] = true
		}
		if name == key {
			if list, err = Array[T](dec); err != nil {
				return nil, false, err
			}
			found = list != nil
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, false, err
	}
	return list, found, nil
}

// End refuses data after the JSON value the decoder has read, quoting its start.
func End(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		extra, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 40))
		return fmt.Errorf("%w: %s (a proxy or cache between this program and the API may have changed the answer)",
			ErrTrailingData, strconv.QuoteToASCII(string(extra)))
	}
	return nil
}
