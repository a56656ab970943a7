package tsinvites

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

// A body of white space (17 KB gzipped, 16 MiB plain) must not make encoding/json work in
// proportion to its square: the body is refused after a run of maxSpaceRun, so the
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
	seen := &countingReader{r: &bodyReader{r: plain, left: maxBody + 1, limitSpace: true}}
	var invites []UserInvite
	err = decodeAnswer(json.NewDecoder(seen), &invites)
	if !errors.Is(err, errSpaceRun) || seen.n > 64<<10 {
		t.Errorf("decoder given %d bytes of %d MiB of white space (err %v), want errSpaceRun within 64 KiB", seen.n, maxBody>>20, err)
	}

	// White space as the API sends it (and more) still reads as it came.
	doc := "[ {\"id\" :\t\"1\",\n\n \"email\": \"a" + strings.Repeat(" ", maxSpaceRun) + "b\"} ]"
	got, err := io.ReadAll(&bodyReader{r: strings.NewReader(doc), left: maxBody + 1, limitSpace: true})
	if err != nil || string(got) != doc {
		t.Errorf("read %d bytes, %v; want the document as it came", len(got), err)
	}
}
