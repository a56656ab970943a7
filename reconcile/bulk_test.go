package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pipenet"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// recorder counts the requests of one method in flight through a handler, with the
// bubble's time of each start; hold (run before the fake answers) may sleep on the
// bubble's clock.
type recorder struct {
	method   string
	hold     func(n int) // n: the request's number, from 1
	mu       sync.Mutex
	n        int
	inFlight int
	most     int
	starts   []time.Duration // since the recorder was made
	t0       time.Time
}

func (rec *recorder) wrap(next http.Handler) http.Handler {
	rec.t0 = time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != rec.method {
			next.ServeHTTP(w, r)
			return
		}
		rec.mu.Lock()
		rec.n++
		n := rec.n
		rec.inFlight++
		rec.most = max(rec.most, rec.inFlight)
		rec.starts = append(rec.starts, time.Since(rec.t0))
		rec.mu.Unlock()
		defer func() {
			rec.mu.Lock()
			rec.inFlight--
			rec.mu.Unlock()
		}()
		if rec.hold != nil {
			rec.hold(n)
		}
		next.ServeHTTP(w, r)
	})
}

// bubbleClient is a client of fake, through wrap, over an in-memory network: for tests
// in a synctest bubble.
func bubbleClient(t *testing.T, fake *tsinvitestest.Fake, h http.Handler, retry tsinvites.RetryPolicy) *tsinvites.Client {
	t.Helper()
	tr := pipenet.Serve(t, h)
	c, err := tsinvites.New(tsinvites.Config{APIKey: fake.Token(), BaseURL: pipenet.BaseURL, HTTPClient: &http.Client{Transport: tr}, Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// creates is a hand-built plan of n creates.
func creates(n int) *reconcile.Plan {
	p := &reconcile.Plan{}
	for i := range n {
		p.Changes = append(p.Changes, reconcile.Change{Action: reconcile.ActionCreate, Email: fmt.Sprintf("p%03d@example.com", i), Role: tsinvites.UserRoleMember})
	}
	return p
}

// Apply keeps Concurrency create calls in flight (each held 20 ms of the bubble's
// clock, so that they pile up), and creates each invite once.
func TestApplyCreateBatchesInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := tsinvitestest.Handler()
		rec := &recorder{method: http.MethodPost, hold: func(int) { time.Sleep(20 * time.Millisecond) }}
		c := bubbleClient(t, fake, rec.wrap(fake), tsinvites.RetryPolicy{})
		res, err := reconcile.Apply(t.Context(), c, creates(50), reconcile.ApplyOptions{BatchSize: 5})
		if err != nil || res.Count(reconcile.StatusDone) != 50 {
			t.Fatalf("Apply: %d done, %v", res.Count(reconcile.StatusDone), err)
		}
		if rec.most != reconcile.DefaultConcurrency || fake.RequestCount(tsinvitestest.OpCreate) != 10 {
			t.Errorf("%d create calls, at most %d at once; want 10, %d", fake.RequestCount(tsinvitestest.OpCreate), rec.most, reconcile.DefaultConcurrency)
		}
		if n := len(fake.Invites()); n != 50 {
			t.Errorf("%d invites, want 50", n)
		}
	})
}

// A batch whose answer is lost while others are in flight is unknown and never sent
// again; the next plan creates nothing (the batch was done).
func TestApplyConcurrentBatchWithLostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	desired := desiredN(1000)
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Done: true, Drop: true})
	res, err := reconcile.Apply(t.Context(), c, plan, reconcile.ApplyOptions{Concurrency: 8})
	if err == nil || res.Count(reconcile.StatusUnknown) != 100 || res.Count(reconcile.StatusDone) != 900 {
		t.Errorf("Apply: %d done, %d unknown, %v; want 900, 100 and an error", res.Count(reconcile.StatusDone), res.Count(reconcile.StatusUnknown), err)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate); n != 10 {
		t.Errorf("%d create calls, want 10: a batch is sent once", n)
	}
	plan, err = reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{})
	if err != nil || !plan.Empty() {
		t.Errorf("next plan: %v, %v; want nothing to do", plan.Summary(), err)
	}
	if diff := cmp.Diff(wantState(desired), openState(srv)); diff != "" {
		t.Errorf("open invites (-want +got):\n%s", diff)
	}
}

