package tsinvites_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pipenet"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// fastRetries is the default policy with short waits, for the tests that run on the
// real clock. The fault scenarios run in a testing/synctest bubble, on its fake clock:
// there the waits, Retry-After ones included, take no time and are measured exactly.
var fastRetries = tsinvites.RetryPolicy{InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

// A scenario is a call made while the fake injects faults, and the outcome it must have.
type scenario struct {
	name   string
	call   string // list, get, create, delete, resend (on invite "1", or a new invite)
	faults []tsinvitestest.Fault
	policy *tsinvites.RetryPolicy // nil: fastRetries
	// dialFailures makes the client's first dials fail, before anything is sent.
	dialFailures int
	timeout      time.Duration // the call's context deadline (default 10 s)

	wantErr      bool
	wantStatus   int    // of the *APIError, when wantErr
	wantInErr    string // in the error's text
	wantIs       error  // errors.Is the error, when set
	wantRequests [2]int // how many requests of the operation the fake saw: min, max
	wantCreated  int    // invites for new@example.com in the store afterwards (create)
	wantGone     bool   // invite "1" is gone afterwards (delete)
	minTook      time.Duration
}

// TestFaults is the fault-injection suite of RELIABILITY.md: in every scenario the call
// ends as it must (success after retries, or a typed error within the deadline), and
// the fake's store shows no duplicate invite and nothing lost. Each scenario runs in a
// testing/synctest bubble, the fake served over net.Pipe: its waits and deadlines are
// on the bubble's clock, so a loaded machine cannot make a call look slow or fast.
func TestFaults(t *testing.T) {
	t.Parallel()
	for _, sc := range faultScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { runScenario(t, sc) })
		})
	}
}

