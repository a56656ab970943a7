package tsinvites

import (
	"net/http"
	"time"
)

// setting is a Config field that [ConfigFromLookup] can read from the environment.
type setting int

const (
	settingAPIKey setting = iota
	settingOAuthClientID
	settingOAuthClientSecret
	settingIdentityToken
	settingTailnet
	settingBaseURL
	numSettings
)

// settingNames are each setting's Config field and environment variable.
var settingNames = [numSettings]struct{ field, env string }{
	settingAPIKey:            {"Config.APIKey", "TAILSCALE_API_KEY"},
	settingOAuthClientID:     {"Config.OAuthClientID", "TAILSCALE_OAUTH_CLIENT_ID"},
	settingOAuthClientSecret: {"Config.OAuthClientSecret", "TAILSCALE_OAUTH_CLIENT_SECRET"},
	settingIdentityToken:     {"Config.IdentityToken", "TAILSCALE_IDENTITY_TOKEN"},
	settingTailnet:           {"Config.Tailnet", "TAILSCALE_TAILNET"},
	settingBaseURL:           {"Config.BaseURL", "TAILSCALE_BASE_URL"},
}

// field is the Config field of s.
func (cfg *Config) field(s setting) *string {
	return [numSettings]*string{&cfg.APIKey, &cfg.OAuthClientID, &cfg.OAuthClientSecret, &cfg.IdentityToken, &cfg.Tailnet, &cfg.BaseURL}[s]
}

// both names s as a Config field and a variable, for an error about what to set.
func both(s setting) string { return settingNames[s].field + " (" + settingNames[s].env + ")" }

// names says how the program gave each setting: its environment variable when the
// value is the one [ConfigFromLookup] read, its Config field otherwise.
func (cfg Config) names() (names [numSettings]string) {
	for s := range numSettings {
		names[s] = settingNames[s].field
		if cfg.env != nil && cfg.env[s] == *cfg.field(s) {
			names[s] = settingNames[s].env
		}
	}
	return names
}

// advice says what to do about an answer of status to a call op of kind ("" for
// nothing), naming the settings as the program gave them. Every advice is written here:
// a new one is a new case. A token endpoint's refusal of the credential gets a 401's.
func (c *Client) advice(op operation, kind opKind, status int, retryAfter time.Duration) string {
	switch {
	case status == http.StatusUnauthorized:
		return "check the credential: " + c.credentialNames()
	case status == http.StatusForbidden && op.device && kind == opRead:
		return "reading devices needs the OAuth scope devices:core:read, and device invites device_invites:read (or an API key)"
	case status == http.StatusForbidden && op.device && kind == opDelete:
		return "deleting a device invite needs the OAuth scope device_invites (or an API key)"
	case status == http.StatusForbidden && op.device:
		return "creating, resending and accepting device invites needs a user-owned API key (" + c.names[settingAPIKey] + "): OAuth clients and federated tokens are refused, the shared device being scoped to a user"
	case status == http.StatusForbidden && kind == opUser:
		return "changing users needs the OAuth scope users, or an API key whose user may manage users; a user-owned key cannot act on its own user"
	case status == http.StatusForbidden && kind != opRead:
		return "creating, deleting and resending invites needs a user-owned API key (" + c.names[settingAPIKey] + "): OAuth clients and federated tokens are refused"
	case status == http.StatusTooManyRequests && retryAfter > 0:
		return "retry after " + retryAfter.String()
	}
	return ""
}

// credentialNames names the settings of the client's credential.
func (c *Client) credentialNames() string {
	switch c.authKind {
	case authOAuth:
		return c.names[settingOAuthClientID] + " and " + c.names[settingOAuthClientSecret]
	case authFederated:
		return c.names[settingOAuthClientID] + " and " + c.names[settingIdentityToken]
	case authTokenSource:
		return "Config.TokenSource"
	}
	return c.names[settingAPIKey] + " (API keys expire)"
}
