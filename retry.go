package tsinvites

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// Defaults of a [RetryPolicy] whose fields are zero.
const (
	DefaultMaxAttempts    = 3
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 8 * time.Second
	DefaultMaxRetryAfter  = 30 * time.Second
)

// RetryPolicy says which failed calls the client tries again and how long it waits in
// between. The zero value gives the defaults. Only what is safe is retried:
//
//   - List, Get and Delete: on connection errors and on 429, 500, 502, 503 and 504.
//   - ApproveUser, SetUserRole, SuspendUser and RestoreUser, as List: done twice, each
//     leaves the user as done once.
//   - Create: on 429, and on a failure before anything was sent: the OAuth token
//     endpoint was unreachable or answered 5xx or 429, or net/http's transport could not
//     dial (one that does not report its connections through net/http/httptrace never
//     counts as unsent). Once it may have reached the server it is never sent again: a
//     retry could duplicate invites and emails.
//   - Resend: on 429, and on a failure before anything was sent, as Create.
//   - Any call, once, on a 401 for an OAuth or federated token: the token is forgotten
//     and the next attempt fetches another.
//
// Waits grow exponentially with jitter (about 0.5 s, 1 s, 2 s, ..., at most MaxBackoff);
// a server's Retry-After is honoured instead when it is at most MaxRetryAfter. The
// context's deadline covers every attempt and wait: no wait starts that would outlast it.
type RetryPolicy struct {
	// Disabled turns retries off: every call makes exactly one attempt.
	Disabled bool
	// MaxAttempts counts every attempt, the first included; 0 means DefaultMaxAttempts (3).
	MaxAttempts int
	// InitialBackoff is the wait before the first retry, before jitter (±50%); each
	// later wait doubles. 0 means DefaultInitialBackoff (500 ms).
	InitialBackoff time.Duration
	// MaxBackoff caps each wait the client picks itself; 0 means DefaultMaxBackoff (8 s).
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; 0 means
	// DefaultMaxRetryAfter (30 s). A call asked to wait longer returns the [*APIError]
	// at once, its RetryAfter saying how long.
	MaxRetryAfter time.Duration
}

// withDefaults fills the zero fields and checks the rest.
func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.MaxAttempts < 0 || p.InitialBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
		return p, errors.New("tsinvites: Config.Retry: negative attempts or durations")
	}
	p.MaxAttempts = cmp.Or(p.MaxAttempts, DefaultMaxAttempts)
	if p.Disabled {
		p.MaxAttempts = 1
	}
	p.InitialBackoff = cmp.Or(p.InitialBackoff, DefaultInitialBackoff)
	p.MaxBackoff = cmp.Or(p.MaxBackoff, DefaultMaxBackoff)
	p.MaxRetryAfter = cmp.Or(p.MaxRetryAfter, DefaultMaxRetryAfter)
	return p, nil
}

// opKind is what a call does, as far as retrying it is concerned.
type opKind int

const (
	opRead   opKind = iota // GET: list, get
	opDelete               // DELETE
	opCreate               // POST create: not idempotent
	opResend               // POST resend: sends an email
	opUser                 // POST approve, role, suspend, restore of a user: safe to repeat
)

// attempt is what one try of a call came to.
type attempt struct {
	err        error
	status     int           // the answer's status; 0 when there was no answer
	reached    bool          // the request may have reached the server
	cut        bool          // the connection failed: dial, reset, timeout, body cut short
	unsent     bool          // it did nothing (not sent, or a 401): any call may try again
	retryAfter time.Duration // the server's Retry-After, if any
	method     string        // of the request, when it was built
	path       string
}

// retrier is the retry state of one call.
type retrier struct {
	policy RetryPolicy
	waits  httpx.Waits
}

// next decides whether to try again after attempt n, and after which wait; why (for
// the log) says why not, unless the attempt succeeded.
func (r *retrier) next(ctx context.Context, kind opKind, a attempt, n int) (wait time.Duration, again bool, why string) {
	switch {
	case a.err == nil:
		return 0, false, ""
	case ctx.Err() != nil:
		return 0, false, "the context ended"
	case !retryable(kind, a):
		return 0, false, "not safe or not useful to retry"
	case n >= r.policy.MaxAttempts:
		return 0, false, textsafe.Plural(n, "attempt", "attempts") + " made"
	}
	return r.waits.Next(ctx, a.retryAfter)
}

// retryable is the policy table of [RetryPolicy].
func retryable(kind opKind, a attempt) bool {
	if a.status == http.StatusTooManyRequests || a.unsent {
		return true
	}
	switch kind {
	case opRead, opDelete, opUser:
		switch a.status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return a.cut // no answer, or a 2xx answer whose body broke off
	}
	return false
}