// pipeClient is a client of fake over pipenet.Serve, with the retry policy.
func pipeClient(t *testing.T, fake *tsinvitestest.Fake, policy tsinvites.RetryPolicy) *tsinvites.Client {
	t.Helper()
	c, err := tsinvites.New(tsinvites.Config{APIKey: fake.Token(), BaseURL: pipenet.BaseURL, Retry: policy,
		HTTPClient: &http.Client{Transport: pipenet.Serve(t, fake)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReliabilityDocListsEveryScenario keeps RELIABILITY.md's fault matrix in step with
// the suite: every scenario has its row.
func TestReliabilityDocListsEveryScenario(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("RELIABILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range faultScenarios() {
		if !strings.Contains(string(doc), "| "+sc.name+" |") {
			t.Errorf("RELIABILITY.md has no row for scenario %q", sc.name)
		}
	}
}

// faultScenarios is the fault matrix of RELIABILITY.md.
func faultScenarios() []scenario {
	fault := func(f tsinvitestest.Fault, n int) []tsinvitestest.Fault {
		var fs []tsinvitestest.Fault
		for range n {
			fs = append(fs, f)
		}
		return fs
	}
	noRetries := tsinvites.RetryPolicy{Disabled: true}
	const mayExist = "the invites may have been created"
	return []scenario{
		// Reads: retried on connection errors, 429 and 5xx.
		{name: "list 503 once", call: "list", faults: fault(tsinvitestest.Fault{Status: 503}, 1), wantRequests: [2]int{2, 2}},
		{name: "list 500 twice", call: "list", faults: fault(tsinvitestest.Fault{Status: 500}, 2), wantRequests: [2]int{3, 3}},
		{name: "list 502 on every attempt", call: "list", faults: fault(tsinvitestest.Fault{Status: 502}, 5), wantErr: true, wantStatus: 502, wantRequests: [2]int{3, 3}},
		{name: "list 504 once", call: "list", faults: fault(tsinvitestest.Fault{Status: 504}, 1), wantRequests: [2]int{2, 2}},
		{name: "list 429 Retry-After 1", call: "list", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "1"}, 1), wantRequests: [2]int{2, 2}, minTook: time.Second},
		{name: "list 429 Retry-After HTTP date", call: "list", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "DATE+2s"}, 1), wantRequests: [2]int{2, 2}, minTook: time.Second},
		{name: "list 429 Retry-After beyond the cap", call: "list", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "3600"}, 1), wantErr: true, wantStatus: 429, wantInErr: "retry after 1h0m0s", wantRequests: [2]int{1, 1}},
		{name: "list 503 Retry-After past the deadline", call: "list", timeout: time.Second, faults: fault(tsinvitestest.Fault{Status: 503, RetryAfter: "20"}, 1), wantErr: true, wantStatus: 503, wantRequests: [2]int{1, 1}},
		{name: "list 400 not retried", call: "list", faults: fault(tsinvitestest.Fault{Status: 400}, 1), wantErr: true, wantStatus: 400, wantRequests: [2]int{1, 1}},
		{name: "list dropped connection", call: "list", faults: fault(tsinvitestest.Fault{Drop: true}, 1), wantRequests: [2]int{2, 2}},
		{name: "list body cut short", call: "list", faults: fault(tsinvitestest.Fault{Done: true, Truncate: true}, 1), wantRequests: [2]int{2, 2}},
		{name: "list 200 HTML not retried", call: "list", faults: fault(tsinvitestest.Fault{Status: 200, Body: "<html>captive portal</html>", ContentType: "text/html"}, 1), wantErr: true, wantInErr: "unexpected answer", wantRequests: [2]int{1, 1}},
		{name: "list JSON with the wrong content type", call: "list", faults: fault(tsinvitestest.Fault{Done: true, ContentType: "text/plain"}, 1), wantRequests: [2]int{1, 1}},
		{name: "list 100 MiB body", call: "list", faults: fault(tsinvitestest.Fault{Status: 200, HugeBody: 100 << 20}, 1), wantErr: true, wantInErr: "larger than 16 MiB", wantRequests: [2]int{1, 1}},
		{name: "list slower than the deadline", call: "list", timeout: 300 * time.Millisecond, faults: fault(tsinvitestest.Fault{Done: true, Delay: 5 * time.Second}, 1), wantErr: true, wantIs: context.DeadlineExceeded, wantRequests: [2]int{1, 1}},
		{name: "list 503 with retries off", call: "list", policy: &noRetries, faults: fault(tsinvitestest.Fault{Status: 503}, 1), wantErr: true, wantStatus: 503, wantRequests: [2]int{1, 1}},
		{name: "get 500 once", call: "get", faults: fault(tsinvitestest.Fault{Status: 500}, 1), wantRequests: [2]int{2, 2}},
		{name: "get 404 not retried", call: "get", faults: fault(tsinvitestest.Fault{Status: 404}, 1), wantErr: true, wantStatus: 404, wantRequests: [2]int{1, 1}},
		// net/http itself may resend a GET whose reused connection dropped: up to 2 each.
		{name: "get dropped on every attempt", call: "get", faults: fault(tsinvitestest.Fault{Drop: true}, 10), wantErr: true, wantInErr: `get invite "1"`, wantRequests: [2]int{3, 6}},
		{name: "get dial refused once", call: "get", dialFailures: 1, wantRequests: [2]int{1, 1}},

		// Create: never sent again once it may have reached the server.
		{name: "create 429 Retry-After 1", call: "create", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "1"}, 1), wantRequests: [2]int{2, 2}, wantCreated: 1, minTook: time.Second},
		{name: "create 429 Retry-After beyond the cap", call: "create", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "90"}, 1), wantErr: true, wantStatus: 429, wantInErr: "retry after 1m30s", wantRequests: [2]int{1, 1}},
		{name: "create 503 not retried", call: "create", faults: fault(tsinvitestest.Fault{Status: 503}, 1), wantErr: true, wantStatus: 503, wantRequests: [2]int{1, 1}},
		{name: "create done, then 500", call: "create", faults: fault(tsinvitestest.Fault{Done: true, Status: 500}, 1), wantErr: true, wantStatus: 500, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create done, then connection dropped", call: "create", faults: fault(tsinvitestest.Fault{Done: true, Drop: true}, 1), wantErr: true, wantInErr: mayExist, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create done, then body cut short", call: "create", faults: fault(tsinvitestest.Fault{Done: true, Truncate: true}, 1), wantErr: true, wantInErr: mayExist, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create done, then non-JSON 200", call: "create", faults: fault(tsinvitestest.Fault{Done: true, Status: 200, Body: "ok"}, 1), wantErr: true, wantInErr: mayExist, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create done, answer slower than the deadline", call: "create", timeout: 300 * time.Millisecond, faults: fault(tsinvitestest.Fault{Done: true, Delay: 5 * time.Second}, 1), wantErr: true, wantIs: context.DeadlineExceeded, wantInErr: mayExist, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create dial refused once", call: "create", dialFailures: 1, wantRequests: [2]int{1, 1}, wantCreated: 1},
		{name: "create dial refused on every attempt", call: "create", dialFailures: 10, wantErr: true, wantIs: syscall.ECONNREFUSED, wantRequests: [2]int{0, 0}},

		// Delete: idempotent; a 404 after an attempt that may have deleted it is done.
		{name: "delete 503 once", call: "delete", faults: fault(tsinvitestest.Fault{Status: 503}, 1), wantRequests: [2]int{2, 2}, wantGone: true},
		{name: "delete done, then 500", call: "delete", faults: fault(tsinvitestest.Fault{Done: true, Status: 500}, 1), wantRequests: [2]int{2, 2}, wantGone: true},
		{name: "delete done, then connection dropped", call: "delete", faults: fault(tsinvitestest.Fault{Done: true, Drop: true}, 1), wantRequests: [2]int{2, 3}, wantGone: true},

		// Resend: only 429, and only when the wait fits the cap.
		{name: "resend 429 Retry-After 1", call: "resend", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "1"}, 1), wantRequests: [2]int{2, 2}, minTook: time.Second},
		{name: "resend 429 Retry-After beyond the cap", call: "resend", faults: fault(tsinvitestest.Fault{Status: 429, RetryAfter: "120"}, 1), wantErr: true, wantStatus: 429, wantInErr: "retry after 2m0s", wantRequests: [2]int{1, 1}},
		{name: "resend 503 not retried", call: "resend", faults: fault(tsinvitestest.Fault{Status: 503}, 1), wantErr: true, wantStatus: 503, wantRequests: [2]int{1, 1}},
		{name: "resend dropped not retried", call: "resend", faults: fault(tsinvitestest.Fault{Drop: true}, 1), wantErr: true, wantRequests: [2]int{1, 1}},
	}
}

