package jsonbody

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// countingReader counts the bytes it hands on.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

const maxBody = 16 << 20

// A body of white space (17 KB gzipped, 16 MiB plain) must not make encoding/json work in
// proportion to its square: the body is refused after a run of MaxSpaceRun, so the
// decoder is given little of it.
func TestLongWhiteSpaceRunsAreRefused(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(bytes.Repeat([]byte(" \n\t\r"), maxBody/4))
	_ = w.Close()
	plain, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	seen := &countingReader{r: &Reader{R: plain, Left: maxBody + 1, LimitSpace: true}}
	_, err = Array[struct{ ID string }](json.NewDecoder(seen))
	if !errors.Is(err, ErrSpaceRun) || seen.n > 64<<10 {
		t.Errorf("decoder given %d bytes of %d MiB of white space (err %v), want ErrSpaceRun within 64 KiB", seen.n, maxBody>>20, err)
	}

	// White space as the API sends it (and more) still reads as it came.
	doc := "[ {\"id\" :\t\"1\",\n\n \"email\": \"a" + strings.Repeat(" ", MaxSpaceRun) + "b\"} ]"
	got, err := io.ReadAll(&Reader{R: strings.NewReader(doc), Left: maxBody + 1, LimitSpace: true})
	if err != nil || string(got) != doc {
		t.Errorf("read %d bytes, %v; want the document as it came", len(got), err)
	}
}

// Field streams the array under its key and skips the object's other members; a missing
// key is told apart from an empty array.
func TestField(t *testing.T) {
	t.Parallel()
	type user struct{ ID string }
	for _, c := range []struct {
		doc   string
		want  int
		found bool
		fails bool
	}{
		{`{"next":{"a":[1,2]},"users":[{"ID":"1"},{"ID":"2"}],"x":null}`, 2, true, false},
		{`{"users":[]}`, 0, true, false},
		{`{"other":[]}`, 0, false, false},
		{`{"users":null}`, 0, false, false},
		{`{"users":[{"ID":"1"}`, 0, false, true},
		{`[]`, 0, false, true},
	} {
		list, found, err := Field[user](json.NewDecoder(strings.NewReader(c.doc)), "users")
		if len(list) != c.want || found != c.found || (err != nil) != c.fails {
			t.Errorf("Field(%s) = %d users, found %v, err %v; want %d, %v, error %v", c.doc, len(list), found, err, c.want, c.found, c.fails)
		}
	}
}

// An object naming a member twice is refused, whichever member it is and however its
// name is escaped; an object naming each once is read.
func TestFieldRefusesDuplicatedKeys(t *testing.T) {
	t.Parallel()
	for body, wantErr := range map[string]bool{
		`{"users":[1],"users":[]}`:      true,
		`{"users":[1],"us\u0065rs":[]}`: true,
		`{"a":1,"users":[1],"a":2}`:     true,
		`{"a":1,"users":[1],"A":2}`:     false,
		`{"users":[1],"next":"x"}`:      false,
	} {
		list, _, err := Field[int](json.NewDecoder(strings.NewReader(body)), "users")
		if got := errors.Is(err, ErrDuplicateKey); got != wantErr || wantErr && list != nil {
			t.Errorf("Field(%s) = %v, %v; want ErrDuplicateKey %v", body, list, err, wantErr)
		}
	}
}
