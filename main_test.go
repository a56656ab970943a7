package tsinvites_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left behind when they end: a
// retry wait, a token fetch or a connection the client forgot.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