// ops maps a scenario's call to the fake's operation ID.
var ops = map[string]string{"list": tsinvitestest.OpList, "get": tsinvitestest.OpGet, "create": tsinvitestest.OpCreate, "delete": tsinvitestest.OpDelete, "resend": tsinvitestest.OpResend}

// runScenario runs sc in a synctest bubble: time.Now is the bubble's clock.
func runScenario(t *testing.T, sc scenario) {
	// The seeded invites were emailed two minutes ago, so resend is allowed.
	var clock atomic.Int64
	clock.Store(time.Now().Add(-2 * time.Minute).UnixNano())
	srv := tsinvitestest.Handler(
		tsinvitestest.WithClock(func() time.Time { return time.Unix(0, clock.Load()) }),
		tsinvitestest.WithInvites(
			tsinvites.CreateUserInviteRequest{Email: "amelie@example.com"},
			tsinvites.CreateUserInviteRequest{Email: "bob@example.com", Role: tsinvites.UserRoleAdmin},
		))
	clock.Store(time.Now().UnixNano())
	before := srv.Invites()

	op := ops[sc.call]
	for _, f := range sc.faults {
		if f.RetryAfter == "DATE+2s" {
			f.RetryAfter = time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
		}
		srv.InjectFault(op, 1, f)
	}
	policy := fastRetries
	if sc.policy != nil {
		policy = *sc.policy
	}
	tr := pipenet.Serve(t, srv)
	if sc.dialFailures > 0 {
		tr.DialContext = failingDials(sc.dialFailures, tr.DialContext)
	}
	c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: pipenet.BaseURL, Retry: policy, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	timeout := sc.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()

	start := time.Now()
	switch sc.call {
	case "create":
		_, err = c.Create(ctx, tsinvites.CreateUserInviteRequest{Email: "new@example.com"})
	case "list":
		var invites []tsinvites.UserInvite
		if invites, err = c.List(ctx); err == nil && len(invites) != len(before) {
			t.Errorf("List returned %d invites, want %d", len(invites), len(before))
		}
	case "get":
		_, err = c.Get(ctx, "1")
	case "delete":
		err = c.Delete(ctx, "1")
	case "resend":
		err = c.Resend(ctx, "1")
	default:
		t.Fatalf("unknown call %q", sc.call)
	}
	took := time.Since(start)

	// The outcome.
	if took > timeout+time.Second {
		t.Errorf("the call took %v, more than its %v deadline", took, timeout)
	}
	if took < sc.minTook {
		t.Errorf("the call took %v, want at least %v (the Retry-After)", took, sc.minTook)
	}
	switch {
	case !sc.wantErr && err != nil:
		t.Errorf("err = %v, want success", err)
	case sc.wantErr && err == nil:
		t.Error("no error")
	case sc.wantErr:
		var apiErr *tsinvites.APIError
		gotStatus := 0
		if errors.As(err, &apiErr) {
			gotStatus = apiErr.StatusCode
		}
		if gotStatus != sc.wantStatus {
			t.Errorf("err = %v: status %d, want %d", err, gotStatus, sc.wantStatus)
		}
		if !strings.Contains(err.Error(), sc.wantInErr) {
			t.Errorf("err = %q, want it to contain %q", err, sc.wantInErr)
		}
		if sc.wantIs != nil && !errors.Is(err, sc.wantIs) {
			t.Errorf("err = %v, want errors.Is %v", err, sc.wantIs)
		}
	}
	// A create that was done must say it may have been; one that was surely not (refused
	// with a 4xx, never sent) must not. A 5xx may go either way, and says "may".
	if sc.call == "create" && err != nil {
		var apiErr *tsinvites.APIError
		surelyNot := errors.As(err, &apiErr) && apiErr.StatusCode < 500 || sc.dialFailures > 0
		if may := errors.Is(err, tsinvites.ErrMayHaveCreated); sc.wantCreated > 0 && !may || surelyNot && may {
			t.Errorf("err = %v: errors.Is ErrMayHaveCreated is %v, with %d invite(s) created", err, may, sc.wantCreated)
		}
	}
	if n := srv.RequestCount(op); n < sc.wantRequests[0] || n > sc.wantRequests[1] {
		t.Errorf("the fake saw %d %s request(s), want %d to %d", n, op, sc.wantRequests[0], sc.wantRequests[1])
	}

	// The store: no duplicate, nothing lost.
	after := srv.Invites()
	emails := map[string]int{}
	for _, inv := range after {
		emails[inv.Email]++
	}
	for email, n := range emails {
		if n > 1 {
			t.Errorf("%d invites for %s: a duplicate", n, email)
		}
	}
	if emails["new@example.com"] != sc.wantCreated {
		t.Errorf("%d invites for new@example.com, want %d", emails["new@example.com"], sc.wantCreated)
	}
	for _, inv := range before {
		if emails[inv.Email] == 0 && !(sc.wantGone && inv.ID == "1") {
			t.Errorf("invite %s (%s) was lost", inv.ID, inv.Email)
		}
	}
	if sc.wantGone && emails["amelie@example.com"] != 0 {
		t.Error("invite 1 is still there after the delete")
	}
}

