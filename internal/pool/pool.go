// Package pool runs calls to the API a few at a time, and slows down when the API says
// 429 (rate limited): the one worker pool of reconcile and the CLI.
//
//	p := pool.New(4, c.RetryPolicy().MaxRetryAfter)
//	next, why := p.Run(ctx, len(ids), func(ctx context.Context, i int) error {
//		return c.Delete(ctx, ids[i]) // record the outcome of item i here
//	})
//	// items next, next+1, ... were not started; why says why (nil when all were)
//
// Each call's error tells the pool how the API answered: an answer of 429 (a
// [*tsinvites.APIError] with the status) halves the calls in flight (to at least one)
// and starts no call before its Retry-After has passed (1 s when it gives none); the
// limit then grows back by one after as many successful calls as the limit (additive
// increase, multiplicative decrease). A 429 asking to wait longer than the pool's
// maxWait, or than the context has left, stops it: no call starts any more, in this Run
// or a later one of the same Pool, and Run returns a [*WaitError].
//
// It is not golang.org/x/sync/errgroup: a group's limit cannot change while its
// goroutines run (SetLimit), and a group cancels its context at the first error, where
// the engine wants the other calls to go on.
package pool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tsinvites/tsinvites"
)

// DefaultPause is how long no call starts after a 429 that gives no Retry-After.
const DefaultPause = time.Second

// Pool bounds the calls in flight and keeps the slowdown of 429s from one [Pool.Run] to
// the next. Make one with [New]. It is safe for concurrent use.
type Pool struct {
	maxWait   time.Duration
	mu        sync.Mutex
	max       int
	limit     int
	inFlight  int
	successes int           // since the limit last changed
	epoch     int           // the number of 429s so far
	until     time.Time     // no call starts before
	stop      *WaitError    // set: no call starts at all
	changed   chan struct{} // closed, and replaced, whenever a call ends
}

// New returns a pool of at most limit calls in flight (at least 1) that waits out a
// Retry-After of up to maxWait (0 means [tsinvites.DefaultMaxRetryAfter]); pass the
// client's own, c.RetryPolicy().MaxRetryAfter.
func New(limit int, maxWait time.Duration) *Pool {
	limit = max(limit, 1)
	if maxWait <= 0 {
		maxWait = tsinvites.DefaultMaxRetryAfter
	}
	return &Pool{maxWait: maxWait, max: limit, limit: limit, changed: make(chan struct{})}
}

// WaitError is why a pool started no more calls: a 429 asked to wait longer than the
// pool waits, or than the context had left.
type WaitError struct {
	// Wait is how long the API asked to wait.
	Wait time.Duration
	// Deadline is true when the wait was longer than the context had left (and not
	// longer than the pool waits).
	Deadline bool
	// Err is the 429's error.
	Err error
}

// Error says how long the API asked to wait, and why the pool did not.
func (e *WaitError) Error() string {
	if e.Deadline {
		return fmt.Sprintf("pool: the API asked to wait %s (rate limited), longer than the context has left", e.Wait.Round(time.Second))
	}
	return fmt.Sprintf("pool: the API asked to wait %s (rate limited)", e.Wait)
}

// Unwrap returns the 429's error.
func (e *WaitError) Unwrap() error { return e.Err }

// Run calls do(ctx, i) for i from 0 to n-1, in order, each in its own goroutine, as
// many at once as the pool allows, and returns once every call it started has
// returned. do returns the call's error (nil when it succeeded): the pool reads it only
// for 429s. It returns next, the first i not started (n when all were: the ones not
// started are always the last), and why: nil when all were started, ctx's error when
// ctx ended, a [*WaitError] when a 429 asked to wait too long. No call starts once ctx
// has ended.
func (p *Pool) Run(ctx context.Context, n int, do func(ctx context.Context, i int) error) (next int, why error) {
	return p.RunUntil(ctx, n, do, nil)
}

// RunUntil is [Pool.Run], and stops too when stop (if not nil), called with the index
// and error of each call that failed, returns an error: no call of this run starts
// after that, and RunUntil returns stop's error as why. Calls already in flight finish.
func (p *Pool) RunUntil(ctx context.Context, n int, do func(ctx context.Context, i int) error, stop func(i int, err error) error) (next int, why error) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stopped error // stop's answer, guarded by mu
	)
	defer wg.Wait()
	for i := range n {
		epoch, err := p.acquire(ctx)
		if err == nil {
			mu.Lock()
			err = stopped
			mu.Unlock()
			if err != nil {
				p.unacquire()
			}
		}
		if err != nil {
			return i, err
		}
		wg.Go(func() {
			err := do(ctx, i)
			if err != nil && stop != nil {
				if s := stop(i, err); s != nil {
					mu.Lock()
					if stopped == nil {
						stopped = s
					}
					mu.Unlock()
				}
			}
			p.release(epoch, err)
		})
	}
	return n, nil
}

// acquire waits until a call may start and counts it in flight; give its epoch to
// release. Its error says why none may.
func (p *Pool) acquire(ctx context.Context) (epoch int, why error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		p.mu.Lock()
		wait, changed := time.Until(p.until), p.changed
		var stop error
		if p.stop != nil {
			stop = p.stop
		} else if deadline, ok := ctx.Deadline(); ok && wait > 0 && time.Until(deadline) < wait {
			stop = &WaitError{Wait: wait, Deadline: true}
		}
		if stop == nil && wait <= 0 && p.inFlight < p.limit {
			p.inFlight++
			epoch := p.epoch
			p.mu.Unlock()
			return epoch, nil
		}
		p.mu.Unlock()
		if stop != nil {
			return 0, stop
		}
		if err := p.wait(ctx, changed, wait); err != nil {
			return 0, err
		}
	}
}

// wait waits for changed to close or wait to pass; ctx's error when it ends first.
func (p *Pool) wait(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
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
		return ctx.Err()
	}
	return nil
}

// unacquire gives back a call acquired but not made.
func (p *Pool) unacquire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
}

// release ends a call, acquired in epoch, that failed with err (nil: it succeeded).
func (p *Pool) release(epoch int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
	var apiErr *tsinvites.APIError
	switch {
	case tsinvites.IsRateLimited(err) && errors.As(err, &apiErr):
		p.limit, p.successes, p.epoch = max(1, p.limit/2), 0, p.epoch+1
		pause := apiErr.RetryAfter
		if pause <= 0 {
			pause = DefaultPause
		}
		if pause > p.maxWait && p.stop == nil {
			p.stop = &WaitError{Wait: pause, Err: err}
		}
		if until := time.Now().Add(pause); until.After(p.until) {
			p.until = until
		}
	case err == nil && p.limit < p.max && epoch == p.epoch:
		if p.successes++; p.successes >= p.limit {
			p.limit, p.successes = p.limit+1, 0
		}
	}
	close(p.changed)
	p.changed = make(chan struct{})
}
