package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/muesli/cancelreader"
)

// prompter asks a person a question, as cli/cli's internal/prompter does: injected into
// the options that need it, so that a test never reads a real stdin.
type prompter interface {
	// Confirm asks question and reports whether the answer is "yes" (only that agrees).
	// It returns when ctx ends, with an error, and leaves nothing running.
	Confirm(ctx context.Context, question string) (bool, error)
}

// streamPrompter asks on out (stderr) and reads the answer, one line, from in (stdin).
type streamPrompter struct {
	in  io.Reader
	out io.Writer
}

// newPrompter is env's prompter, or one on stdin and stderr.
func newPrompter(e *env) prompter {
	if e.prompter != nil {
		return e.prompter
	}
	return streamPrompter{in: e.stdin, out: e.stderr}
}

// Confirm asks question on out and reads the answer from in. When ctx ends first, the
// read is cancelled (a terminal or pipe, through cancelreader; a reader that can be
// closed, by closing it) and waited for, so no goroutine outlives the call; only a
// reader that is neither (such as a strings.Reader, which never blocks) is not waited for.
func (p streamPrompter) Confirm(ctx context.Context, question string) (bool, error) {
	fmt.Fprint(p.out, printable(question))
	in, err := cancelreader.NewReader(p.in)
	if err != nil { // a regular file, which epoll refuses: its reads never block
		in = nil
	}
	src := p.in
	if in != nil {
		defer in.Close()
		src = in
	}
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(src).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case a := <-answer:
		return a == "yes", nil
	case <-ctx.Done():
	}
	fmt.Fprintln(p.out)
	cancelled := in != nil && in.Cancel()
	if c, ok := p.in.(io.Closer); !cancelled && ok {
		cancelled = c.Close() == nil
	}
	if cancelled {
		<-answer // the read has returned: nothing is left running
	}
	return false, fmt.Errorf("no answer (%s); nothing was sent", stopReason(ctx))
}
