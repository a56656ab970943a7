// Package spectest checks HTTP traffic against api/openapi.yaml in tests: a
// RoundTripper that validates every request a client sends and every answer it gets,
// with kin-openapi's openapi3filter.
package spectest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tsinvites/tsinvites/internal/token"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/tsinvites/tsinvites/internal/apidoc"
)

// Transport validates each request and answer against the document and records them.
// A request outside the document (or an answer it does not allow) fails the test.
type Transport struct {
	t      testing.TB
	base   http.RoundTripper
	router *apidoc.Router

	mu       sync.Mutex
	requests []Request
}

// Request is what Transport recorded of one request.
type Request struct {
	Method, EscapedPath, Operation string
	Status                         int // 0 when no answer came
}

// New returns a Transport for t that sends through base (nil: a fresh http.Transport,
// closed when the test ends).
func New(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	router, err := apidoc.NewRouter()
	if err != nil {
		t.Fatalf("spectest: %v", err)
	}
	if base == nil {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		base = tr
	}
	return &Transport{t: t, base: base, router: router}
}

// Requests returns what was sent so far, in order.
func (tr *Transport) Requests() []Request {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Request(nil), tr.requests...)
}

// RoundTrip validates req, sends it, and validates the answer.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := Request{Method: req.Method, EscapedPath: req.URL.EscapedPath()}
	// The token endpoints (OAuth client credentials, workload identity federation) are
	// not in the document.
	if rec.EscapedPath == strings.TrimSuffix(apidoc.Prefix, "/")+token.ClientCredentialsPath || rec.EscapedPath == strings.TrimSuffix(apidoc.Prefix, "/")+token.ExchangePath {
		resp, err := tr.base.RoundTrip(req)
		tr.record(rec, resp)
		return resp, err
	}
	route, params, err := tr.router.FindRoute(req)
	if err != nil {
		tr.t.Errorf("spectest: %s %s: no operation in the document: %v", req.Method, req.URL.EscapedPath(), err)
		return nil, err
	}
	rec.Operation = route.Operation.OperationID
	body, err := readBody(&req.Body)
	if err != nil {
		return nil, err
	}
	check := req.Clone(req.Context()) // validation reads the body; req keeps its own copy
	check.Body = io.NopCloser(bytes.NewReader(body))
	in := apidoc.Input(check, route, params)
	if err := apidoc.ValidateRequest(in); err != nil {
		tr.t.Errorf("spectest: request %s %s does not match the document: %v", req.Method, req.URL.EscapedPath(), err)
	}
	resp, err := tr.base.RoundTrip(req)
	tr.record(rec, resp)
	if err != nil {
		return nil, err
	}
	respBody, err := readBody(&resp.Body)
	if err != nil {
		return nil, err
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		tr.t.Errorf("spectest: answer %d to %s %s does not match the document: %v", resp.StatusCode, req.Method, req.URL.EscapedPath(), err)
	}
	return resp, nil
}

func (tr *Transport) record(rec Request, resp *http.Response) {
	if resp != nil {
		rec.Status = resp.StatusCode
	}
	tr.mu.Lock()
	tr.requests = append(tr.requests, rec)
	tr.mu.Unlock()
}

// readBody reads *body whole and puts back a reader of the same bytes.
func readBody(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	_ = (*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}
