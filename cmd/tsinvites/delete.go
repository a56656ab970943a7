package main

import (
	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites/reconcile"
)

func newDeleteCommand(o *options) *cobra.Command {
	opts := &idChangeOptions{options: o, op: opDelete, action: reconcile.ActionDelete}
	return newIDChangeCommand(opts, "Delete invites",
		`Delete open invites: their URLs stop working. Needs a user-owned API key. Give - to read
IDs from stdin, one a line.`,
		`  tsinvites delete 12
  tsinvites delete 12 13 14 --dry-run
  tsinvites list -o json | jq -r '.[] | select(.role == "admin") | .id' | tsinvites delete -`)
}
