package main

import (
	"context"
	"sync"

	"github.com/tsinvites/tsinvites/reconcile"
)

// forEach calls get for each of n items, at most concurrency at a time, and returns
// their items (in order): done, failed with the reason, or not attempted when ctx ended
// before the item was started. It is get's: the commands that change invites run on
// reconcile.Apply.
func forEach(ctx context.Context, n, concurrency int, prog *progress, get func(ctx context.Context, i int) error) []item {
	items := make([]item, n)
	for i := range items {
		items[i].Status = reconcile.StatusNotAttempted
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, n) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil { // the feeder and ctx.Done raced: leave it not attempted
					continue
				}
				if err := get(ctx, i); err != nil {
					items[i].Status, items[i].Error = reconcile.StatusFailed, reason(err)
				} else {
					items[i].Status = reconcile.StatusDone
				}
				prog.add(1)
			}
		})
	}
feed:
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i := range items {
		if items[i].Status == reconcile.StatusNotAttempted {
			items[i].Error = "not started: " + stopReason(ctx)
		}
	}
	return items
}
