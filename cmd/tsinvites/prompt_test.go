package main

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// signalWriter is a writer that closes written the first time it is written to.
type signalWriter struct {
	once    sync.Once
	written chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.written) })
	return len(p), nil
}

// A prompt whose context ends while it waits for an answer returns, and leaves no
// goroutine reading stdin (issue 24, item 9). Before, confirm's reading goroutine stayed
// blocked on stdin for as long as the process lived: goleak found it here, and
// TestMain's check would have too. Stdin is a pipe (a terminal reads the same way) and
// an io.Pipe (a reader that is not a file). Not parallel: goleak compares the
// goroutines with those before the test.
func TestConfirmLeavesNothingRunning(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	for name, in := range map[string]io.Reader{"os.Pipe": r, "io.Pipe": pr} {
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			out := &signalWriter{written: make(chan struct{})}
			ctx, cancel := context.WithCancel(t.Context())
			go func() { <-out.written; cancel() }() // interrupted once the question is asked
			ok, err := streamPrompter{in: in, out: out}.Confirm(ctx, "Apply? ")
			if ok || err == nil || !strings.Contains(err.Error(), "no answer (interrupted)") {
				t.Errorf("Confirm = %t, %v; want false and no answer (interrupted)", ok, err)
			}
		})
	}
}

// A prompt reads one line: only "yes" agrees.
func TestConfirmAnswers(t *testing.T) {
	t.Parallel()
	for answer, want := range map[string]bool{"yes\n": true, " yes \n": true, "y\n": false, "YES\n": false, "": false, "no\n": false} {
		var out strings.Builder
		ok, err := streamPrompter{in: strings.NewReader(answer), out: &out}.Confirm(t.Context(), "Apply?\x1b[2J ")
		if ok != want || err != nil {
			t.Errorf("answer %q: %t, %v; want %t", answer, ok, err, want)
		}
		if out.String() != `Apply?\x1b[2J ` {
			t.Errorf("question printed as %q, want it made printable", out.String())
		}
	}
}
