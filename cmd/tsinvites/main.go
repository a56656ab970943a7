// Command tsinvites manages the user invites of a Tailscale tailnet: list, get, create
// (from flags or a CSV file, in batches), resend and delete them, with table, JSON or
// CSV output; plan and apply make the open invites match a file of desired invites;
// devices and shares share devices with people outside the tailnet (device invites),
// shares plan and apply from a file of (device, email, allowExitNode). It reads the
// credentials the Terraform provider uses (TAILSCALE_API_KEY, or
// TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET) or --api-key-file.
//
// Try it without credentials against an in-process fake of the API:
//
//	go run ./cmd/tsinvites --fake list
//
// Install:
//
//	go install github.com/tsinvites/tsinvites/cmd/tsinvites@latest
//
// Exit codes: 0 all done, 1 failed, 2 usage error (nothing was sent), 3 partly done; with
// --detailed-exitcode, plan exits 4 when changes are pending.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		now:       time.Now,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	})
	stop()
	os.Exit(code)
}
