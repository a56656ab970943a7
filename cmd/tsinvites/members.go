package main

import (
	"errors"
	"fmt"
	"time"

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
nor a member who joined within --offboard-grace (72h; 0 means 72h: reported as joined
recently, to check their login name); more than --max-offboard (10; 0 means 10)
suspensions stop the plan with exit 2, before anything is changed.`

// memberFlags are the flags of plan and apply that act on users.
type memberFlags struct {
	approve, manageRoles, offboard, offboardAdmins bool
	keep                                           []string
	maxOffboard                                    int
	maxOffboardSet                                 bool // --max-offboard was given
	offboardGrace                                  time.Duration
	offboardGraceSet                               bool // --offboard-grace was given
}

func (mf *memberFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&mf.approve, "approve", false, "approve the people of the file whose user awaits approval")
	f.BoolVar(&mf.manageRoles, "manage-roles", false, "give the people of the file who joined with another role the file's role (never the owner's; rows without a role keep theirs)")
	f.BoolVar(&mf.offboard, "offboard", false, "suspend the members who are not in the file, and restore the suspended people of the file")
	f.BoolVar(&mf.offboardAdmins, "offboard-admins", false, "with --offboard: also users whose role is not member (never the owner)")
	f.StringArrayVar(&mf.keep, "keep", nil, "with --offboard: an email never suspended or restored (repeatable)")
	f.IntVar(&mf.maxOffboard, "max-offboard", reconcile.DefaultMaxOffboard, fmt.Sprintf("with --offboard: the most members one run may suspend (0: the default, %d)", reconcile.DefaultMaxOffboard))
	f.DurationVar(&mf.offboardGrace, "offboard-grace", reconcile.DefaultOffboardGrace, fmt.Sprintf("with --offboard: members who joined less than this ago are not suspended (0: the default, %s)", reconcile.DefaultOffboardGrace))
}

// check refuses flags that do not go together, as flag problems; noUsers is --no-users.
func (mf *memberFlags) check(noUsers bool) error {
	switch {
	case !mf.offboard && (mf.offboardAdmins || len(mf.keep) > 0 || mf.maxOffboardSet || mf.offboardGraceSet):
		return flagErrorf("--offboard-admins, --keep, --max-offboard and --offboard-grace go with --offboard")
	case mf.maxOffboard < 0:
		return flagErrorf("--max-offboard %d: want 0 (the default, %d) or more", mf.maxOffboard, reconcile.DefaultMaxOffboard)
	case mf.offboardGrace < 0:
		return flagErrorf("--offboard-grace %s: want 0 (the default, %s) or more", mf.offboardGrace, reconcile.DefaultOffboardGrace)
	}
	for _, k := range mf.keep {
		if err := tsinvites.ValidateList([]tsinvites.CreateUserInviteRequest{{Email: k}}); err != nil { // the rules of a list's emails, as reconcile checks Keep
			return flagErrorf("--keep %q: want an email such as ci-bot@example.com", k)
		}
	}
	opts := reconcile.PlanOptions{WithoutUsers: noUsers}
	mf.options(&opts)
	if err := opts.Check(); err != nil { // what the engine refuses, such as --no-users with --approve
		return flagErrorf("%w", err)
	}
	return nil
}

// options sets the options on users of opts.
func (mf *memberFlags) options(opts *reconcile.PlanOptions) {
	opts.Approve, opts.ManageRoles, opts.Offboard = mf.approve, mf.manageRoles, mf.offboard
	if mf.offboard {
		opts.OffboardAdmins, opts.Keep, opts.MaxOffboard = mf.offboardAdmins, mf.keep, mf.maxOffboard
		opts.OffboardGrace = mf.offboardGrace
	}
}

// planFailure is the command's error for NewPlan's err: a usage error (exit 2) for
// more suspensions than --max-offboard, which nothing was changed for. (Without
// users:read, reconcile's error says what to do: the scope when the flags change users,
// --no-users otherwise.)
func planFailure(err error) error {
	var capErr *reconcile.OffboardCapError
	if errors.As(err, &capErr) {
		return usageErrorf("--offboard would suspend %d members who are not in the file, more than --max-offboard %d allows; nothing was changed: check the file, name the people to keep with --keep EMAIL, or raise --max-offboard to %d",
			capErr.Count, capErr.Max, capErr.Count)
	}
	return failed(err)
}
