package tsinvites_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
)

// What to do about an API error is a field, and Error() is built from the fields: a
// program reads Advice, never the text (issue 24, item 2).
func TestAdviceIsAFieldAndTheTextIsBuiltFromTheFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status     int
		call       string
		header     string // Retry-After
		wantAdvice string
	}{
		{status: 401, call: "list", wantAdvice: "check the credential: Config.APIKey (API keys expire)"},
		{status: 403, call: "create", wantAdvice: "creating, deleting and resending invites needs a user-owned API key (Config.APIKey): OAuth clients and federated tokens are refused"},
		{status: 403, call: "get"},
		{status: 429, call: "resend", header: "90", wantAdvice: "retry after 1m30s"},
		{status: 404, call: "get"},
	} {
		t.Run(fmt.Sprint(tc.status, " ", tc.call), func(t *testing.T) {
			t.Parallel()
			c, _ := rawServerCfg(t, tsinvites.Config{APIKey: testKey, Retry: tsinvites.RetryPolicy{Disabled: true}}, func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"message":"no"}`)
			})
			var apiErr *tsinvites.APIError
			if err := call(t.Context(), c, tc.call); !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Advice != tc.wantAdvice {
				t.Errorf("Advice = %q, want %q", apiErr.Advice, tc.wantAdvice)
			}
			want := fmt.Sprintf("tsinvites: %s: %d %s: %s", apiErr.Operation, tc.status, strings.ToLower(http.StatusText(tc.status)), apiErr.Message)
			if tc.wantAdvice != "" {
				want += " (" + tc.wantAdvice + ")"
			}
			if apiErr.Error() != want {
				t.Errorf("Error() = %q, want %q", apiErr.Error(), want)
			}
			apiErr.Advice = "do this instead"
			if !strings.HasSuffix(apiErr.Error(), " (do this instead)") {
				t.Errorf("Error() = %q does not follow the Advice field", apiErr.Error())
			}
		})
	}
}

// The advice names the settings as the program gave them: the environment variables
// for a Config from ConfigFromLookup, the Config fields otherwise, including a field
// the program changed after reading the environment (issue 24, item 2).
func TestAdviceNamesTheSettingsAsGiven(t *testing.T) {
	t.Parallel()
	refuse := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"no"}`)
	}
	srv := httptest.NewServer(http.HandlerFunc(refuse))
	t.Cleanup(srv.Close)
	env := func(vars ...string) tsinvites.Config {
		m := map[string]string{"TAILSCALE_BASE_URL": srv.URL}
		for i := 0; i < len(vars); i += 2 {
			m[vars[i]] = vars[i+1]
		}
		return tsinvites.ConfigFromLookup(func(name string) string { return m[name] })
	}
	keyFromFile := env("TAILSCALE_API_KEY", testKey)
	keyFromFile.APIKey += "0" // the program set the key itself (say, from a file)
	for _, tc := range []struct {
		name string
		cfg  tsinvites.Config
		want string
	}{
		{"API key from the environment", env("TAILSCALE_API_KEY", testKey), "check the credential: TAILSCALE_API_KEY (API keys expire)"},
		{"API key in Config", tsinvites.Config{APIKey: testKey, BaseURL: srv.URL}, "check the credential: Config.APIKey (API keys expire)"},
		{"API key changed after ConfigFromLookup", keyFromFile, "check the credential: Config.APIKey (API keys expire)"},
		{"OAuth client from the environment", env("TAILSCALE_OAUTH_CLIENT_ID", "id", "TAILSCALE_OAUTH_CLIENT_SECRET", "secret-123"), "check the credential: TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET"},
		{"OAuth client in Config", tsinvites.Config{OAuthClientID: "id", OAuthClientSecret: "secret-123", BaseURL: srv.URL}, "check the credential: Config.OAuthClientID and Config.OAuthClientSecret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Retry.Disabled = true
			c, err := tsinvites.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.List(t.Context())
			var apiErr *tsinvites.APIError
			switch {
			case errors.As(err, &apiErr) && apiErr.Advice != tc.want:
				t.Errorf("Advice = %q, want %q", apiErr.Advice, tc.want)
			case err == nil || !strings.Contains(err.Error(), "("+tc.want+")"): // the token endpoint's refusal
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}
