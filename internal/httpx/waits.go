package httpx

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Waits picks the waits between the attempts of one call: exponential from Initial,
// doubling, with ±50% jitter and at most Max; a server's Retry-After instead when it
// is at most MaxRetryAfter. The zero backoff state is made on the first wait.
type Waits struct {
	Initial, Max, MaxRetryAfter time.Duration
	backoff                     *backoff.ExponentialBackOff
}

// Next is the wait before the next attempt, given the server's Retry-After (0 for
// none); ok is false, and why says why, when no wait fits: a Retry-After over the cap,
// or a wait that would pass the context's deadline.
func (w *Waits) Next(ctx context.Context, retryAfter time.Duration) (wait time.Duration, ok bool, why string) {
	if retryAfter > w.MaxRetryAfter {
		return 0, false, fmt.Sprintf("Retry-After %s is longer than the %s cap", retryAfter, w.MaxRetryAfter)
	}
	wait = retryAfter
	if wait <= 0 {
		if w.backoff == nil {
			w.backoff = &backoff.ExponentialBackOff{InitialInterval: w.Initial, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: w.Max}
		}
		wait = min(w.backoff.NextBackOff(), w.Max)
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false, fmt.Sprintf("a wait of %s would pass the context's deadline", wait.Round(time.Millisecond))
	}
	return wait, true, ""
}
