package main

import (
	"errors"
	"fmt"

	"github.com/tsinvites/tsinvites"
)

// Exit codes.
const (
	exitOK      = 0 // everything was done
	exitFailed  = 1 // nothing (or the one thing) was done
	exitUsage   = 2 // refused before sending anything: bad flag, argument, CSV or credential
	exitPartial = 3 // some items were done and some were not
	exitChanges = 4 // plan --detailed-exitcode: the plan has changes
)

// exitError is an error with the exit code it calls for. A nil err means the problem
// was already reported (item by item) and only the code is left.
type exitError struct {
	code int
	err  error
	// own says err's text is the CLI's own, printed after the program's prefix; an
	// error of the library carries its package's prefix and is printed as it is.
	own bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// flagProblem marks an error in the command line itself, which the help can fix.
type flagProblem struct{ error }

func (f flagProblem) Unwrap() error { return f.error }

// isFlagProblem reports whether err is a problem of the command line (see flagErrorf).
func isFlagProblem(err error) bool {
	var fp flagProblem
	return errors.As(err, &fp)
}

// flagErrorf is the one way to report a problem with the command line (a flag, an
// argument, flags that do not go together): exit code 2, followed by a pointer to the
// command's help. Format as for fmt.Errorf; %w keeps an error as the cause.
func flagErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: flagProblem{fmt.Errorf(format, args...)}, own: true}
}

// usageErrorf is bad input found before anything was sent (a file, a credential, an
// answer needed): exit code 2. Format as for fmt.Errorf.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...), own: true}
}

// failedf is a failure of the command in the CLI's own words: exit code 1.
func failedf(format string, args ...any) error {
	return &exitError{code: exitFailed, err: fmt.Errorf(format, args...), own: true}
}

// usage is the library's err (with its package prefix), found before anything was
// sent: exit code 2.
func usage(err error) error { return &exitError{code: exitUsage, err: err} }

// failed is the library's err (with its package prefix) as the command's failure: exit
// code 1.
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// apiFailure is the exit error for a single call that failed: a usage error when the
// library refused the input before sending, a failure otherwise.
func apiFailure(err error) error {
	if errors.Is(err, tsinvites.ErrInvalidInput) {
		return usage(err)
	}
	return failed(err)
}