// failingDials is dial with its first n dials refused, as if the server were not
// listening yet: nothing is sent on them.
func failingDials(n int, dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var left atomic.Int64
	left.Store(int64(n))
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if left.Add(-1) >= 0 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		return dial(ctx, network, addr)
	}
}

// TestZeroRetryPolicyIsTheDefault runs in a synctest bubble: the backoff is measured
// on its clock.
func TestZeroRetryPolicyIsTheDefault(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := tsinvitestest.Handler()
		c := pipeClient(t, srv, tsinvites.RetryPolicy{})
		srv.InjectFault(tsinvitestest.OpList, 1, tsinvitestest.Fault{Status: 503})
		start := time.Now()
		if _, err := c.List(t.Context()); err != nil {
			t.Fatalf("List after one 503: %v", err)
		}
		// The first backoff is 0.5 s ± 50%.
		if took := time.Since(start); took < 250*time.Millisecond || took > 2*time.Second {
			t.Errorf("one retry took %v, want about 0.5 s", took)
		}
		srv.InjectFault(tsinvitestest.OpList, 5, tsinvitestest.Fault{Status: 503})
		_, err := c.List(t.Context())
		if !errors.As(err, new(*tsinvites.APIError)) {
			t.Errorf("err = %v, want the 503", err)
		}
		if n := srv.RequestCount(tsinvitestest.OpList); n != 2+3 {
			t.Errorf("%d list requests, want 2 then 3 (the default attempts)", n)
		}
	})
}

func TestNegativeRetryPolicyIsRefused(t *testing.T) {
	t.Parallel()
	for _, p := range []tsinvites.RetryPolicy{{MaxAttempts: -1}, {InitialBackoff: -1}, {MaxBackoff: -time.Second}, {MaxRetryAfter: -1}} {
		if _, err := tsinvites.New(tsinvites.Config{APIKey: testKey, Retry: p}); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
}

// TestWaitStopsWhenTheContextEnds runs in a synctest bubble: the cancel comes at 200 ms
// of its clock, whatever the machine's load.
func TestWaitStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := tsinvitestest.Handler()
		c := pipeClient(t, srv, tsinvites.RetryPolicy{})
		srv.InjectFault(tsinvitestest.OpGet, 1, tsinvitestest.Fault{Status: 503, RetryAfter: "20"})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Get(ctx, "1")
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Get took %v after its context was cancelled at 200 ms", took)
		}
		if !errors.Is(err, context.Canceled) || !errors.As(err, new(*tsinvites.APIError)) {
			t.Errorf("err = %v, want both the 503 and context.Canceled", err)
		}
		if n := srv.RequestCount(tsinvitestest.OpGet); n != 1 {
			t.Errorf("%d get requests, want 1", n)
		}
	})
}

