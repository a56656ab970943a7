package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestConcurrencyBounded: never more than --concurrency requests at once; a progress bar
// on a terminal for more than 20 items. In a synctest bubble each delete holds its
// answer 5 ms of the bubble's clock, which moves only when every goroutine waits: by
// then every delete sent at once has arrived, so the most in flight is exactly the
// bound, on any machine.
func TestConcurrencyBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var inFlight, most atomic.Int32
		var mu sync.Mutex
		f, vars, hc := pipeServer(t, func(_ *tsinvitestest.Fake, r *http.Request) {
			if r.Method != http.MethodDelete {
				return
			}
			n := inFlight.Add(1)
			mu.Lock()
			most.Store(max(most.Load(), n))
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // the others pile up before the clock moves
			inFlight.Add(-1)
		})
		var ids []string
		var reqs []tsinvites.CreateUserInviteRequest
		for i := range 30 {
			ids = append(ids, fmt.Sprint(i+1))
			reqs = append(reqs, tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("u%d@example.com", i)})
		}
		c, err := tsinvites.New(tsinvites.Config{APIKey: vars["TAILSCALE_API_KEY"], BaseURL: vars["TAILSCALE_BASE_URL"], HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Create(t.Context(), reqs...); err != nil {
			t.Fatal(err)
		}
		got := invocation{args: append([]string{"delete", "--concurrency", "3", "-o", "table"}, ids...), vars: vars, stderrTTY: true, httpClient: hc}.run(t)
		if got.code != exitOK {
			t.Fatalf("exit %d; stderr:\n%s", got.code, got.stderr)
		}
		if m := most.Load(); m != 3 {
			t.Errorf("at most %d deletes at once, want 3", m)
		}
		if n := len(f.Invites()); n != 0 {
			t.Errorf("%d invites left", n)
		}
		if !strings.Contains(got.stderr, "deleting") || !strings.Contains(got.stderr, "Deleted 30 invites.") {
			t.Errorf("no progress bar, or no summary, on stderr:\n%q", got.stderr)
		}
		if strings.Contains(got.stderr, "deleted invite 7\n") {
			t.Errorf("behind a progress bar, a full success lists no items:\n%s", got.stderr)
		}
	})
}
