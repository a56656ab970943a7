package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeserver"
)

const userAgent = "tsinvites-cli/" + tsinvites.Version

// noCredential says what to do when no credential is given.
const noCredential = "no credential: set TAILSCALE_API_KEY (a user-owned API key from the admin console, Settings → Keys), " +
	"or TAILSCALE_OAUTH_CLIENT_ID with TAILSCALE_OAUTH_CLIENT_SECRET (an OAuth client) or with TAILSCALE_IDENTITY_TOKEN (a federated identity: a CI system's OIDC token) for list, get and plan, " +
	"or pass --api-key-file FILE; or try --fake for a fake API"

// maxKeyFile caps what is read of --api-key-file: a key is about 60 bytes.
const maxKeyFile = 4 << 10

// config is the client's configuration: the environment's, as
// tsinvites.ConfigFromLookup reads it (not with --fake: the variables are for a real
// tailnet), then --tailnet and --base-url, which win when given.
func (o *options) config() tsinvites.Config {
	var cfg tsinvites.Config
	if !o.fake {
		cfg = tsinvites.ConfigFromLookup(o.env.getenv)
	}
	if o.tailnetSet {
		cfg.Tailnet = o.tailnet
	}
	if o.baseURLSet {
		cfg.BaseURL = o.baseURL
	}
	cfg.UserAgent, cfg.HTTPClient = userAgent, o.env.httpClient
	return cfg
}

// client returns a client for the API (or, with --fake, for a fake API started in this
// process) and a function to call when done with it. Its errors are usage errors: they
// are found before anything is sent.
func (o *options) client() (*tsinvites.Client, func(), error) {
	cfg := o.config()
	closeFn := func() {}
	switch {
	case o.fake:
		if o.apiKeyFile != "" || o.baseURL != "" {
			return nil, nil, usageErrorf("--fake uses a fake API in this process: give no --api-key-file or --base-url with it")
		}
		srv, err := startSampleFake(o.env.now)
		if err != nil {
			return nil, nil, failedf("%w", err)
		}
		fmt.Fprintf(o.env.stderr, "tsinvites: using a fake API with sample invites (--fake): nothing reaches Tailscale, and changes last only for this command\n")
		cfg.BaseURL, cfg.APIKey, cfg.HTTPClient = srv.URL, srv.Token(), nil
		closeFn = srv.Close
	case o.apiKeyFile != "":
		key, err := readKeyFile(o.apiKeyFile, o.env.stderr)
		if err != nil {
			return nil, nil, usageErrorf("%w", err)
		}
		cfg.APIKey, cfg.OAuthClientID, cfg.OAuthClientSecret, cfg.IdentityToken = key, "", "", ""
	case cfg.APIKey == "" && cfg.OAuthClientID == "" && cfg.OAuthClientSecret == "" && cfg.IdentityToken == "":
		return nil, nil, usageErrorf("%s", noCredential)
	}
	c, err := tsinvites.New(cfg)
	if err != nil {
		closeFn()
		return nil, nil, usage(err)
	}
	return c, closeFn, nil
}

// readKeyFile reads an API key from a file, trimmed of white space, and warns when other
// users may read the file.
func readKeyFile(path string, stderr io.Writer) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--api-key-file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if !fi.Mode().IsRegular() && fi.Mode()&os.ModeNamedPipe == 0 {
			return "", fmt.Errorf("--api-key-file %s: not a regular file", path)
		}
		if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && fi.Mode().IsRegular() && perm&0o077 != 0 {
			printLine(stderr, "tsinvites: warning: %s can be read by other users (mode %#o); run: chmod 600 %s", path, perm, path)
		}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("--api-key-file: %w", err)
	}
	if len(b) > maxKeyFile {
		return "", fmt.Errorf("--api-key-file %s: larger than %d bytes; want a file holding only the key", path, maxKeyFile)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("--api-key-file %s: the file is empty; want a file holding only the key", path)
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return "", fmt.Errorf("--api-key-file %s: the file holds more than one word; want only the key", path)
	}
	return key, nil
}

