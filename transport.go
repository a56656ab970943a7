package tsinvites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/jsonbody"
)

// send makes one attempt's request through the generated client.
type send func(ctx context.Context) (*http.Response, error)

// sender is the generated client's HttpRequestDoer: it tells the call's probe (if any)
// that the request reached the transport, and keeps the request on the answer.
type sender struct{ hc *http.Client }

// Do sends req with the hardened *http.Client.
func (s sender) Do(req *http.Request) (*http.Response, error) {
	httpx.HandOver(req)
	resp, err := s.hc.Do(req)
	if resp != nil && resp.Request == nil { // a custom transport may leave it out
		resp.Request = req
	}
	return resp, err
}

// do makes a call, trying again when the retry policy allows. A non-2xx status becomes
// an *APIError; a 2xx body is decoded into out (when out is not nil).
func (c *Client) do(ctx context.Context, op operation, kind opKind, send send, out answer) error {
	if c == nil || c.gen == nil {
		return invalid(op, "the Client was not made with tsinvites.New")
	}
	if ctx == nil {
		return invalid(op, "nil context")
	}
	retries := retrier{policy: c.retry, waits: httpx.Waits{Initial: c.retry.InitialBackoff, Max: c.retry.MaxBackoff, MaxRetryAfter: c.retry.MaxRetryAfter}}
	reached := false // whether an earlier attempt may have reached the server
	for n := 1; ; n++ {
		var start time.Time
		if c.logger != nil {
			start = time.Now()
		}
		a := c.try(ctx, op, kind, send, out)
		wait, again, why := retries.next(ctx, kind, a, n)
		if c.logger != nil { // only then is the operation's text made
			httpx.LogAttempt(ctx, c.logger, op.String(), a.method, a.path, a.status, n, wait, start, a.err, why)
		}
		if !again {
			if kind == opDelete && reached && IsNotFound(a.err) {
				return nil // an earlier attempt deleted it, but its answer was lost
			}
			return a.err
		}
		reached = reached || a.reached && a.status != http.StatusTooManyRequests && a.status != http.StatusUnauthorized // those did nothing
		if err := httpx.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %w)", a.err, err)
		}
	}
}

// try makes one attempt of a call. The answer's body is always drained (up to 64 KiB)
// and closed, so that the connection can be reused.
func (c *Client) try(ctx context.Context, op operation, kind opKind, send send, out answer) (a attempt) {
	var probe *httpx.Probe // watches mutating calls, and every call for the log
	if kind != opRead || c.logger != nil {
		probe = &httpx.Probe{}
		ctx = probe.Attach(ctx, kind != opRead)
	}
	resp, err := send(ctx)
	a.reached = probe.Reached(err)
	if err != nil {
		if probe != nil {
			a.method, a.path = probe.Method, probe.Path
		}
		a.cut = httpx.IsConnError(err) && ctx.Err() == nil
		var tokenErr *tokenEndpointError
		if errors.As(err, &tokenErr) && tokenErr.transient {
			a.unsent, a.retryAfter = true, tokenErr.retryAfter // the token fetch failed
		}
		a.unsent = a.unsent || a.cut && !a.reached
		a.err = c.wrap(op, c.maybeDone(kind, a.reached, err))
		return a
	}
	a.method, a.status = resp.Request.Method, resp.StatusCode
	if c.logger != nil { // the path is for the log alone
		a.path = resp.Request.URL.EscapedPath()
	}
	body := &jsonbody.Reader{R: resp.Body}
	defer func() {
		body.Left, body.LimitSpace = maxErrorBody, false // what is left, up to 64 KiB
		_, _ = io.Copy(io.Discard, body)
		_ = resp.Body.Close()
	}()
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		apiErr := newAPIError(resp, op.String(), c.redact, time.Now())
		apiErr.Advice = c.advice(op, kind, resp.StatusCode, apiErr.RetryAfter)
		a.retryAfter, a.err = apiErr.RetryAfter, apiErr
		if resp.StatusCode == http.StatusUnauthorized && c.bearer != nil {
			// A 401 did nothing; once its token is forgotten, the next attempt gets another.
			a.unsent = c.bearer.Refused(strings.TrimPrefix(resp.Request.Header.Get("Authorization"), "Bearer "))
		}
		if resp.StatusCode >= 500 { // the server may have done it before failing
			a.err = c.maybeDone(kind, true, apiErr)
		}
	case out != nil: // the API answered 2xx: a create was done, whatever goes wrong
		var err error
		if a.cut, err = httpx.ReadAnswer(ctx, body, resp.Header.Get("Content-Type"), out); err != nil {
			a.err = c.decodeError(op, kind, err)
		}
	}
	return a
}
