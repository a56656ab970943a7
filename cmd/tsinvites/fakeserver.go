package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeserver"
)

const fakeServerLong = `Serve a fake of the Tailscale API's user invites, users, devices and device invites
(package tsinvitestest) over HTTP, until interrupted. It starts empty (--samples: with
the sample invites, users, devices and device invites of --fake) and keeps all in memory; it accepts the token
given with --token, or a random one. Its URL and token are printed on stdout as export
lines for a shell, so that other programs (this one without --fake, scripts, Terraform)
can use it. Like the real API, it accepts the tailnet "-" and example.com; emails outside
example.com get an invite URL; resend is limited to once a minute per invite.

--oauth-client-id (with --oauth-client-secret, or a random secret) makes it accept an
OAuth client too, and --federated-client-id a federated identity (workload identity
federation: any JWT whose exp claim is in the future); it prints a command for each.
Their tokens may list, get and plan, and get 403 on create, resend and delete, as the
real API's do.`

// fakeServerOptions are the flags of fake-server.
type fakeServerOptions struct {
	*options
	listen, token              string
	oauthClientID, oauthSecret string
	federatedClientID          string
	samples                    bool
}

func newFakeServerCommand(o *options) *cobra.Command {
	ff := &fakeServerOptions{options: o}
	cmd := &cobra.Command{
		Use:   "fake-server",
		Short: "Serve a fake Tailscale API for trying things out",
		Long:  fakeServerLong,
		Example: `  tsinvites fake-server &                   # prints export lines: paste them
  export TAILSCALE_BASE_URL=http://127.0.0.1:8080 TAILSCALE_API_KEY=tskey-api-fake-...
  tsinvites create --email amelie@example.com
  tsinvites list

  tsinvites fake-server --listen 127.0.0.1:0 --token test-token   # a free port

  # Try an OAuth client and a federated identity (list and plan only):
  tsinvites fake-server --oauth-client-id ci --oauth-client-secret s3cret --federated-client-id ci-oidc`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ff.oauthSecret != "" && ff.oauthClientID == "" {
				return flagErrorf("--oauth-client-secret goes with --oauth-client-id")
			}
			if strings.ContainsFunc(ff.token+ff.oauthClientID+ff.oauthSecret+ff.federatedClientID, unicode.IsControl) {
				// A line break would end the printed comment and run the rest when pasted.
				return flagErrorf("--token and the client IDs and secret may not hold control characters")
			}
			return fakeServerRun(cmd.Context(), ff)
		},
	}
	f := cmd.Flags()
	f.StringVar(&ff.listen, "listen", "127.0.0.1:8080", "address to listen on (port 0: a free port)")
	f.StringVar(&ff.token, "token", "", "API key the fake accepts (default: a random tskey-api-fake-... key)")
	f.StringVar(&ff.oauthClientID, "oauth-client-id", "", "also accept this OAuth client (TAILSCALE_OAUTH_CLIENT_ID)")
	f.StringVar(&ff.oauthSecret, "oauth-client-secret", "", "the OAuth client's secret (default: a random one)")
	f.BoolVar(&ff.samples, "samples", false, "start with --fake's sample invites, users, devices and device invites (default: empty)")
	f.StringVar(&ff.federatedClientID, "federated-client-id", "", "also accept workload identity federation for this client ID (TAILSCALE_OAUTH_CLIENT_ID with TAILSCALE_IDENTITY_TOKEN)")
	return cmd
}

