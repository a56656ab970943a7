package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites/tsinvitestest"
)

const fakeServerLong = `Serve a fake of the Tailscale API's user-invites endpoints (package tsinvitestest) over
HTTP, until interrupted. It starts empty and keeps invites in memory; it accepts the token
given with --token, or a random one. Its URL and token are printed on stdout as export
lines for a shell, so that other programs (this one without --fake, scripts, Terraform)
can use it. Like the real API, it accepts the tailnet "-" and example.com; emails outside
example.com get an invite URL; resend is limited to once a minute per invite.`

func newFakeServerCommand(o *options) *cobra.Command {
	var listen, token string
	cmd := &cobra.Command{
		Use:   "fake-server",
		Short: "Serve a fake Tailscale API for trying things out",
		Long:  fakeServerLong,
		Example: `  tsinvites fake-server &                   # prints export lines: paste them
  export TAILSCALE_BASE_URL=http://127.0.0.1:8080 TAILSCALE_API_KEY=tskey-api-fake-...
  tsinvites create --email amelie@example.com
  tsinvites list

  tsinvites fake-server --listen 127.0.0.1:0 --token test-token   # a free port`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.fakeServer(cmd.Context(), listen, token)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (port 0: a free port)")
	cmd.Flags().StringVar(&token, "token", "", "API key the fake accepts (default: a random tskey-api-fake-... key)")
	return cmd
}

// fakeServer serves the fake API on listen until ctx ends.
func (o *options) fakeServer(ctx context.Context, listen, token string) error {
	if token == "" {
		token = "tskey-api-fake-" + rand.Text()
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return failed(fmt.Errorf("fake-server: %w (pass --listen 127.0.0.1:0 for a free port)", err))
	}
	addr := l.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(o.env.stderr, "tsinvites: warning: the fake API listens on %s, not only loopback; the tsinvites client talks plain http to loopback hosts only\n", addr)
	}
	url := "http://" + addr.String()
	if addr.IP.IsUnspecified() {
		url = fmt.Sprintf("http://127.0.0.1:%d", addr.Port)
	}
	srv := &http.Server{
		Handler:           tsinvitestest.Handler(tsinvitestest.WithToken(token), tsinvitestest.WithClock(o.env.now)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	w := o.env.stdout
	fmt.Fprintf(w, "# Fake Tailscale API (in memory, empty) at %s, token %s\n", url, token)
	fmt.Fprintf(w, "export TAILSCALE_BASE_URL=%s TAILSCALE_API_KEY=%s\n", url, token)
	fmt.Fprintln(o.env.stderr, "tsinvites: serving the fake API; interrupt (Ctrl-C) to stop")

	select {
	case err := <-served:
		return failed(fmt.Errorf("fake-server: %w", err))
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failed(fmt.Errorf("fake-server: %w", err))
	}
	fmt.Fprintln(o.env.stderr, "tsinvites: fake API stopped")
	return nil
}
