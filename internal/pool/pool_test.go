package pool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rateLimited is the error of a call answered 429 with a Retry-After of wait.
func rateLimited(wait time.Duration) error {
	return &tsinvites.APIError{StatusCode: 429, RetryAfter: wait}
}

// Run starts every call, never more at once than the limit, and reports all started.
func TestRunBoundsCallsInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var (
			mu             sync.Mutex
			inFlight, most int
			done           [20]bool
		)
		next, why := pool.New(3, 0).Run(t.Context(), 20, func(ctx context.Context, i int) error {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inFlight--
			done[i] = true
			mu.Unlock()
			return nil
		})
		if next != 20 || why != nil || most != 3 {
			t.Errorf("next %d, why %v, at most %d at once; want 20, nil, 3", next, why, most)
		}
		for i, d := range done {
			if !d {
				t.Errorf("call %d not made", i)
			}
		}
	})
}

// Once the context ends no call starts: the rest are the last items, and why is the
// context's error.
func TestRunStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	next, why := pool.New(1, 0).Run(ctx, 5, func(ctx context.Context, i int) error {
		if i == 1 {
			cancel()
		}
		return nil
	})
	if next != 2 || !errors.Is(why, context.Canceled) {
		t.Errorf("next %d, why %v; want 2 and the cancellation", next, why)
	}
}

// RunUntil starts no call after stop said so, and returns stop's error; a later Run of
// the same pool is not stopped by it.
func TestRunUntilStop(t *testing.T) {
	t.Parallel()
	p := pool.New(1, 0)
	stopErr := errors.New("stop")
	next, why := p.RunUntil(t.Context(), 5, func(ctx context.Context, i int) error {
		if i == 2 {
			return errors.New("failed")
		}
		return nil
	}, func(i int, err error) error { return stopErr })
	if next != 3 || why != stopErr {
		t.Errorf("next %d, why %v; want 3 and stop's error", next, why)
	}
	if next, why := p.Run(t.Context(), 2, func(context.Context, int) error { return nil }); next != 2 || why != nil {
		t.Errorf("later Run: next %d, why %v; want 2, nil", next, why)
	}
}

// A 429 halves the calls in flight and waits out its Retry-After; one asking to wait
// longer than maxWait stops this Run and every later one, with a *WaitError.
func TestRunRateLimited(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, 10*time.Second)
		start := time.Now()
		var starts []time.Duration
		var mu sync.Mutex
		next, why := p.Run(t.Context(), 3, func(ctx context.Context, i int) error {
			mu.Lock()
			starts = append(starts, time.Since(start))
			mu.Unlock()
			if i == 0 {
				return rateLimited(5 * time.Second)
			}
			time.Sleep(time.Millisecond)
			return nil
		})
		if next != 3 || why != nil || starts[2] != 5*time.Second {
			t.Errorf("next %d, why %v, starts %v; want 3, nil, the third at 5s", next, why, starts)
		}
		next, why = p.Run(t.Context(), 3, func(ctx context.Context, i int) error { return rateLimited(time.Minute) })
		var w *pool.WaitError
		if next != 2 || !errors.As(why, &w) || w.Wait != time.Minute || w.Deadline || !tsinvites.IsRateLimited(why) {
			t.Errorf("next %d, why %v; want 2 (the limit grew back to 2) and a WaitError of 1m0s", next, why)
		}
		if next, why := p.Run(t.Context(), 1, func(context.Context, int) error { return nil }); next != 0 || !errors.As(why, &w) {
			t.Errorf("a later Run: next %d, why %v; want stopped", next, why)
		}
	})
}
