package tsinvites

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/tsinvites/tsinvites/internal/words"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/oauth2"
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
	policy  RetryPolicy
	backoff *backoff.ExponentialBackOff // made on the first retry
}

// nextBackoff is the next wait the client picks itself.
func (r *retrier) nextBackoff() time.Duration {
	if r.backoff == nil {
		r.backoff = &backoff.ExponentialBackOff{
			InitialInterval:     r.policy.InitialBackoff,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         r.policy.MaxBackoff,
		}
	}
	return min(r.backoff.NextBackOff(), r.policy.MaxBackoff)
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
		return 0, false, words.Plural(n, "attempt", "attempts") + " made"
	case a.retryAfter > r.policy.MaxRetryAfter:
		return 0, false, fmt.Sprintf("Retry-After %s is longer than the %s cap", a.retryAfter, r.policy.MaxRetryAfter)
	}
	wait = a.retryAfter
	if wait <= 0 {
		wait = r.nextBackoff()
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false, fmt.Sprintf("a wait of %s would pass the context's deadline", wait.Round(time.Millisecond))
	}
	return wait, true, ""
}

// retryable is the policy table of [RetryPolicy].
func retryable(kind opKind, a attempt) bool {
	if a.status == http.StatusTooManyRequests || a.unsent {
		return true
	}
	switch kind {
	case opRead, opDelete:
		switch a.status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return a.cut // no answer, or a 2xx answer whose body broke off
	}
	return false
}

// isConnError reports a failure of the connection that another attempt may not have:
// refused, reset, timed out, closed early. TLS, redirect and OAuth refusals are not.
func isConnError(err error) bool {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		timeout interface{ Timeout() bool }
	)
	switch {
	case err == nil, errors.Is(err, errRedirect), errors.As(err, new(*tls.CertificateVerificationError)),
		errors.As(err, new(x509.UnknownAuthorityError)), errors.As(err, new(x509.HostnameError)),
		errors.As(err, new(*oauth2.RetrieveError)):
		return false
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &opErr) && (opErr.Op == "remote error" || opErr.Op == "local error"),
		errors.As(err, new(tls.AlertError)):
		return false // a TLS alert: the handshake was refused, and would be again
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.As(err, &opErr):
		return true
	case errors.Is(err, context.DeadlineExceeded): // http.Client.Timeout, not the caller's
		return true
	}
	// *url.Error has a Timeout method of its own: look inside it.
	inner := errors.Unwrap(err)
	return inner != nil && errors.As(inner, &timeout) && timeout.Timeout()
}

// connProbe follows one attempt: whether its request reached the transport (sender
// marks it) and, through httptrace, whether the transport asked for and got a
// connection after that (the token fetch's own does not count).
type connProbe struct {
	handed, getConn, gotConn atomic.Bool
	method, path             string // of the request handed over, for the log
}

// probeKey is the context key under which a call's probe travels to sender.
type probeKey struct{}

// attach returns ctx carrying the probe, with an httptrace hook when trace is set.
func (p *connProbe) attach(ctx context.Context, trace bool) context.Context {
	ctx = context.WithValue(ctx, probeKey{}, p)
	if !trace {
		return ctx
	}
	mark := func(b *atomic.Bool) {
		if p.handed.Load() {
			b.Store(true)
		}
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { mark(&p.getConn) },
		GotConn: func(httptrace.GotConnInfo) { mark(&p.gotConn) },
	})
}

// handOver records that req reached the transport.
func (p *connProbe) handOver(req *http.Request) {
	p.method, p.path = req.Method, req.URL.EscapedPath()
	p.handed.Store(true)
}

// reached reports whether a request that ended with err (nil: answered) may have
// reached the server. Only evidence says it did not: it never reached the transport, or
// the transport asked for a connection, got none, and failed to dial.
func (p *connProbe) reached(err error) bool {
	if p == nil || err == nil {
		return true
	}
	return p.handed.Load() && (!p.getConn.Load() || p.gotConn.Load() || !isDialError(err))
}

// isDialError reports a failure to connect (name lookup included), before any byte is sent.
func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// sleep waits for d or until ctx ends, leaving no timer behind.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
