package fakeserver

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites/internal/token"
)

// WithOAuthClient makes the fake accept these OAuth client credentials at
// /api/v2/oauth/token (grant_type client_credentials, the credentials in the form or as
// HTTP Basic authentication). The tokens it issues may list and get invites, list users
// and approve, suspend and restore users and set their roles ([WithScopes]
// permitting); create, delete and resend answer 403, as the real API does for tokens
// that no user owns.
func WithOAuthClient(id, secret string) Option {
	return func(f *Fake) { f.oauthID, f.oauthSecret = id, secret }
}

// WithFederatedIdentity makes the fake accept workload identity federation for this
// client ID at /api/v2/oauth/token-exchange: a POST of the form fields client_id and jwt
// (application/x-www-form-urlencoded) is answered with the JSON access_token,
// token_type and expires_in, as the real API does. The fake takes any JWT (three
// base64url parts, the signature not checked) whose payload has an exp claim later than
// the fake's clock ([WithClock]). A JWT that is not one, or has no exp, gets 400; an
// expired one or another client ID gets 401; each with a JSON {"error", "message"}.
// Its tokens may do what those of [WithOAuthClient] may.
func WithFederatedIdentity(clientID string) Option {
	return func(f *Fake) { f.federatedID = clientID }
}

// WithScopes sets the OAuth scopes of the fake's OAuth client and federated identity
// (by default, every scope). A token request may ask for some of them (the form field
// scope, separated by spaces; 400 for one the credential lacks) and the token gets
// those, or else all of them. A token without users:read (or users, all, all:read)
// gets 403 on listUsers; one without users (or all), on the operations that change a
// user (approve, role, suspend, restore).
func WithScopes(scopes ...string) Option {
	return func(f *Fake) { f.scopes = slices.Clone(scopes) }
}

// tokenLifetime is the expires_in of the tokens the fake issues (they do not expire).
const tokenLifetime = time.Hour

// A tokenKind says who owns a token.
type tokenKind int

const (
	userKey        tokenKind = iota // the API key of WithToken, owned by a user
	oauthToken                      // issued to the OAuth client
	federatedToken                  // issued for a federated identity's JWT
)

// issuedToken is a token the fake accepts, and what it may do.
type issuedToken struct {
	token  string
	kind   tokenKind
	scopes []string // nil: every scope
}

// refuses returns the status and message with which the fake refuses op to the token,
// or 0 when the token may do it. Tokens that no user owns may read, and change users
// with the scope users, and nothing else: the real document says invites are "only
// permitted for user-owned keys".
func (t issuedToken) refuses(op string) (int, string) {
	switch {
	case t.kind == userKey:
		return 0, ""
	case op == OpList || op == OpGet:
		return 0, ""
	case op == OpListUsers:
		if !hasScope(t.scopes, "users:read") {
			return http.StatusForbidden, "this token lacks the OAuth scope users:read"
		}
		return 0, ""
	case slices.Contains(userOps, op):
		if !hasScope(t.scopes, "users") {
			return http.StatusForbidden, "this token lacks the OAuth scope users"
		}
		return 0, ""
	}
	if scope, status, message := deviceRefusal(op); status != 0 {
		return status, message
	} else if scope != "" {
		if !hasScope(t.scopes, scope) {
			return http.StatusForbidden, "this token lacks the OAuth scope " + scope
		}
		return 0, ""
	}
	return http.StatusForbidden, "only permitted for user-owned keys, because invites require an inviting user"
}

// hasScope reports whether scopes (nil: every scope) grant want: itself, its write
// scope (users grants users:read), all, or all:read for a read scope.
func hasScope(scopes []string, want string) bool {
	if scopes == nil {
		return true
	}
	base, read := strings.CutSuffix(want, ":read")
	for _, s := range scopes {
		if s == want || s == base || s == "all" || (read && s == "all:read") {
			return true
		}
	}
	return false
}

// grantScopes returns the scopes of a new token whose request asked for requested
// (separated by spaces; "" for the credential's own), or false for a scope the
// credential lacks.
func (f *Fake) grantScopes(requested string) ([]string, bool) {
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return f.scopes, true
	}
	for _, s := range asked {
		if !hasScope(f.scopes, s) {
			return nil, false
		}
	}
	return asked, true
}

// authenticate checks the request's token in constant time against the API key and the
// tokens the fake issued. The token comes as a bearer token, or as HTTP Basic
// authentication with the token as user name and an empty password, which is how
// Tailscale's official Go client sends an API key; the real API takes both.
func (f *Fake) authenticate(r *http.Request) (issuedToken, bool) {
	got, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if user, password, basic := r.BasicAuth(); !found && basic && password == "" {
		got, found = user, true
	}
	if !found || got == "" {
		return issuedToken{}, false
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(f.token)) == 1 {
		return issuedToken{token: got, kind: userKey}, true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tok := range f.issued {
		if subtle.ConstantTimeCompare([]byte(got), []byte(tok.token)) == 1 {
			return tok, true
		}
	}
	return issuedToken{}, false
}

// issue answers the token request r, from who (the OAuth client, the federated
// identity), with a new token of this kind, with the scopes r asks for (invalid_scope
// when who lacks one).
func (f *Fake) issue(w http.ResponseWriter, r *http.Request, who string, kind tokenKind, prefix string) {
	scopes, ok := f.grantScopes(r.PostForm.Get("scope"))
	if !ok {
		writeTokenError(w, http.StatusBadRequest, "invalid_scope", who+" lacks a scope that was asked for")
		return
	}
	tok := issuedToken{token: prefix + rand.Text(), kind: kind, scopes: scopes}
	f.mu.Lock()
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok.token, "token_type": "Bearer", "expires_in": int(tokenLifetime.Seconds())})
}

// issueToken is the OAuth client-credentials token endpoint.
func (f *Fake) issueToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "want a POST of a form with grant_type client_credentials")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(f.oauthID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(f.oauthSecret)) != 1 {
		writeTokenError(w, http.StatusUnauthorized, "invalid_client", "unknown OAuth client ID or wrong secret")
		return
	}
	f.issue(w, r, "the OAuth client", oauthToken, "tskey-oauth-fake-")
}

// exchangeToken is the workload identity federation endpoint: a JWT for an access token.
func (f *Fake) exchangeToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "want a POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "want Content-Type application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "bad form: "+err.Error())
		return
	}
	id, jwt := r.PostForm.Get("client_id"), r.PostForm.Get("jwt")
	if id == "" || jwt == "" {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "the form fields client_id and jwt are required")
		return
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(f.federatedID)) != 1 {
		writeTokenError(w, http.StatusUnauthorized, "invalid_client", "no federated identity has this client_id")
		return
	}
	exp, has, err := token.JWTExpiry(jwt)
	if err == nil && !has {
		err = errors.New("the payload has no exp claim")
	}
	if err != nil {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "jwt: "+err.Error())
		return
	}
	if now := f.now(); !now.Before(exp) {
		writeTokenError(w, http.StatusUnauthorized, "invalid_grant", fmt.Sprintf("the JWT expired at %s (exp); it is %s", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		return
	}
	f.issue(w, r, "the federated identity", federatedToken, "tskey-federated-fake-")
}

// writeTokenError answers a token request with {"error": code, "message": message}: the
// OAuth error code, and what the API's errors say.
func writeTokenError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]string{"error": code, "message": message})
}
