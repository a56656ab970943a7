package tsinvites

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
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
// proportion to its square: the decoder is given one character of each run of white
// space outside strings, and everything else as it came.
func TestWhiteSpaceRunsReachTheDecoderOnce(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(bytes.Repeat([]byte(" \n\t\r"), maxBody/4))
	_ = w.Close()
	plain, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	body := &bodyReader{r: plain, left: maxBody + 1, skipSpace: true}
	seen := &countingReader{r: body}
	var invites []UserInvite
	err = decodeAnswer(json.NewDecoder(seen), &invites)
	if err == nil || seen.n > 1 {
		t.Errorf("decoder given %d bytes of %d MiB of white space (err %v), want at most 1", seen.n, maxBody>>20, err)
	}

	const doc = "[ {\"id\" :\t\"1\",\n\n \"email\": \"a  b\\\"  c@x\"} ]  \n\n <!-- x  y -->"
	body = &bodyReader{r: strings.NewReader(doc), left: maxBody + 1, skipSpace: true}
	got, _ := io.ReadAll(body)
	if want := "[ {\"id\" :\t\"1\",\n\"email\": \"a  b\\\"  c@x\"} ] <!-- x y -->"; string(got) != want {
		t.Errorf("read %q, want %q", got, want)
	}
}