func TestLoggerHasOneLinePerAttemptAndNoSecrets(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: srv.URL, Retry: fastRetries, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	// An invite with an invite URL, and an error body that echoes it and the key.
	created, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	url := created[0].InviteURL
	srv.InjectFault(tsinvitestest.OpGet, 1, tsinvitestest.Fault{Status: 503, Body: `{"message":"` + url + ` ` + srv.Token() + `"}`})
	if _, err := c.Get(t.Context(), created[0].ID); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if url == "" || strings.Contains(out, url) || strings.Contains(out, srv.Token()) || strings.Contains(out, "Authorization") {
		t.Errorf("the log shows a secret or a header:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3 (create, get, get again):\n%s", len(lines), out)
	}
	for i, want := range []string{
		"method=POST path=/api/v2/tailnet/-/user-invites status=200 attempt=1 wait=0s",
		"method=GET path=/api/v2/user-invites/1 status=503 attempt=1 wait=",
		"method=GET path=/api/v2/user-invites/1 status=200 attempt=2 wait=0s",
	} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "duration=") {
			t.Errorf("log line %d = %s\nwant it to contain %q and a duration", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "error=") {
		t.Errorf("the failed attempt's line has no error: %s", lines[1])
	}
}

// countingTransport is a RoundTripper of a user's own (not *http.Transport, so no
// connection is ever reported to httptrace) that fails every request with err.
type countingTransport struct {
	calls atomic.Int64
	err   error
}

func (rt *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return nil, rt.err
}

// TestCreateThroughACustomTransport: a transport that reports no connections must not
// make a create look unsent, whatever its error. (Through net/http's own transport a
// dial error that never got a connection is retried: see the scenarios "create dial
// refused".)
func TestCreateThroughACustomTransport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   error
		calls int64
	}{
		{"connection reset after sending", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, 1},
		{"unexpected EOF", io.ErrUnexpectedEOF, 1},
		// It reports no connections to httptrace: its dial error proves nothing (it may
		// have sent the request on another connection first).
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, 1},
	} {
		rt := &countingTransport{err: tc.err}
		c, err := tsinvites.New(tsinvites.Config{APIKey: testKey, HTTPClient: &http.Client{Transport: rt}, Retry: fastRetries})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Create(t.Context(), tsinvites.CreateUserInviteRequest{Email: "a@example.com"})
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		if n := rt.calls.Load(); n != tc.calls {
			t.Errorf("%s: create sent %d time(s), want %d", tc.name, n, tc.calls)
		}
		if mayExist := strings.Contains(err.Error(), "may have been created"); mayExist != (tc.calls == 1) {
			t.Errorf("%s: err = %v; saying the invites may exist: %v, want %v", tc.name, err, mayExist, tc.calls == 1)
		}
	}
}

// TestDeleteAfterA429IsNotDone: a 429 did nothing, so a 404 on the retry means there
// was no such invite, not that the first attempt deleted it.
func TestDeleteAfterA429IsNotDone(t *testing.T) {
	t.Parallel()
	srv := tsinvitestest.Start(t)
	srv.InjectFault(tsinvitestest.OpDelete, 1, tsinvitestest.Fault{Status: 429})
	c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: srv.URL, Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(t.Context(), "99"); !tsinvites.IsNotFound(err) {
		t.Errorf("delete of a missing invite after a 429: err = %v, want 404", err)
	}
	if n := srv.RequestCount(tsinvitestest.OpDelete); n != 2 {
		t.Errorf("%d delete requests, want 2", n)
	}
}

// TestTLSAlertIsNotRetried: a server that refuses the handshake (here: it wants a
// client certificate) would refuse it again.
func TestTLSAlertIsNotRetried(t *testing.T) {
	t.Parallel()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "[]")
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := tsinvites.New(tsinvites.Config{APIKey: testKey, BaseURL: srv.URL, HTTPClient: srv.Client(), Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(t.Context()); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("err = %v, want the TLS refusal", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry of a TLS alert)", n)
	}
}
