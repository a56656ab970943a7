package reconcile

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
)

// defaultPause is how long no create call starts after a 429 that says no Retry-After.
const defaultPause = time.Second

// limiter bounds the create calls in flight: up to max, halved by each 429 (to at least
// one) and grown back by one after as many successful calls as the limit, counting only
// calls started since the last 429 (additive increase, multiplicative decrease); after a
// 429 no call starts before its Retry-After has passed.
type limiter struct {
	mu        sync.Mutex
	max       int
	limit     int
	inFlight  int
	successes int           // since the limit last changed
	epoch     int           // the number of 429s so far
	until     time.Time     // no call starts before
	stop      error         // set: no call starts at all
	changed   chan struct{} // closed, and replaced, whenever a call ends
}

func newLimiter(max int) *limiter {
	return &limiter{max: max, limit: max, changed: make(chan struct{})}
}

// acquire waits until a create call may start and counts it in flight; give its epoch
// to release. It returns false when none may: with the reason, or with nil when ctx
// ended.
func (l *limiter) acquire(ctx context.Context) (epoch int, ok bool, why error) {
	for {
		if ctx.Err() != nil {
			return 0, false, nil
		}
		l.mu.Lock()
		wait, stop, changed := time.Until(l.until), l.stop, l.changed
		if deadline, ok := ctx.Deadline(); ok && wait > 0 && stop == nil && time.Until(deadline) < wait {
			stop = changeError(nil, "not attempted: the API asked to wait %s (rate limited), longer than the context has left", wait.Round(time.Second))
		}
		if stop == nil && wait <= 0 && l.inFlight < l.limit {
			l.inFlight++
			epoch := l.epoch
			l.mu.Unlock()
			return epoch, true, nil
		}
		l.mu.Unlock()
		if stop != nil {
			return 0, false, stop
		}
		if !l.wait(ctx, changed, wait) {
			return 0, false, nil
		}
	}
}

// wait waits for changed to close or wait to pass; false when ctx ends first.
func (l *limiter) wait(ctx context.Context, changed <-chan struct{}, wait time.Duration) bool {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-changed:
	case <-timer:
	case <-ctx.Done():
		return false
	}
	return true
}

// unacquire gives back a call acquired but not made.
func (l *limiter) unacquire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
}

// release ends a create call, acquired in epoch, that failed with err (nil: it
// succeeded).
func (l *limiter) release(epoch int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	var apiErr *tsinvites.APIError
	switch {
	case tsinvites.IsRateLimited(err) && errors.As(err, &apiErr):
		l.limit, l.successes, l.epoch = max(1, l.limit/2), 0, l.epoch+1
		pause := apiErr.RetryAfter
		if pause <= 0 {
			pause = defaultPause
		}
		if pause > tsinvites.DefaultMaxRetryAfter {
			l.stop = changeError(nil, "not attempted: the API asked to wait %s (rate limited)", pause)
		}
		if until := time.Now().Add(pause); until.After(l.until) {
			l.until = until
		}
	case err == nil && l.limit < l.max && epoch == l.epoch:
		if l.successes++; l.successes >= l.limit {
			l.limit, l.successes = l.limit+1, 0
		}
	}
	close(l.changed)
	l.changed = make(chan struct{})
}
