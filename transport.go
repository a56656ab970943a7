package tsinvites

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// maxBody caps how much of a successful answer is read.
const maxBody = 16 << 20

// send makes one attempt's request through the generated client.
type send func(ctx context.Context) (*http.Response, error)

// sender is the generated client's HttpRequestDoer: it tells the call's probe (if any)
// that the request reached the transport, and keeps the request on the answer.
type sender struct{ hc *http.Client }

// Do sends req with the hardened *http.Client.
func (s sender) Do(req *http.Request) (*http.Response, error) {
	if p, _ := req.Context().Value(probeKey{}).(*connProbe); p != nil {
		p.handOver(req)
	}
	resp, err := s.hc.Do(req)
	if resp != nil && resp.Request == nil { // a custom transport may leave it out
		resp.Request = req
	}
	return resp, err
}

// do makes a call, trying again when the retry policy allows. A non-2xx status becomes
// an *APIError; a 2xx body is decoded into out (when out is not nil).
func (c *Client) do(ctx context.Context, op operation, kind opKind, send send, out any) error {
	if c == nil || c.gen == nil {
		return invalid(op, "the Client was not made with tsinvites.New")
	}
	if ctx == nil {
		return invalid(op, "nil context")
	}
	retries := retrier{policy: c.retry}
	reached := false // whether an earlier attempt may have reached the server
	for n := 1; ; n++ {
		var start time.Time
		if c.logger != nil {
			start = time.Now()
		}
		a := c.try(ctx, op, kind, send, out)
		wait, again, why := retries.next(ctx, kind, a, n)
		c.log(ctx, op, a, n, wait, why, start)
		if !again {
			if kind == opDelete && reached && IsNotFound(a.err) {
				return nil // an earlier attempt deleted it, but its answer was lost
			}
			return a.err
		}
		reached = reached || a.reached && a.status != http.StatusTooManyRequests && a.status != http.StatusUnauthorized // those did nothing
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %w)", a.err, err)
		}
	}
}

// try makes one attempt of a call. The answer's body is always drained (up to 64 KiB)
// and closed, so that the connection can be reused.
func (c *Client) try(ctx context.Context, op operation, kind opKind, send send, out any) (a attempt) {
	var probe *connProbe // watches mutating calls, and every call for the log
	if kind != opRead || c.logger != nil {
		probe = &connProbe{}
		ctx = probe.attach(ctx, kind != opRead)
	}
	resp, err := send(ctx)
	a.reached = probe.reached(err)
	if err != nil {
		if probe != nil {
			a.method, a.path = probe.method, probe.path
		}
		a.cut = isConnError(err) && ctx.Err() == nil
		var tokenErr *tokenEndpointError
		if errors.As(err, &tokenErr) && tokenErr.transient {
			a.unsent, a.retryAfter = true, tokenErr.retryAfter // the token fetch failed
		}
		a.unsent = a.unsent || a.cut && !a.reached
		a.err = c.wrap(op, c.maybeDone(kind, a.reached, err))
		return a
	}
	a.method, a.path = resp.Request.Method, resp.Request.URL.EscapedPath()
	body := &bodyReader{r: resp.Body}
	defer func() {
		body.left, body.limitSpace = maxErrorBody, false // what is left, up to 64 KiB
		_, _ = io.Copy(io.Discard, body)
		_ = resp.Body.Close()
	}()
	a.status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, op.String(), c.redact, time.Now())
		a.retryAfter, a.err = apiErr.RetryAfter, apiErr
		if resp.StatusCode == http.StatusUnauthorized && c.bearer != nil {
			// A 401 did nothing; once its token is forgotten, the next attempt gets another.
			a.unsent = c.bearer.refused(bearerOf(resp.Request))
		}
		if resp.StatusCode >= 500 { // the server may have done it before failing
			a.err = c.maybeDone(kind, true, apiErr)
		}
		return a
	}
	if out == nil {
		return a
	}
	// From here on the API answered 2xx: a create was done, whatever goes wrong.
	body.left, body.limitSpace = maxBody+1, true
	dec := json.NewDecoder(body)
	if err = decodeAnswer(dec, out); err == nil {
		err = checkAnswer(dec, out)
	}
	if err != nil {
		switch {
		case body.left <= 0:
			err = fmt.Errorf("the answer is larger than %d MiB", maxBody>>20)
		case errors.Is(err, io.EOF):
			err = errors.New("the answer is empty")
		case ctx.Err() != nil:
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		case isConnError(body.err): // not a body that is bad JSON, but one cut short
			a.cut = true
			err = fmt.Errorf("the answer broke off: %w", body.err)
		case errors.Is(err, errTrailingData), errors.Is(err, errSpaceRun):
		default:
			err = fmt.Errorf("%w (Content-Type %q)", err, resp.Header.Get("Content-Type"))
		}
		a.err = c.decodeError(op, kind, err)
	}
	return a
}

