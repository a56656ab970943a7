package tsinvites_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestLoad makes 1,000 calls from 64 goroutines against the fake with one client: all
// succeed, and the client reuses its connections (about one per goroutine).
func TestLoad(t *testing.T) {
	t.Parallel()
	const calls, workers = 1000, 64
	srv := tsinvitestest.Start(t, tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "seed@example.com"}))
	c := srv.Client() // the default HTTP client, as users get it
	jobs := make(chan int)
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				// Each group of four calls creates an invite, gets it, lists, deletes it.
				created, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("user%d@example.com", j)})
				if err == nil {
					_, err = c.Get(t.Context(), created[0].ID)
				}
				if err == nil {
					_, err = c.List(t.Context())
				}
				if err == nil {
					err = c.Delete(t.Context(), created[0].ID)
				}
				if err != nil {
					failed.Add(1)
					t.Errorf("group %d: %v", j, err)
				}
			}
		})
	}
	for j := range calls / 4 {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	if n := srv.TotalRequests(); n != calls {
		t.Errorf("the fake saw %d requests, want %d", n, calls)
	}
	conns := srv.Connections()
	t.Logf("%d calls from %d goroutines: %d failed, %d connections", calls, workers, failed.Load(), conns)
	// The client reuses its connections: at most one per goroutine at a time (the
	// default client's cap). Over the run, a connection the kernel or the server closes
	// is replaced, and the server may see the new one before the old one's close, so the
	// total is not bounded by workers exactly; a client that does not reuse connections
	// (net/http's default of 2 idle ones per host) opens hundreds.
	if conns > 2*workers {
		t.Errorf("the client opened %d connections for %d goroutines and %d calls: it does not reuse them", conns, workers, calls)
	}
	if left := srv.Invites(); len(left) != 1 || left[0].Email != "seed@example.com" {
		t.Errorf("the store has %d invites afterwards, want only the seed", len(left))
	}
}

// TestHugeBodyIsAnErrorNotOutOfMemory reads a 100 MiB answer, as a 200 and as a 500:
// both are errors, and the client allocates less than the body. (A 200 is decoded up to
// its 16 MiB cap, into invites: about 64 MiB in all.) Not parallel, so that the
// allocation count is the call's own.
func TestHugeBodyIsAnErrorNotOutOfMemory(t *testing.T) {
	const huge = 100 << 20
	for _, status := range []int{200, 500} {
		srv := tsinvitestest.Start(t)
		srv.InjectFault(tsinvitestest.OpList, 3, tsinvitestest.Fault{Status: status, HugeBody: huge})
		c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: srv.URL, Retry: fastRetries})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = c.List(t.Context())
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%d with a 100 MiB body: no error", status)
		}
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d with a 100 MiB body: %v; %d MiB allocated", status, err, allocated>>20)
		if allocated > 80<<20 {
			t.Errorf("%d with a 100 MiB body: the client allocated %d MiB", status, allocated>>20)
		}
		if status == 500 && !strings.Contains(err.Error(), "500") {
			t.Errorf("err = %v, want the 500", err)
		}
	}
}

// TestRedirectFromHTTPSToHTTPIsRefused: an https API redirecting to plain http, on the
// same host and port or another loopback server, never gets the credential sent in clear.
func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		_, _ = io.WriteString(w, "[]")
	}))
	t.Cleanup(plain.Close)
	var target atomic.Value
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.Load().(string)+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(tlsSrv.Close)
	c, err := tsinvites.New(tsinvites.Config{APIKey: testKey, BaseURL: tlsSrv.URL, HTTPClient: tlsSrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{plain.URL, strings.Replace(tlsSrv.URL, "https://", "http://", 1)} {
		target.Store(to)
		_, err := c.List(t.Context())
		if err == nil || !strings.Contains(err.Error(), "refusing redirect from https://") || strings.Contains(err.Error(), testKey) {
			t.Errorf("redirect to %s: err = %v, want it refused", to, err)
		}
		var apiErr *tsinvites.APIError
		if errors.As(err, &apiErr) {
			t.Errorf("redirect to %s: an APIError %v, want the refusal", to, apiErr)
		}
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the plain http server got the credential %d time(s)", n)
	}
}
