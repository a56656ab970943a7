// Package httpx holds the HTTP machinery of the SDK's call loop: the hardened
// *http.Client, the probe that tells whether a request may have reached the server, and
// the classification of connection errors.
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// ErrRedirect is matched by the error of a redirect the client refused.
var ErrRedirect = errors.New("refusing redirect")

// defaultTransport is shared by every client made without an *http.Client of the
// caller's, so that dropped clients leave no connections behind; it keeps up to 64
// (idle) per host.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	tr = tr.Clone()
	tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost = 64, 64
	return tr
})

// SafeClient copies hc (default: 60 s timeout over a shared transport), refusing
// redirects to another host, from https to http, or that change the method.
func SafeClient(hc *http.Client) *http.Client {
	c := http.Client{Timeout: 60 * time.Second, Transport: defaultTransport()}
	if hc != nil {
		c = *hc
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		from := via[0].URL
		if req.URL.Host != from.Host || from.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("tsinvites: %w from %s://%s to %s://%s: the credential stays on the API's host", ErrRedirect, from.Scheme, from.Host, req.URL.Scheme, req.URL.Host)
		}
		if req.Method != via[0].Method { // net/http makes a POST or DELETE a GET on 301, 302, 303
			return fmt.Errorf("tsinvites: %w: it would turn the %s into a %s and drop what was sent", ErrRedirect, via[0].Method, req.Method)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("tsinvites: stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// IsConnError reports a failure of the connection that another attempt may not have:
// refused, reset, timed out, closed early. TLS, redirect and OAuth refusals are not.
func IsConnError(err error) bool {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		timeout interface{ Timeout() bool }
	)
	switch {
	case err == nil, errors.Is(err, ErrRedirect), errors.As(err, new(*tls.CertificateVerificationError)),
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

// Probe follows one attempt: whether its request reached the transport ([Probe.HandOver]
// marks it) and, through httptrace, whether the transport asked for and got a
// connection after that (the token fetch's own does not count).
type Probe struct {
	handed, getConn, gotConn atomic.Bool
	// Method and Path are the request's, once it was handed over (for the log).
	Method, Path string
}

type probeKey struct{}

// Attach returns ctx carrying the probe, with an httptrace hook when trace is set.
func (p *Probe) Attach(ctx context.Context, trace bool) context.Context {
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

// HandOver records, on the probe req's context carries (if any), that req reached the
// transport.
func HandOver(req *http.Request) {
	if p, _ := req.Context().Value(probeKey{}).(*Probe); p != nil {
		p.Method, p.Path = req.Method, req.URL.EscapedPath()
		p.handed.Store(true)
	}
}

// Reached reports whether a request that ended with err (nil: answered) may have
// reached the server. Only evidence says it did not: it never reached the transport, or
// the transport asked for a connection, got none, and failed to dial. A nil probe knows
// nothing: true.
func (p *Probe) Reached(err error) bool {
	if p == nil || err == nil {
		return true
	}
	var opErr *net.OpError
	dial := errors.As(err, &opErr) && opErr.Op == "dial"
	return p.handed.Load() && (!p.getConn.Load() || p.gotConn.Load() || !dial)
}

// Sleep waits for d or until ctx ends, leaving no timer behind.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RetryAfter reads a Retry-After header: whole seconds or an HTTP date, at most limit.
// Anything else, and a date in the past, is no wait.
func RetryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	// A number too large for int64 is ParseInt's ErrRange with the largest value: the cap.
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(limit/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now).Round(time.Second), limit)
	}
	return 0
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// ErrorMessage finds the message in an error body: the JSON "message" if there is one,
// else the HTML title, else the text itself. The caller shortens it.
func ErrorMessage(body []byte, contentType string) string {
	var apiErr struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &apiErr) == nil && apiErr.Message != "" {
		return apiErr.Message
	}
	trimmed := bytes.TrimSpace(body)
	if strings.Contains(contentType, "html") || bytes.HasPrefix(trimmed, []byte("<")) {
		if m := htmlTitle.FindSubmatch(trimmed); m != nil {
			return string(m[1])
		}
		trimmed = htmlTag.ReplaceAll(trimmed, []byte(" "))
	}
	return string(trimmed)
}
