package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// memberHelp is the part of plan's help about the flags that carry a person from
// invite to member.
const memberHelp = `
From invite to member (each off unless given; apply then needs a credential that may
change users: an API key, or an OAuth client or federated identity with the users scope):
  --approve       ^ approve   people of the file whose user awaits approval
  --manage-roles  * set-role  people of the file who joined with another role than the
                              file's (a row without a role keeps the user's role; the
                              owner's role is never changed, nobody is made owner)
  --offboard      ! suspend   members of the tailnet who are not in the file
                  & restore   suspended people of the file
--offboard never touches the owner, users shared from other tailnets, users whose role
is not member (unless --offboard-admins), or an email given with --keep (repeatable);
more than --max-offboard (10; 0 means 10) suspensions stop the plan with exit 2, before
anything is changed.`

// memberFlags are the flags of plan and apply that act on users.
type memberFlags struct {
	approve, manageRoles, offboard, offboardAdmins bool
	keep                                           []string
	maxOffboard                                    int
	maxOffboardSet                                 bool // --max-offboard was given
}

func (mf *memberFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&mf.approve, "approve", false, "approve the people of the file whose user awaits approval")
	f.BoolVar(&mf.manageRoles, "manage-roles", false, "give the people of the file who joined with another role the file's role (never the owner's; rows without a role keep theirs)")
	f.BoolVar(&mf.offboard, "offboard", false, "suspend the members who are not in the file, and restore the suspended people of the file")
	f.BoolVar(&mf.offboardAdmins, "offboard-admins", false, "with --offboard: also users whose role is not member (never the owner)")
	f.StringArrayVar(&mf.keep, "keep", nil, "with --offboard: an email never suspended or restored (repeatable)")
	f.IntVar(&mf.maxOffboard, "max-offboard", reconcile.DefaultMaxOffboard, fmt.Sprintf("with --offboard: the most members one run may suspend (0: the default, %d)", reconcile.DefaultMaxOffboard))
}

// check refuses flags that do not go together, as flag problems; noUsers is --no-users.
func (mf *memberFlags) check(noUsers bool) error {
	on := mf.approve || mf.manageRoles || mf.offboard
	switch {
	case noUsers && on:
		return flagErrorf("--no-users cannot go with --approve, --manage-roles or --offboard: they act on the users that --no-users does not read")
	case !mf.offboard && (mf.offboardAdmins || len(mf.keep) > 0 || mf.maxOffboardSet):
		return flagErrorf("--offboard-admins, --keep and --max-offboard go with --offboard")
	case mf.maxOffboard < 0:
		return flagErrorf("--max-offboard %d: want 0 (the default, %d) or more", mf.maxOffboard, reconcile.DefaultMaxOffboard)
	}
	for _, k := range mf.keep {
		if err := (tsinvites.CreateUserInviteRequest{Email: strings.TrimSpace(k)}).Validate(); err != nil || strings.TrimSpace(k) == "" {
			return flagErrorf("--keep %q: want an email such as ci-bot@example.com", k)
		}
	}
	return nil
}

// options sets the options on users of opts.
func (mf *memberFlags) options(opts *reconcile.PlanOptions) {
	opts.Approve, opts.ManageRoles, opts.Offboard = mf.approve, mf.manageRoles, mf.offboard
	if mf.offboard {
		opts.OffboardAdmins, opts.Keep, opts.MaxOffboard = mf.offboardAdmins, mf.keep, mf.maxOffboard
	}
}

// planFailure is the command's error for NewPlan's err with opts: a usage error (exit
// 2) for more suspensions than --max-offboard, which nothing was changed for; for a
// credential that may not read users while flags act on them, the scope to ask for
// (--no-users, which reconcile's message offers, cannot go with those flags).
func planFailure(err error, opts reconcile.PlanOptions) error {
	var capErr *reconcile.OffboardCapError
	var apiErr *tsinvites.APIError
	switch {
	case errors.As(err, &capErr):
		return usageErrorf("--offboard would suspend %d members who are not in the file, more than --max-offboard %d allows; nothing was changed: check the file, name the people to keep with --keep EMAIL, or raise --max-offboard to %d",
			capErr.Count, capErr.Max, capErr.Count)
	case usersOn(opts) && usersRefused(err, &apiErr):
		return failedf("this credential may not read the tailnet's users, which %s on: use an API key, or an OAuth client or federated identity with the users:read scope (and the users scope, for apply to change them); list users: %s",
			userFlags(opts), apiReason(apiErr))
	}
	return failed(err)
}

// usersRefused reports whether err is the API's refusal to list the tailnet's users
// (401, 403 or 404), and sets *apiErr to it.
func usersRefused(err error, apiErr **tsinvites.APIError) bool {
	refused := tsinvites.IsForbidden(err) || tsinvites.IsUnauthorized(err) || tsinvites.IsNotFound(err)
	return refused && errors.As(err, apiErr) && (*apiErr).Operation == "list users"
}

// userFlags names the flags given that act on users, with the verb: "--approve acts",
// "--approve and --offboard act".
func userFlags(opts reconcile.PlanOptions) string {
	var given []string
	for _, f := range []struct {
		on   bool
		name string
	}{{opts.Approve, "--approve"}, {opts.ManageRoles, "--manage-roles"}, {opts.Offboard, "--offboard"}} {
		if f.on {
			given = append(given, f.name)
		}
	}
	if len(given) == 1 {
		return given[0] + " acts"
	}
	return strings.Join(given[:len(given)-1], ", ") + " and " + given[len(given)-1] + " act"
}

// usersOn reports whether a plan with opts acts on users, and so has a user ID column in
// CSV. SWITCH-USERS: reconcile's PlanOptions.onUsers is the rule; use its export once
// the reconcile work lands.
func usersOn(opts reconcile.PlanOptions) bool {
	return opts.Approve || opts.ManageRoles || opts.Offboard
}
