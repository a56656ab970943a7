package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// planItems are the items of plan's changes, not yet run: creates and recreates of
// invites numbered by the create call they go in (opts.BatchSize each; a share's goes in
// its device's call, unnumbered), lines from lineOf (nil: none).
func planItems(plan *reconcile.Plan, opts reconcile.ApplyOptions, status reconcile.Status, lineOf func(i int, ch reconcile.Change) int) []item {
	batch := cmp.Or(opts.BatchSize, reconcile.DefaultBatchSize)
	items := make([]item, len(plan.Changes))
	creates := 0
	for i, ch := range plan.Changes {
		items[i] = item{Change: ch, Status: status}
		if (ch.Action == reconcile.ActionCreate || ch.Action == reconcile.ActionRecreate) && ch.DeviceID == "" { // a share's call is its device's

			items[i].Batch = creates/batch + 1
			creates++
		}
		if lineOf != nil {
			items[i].Line = lineOf(i, ch)
		}
	}
	return items
}

// runPlan connects (see connect) and runs plan, whose empty Tailnet is the client's,
// with execute, and reports it: for the commands whose plan is built by hand (create,
// resend, delete).
func (o *options) runPlan(ctx context.Context, op bulkOp, plan *reconcile.Plan, opts reconcile.ApplyOptions, lineOf func(i int, ch reconcile.Change) int) (*report, error) {
	ctx, c, done, err := o.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	ran, err := o.execute(ctx, c, op, plan, opts, lineOf)
	if err != nil {
		return nil, err
	}
	return newReport(reportOf{op: op, tailnet: c.Tailnet(), items: ran.items, behindBar: ran.behindBar}), nil
}

// ran is what execute did: an item for each change (and each invite no change asked
// for), and whether a progress bar was shown.
type ran struct {
	items     []item
	behindBar bool
}

// execute runs plan with the engine, reconcile.Apply, behind a progress bar, and returns
// its items, each with its outcome, lines from lineOf (nil: none).
func (o *options) execute(ctx context.Context, c *tsinvites.Client, op bulkOp, plan *reconcile.Plan, opts reconcile.ApplyOptions, lineOf func(i int, ch reconcile.Change) int) (ran, error) {
	items := planItems(plan, opts, reconcile.StatusNotAttempted, lineOf)
	prog := o.newProgress(len(plan.Changes), op.progress)
	opts.Progress = func(reconcile.ChangeResult) { prog.add(1) }
	res, err := reconcile.Apply(ctx, c, plan, opts)
	prog.done()
	if res == nil { // refused before sending
		return ran{}, apiFailure(err)
	}
	for i, r := range res.Results {
		items[i].Status, items[i].NewInviteID, items[i].Invite, items[i].Share = r.Status, r.NewInviteID, r.Invite, r.Share
		items[i].Error = itemError(ctx, r.Status, r.Err)
	}
	for _, inv := range res.Unpaired {
		items = append(items, unpairedItem(inv))
	}
	for _, inv := range res.UnpairedShares {
		items = append(items, item{
			Change: reconcile.Change{Action: reconcile.ActionCreate, Email: inv.Email, AllowExitNode: inv.AllowExitNode},
			Status: statusUnpaired, NewInviteID: inv.ID, Share: &inv,
			Error: fmt.Sprintf("the API's answer held this device invite, not asked for: it may exist (share it, or delete it: tsinvites shares delete %s)", shellWord(inv.ID)),
		})
	}
	return ran{items: items, behindBar: prog != nil}, nil
}

// unpairedItem is the item of an invite of a create answer that no change asked for.
func unpairedItem(inv tsinvites.UserInvite) item {
	return item{
		Change: reconcile.Change{Action: reconcile.ActionCreate, Email: inv.Email, Role: inv.Role},
		Status: statusUnpaired, NewInviteID: inv.ID, Invite: &inv,
		Error: fmt.Sprintf("the API's answer held this invite, not asked for: it may exist (share it, or delete it: tsinvites delete %s)", shellWord(inv.ID)),
	}
}
