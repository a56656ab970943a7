package reconcile_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites/reconcile"
)

// Sharing devices from a list: every device with tag:ci with two contractors, and one
// server, named by its hostname, with a third person who may use it as an exit node.
// Here against an in-memory stand-in of three devices (two with tag:ci); with a
// *tsinvites.Client the calls are the same.
func ExampleNewSharePlan() {
	f := newShareTailnet(shareNow, testDevices(3, 2, "tag:ci")...)
	var c reconcile.DeviceClient = f // a *tsinvites.Client is one
	ctx := context.Background()
	shares := []reconcile.Share{
		{Device: "tag:ci", Email: "ann@partner.example"},
		{Device: "tag:ci", Email: "bob@partner.example"},
		{Device: "build-002", Email: "ops@example.com", AllowExitNode: true},
	}
	plan, err := reconcile.NewSharePlan(ctx, c, shares, reconcile.PlanOptions{Prune: true})
	if err != nil {
		log.Fatal(err) // a bad email or device (nothing was sent), or a list failed
	}
	fmt.Println(plan)
	res, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Count(reconcile.StatusDone), "shared in", f.count("CreateDeviceInvites"), "create calls")
	// Output:
	// + create    ann@partner.example on build-000.example.ts.net (device n000)
	// + create    bob@partner.example on build-000.example.ts.net (device n000)
	// + create    ann@partner.example on build-001.example.ts.net (device n001)
	// + create    bob@partner.example on build-001.example.ts.net (device n001)
	// + create    ops@example.com on build-002.example.ts.net (device n002, exit node)
	// Plan: 5 to create, 0 to recreate, 0 to resend, 0 to delete; 0 unchanged; 0 accepted.
	// 5 shared in 3 create calls
}

// TestSharePlanInREADME: the plan the README's "Sharing devices" shows is the plan of
// ExampleNewSharePlan's list, as printed.
func TestSharePlanInREADME(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	f := newShareTailnet(shareNow, testDevices(3, 2, "tag:ci")...)
	p, err := reconcile.NewSharePlan(context.Background(), f, []reconcile.Share{
		{Device: "tag:ci", Email: "ann@partner.example"},
		{Device: "tag:ci", Email: "bob@partner.example"},
		{Device: "build-002", Email: "ops@example.com", AllowExitNode: true},
	}, reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "```\n"+p.String()+"\n```\n") {
		t.Errorf("README.md does not show the plan:\n%s", p)
	}
}
