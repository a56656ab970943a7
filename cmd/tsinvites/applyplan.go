package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tsinvites/tsinvites/reconcile"
)

// maxPlanFile caps what is read of apply --plan's file: a plan of 100,000 changes is
// about 30 MB.
const maxPlanFile = 128 << 20

// applyPlanRun applies the plan of apply --plan FILE, as 'tsinvites plan -o json'
// wrote it (reconcile.ReadPlan): shown, confirmed (or --yes) and applied as apply -f
// does, without planning again. Reconcile's Apply refuses a plan for another tailnet,
// or one whose changes do not hold together, before sending anything; it re-reads the
// tailnet and skips, with the reason, each change whose starting point is no longer
// what the plan saw (so the same plan applied twice changes nothing the second time),
// and keeps the plan's guards whatever the file says.
func applyPlanRun(ctx context.Context, opts *applyOptions) error {
	switch {
	case opts.planFile == "":
		return flagErrorf("--plan: give the file of a plan saved by 'tsinvites plan -o json' (\"-\": stdin)")
	case len(opts.sync.shaping) > 0:
		return flagErrorf("--plan applies a saved plan as it is: give no --%s with it (they make a new plan, from -f)", opts.sync.shaping[0])
	}
	if err := opts.checkFlags(opts.planFile); err != nil {
		return err
	}
	plan, err := readPlan(opts.planFile, opts.env.stdin)
	if err != nil {
		return err
	}
	c, closeFn, err := opts.client()
	if err != nil {
		return err
	}
	defer closeFn()
	opts.warn(plan)
	return opts.apply(ctx, c, plan, nil)
}

// readPlan reads a plan written by 'tsinvites plan -o json' from the file at path
// (stdin for "-"); every error is a usage error.
func readPlan(path string, stdin io.Reader) (*reconcile.Plan, error) {
	r, source := stdin, "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErrorf("--plan: %w", err)
		}
		defer f.Close()
		r, source = f, path
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPlanFile+1))
	if err == nil && len(b) > maxPlanFile {
		err = fmt.Errorf("larger than %d MiB", maxPlanFile>>20)
	}
	var plan *reconcile.Plan
	if err == nil {
		plan, err = reconcile.ReadPlan(bytes.NewReader(b))
	}
	var keys map[string]json.RawMessage // every saved plan has "changes", even if empty
	if err == nil && (json.Unmarshal(b, &keys) != nil || keys["changes"] == nil) {
		err = errors.New(`it has no "changes"`)
	}
	if err != nil {
		return nil, usageErrorf("--plan %s: not a plan saved by 'tsinvites plan -o json': %w", source, err)
	}
	return plan, nil
}
