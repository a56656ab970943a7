package tsinvites

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites/internal/httpx"
	"github.com/tsinvites/tsinvites/internal/redact"
	"github.com/tsinvites/tsinvites/internal/textsafe"
	"github.com/tsinvites/tsinvites/internal/token"
	"golang.org/x/oauth2"
)

const (
	maxErrorBody  = 64 << 10       // how much of an error answer is read and kept in APIError.Body
	maxMessage    = 200            // the most characters of APIError.Message
	maxRetryAfter = 24 * time.Hour // the cap of APIError.RetryAfter
)

// APIError is the error for every answer with a status outside 2xx, even one whose body
// is empty, HTML or truncated. Use [errors.As] to get at it, or the helpers
// [IsNotFound], [IsUnauthorized], [IsForbidden] and [IsRateLimited]:
//
//	var apiErr *tsinvites.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict { ... }
//
// Credentials and invite URLs are removed from Message and Body, even when the server
// echoes them back.
type APIError struct {
	// StatusCode is the HTTP status of the answer, such as 404.
	StatusCode int
	// Message is the API's JSON "message", or a short, trimmed text of the body when
	// the body is not the API's JSON. It may be empty.
	Message string
	// Method and Path are the request's, such as GET and /api/v2/user-invites/42.
	Method, Path string
	// RetryAfter is the wait the server asked for in a Retry-After header (at most a
	// day); zero when it asked for none.
	RetryAfter time.Duration
	// Body is the start of the answer's body (at most 64 KiB), secrets removed.
	Body []byte
	// Operation says what the client was doing, such as `get invite "42"`.
	Operation string
	// Advice says what to do about it, such as "check the credential:
	// TAILSCALE_API_KEY (API keys expire)"; empty when the client has nothing to add.
	// It names the settings as the program gave them: the environment variables
	// when the Config came from [ConfigFromEnv] or [ConfigFromLookup], the Config
	// fields otherwise.
	Advice string
}

// Error describes the failure from the fields: the operation (or method and path), the
// status, the message and the advice, for example
// `tsinvites: get invite "42": 404 not found: invite not found`.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("tsinvites: " + cmp.Or(e.Operation, e.Method+" "+e.Path))
	fmt.Fprintf(&b, ": %d %s", e.StatusCode, strings.ToLower(http.StatusText(e.StatusCode)))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Advice != "" {
		b.WriteString(" (" + e.Advice + ")")
	}
	return b.String()
}

// GoString formats the error for %#v as Error does, so no field's bytes are dumped.
func (e *APIError) GoString() string { return e.Error() }

// IsNotFound reports whether err is an [*APIError] with status 404: no such invite, user
// or tailnet.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is an [*APIError] with status 401: the credential is
// missing, invalid or expired.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether err is an [*APIError] with status 403: the credential may
// not do this (for example an OAuth token creating an invite).
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsRateLimited reports whether err is an [*APIError] with status 429. Its RetryAfter
// says how long to wait, when the server said.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// newAPIError reads (at most maxErrorBody of) a non-2xx answer into an *APIError.
func newAPIError(resp *http.Response, operation string, r *redact.Redactor, now time.Time) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return newAPIErrorFromBody(resp, body, operation, r, now)
}

// newAPIErrorFromBody is newAPIError for a body already read (such as x/oauth2's).
// The message is redacted after decoding, as JSON escapes can hide a secret.
func newAPIErrorFromBody(resp *http.Response, body []byte, operation string, r *redact.Redactor, now time.Time) *APIError {
	body = body[:min(len(body), maxErrorBody)]
	e := &APIError{
		StatusCode: resp.StatusCode,
		RetryAfter: httpx.RetryAfter(resp.Header.Get("Retry-After"), now, maxRetryAfter),
		Operation:  operation,
		Message:    textsafe.Shorten(r.String(httpx.ErrorMessage(body, resp.Header.Get("Content-Type"))), maxMessage),
		Body:       r.JSON(body),
	}
	if resp.Request != nil {
		e.Method, e.Path = resp.Request.Method, resp.Request.URL.EscapedPath()
	}
	return e
}

// ErrInvalidInput is matched, with [errors.Is], by every error for input that the client
// refuses before sending anything: a bad invite ID, user ID or tailnet, an empty
// create, an unknown role or an email address that does not parse.
var ErrInvalidInput = errors.New("invalid input")

func invalid(op operation, format string, args ...any) error {
	return fmt.Errorf("tsinvites: %v: %w: %s", op, ErrInvalidInput, fmt.Sprintf(format, args...))
}

// operation says what a call does, for errors and logs.
type operation struct {
	verb   string // "list invites", "create", "get invite", ...
	id     string // the invite ID, with withID
	withID bool
	count  int  // create: the number of invites
	device bool // a devices or device-invites call, whose 403 has its own advice
}