// With StopAfterFailedBatch, no create call starts after one failed, though the calls
// in flight then finish. The first call fails once the second has started; the second
// is held 20 ms.
func TestApplyStopAfterFailedBatchWithCallsInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := tsinvitestest.Handler()
		fake.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: http.StatusBadRequest})
		second := make(chan struct{}) // closed when the second call has started
		rec := &recorder{method: http.MethodPost, hold: func(n int) {
			switch n {
			case 1: // fails once both calls are in flight
				<-second
				return
			case 2:
				close(second)
			}
			time.Sleep(20 * time.Millisecond)
		}}
		c := bubbleClient(t, fake, rec.wrap(fake), tsinvites.RetryPolicy{})
		res, err := reconcile.Apply(t.Context(), c, creates(10), reconcile.ApplyOptions{BatchSize: 2, Concurrency: 2, StopAfterFailedBatch: true})
		// Batches 1 and 2 are in flight together; either may be the one that fails.
		got := statuses(res)
		slices.Sort(got[:4])
		want := []reconcile.Status{"done", "done", "failed", "failed", "not-attempted", "not-attempted", "not-attempted", "not-attempted", "not-attempted", "not-attempted"}
		if diff := cmp.Diff(want, got); diff != "" || err == nil {
			t.Errorf("statuses (-want +got):\n%s\nerror: %v", diff, err)
		}
		failed := slices.IndexFunc(res.Results, func(r reconcile.ChangeResult) bool { return r.Status == reconcile.StatusFailed })/2 + 1
		if got, want := res.Results[4].Error, fmt.Sprintf("reconcile: apply: not attempted after create batch %d failed", failed); got != want {
			t.Errorf("error of a create not attempted: %q, want %q", got, want)
		}
		if n := fake.RequestCount(tsinvitestest.OpCreate); n != 2 {
			t.Errorf("%d create calls, want 2", n)
		}
	})
}

// A 429 that reaches Apply (the client's retries off here) fails its batch, halves the
// create calls in flight, and no call starts before its Retry-After has passed; the
// limit then grows back.
func TestApplySlowsDownAfterRateLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := tsinvitestest.Handler()
		fake.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2"})
		const hold = 20 * time.Millisecond
		fourth := make(chan struct{}) // closed when the fourth call has started
		rec := &recorder{method: http.MethodPost, hold: func(n int) {
			switch n {
			case 1: // meets the 429 once the four calls are in flight
				<-fourth
				return
			case 4:
				close(fourth)
			}
			time.Sleep(hold)
		}}
		c := bubbleClient(t, fake, rec.wrap(fake), tsinvites.RetryPolicy{Disabled: true})
		res, err := reconcile.Apply(t.Context(), c, creates(12), reconcile.ApplyOptions{BatchSize: 1, Concurrency: 4})
		if res.Count(reconcile.StatusDone) != 11 || res.Count(reconcile.StatusFailed) != 1 || !tsinvites.IsRateLimited(err) {
			t.Errorf("Apply: %v, %v; want 11 done and the 429", statuses(res), err)
		}
		// 4 at 0, the first answered 429 at once; none until 2 s, then 2 (the halved
		// limit; the 3 calls started before the 429 do not count), then 3 once both
		// succeeded, then the last 3.
		wait := 2 * time.Second
		want := []time.Duration{0, 0, 0, 0, wait, wait, wait + hold, wait + hold, wait + hold, wait + 2*hold, wait + 2*hold, wait + 2*hold}
		if diff := cmp.Diff(want, rec.starts); diff != "" {
			t.Errorf("create calls' start times (-want +got):\n%s", diff)
		}
	})
}

// A 429 asking to wait longer than tsinvites.DefaultMaxRetryAfter stops the creates:
// those not sent are not attempted, saying why.
func TestApplyStopsCreatingWhenToldToWaitLong(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	srv.InjectFault(tsinvitestest.OpCreate, 5, tsinvitestest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	res, err := reconcile.Apply(t.Context(), c, creates(3), reconcile.ApplyOptions{BatchSize: 1, Concurrency: 1})
	if diff := cmp.Diff([]reconcile.Status{"failed", "not-attempted", "not-attempted"}, statuses(res)); diff != "" || !tsinvites.IsRateLimited(err) {
		t.Errorf("statuses (-want +got):\n%s\nerror: %v", diff, err)
	}
	if got := res.Results[2].Error; !strings.Contains(got, "asked to wait 2m0s (rate limited)") {
		t.Errorf("error of a create not attempted: %q", got)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate); n != 1 {
		t.Errorf("%d create calls, want 1 (the client does not retry a wait over its cap)", n)
	}
}

// NewPlan lists the invites and the users at the same time: one round trip.
func TestNewPlanReadsBothListsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := tsinvitestest.Handler()
		rec := &recorder{method: http.MethodGet, hold: func(int) { time.Sleep(40 * time.Millisecond) }}
		c := bubbleClient(t, fake, rec.wrap(fake), tsinvites.RetryPolicy{})
		start := time.Now()
		if _, err := reconcile.NewPlan(t.Context(), c, desiredN(3), reconcile.PlanOptions{}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); rec.most != 2 || took != 40*time.Millisecond {
			t.Errorf("%d lists at once, NewPlan took %s; want 2 and one round trip (40ms)", rec.most, took)
		}
	})
}

