package main

import (
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressThreshold is the number of items above which a progress bar is shown on a
// terminal.
const progressThreshold = 20

// progress is a progress bar on stderr, or nothing (a nil *progress is valid).
type progress struct{ bar *progressbar.ProgressBar }

// newProgress shows a progress bar for n items when there are more than 20 and stderr
// is a terminal.
func (o *options) newProgress(n int, desc string) *progress {
	if !o.showsProgress(n) {
		return nil
	}
	return &progress{bar: progressbar.NewOptions(n,
		progressbar.OptionSetWriter(o.env.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add(n int) {
	if p != nil {
		_ = p.bar.Add(n)
	}
}

// done removes the bar, so that what follows starts on a clean line.
func (p *progress) done() {
	if p != nil {
		_ = p.bar.Clear()
		_ = p.bar.Exit()
	}
}

// showsProgress reports whether newProgress shows a bar for n items.
func (o *options) showsProgress(n int) bool { return n > progressThreshold && o.env.stderrTTY }