// fakeServerRun serves the fake API on ff.listen until ctx ends.
func fakeServerRun(ctx context.Context, ff *fakeServerOptions) error {
	token := ff.token
	if token == "" {
		token = "tskey-api-fake-" + rand.Text()
	}
	opts := ff.fakeOptions(token)
	l, err := net.Listen("tcp", ff.listen)
	if err != nil {
		return failedf("fake-server: %w (pass --listen 127.0.0.1:0 for a free port)", err)
	}
	addr := l.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(ff.env.stderr, "tsinvites: warning: the fake API listens on %s, not only loopback; the tsinvites client talks plain http to loopback hosts only\n", addr)
	}
	url := "http://" + addr.String()
	if addr.IP.IsUnspecified() {
		url = fmt.Sprintf("http://127.0.0.1:%d", addr.Port)
	}
	var seed func(context.Context, *tsinvites.Client, *fakeserver.Fake) error
	if ff.samples {
		var sample []fakeserver.Option
		sample, seed = sampleFake(ff.env.now)
		opts = append(opts, sample...)
	}
	fake := fakeserver.Handler(opts...)
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	if seed != nil {
		if err := ff.seed(ctx, seed, fake, url, token); err != nil {
			_ = srv.Close()
			<-served
			return failedf("fake-server: %w", err)
		}
	}

	ff.print(url, token)
	fmt.Fprintln(ff.env.stderr, "tsinvites: serving the fake API; interrupt (Ctrl-C) to stop")

	select {
	case err := <-served:
		return failedf("fake-server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failedf("fake-server: %w", err)
	}
	fmt.Fprintln(ff.env.stderr, "tsinvites: fake API stopped")
	return nil
}

// fakeOptions are the fake's options from the flags (but --samples): the token, the
// clock, and the OAuth client and federated identity it accepts.
func (ff *fakeServerOptions) fakeOptions(token string) []fakeserver.Option {
	opts := []fakeserver.Option{fakeserver.WithToken(token), fakeserver.WithClock(ff.env.now)}
	if ff.oauthClientID != "" {
		if ff.oauthSecret == "" {
			ff.oauthSecret = "tskey-client-fake-" + rand.Text()
		}
		opts = append(opts, fakeserver.WithOAuthClient(ff.oauthClientID, ff.oauthSecret))
	}
	if ff.federatedClientID != "" {
		opts = append(opts, fakeserver.WithFederatedIdentity(ff.federatedClientID))
	}
	return opts
}

// seed makes the samples on the fake served at url, through a client with token.
func (ff *fakeServerOptions) seed(ctx context.Context, seed func(context.Context, *tsinvites.Client, *fakeserver.Fake) error, fake *fakeserver.Fake, url, token string) error {
	c, err := tsinvites.New(tsinvites.Config{APIKey: token, BaseURL: url, UserAgent: userAgent})
	if err != nil {
		return err
	}
	return seed(ctx, c, fake)
}

// print prints, on stdout, how to use the fake at url: export lines for a shell, and a
// command for each other credential. Every value is quoted for a shell: these lines are
// pasted or eval'ed.
func (ff *fakeServerOptions) print(url, token string) {
	w := ff.env.stdout
	what := "empty"
	if ff.samples {
		what = "with sample invites, users, devices and device invites"
	}
	fmt.Fprintf(w, "# Fake Tailscale API (in memory, %s) at %s, token %s\n", what, url, shellWord(token))
	fmt.Fprintf(w, "export TAILSCALE_BASE_URL=%s TAILSCALE_API_KEY=%s\n", url, shellWord(token))
	if ff.oauthClientID != "" {
		fmt.Fprintf(w, "# As the OAuth client (list, get, plan and changes to users; 403 on invite changes):\n# env -u TAILSCALE_API_KEY TAILSCALE_OAUTH_CLIENT_ID=%s TAILSCALE_OAUTH_CLIENT_SECRET=%s tsinvites list\n",
			shellWord(ff.oauthClientID), shellWord(ff.oauthSecret))
	}
	if ff.federatedClientID != "" {
		fmt.Fprintf(w, "# As the federated identity, with a JWT valid for 24 hours (list, get, plan and changes to users; 403 on invite changes):\n# env -u TAILSCALE_API_KEY TAILSCALE_OAUTH_CLIENT_ID=%s TAILSCALE_IDENTITY_TOKEN=%s tsinvites list\n",
			shellWord(ff.federatedClientID), fakeJWT(ff.env.now().Add(24*time.Hour)))
	}
}

// fakeJWT is an unsigned JWT that expires at exp: the fake takes any JWT with an exp
// claim in the future, as the identity token of a CI system.
func fakeJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims := fmt.Sprintf(`{"iss":"https://ci.example","sub":"tsinvites-fake-server","aud":"api.tailscale.com","exp":%d}`, exp.Unix())
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("unsigned"))
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/@%+=", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
