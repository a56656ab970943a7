package tsinvites

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/jsonbody"
)

// maxBody caps how much of a successful answer is read; maxUsersBody, of a users list
// (50,000 users are about 21 MiB; Tailscale's plans go to tens of thousands).
const (
	maxBody      = 16 << 20
	maxUsersBody = 256 << 20
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
		if err := httpx.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %w)", a.err, err)
		}
	}
}

// try makes one attempt of a call. The answer's body is always drained (up to 64 KiB)
// and closed, so that the connection can be reused.
func (c *Client) try(ctx context.Context, op operation, kind opKind, send send, out any) (a attempt) {
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
	a.method, a.path, a.status = resp.Request.Method, resp.Request.URL.EscapedPath(), resp.StatusCode
	body := &jsonbody.Reader{R: resp.Body}
	defer func() {
		body.Left, body.LimitSpace = maxErrorBody, false // what is left, up to 64 KiB
		_, _ = io.Copy(io.Discard, body)
		_ = resp.Body.Close()
	}()
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		apiErr := newAPIError(resp, op.String(), c.redact, time.Now())
		apiErr.userOp = kind == opUser
		a.retryAfter, a.err = apiErr.RetryAfter, apiErr
		if resp.StatusCode == http.StatusUnauthorized && c.bearer != nil {
			// A 401 did nothing; once its token is forgotten, the next attempt gets another.
			a.unsent = c.bearer.Refused(strings.TrimPrefix(resp.Request.Header.Get("Authorization"), "Bearer "))
		}
		if resp.StatusCode >= 500 { // the server may have done it before failing
			a.err = c.maybeDone(kind, true, apiErr)
		}
	case out != nil: // the API answered 2xx: a create was done, whatever goes wrong
		if err := c.readAnswer(ctx, resp, body, out, &a); err != nil {
			a.err = c.decodeError(op, kind, err)
		}
	}
	return a
}

// readAnswer decodes a 2xx answer's body into out, and explains why it cannot.
func (c *Client) readAnswer(ctx context.Context, resp *http.Response, body *jsonbody.Reader, out any, a *attempt) error {
	limit := int64(maxBody)
	if _, users := out.(*UserList); users {
		limit = maxUsersBody
	}
	body.Left, body.LimitSpace = limit+1, true
	dec := json.NewDecoder(body)
	err := decodeAnswer(dec, out)
	if err == nil {
		err = checkAnswer(dec, out)
	}
	switch {
	case err == nil:
		return nil
	case body.Left <= 0:
		return fmt.Errorf("the answer is larger than %d MiB", limit>>20)
	case errors.Is(err, io.EOF):
		return errors.New("the answer is empty")
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	case httpx.IsConnError(body.Err): // not a body that is bad JSON, but one cut short
		a.cut = true
		return fmt.Errorf("the answer broke off: %w", body.Err)
	case errors.Is(err, jsonbody.ErrTrailingData), errors.Is(err, jsonbody.ErrSpaceRun):
		return err
	}
	return fmt.Errorf("%w (Content-Type %q)", err, resp.Header.Get("Content-Type"))
}

// decodeAnswer decodes a 2xx body into out; arrays (of invites, of users) a value at a
// time.
func decodeAnswer(dec *json.Decoder, out any) (err error) {
	switch out := out.(type) {
	case *[]UserInvite:
		*out, err = jsonbody.Array[UserInvite](dec)
		return err
	case *UserList: // a tailnet always has a user, its owner: no list is no answer
		var found bool
		if out.Users, found, err = jsonbody.Field[User](dec, "users"); err == nil && !found {
			err = errors.New(`the answer has no "users" array`)
		}
		return err
	case *UserInvite:
		*out = UserInvite{} // no leftovers from an earlier attempt
	}
	return dec.Decode(out)
}

// checkAnswer refuses what decodes without error but is not the API's answer: data after
// the JSON value, null for a list, invites without an ID (such as {} or [{}]).
func checkAnswer(dec *json.Decoder, out any) error {
	if err := jsonbody.End(dec); err != nil {
		return err
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
	}
	for i, inv := range invites {
		if inv.ID == "" {
			return fmt.Errorf("invite %d of the answer has no id", i+1)
		}
	}
	return nil
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

// pairCreated pairs a create's answer with its requests (see Create), reporting the
// requests left without an invite and the invites no request asked for, or that share
// an ID with another.
func pairCreated(reqs []CreateUserInviteRequest, answer []UserInvite) ([]UserInvite, error) {
	created := make([]UserInvite, len(reqs))
	byEmail := map[string]int{} // email key → index of its request
	var noEmail []int
	for i, r := range reqs {
		if r.Email == "" {
			noEmail = append(noEmail, i)
		} else {
			key, _ := identity.Key(r.Email) // a request's email is valid (checked)
			byEmail[key] = i
		}
	}
	var extra, missing []string
	var unpaired []UserInvite
	times := map[string]int{} // how often each ID is in the answer
	for _, inv := range answer {
		times[inv.ID]++
	}
	for _, inv := range answer {
		key, named := identity.Key(inv.Email) // one with white space or hidden characters pairs with nobody
		i, asked := byEmail[key]
		asked = asked && named
		switch {
		case times[inv.ID] > 1: // one invite cannot be two people's: neither is paired
			extra, unpaired = append(extra, fmt.Sprintf("invite %q for %q (the answer gives that ID %d times)", inv.ID, inv.Email, times[inv.ID])), append(unpaired, inv)
		case inv.Email == "" && len(noEmail) > 0:
			created[noEmail[0]], noEmail = inv, noEmail[1:]
		case inv.Email != "" && asked && created[i].ID == "":
			created[i] = inv
		default:
			extra, unpaired = append(extra, fmt.Sprintf("invite %q for %q", inv.ID, inv.Email)), append(unpaired, inv)
		}
	}
	for i, inv := range created {
		if inv.ID == "" {
			missing = append(missing, fmt.Sprintf("request %d (%q)", i+1, reqs[i].Email))
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return created, nil
	}
	return created, &unpairedError{invites: unpaired, msg: fmt.Sprintf("the answer does not match the request: no invite for %s; not asked for: %s",
		cmp.Or(strings.Join(missing, ", "), "none"), cmp.Or(strings.Join(extra, ", "), "none"))}
}
