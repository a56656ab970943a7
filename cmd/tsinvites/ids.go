package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
	"github.com/tsinvites/tsinvites/reconcile"
)

// ids checks the ID arguments of get, resend and delete, and of theirs for shares
// (reading them from stdin for "-"), and --concurrency; its messages name the IDs by
// op's noun ("invite ID", "device invite ID").
func (o *options) ids(op bulkOp, args []string, concurrency int) ([]string, error) {
	what := op.noun + " ID"
	if err := checkConcurrency(concurrency); err != nil {
		return nil, err
	}
	if len(args) == 1 && args[0] == "-" {
		var err error
		if args, err = readIDs(o.env.stdin, what); err != nil {
			return nil, usageErrorf("%w", err)
		}
		if len(args) == 0 {
			return nil, usageErrorf("no %ss on stdin", what)
		}
	}
	seen := map[string]bool{}
	for _, id := range args {
		switch {
		case strings.TrimSpace(id) == "" || id == "-":
			return nil, usageErrorf("%s %q: want an ID such as 12 (give - alone to read IDs from stdin)", what, id)
		case tsinvites.ValidateInviteID(id) != nil: // a reason, without the package prefix; the SDK's rule of every ID in a path
			return nil, usageErrorf("%w", tsinvites.ValidateInviteID(id))
		case seen[id]:
			return nil, usageErrorf("%s %s is given twice", what, id)
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

// concurrencyFlag registers --concurrency in f: what it limits (usage), the engine's
// default and its limit, which checkConcurrency checks.
func concurrencyFlag(f *pflag.FlagSet, n *int, usage string) {
	f.IntVar(n, "concurrency", reconcile.DefaultConcurrency, fmt.Sprintf("%s, 1 to %d", usage, reconcile.MaxConcurrency))
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

// readIDs reads IDs (what: "invite ID", ...) from r, one a line (blank lines and
// surrounding space ignored).
func readIDs(r io.Reader, what string) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			if len(ids) == maxIDs {
				return nil, fmt.Errorf("more than %d %ss on stdin", maxIDs, what)
			}
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %ss from stdin: %w", what, err)
	}
	return ids, nil
}
