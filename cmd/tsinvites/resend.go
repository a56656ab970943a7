package main

import (
	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites/reconcile"
)

func newResendCommand(o *options) *cobra.Command {
	opts := &idChangeOptions{options: o, op: opResend, action: reconcile.ActionResend}
	return newIDChangeCommand(opts, "Send invitation emails again",
		`Send the invitation emails of invites again. The API allows it only for invites created
with an email, and at most once a minute for each invite (a refused resend says how long
to wait). Needs a user-owned API key. Give - to read IDs from stdin, one a line.`,
		`  tsinvites resend 12
  tsinvites resend 12 13 14 --concurrency 2
  tsinvites list -o json | jq -r '.[] | select(.email != null) | .id' | tsinvites resend -`)
}
