package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites/internal/fakeserver"
)

// get runs on the project's one worker pool: a 429 whose Retry-After is longer than the
// client waits stops it, and the IDs not yet asked for are reported not started, with
// the wait the API asked for (before, get's own pool went on asking after a 429).
func TestGetStopsOnLongRateLimit(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	srv.InjectFault(fakeserver.OpGet, 1, fakeserver.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3600"})
	before := srv.TotalRequests()
	got := cli(t, vars, "get", "1", "2", "3", "--concurrency", "1", "-o", "json")
	if got.code != exitFailed || !strings.Contains(got.stderr, "get invite 2: not started: the API asked to wait 1h0m0s (rate limited)") {
		t.Errorf("exit %d, want %d; stderr:\n%s", got.code, exitFailed, got.stderr)
	}
	if n := srv.TotalRequests() - before; n != 1 {
		t.Errorf("%d requests, want 1: none after the 429", n)
	}
}
