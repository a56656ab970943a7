// Quickstart shows the whole life of a user invite: create, list, get, resend, delete.
//
// By default it runs against a fake Tailscale API (package tsinvitestest) started in
// the same process, so it needs no credentials:
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -fake    # the fake even when TAILSCALE_API_KEY is set
//
// With TAILSCALE_API_KEY set (a user-owned API key) it uses the real API and your
// tailnet, and needs -email: an address you own, which gets a real invitation email.
// The invite is deleted at the end.
//
//	TAILSCALE_API_KEY=tskey-api-... go run ./examples/quickstart -email you@example.com
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

func main() {
	email := flag.String("email", "", "address to invite (required against the real API)")
	fake := flag.Bool("fake", false, "use the fake API even when TAILSCALE_API_KEY is set")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *email, *fake || os.Getenv("TAILSCALE_API_KEY") == "", os.Getenv("TAILSCALE_API_KEY") != ""); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run shows the life of an invite, on the fake API when fake is set; haveKey says
// whether TAILSCALE_API_KEY is set, for what the fake run tells the user.
func run(ctx context.Context, w io.Writer, email string, fake, haveKey bool) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	c, email, closeAPI, err := connect(w, email, fake, haveKey)
	if err != nil {
		return err
	}
	defer closeAPI()

	created, err := c.Create(ctx, tsinvites.CreateUserInviteRequest{Email: email, Role: tsinvites.UserRoleMember})
	if err != nil {
		return err
	}
	inv := created[0]
	fmt.Fprintf(w, "1. created invite %s for %s as %s\n", inv.ID, inv.Email, inv.Role)
	defer func() {
		// Clean up even if a step below failed (Delete is safe to try twice).
		if err := c.Delete(context.WithoutCancel(ctx), inv.ID); err != nil && !tsinvites.IsNotFound(err) {
			fmt.Fprintln(os.Stderr, "quickstart: clean up:", err)
		}
	}()
	if inv.InviteURL != "" {
		fmt.Fprintln(w, "   it has an invite URL (a secret: anyone holding it can join, so it is not printed)")
	}

	if err := listAndGet(ctx, w, c, inv.ID); err != nil {
		return err
	}
	if err := resend(ctx, w, c, inv); err != nil {
		return err
	}
	return deleteAndConfirm(ctx, w, c, inv.ID)
}

// connect returns a client of the fake API (started here) when fake is set, of the real
// API otherwise, with the address to invite (a made-up one on the fake if email is
// empty) and a function that stops the fake. It tells w which API it uses.
func connect(w io.Writer, email string, fake, haveKey bool) (*tsinvites.Client, string, func(), error) {
	if !fake {
		if email == "" {
			return nil, "", nil, errors.New("against the real API, pass -email with an address you own: it gets a real invitation email")
		}
		c, err := tsinvites.New(tsinvites.ConfigFromEnv())
		if err != nil {
			return nil, "", nil, err
		}
		fmt.Fprintf(w, "Using the Tailscale API with TAILSCALE_API_KEY, tailnet %q.\n\n", c.Tailnet())
		return c, email, func() {}, nil
	}
	srv, err := tsinvitestest.NewServer()
	if err != nil {
		return nil, "", nil, err
	}
	if email == "" {
		email = "amelie@example.com"
	}
	hint := "set TAILSCALE_API_KEY to use yours"
	if haveKey {
		hint = "-fake given: TAILSCALE_API_KEY is not used; drop -fake and pass -email to use it"
	}
	fmt.Fprintf(w, "Using a fake Tailscale API at %s (%s).\n\n", srv.URL, hint)
	return srv.Client(), email, srv.Close, nil
}

// listAndGet shows steps 2 and 3: how many invites the tailnet has, and what the API
// says of the invite id.
func listAndGet(ctx context.Context, w io.Writer, c *tsinvites.Client, id string) error {
	invites, err := c.List(ctx)
	if err != nil {
		return err
	}
	noun := "invites"
	if len(invites) == 1 {
		noun = "invite"
	}
	fmt.Fprintf(w, "2. the tailnet has %d open %s\n", len(invites), noun)

	got, err := c.Get(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "3. invite %s: email %s, role %s, last emailed %s\n", got.ID, got.Email, got.Role, sent(got.LastEmailSentAt))
	return nil
}

// resend shows step 4: resending the invitation email of inv, which the API may refuse
// for a while (that is no error here).
func resend(ctx context.Context, w io.Writer, c *tsinvites.Client, inv tsinvites.UserInvite) error {
	switch err := c.Resend(ctx, inv.ID); {
	case tsinvites.IsRateLimited(err):
		fmt.Fprintln(w, "4. resend refused for now: the API allows one resend a minute per invite")
	case err != nil:
		return err
	default:
		fmt.Fprintf(w, "4. resent the invitation email to %s\n", inv.Email)
	}
	return nil
}

// deleteAndConfirm shows steps 5 and 6: deleting the invite id, and getting it again,
// which must answer not found.
func deleteAndConfirm(ctx context.Context, w io.Writer, c *tsinvites.Client, id string) error {
	if err := c.Delete(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(w, "5. deleted invite %s\n", id)

	_, err := c.Get(ctx, id)
	if !tsinvites.IsNotFound(err) {
		return fmt.Errorf("invite %s still there after delete (err %v)", id, err)
	}
	fmt.Fprintf(w, "6. get invite %s now answers: %v\n", id, err)
	return nil
}

func sent(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(time.RFC3339)
}