// A list that fails is NewPlan's error, not the cancellation of the other list.
func TestNewPlanReportsTheListThatFailed(t *testing.T) {
	t.Parallel()
	for _, op := range []string{tsinvitestest.OpList, tsinvitestest.OpListUsers} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			c, srv := fakeClient(t)
			srv.InjectFault(op, 1, tsinvitestest.Fault{Status: http.StatusBadRequest, Body: `{"message":"broken ` + op + `"}`})
			_, err := reconcile.NewPlan(t.Context(), c, desiredN(3), reconcile.PlanOptions{})
			if err == nil || !strings.Contains(err.Error(), "broken "+op) {
				t.Errorf("NewPlan error %v, want the 400 of %s", err, op)
			}
		})
	}
}

// A user shared in from another tailnet has not joined this one, even when the API
// lists them (here a server that ignores the type filter): the person gets a create.
// NewPlan asks for members only.
func TestSharedUserIsNotJoined(t *testing.T) {
	t.Parallel()
	fake := tsinvitestest.Handler(tsinvitestest.WithUsers(
		tsinvites.User{LoginName: "guest@example.com", Type: tsinvites.UserTypeShared},
		tsinvites.User{LoginName: "member@example.com"}))
	var asked atomic.Value
	ignoresFilter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users") {
			asked.Store(q.Get("type"))
			q.Set("type", string(tsinvites.ListUsersParamsTypeAll))
			r.URL.RawQuery = q.Encode()
		}
		fake.ServeHTTP(w, r)
	})
	c := loopbackClient(t, fake.Token(), ignoresFilter)
	desired := []tsinvites.CreateUserInviteRequest{inv("guest@example.com", ""), inv("member@example.com", "")}
	plan, err := reconcile.NewPlan(t.Context(), c, desired, reconcile.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := asked.Load(); got != string(tsinvites.ListUsersParamsTypeMember) {
		t.Errorf("NewPlan asked for users of type %q, want %q", got, tsinvites.ListUsersParamsTypeMember)
	}
	if diff := cmp.Diff([]string{"create guest@example.com"}, planLines(plan)); diff != "" || len(plan.Joined) != 1 {
		t.Errorf("plan (-want +got):\n%s\n%s", diff, plan)
	}
	if !slices.ContainsFunc(plan.Joined, func(j reconcile.Joined) bool { return j.Email == "member@example.com" }) {
		t.Errorf("member@ is not joined: %v", plan.Joined)
	}
}

// NewPlan and Apply with a nil context or client are an error, as every call of the
// client, not a panic.
func TestNilContextOrClientIsAnError(t *testing.T) {
	t.Parallel()
	c, srv := fakeClient(t)
	var nilCtx context.Context
	var nilClient *tsinvites.Client
	plan := &reconcile.Plan{}
	for name, err := range map[string]error{
		"NewPlan, nil context": func() error { _, err := reconcile.NewPlan(nilCtx, c, nil, reconcile.PlanOptions{}); return err }(),
		"NewPlan, nil client": func() error {
			_, err := reconcile.NewPlan(t.Context(), nilClient, nil, reconcile.PlanOptions{})
			return err
		}(),
		"Apply, nil context": func() error { _, err := reconcile.Apply(nilCtx, c, plan, reconcile.ApplyOptions{}); return err }(),
		"Apply, nil client": func() error {
			_, err := reconcile.Apply(t.Context(), nilClient, plan, reconcile.ApplyOptions{})
			return err
		}(),
	} {
		if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.HasPrefix(err.Error(), "reconcile: ") {
			t.Errorf("%s: %v, want a reconcile error matching ErrInvalidInput", name, err)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// Apply waits out a Retry-After up to the client's own RetryPolicy.MaxRetryAfter, not
// tsinvites.DefaultMaxRetryAfter: a client that waits up to 5 minutes goes on after a
// 429 asking for 2.
func TestApplyWaitsAsLongAsTheClientDoes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := tsinvitestest.Handler()
		fake.InjectFault(tsinvitestest.OpCreate, 1, tsinvitestest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
		rec := &recorder{method: http.MethodPost}
		c := bubbleClient(t, fake, rec.wrap(fake), tsinvites.RetryPolicy{Disabled: true, MaxRetryAfter: 5 * time.Minute})
		res, err := reconcile.Apply(t.Context(), c, creates(3), reconcile.ApplyOptions{BatchSize: 1, Concurrency: 1})
		if diff := cmp.Diff([]reconcile.Status{"failed", "done", "done"}, statuses(res)); diff != "" || !tsinvites.IsRateLimited(err) {
			t.Errorf("statuses (-want +got):\n%s\nerror: %v", diff, err)
		}
		if diff := cmp.Diff([]time.Duration{0, 2 * time.Minute, 2 * time.Minute}, rec.starts); diff != "" {
			t.Errorf("create calls' start times (-want +got):\n%s", diff)
		}
	})
}
