// Package apidoc finds the operation of an API request in api/openapi.yaml (the copy
// embedded in internal/fakeapi) and validates the request against it. The fake API and
// the tests' validating transport both use it, so they judge requests alike.
package apidoc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// Prefix is where the API's paths start, as on the real API: the path of the
// document's server URL, with a trailing slash ("/api/v2/").
var Prefix = fakeapi.BasePath() + "/"

// ErrOutsideAPI is returned by FindRoute for a path not under Prefix.
var ErrOutsideAPI = errors.New("not under " + Prefix)

// Router finds operations of the document. It is safe for concurrent use.
type Router struct{ router routers.Router }

// NewRouter loads the embedded document and routes its paths.
func NewRouter() (*Router, error) {
	doc, err := fakeapi.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	doc.Servers = nil                   // paths are matched after Prefix is cut off
	r, err := gorillamux.NewRouter(doc) // matches encoded paths: a%2Fb stays one segment
	if err != nil {
		return nil, fmt.Errorf("route OpenAPI document: %w", err)
	}
	return &Router{router: r}, nil
}

// FindRoute returns the operation of req and its path parameters. The errors are
// ErrOutsideAPI, routers.ErrPathNotFound and routers.ErrMethodNotAllowed.
func (r *Router) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	rest, ok := strings.CutPrefix(req.URL.EscapedPath(), Prefix)
	if !ok {
		return nil, nil, ErrOutsideAPI
	}
	cut := req.Clone(req.Context())
	if err := cut.URL.UnmarshalBinary([]byte("/" + rest)); err != nil {
		return nil, nil, fmt.Errorf("bad path %q: %w", rest, err)
	}
	cut.URL.RawQuery = req.URL.RawQuery
	return r.router.FindRoute(cut)
}

// Input is the validation input for req on route. Authentication is left to the caller
// (the fake checks the token itself), and no defaults are written into the request.
func Input(req *http.Request, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
		},
	}
}

// ValidateRequest checks the request of in against its operation; the request's body is
// read and put back.
func ValidateRequest(in *openapi3filter.RequestValidationInput) error {
	// openapi3filter's RejectWhenRequestBodyNotSpecified (v0.144.0) also rejects bodies
	// that the operation does specify, so that check is done here.
	if in.Route.Operation.RequestBody == nil && in.Request.ContentLength > 0 {
		return errors.New("this operation takes no request body")
	}
	return openapi3filter.ValidateRequest(in.Request.Context(), in)
}