func (o operation) String() string {
	switch {
	case o.verb == "create":
		return "create " + textsafe.Plural(o.count, "invite", "invites")
	case o.withID:
		return fmt.Sprintf("%s %q", o.verb, o.id)
	}
	return o.verb
}

// reasonError is what is wrong with some input, without saying where: it matches
// ErrInvalidInput.
type reasonError struct{ msg string }

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return ErrInvalidInput }

func reason(format string, args ...any) error {
	return &reasonError{msg: fmt.Sprintf(format, args...)}
}

// maybeDone marks the error of a create that may have reached the server with
// ErrMayHaveCreated.
func (c *Client) maybeDone(kind opKind, reached bool, err error) error {
	if kind != opCreate || !reached {
		return err
	}
	return fmt.Errorf("%w (%w: list them before creating them again)", err, ErrMayHaveCreated)
}

// ErrMayHaveCreated is matched, with [errors.Is], by the error of a [Client.Create] that
// failed after its request may have reached the API: a 5xx answer, a dropped connection,
// a timeout, an answer that is cut or not the API's JSON. The invites may exist: list
// them before creating them again (a create is never retried in that case). A create
// whose error does not match it was not done.
var ErrMayHaveCreated = errors.New("the invites may have been created")

// UnpairedInvites returns the invites of a [Client.Create] answer that were paired with
// no request (an invite more than asked for, one ID given to two people), in the
// answer's order; nil when err carries none. They may exist, and one without email is
// a live invite URL: share or delete them. Create's error then matches
// [ErrMayHaveCreated] and names them, without their URLs.
func UnpairedInvites(err error) []UserInvite { return unpairedOf[UserInvite](err) }

// UnpairedDeviceInvites is [UnpairedInvites] for [Client.CreateDeviceInvites]: the
// device invites of its answer that were paired with no request. Each may be a live
// share: its InviteURL lets anyone holding it accept; delete or share them.
func UnpairedDeviceInvites(err error) []DeviceInvite { return unpairedOf[DeviceInvite](err) }

// unpairedOf returns the unpaired invites of type I that err carries, or nil.
func unpairedOf[I any](err error) []I {
	var e *unpairedError
	if errors.As(err, &e) {
		if invites, ok := e.invites.([]I); ok {
			return slices.Clone(invites)
		}
	}
	return nil
}

// unpairedError is why a create's answer could not be paired with its requests; its
// text names invites by ID and email, never URL.
type unpairedError struct {
	msg     string
	invites any // paired with no request: a []UserInvite or a []DeviceInvite
}

func (e *unpairedError) Error() string    { return e.msg }
func (e *unpairedError) GoString() string { return e.msg }

// wrap says what was being done in the text of err, with secrets removed.
func (c *Client) wrap(op operation, err error) error {
	return &redactedError{msg: c.redact.String(fmt.Sprintf("tsinvites: %v: %v", op, err)), err: err}
}

// decodeError reports a 2xx answer that is not what the API documents (after which a
// create was done).
func (c *Client) decodeError(op operation, kind opKind, err error) error {
	return c.wrap(op, c.maybeDone(kind, true, fmt.Errorf("unexpected answer from the API: %w", err)))
}

// redactedError is an error whose text had secrets removed; Unwrap still gives the
// original for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// tokenEndpointError is a token endpoint's answer other than a token. It is not an
// *APIError (IsNotFound and the like are about the API's answers), though its text is
// capped and cleaned like one.
type tokenEndpointError struct {
	msg        string
	transient  bool          // a 5xx or 429: retried like a GET, as no API request was sent
	retryAfter time.Duration // the endpoint's Retry-After, if any
}

func (e *tokenEndpointError) Error() string { return e.msg }

// tokenError describes a failed token fetch. Only a 5xx or 429 is retried; a 400 or 401
// blames the credentials; a 200 without a token blames the endpoint.
func (c *Client) tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.Is(err, token.ErrMalformed) {
		return &tokenEndpointError{msg: fmt.Sprintf("the %s's token endpoint answered 200 but %v", c.authKind, c.redact.String(err.Error()))}
	}
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Errorf("get a token from the %s: %w", c.authKind, err)
	}
	resp := *re.Response
	resp.Body = http.NoBody
	apiErr := newAPIErrorFromBody(&resp, re.Body, "", c.redact, time.Now())
	e := &tokenEndpointError{retryAfter: apiErr.RetryAfter,
		transient: resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500}
	e.msg = fmt.Sprintf("the token endpoint answered %d %s", resp.StatusCode, strings.ToLower(http.StatusText(resp.StatusCode)))
	if apiErr.Message != "" {
		e.msg += ": " + apiErr.Message
	}
	if !e.transient { // a refused credential: the advice of a 401
		e.msg = fmt.Sprintf("the token endpoint refused the %s (%s): %s", c.authKind, c.advice(operation{}, opRead, http.StatusUnauthorized, 0), e.msg)
	}
	return e
}