// decodeAnswer decodes a 2xx body into out: an array of invites element by element.
func decodeAnswer(dec *json.Decoder, out any) error {
	switch out := out.(type) {
	case *[]UserInvite:
		var err error
		*out, err = decodeInvites(dec)
		return err
	case *UserInvite:
		*out = UserInvite{} // no leftovers from an earlier attempt
	}
	return dec.Decode(out)
}

// checkAnswer refuses what decodes without error but is not the API's answer: data after
// the JSON value, null for a list, invites without an ID (such as {} or [{}]), a list of
// users without its users.
func checkAnswer(dec *json.Decoder, out any) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		extra, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 40))
		return fmt.Errorf("%w: %s (a proxy or cache between this program and the API may have changed the answer)",
			errTrailingData, strconv.QuoteToASCII(string(extra)))
	}
	var invites []UserInvite
	switch out := out.(type) {
	case *[]UserInvite:
		if *out == nil {
			return errors.New("the answer is null, not a JSON array")
		}
		invites = *out
	case *UserInvite:
		invites = []UserInvite{*out}
	case *UserList: // a tailnet always has a user, its owner: no list is no answer
		if out.Users == nil {
			return errors.New(`the answer has no "users" array`)
		}
	}
	for i, inv := range invites {
		if inv.ID == "" {
			return fmt.Errorf("invite %d of the answer has no id", i+1)
		}
	}
	return nil
}

// bodyReader reads a body up to a limit and keeps the connection's first error (not
// io.EOF), so that a body cut short is told from bad JSON. With limitSpace it refuses a
// long run of white space, which encoding/json's Decoder rescans on every read.
type bodyReader struct {
	r          io.Reader
	left       int64 // bytes it may still read
	err        error
	limitSpace bool
	spaceRun   int // white space characters in a row so far
}

// maxSpaceRun is the longest run of white space an answer may have.
const maxSpaceRun = 4096

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	if b.limitSpace {
		for _, c := range p[:n] {
			if c > ' ' || c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				b.spaceRun = 0
			} else if b.spaceRun++; b.spaceRun > maxSpaceRun {
				return 0, errSpaceRun
			}
		}
	}
	return n, err
}

// decodeInvites decodes a JSON array of invites element by element (the decoder never
// holds the whole body) into blocks joined once at the end. null gives nil.
func decodeInvites(dec *json.Decoder) (_ []UserInvite, err error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("the answer is not a JSON array but starts with %q", fmt.Sprint(tok))
	}
	defer func() { // once the array has begun, its end is missing, not the answer
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
	}()
	var blocks [][]UserInvite
	block := make([]UserInvite, 0, 16)
	for dec.More() {
		if len(block) == cap(block) {
			blocks = append(blocks, block)
			block = make([]UserInvite, 0, min(2*cap(block), 4096))
		}
		block = append(block, UserInvite{})
		if err := dec.Decode(&block[len(block)-1]); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, err
	}
	if len(blocks) == 0 {
		return block, nil
	}
	return slices.Concat(append(blocks, block)...), nil
}

// log writes one debug line for an attempt; only the error could hold a secret, and it
// has been redacted.
func (c *Client) log(ctx context.Context, op operation, a attempt, n int, wait time.Duration, why string, start time.Time) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", op.String()), slog.String("method", a.method), slog.String("path", a.path),
		slog.Int("status", a.status), slog.Int("attempt", n),
		slog.Duration("wait", wait), slog.Duration("duration", time.Since(start)),
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	if why != "" {
		attrs = append(attrs, slog.String("not_retried", why))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "tsinvites: attempt", attrs...)
}