// sampleInvites are the invites the --fake API starts with, created this long ago.
var sampleInvites = []struct {
	ago time.Duration
	req tsinvites.CreateUserInviteRequest
}{
	{72 * time.Hour, tsinvites.CreateUserInviteRequest{Email: "amelie@example.com", Role: tsinvites.UserRoleAdmin}},
	{26 * time.Hour, tsinvites.CreateUserInviteRequest{Email: "contractor@partner.org", Role: tsinvites.UserRoleMember}},
	{5 * time.Hour, tsinvites.CreateUserInviteRequest{Email: "bob@example.com", Role: tsinvites.UserRoleMember}},
	{2 * time.Hour, tsinvites.CreateUserInviteRequest{Role: tsinvites.UserRoleITAdmin}},
	{20 * time.Minute, tsinvites.CreateUserInviteRequest{Email: "carol@example.com", Role: tsinvites.UserRoleAuditor}},
}

// sampleUsers are the users the --fake API starts with: a person of
// examples/invites.yaml who has joined already, with another role than the file's.
var sampleUsers = []tsinvites.User{
	{LoginName: "erin@example.com", DisplayName: "Erin", Role: tsinvites.TailnetRoleMember},
}

// sampleDevices are the devices the --fake API starts with (IDs from 40001, nodeIds
// n40001..., names such as build-1.example.com).
var sampleDevices = []tsinvites.Device{
	{Hostname: "build-1", Tags: []string{"tag:ci"}, Os: "linux"},
	{Hostname: "build-2", Tags: []string{"tag:ci"}, Os: "linux"},
	{Hostname: "gameserver", Os: "linux", User: "amelie@example.com"},
	{Hostname: "amelie-laptop", Os: "macOS", User: "amelie@example.com"},
}

// sampleShares are the device invites the --fake API starts with, of the gameserver,
// made this long ago; acceptedBy, when set, has accepted it.
var sampleShares = []struct {
	ago        time.Duration
	req        tsinvites.CreateDeviceInviteRequest
	acceptedBy string
}{
	{7 * 24 * time.Hour, tsinvites.CreateDeviceInviteRequest{Email: "pal@partner.org"}, "pal@partner.org"},
	{50 * time.Hour, tsinvites.CreateDeviceInviteRequest{Email: "friend@partner.org", AllowExitNode: true}, ""},
}

// sampleFake is how a fake with the samples starts: its options (the sample users and
// devices, and a clock that is now() unless seed moves it back) and seed, which makes
// the sample invites and device invites through c, a client of f, each at its time.
func sampleFake(now func() time.Time) (opts []fakeserver.Option, seed func(ctx context.Context, c *tsinvites.Client, f *fakeserver.Fake) error) {
	var offset atomic.Int64 // how far the fake's clock is behind now()
	clock := func() time.Time { return now().Add(-time.Duration(offset.Load())).Truncate(time.Second) }
	opts = []fakeserver.Option{fakeserver.WithClock(clock), fakeserver.WithUsers(sampleUsers...), fakeserver.WithDevices(sampleDevices...)}
	return opts, func(ctx context.Context, c *tsinvites.Client, f *fakeserver.Fake) error {
		defer offset.Store(0)
		for _, s := range sampleInvites {
			offset.Store(int64(s.ago))
			if _, err := c.Create(ctx, s.req); err != nil {
				return fmt.Errorf("seed the fake API: %w", err)
			}
		}
		game := f.Devices()[2].NodeID
		for _, s := range sampleShares {
			offset.Store(int64(s.ago))
			made, err := c.CreateDeviceInvites(ctx, game, s.req)
			if err == nil && s.acceptedBy != "" {
				err = f.AcceptDeviceInviteAs(made[0].ID, s.acceptedBy)
			}
			if err != nil {
				return fmt.Errorf("seed the fake API: %w", err)
			}
		}
		return nil
	}
}

// startSampleFake starts a fake API (tailnet "-" or example.com, domain example.com) on
// loopback with the samples of sampleFake: invites and device invites made at
// different times before now(), users and devices.
func startSampleFake(now func() time.Time) (*fakeserver.Server, error) {
	opts, seed := sampleFake(now)
	srv, err := fakeserver.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("start the fake API: %w", err)
	}
	if err := seed(context.Background(), srv.Client(), srv.Fake); err != nil {
		srv.Close()
		return nil, err
	}
	return srv, nil
}
