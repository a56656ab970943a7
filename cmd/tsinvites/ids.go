package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
	"github.com/tsinvites/tsinvites/reconcile"
)

// ids checks the invite ID arguments of get, resend and delete (reading them from stdin
// for "-") and --concurrency.
func (o *options) ids(args []string, concurrency int) ([]string, error) {
	if err := checkConcurrency(concurrency); err != nil {
		return nil, err
	}
	if len(args) == 1 && args[0] == "-" {
		var err error
		if args, err = readIDs(o.env.stdin); err != nil {
			return nil, usageErrorf("%w", err)
		}
		if len(args) == 0 {
			return nil, usageErrorf("no invite IDs on stdin")
		}
	}
	seen := map[string]bool{}
	for _, id := range args {
		switch {
		case strings.TrimSpace(id) == "" || id == "-":
			return nil, usageErrorf("invite ID %q: want an ID such as 12 (give - alone to read IDs from stdin)", id)
		case tsinvites.ValidateInviteID(id) != nil: // a reason, without the package prefix
			return nil, usageErrorf("%w", tsinvites.ValidateInviteID(id))
		case seen[id]:
			return nil, usageErrorf("invite ID %s is given twice", id)
		}
		seen[id] = true
	}
	return args, nil
}

// runEach calls do for each of ids, concurrency at a time (the project's one worker
// pool, internal/pool, which slows down on 429s as the engine does), behind a progress
// bar labelled by op, and returns an item for each: its ID, done or failed (and why),
// or not attempted when the pool stopped or ctx ended first.
func (o *options) runEach(ctx context.Context, c *tsinvites.Client, ids []string, concurrency int, op bulkOp, do func(ctx context.Context, i int) error) []item {
	items := make([]item, len(ids))
	prog := o.newProgress(len(ids), op.progress)
	next, why := pool.New(concurrency, c.RetryPolicy().MaxRetryAfter).Run(ctx, len(ids), func(ctx context.Context, i int) error {
		err := do(ctx, i)
		items[i].Status = reconcile.StatusDone
		if err != nil {
			items[i].Status, items[i].Error = reconcile.StatusFailed, reason(err)
		}
		prog.add(1)
		return err
	})
	prog.done()
	for i := next; i < len(items); i++ {
		items[i].Status, items[i].Error = reconcile.StatusNotAttempted, notStarted(ctx, why)
	}
	for i := range items {
		items[i].Action, items[i].InviteID = op.action, ids[i]
	}
	return items
}

// checkConcurrency checks --concurrency against the engine's limit.
func checkConcurrency(n int) error {
	if n < 1 || n > reconcile.MaxConcurrency {
		return flagErrorf("--concurrency %d: want 1 to %d", n, reconcile.MaxConcurrency)
	}
	return nil
}

// maxIDs caps how many IDs are read from stdin.
const maxIDs = 100_000

// readIDs reads invite IDs from r, one a line (blank lines and surrounding space ignored).
func readIDs(r io.Reader) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			if len(ids) == maxIDs {
				return nil, fmt.Errorf("more than %d invite IDs on stdin", maxIDs)
			}
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read invite IDs from stdin: %w", err)
	}
	return ids, nil
}
