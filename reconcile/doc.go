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
// admins only when asked, a keep list, a cap on suspensions); Apply makes these changes
// after the invites'.
//
// A [Plan] prints readably (String) and as JSON; read back from its JSON it applies and
// prints exactly as the plan that was printed. It never holds an invite URL.
package reconcile
