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

// applyPlanRun applies the plan of apply --plan FILE (applySaved).
func applyPlanRun(ctx context.Context, opts *applyOptions) error {
	return opts.applySaved(ctx, "plan", opts.sync.shaping, nil)
}

// applySaved is apply --plan FILE and shares apply --plan FILE: the plan, as
// 'tsinvites <planCmd> -o json' wrote it (reconcile.ReadPlan), is checked with check
// (nil: any plan), shown, confirmed (or --yes) and applied as apply -f does, without
// planning again. shaping are the flags given that would shape a new plan: refused.
// Reconcile's Apply refuses a plan for another tailnet, or one whose changes do not
// hold together, before sending anything; it re-reads the tailnet and skips, with the
// reason, each change whose starting point is no longer what the plan saw (so the same
// plan applied twice changes nothing the second time), and keeps the plan's guards
// whatever the file says.
func (o *applyOptions) applySaved(ctx context.Context, planCmd string, shaping []string, check func(*reconcile.Plan) error) error {
	switch {
	case o.planFile == "":
		return flagErrorf("--plan: give the file of a plan saved by 'tsinvites %s -o json' (\"-\": stdin)", planCmd)
	case len(shaping) > 0:
		return flagErrorf("--plan applies a saved plan as it is: give no --%s with it (they make a new plan, from -f)", shaping[0])
	}
	if err := o.checkFlags(o.planFile); err != nil {
		return err
	}
	plan, err := readPlan(o.planFile, o.env.stdin)
	if err == nil && check != nil {
		err = check(plan)
	}
	if err != nil {
		return err
	}
	c, closeFn, err := o.client()
	if err != nil {
		return err
	}
	defer closeFn()
	o.warn(plan)
	return o.apply(ctx, c, plan, nil)
}

// openInput opens the file a flag names, or stdin for "-": its reader, the name its
// errors give ("stdin" for "-") and what closes it. A file that cannot be opened is a
// usage error of the flag.
func openInput(flag, path string, stdin io.Reader) (io.Reader, string, func(), error) {
	if path == "-" {
		return stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, usageErrorf("%s: %w", flag, err)
	}
	return f, path, func() { f.Close() }, nil
}

// readPlan reads a plan written by 'tsinvites plan -o json' from the file at path
// (stdin for "-"); every error is a usage error.
func readPlan(path string, stdin io.Reader) (*reconcile.Plan, error) {
	r, source, closeFn, err := openInput("--plan", path, stdin)
	if err != nil {
		return nil, err
	}
	defer closeFn()
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
