package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// env is everything the command takes from the process, so that tests run it in-process
// with their own streams, variables and clock. There is no other global state.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// stdinTTY, stdoutTTY and stderrTTY say whether the streams are terminals: the
	// default output format, colours, the progress bar and apply's confirmation prompt
	// depend on them.
	stdinTTY, stdoutTTY, stderrTTY bool
	// httpClient sends the requests to the API (not to --fake's); nil means the
	// library's default. Tests give one over an in-memory network.
	httpClient *http.Client
	// prompter asks apply's question; nil means one on stdin and stderr.
	prompter prompter
}

// run runs the command line args (without the program name) and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	help := fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath()) // the failing command's help
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			printError(e.stderr, xe.err, xe.own)
			if xe.code == exitUsage && isFlagProblem(xe.err) {
				fmt.Fprintln(e.stderr, help)
			}
		}
		return xe.code
	}
	// Anything else comes from cobra itself: an unknown command, flag or argument count.
	// Its suggestions are indented with a tab, which printError would show as \t.
	printError(e.stderr, errors.New(strings.ReplaceAll(err.Error(), "\n\t", "\n  ")), true)
	fmt.Fprintln(e.stderr, help)
	return exitUsage
}

// printError prints err on w, each of its lines made printable: every error the command
// prints goes through here. The CLI's own errors (own) get the program's prefix; the
// library's carry their package's ("tsinvites: ", "reconcile: ").
func printError(w io.Writer, err error, own bool) {
	msg := err.Error()
	if own {
		msg = "tsinvites: " + msg
	}
	for line := range strings.SplitSeq(msg, "\n") {
		printLine(w, "%s", line)
	}
}
