// Package reconcile makes the open invites of a tailnet match a desired list of people
// ("declarative invites"), over the public API of package tsinvites:
//
//	p, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{Prune: true})
//	fmt.Println(p) // what would change: one line per change, then a summary
//	res, err := reconcile.Apply(ctx, c, p, reconcile.ApplyOptions{})
//
// [NewPlan] reads the open invites and the tailnet's users (at the same time) and says
// what would change: creates, recreates (another role), resends and deletes; people who
// have joined the tailnet are never invited again. [Apply] makes those changes: creates
// in batches, several batches in flight, then deletes and resends a few at a time. A
// create whose answer was lost is reported unknown and never sent again: running
// NewPlan and Apply again after a partial failure finishes the job without creating
// anything twice.
//
// With [PlanOptions.Approve], [PlanOptions.ManageRoles] and [PlanOptions.Offboard] a
// plan also carries people from invite to member: it approves the people of the list
// who await approval, gives them the list's roles, suspends the members who are not in
// the list and restores the suspended people who are, within guards (never the owner,
// admins only when asked, a keep list, a grace period for new members, a cap on changes
// of access), each change a guard holds back said in [Plan.Held]; Apply makes these
// changes after the invites'.
//
// A [Plan] prints readably (String) and as JSON, and never holds an invite URL. Read
// back from its JSON ([ReadPlan]: a plan reviewed, then applied later) it prints as the
// plan that was printed, and Apply re-reads the tailnet first, skipping every change
// whose starting point is gone; every Apply keeps the plan's own guards.
//
// NewPlan and Apply take a [Client]: a *tsinvites.Client, or a program's own stand-in
// with the same methods.
package reconcile
