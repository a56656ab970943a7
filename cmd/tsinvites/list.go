package main

import (
	"context"

	"github.com/spf13/cobra"
)

// listOptions are list's inputs: it has no flags of its own.
type listOptions struct{ *options }

func newListCommand(o *options) *cobra.Command {
	opts := &listOptions{options: o}
	return &cobra.Command{
		Use:   "list",
		Short: "List the open invites of the tailnet",
		Long:  "List the open (not yet accepted) invites of the tailnet. Invite URLs are hidden unless --show-urls.",
		Example: `  tsinvites list
  tsinvites list -o json | jq -r '.[] | select(.role == "admin") | .email'
  tsinvites list -o csv > invites.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listRun(cmd.Context(), opts)
		},
	}
}

// listRun prints the open invites.
func listRun(ctx context.Context, opts *listOptions) error {
	ctx, c, done, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	invites, err := c.List(ctx)
	if err != nil {
		return apiFailure(err)
	}
	return opts.printer().invites(invites)
}
