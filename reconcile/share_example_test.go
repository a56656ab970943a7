package reconcile_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// exampleDevices are the devices of ExampleNewSharePlan: build-000 and build-001 with
// tag:ci, and build-002.
func exampleDevices() []tsinvites.Device {
	return []tsinvites.Device{
		{NodeID: "n000", Name: "build-000.example.ts.net", Hostname: "build-000", Tags: []string{"tag:ci"}},
		{NodeID: "n001", Name: "build-001.example.ts.net", Hostname: "build-001", Tags: []string{"tag:ci"}},
		{NodeID: "n002", Name: "build-002.example.ts.net", Hostname: "build-002"},
	}
}

// exampleShares is ExampleNewSharePlan's list.
var exampleShares = []reconcile.Share{
	{Device: "tag:ci", Email: "ann@partner.example"},
	{Device: "tag:ci", Email: "bob@partner.example"},
	{Device: "build-002", Email: "ops@example.com", AllowExitNode: true},
}

// Sharing devices from a list: every device with tag:ci with two contractors, and one
// server, named by its hostname, with a third person who may use it as an exit node.
// Here against the fake API with three devices (two with tag:ci).
func ExampleNewSharePlan() {
	srv, c := startFake(tsinvitestest.WithDevices(exampleDevices()...))
	defer srv.Close()
	ctx := context.Background()
	plan, err := reconcile.NewSharePlan(ctx, c, exampleShares, reconcile.PlanOptions{Prune: true})
	if err != nil {
		log.Fatal(err) // a bad email or device (nothing was sent), or a list failed
	}
	fmt.Println(plan)
	res, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Count(reconcile.StatusDone), "shared in", srv.RequestCount(tsinvitestest.OpCreateDeviceInvite), "create calls")
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
	c, _ := fakeClient(t, tsinvitestest.WithDevices(exampleDevices()...))
	p, err := reconcile.NewSharePlan(t.Context(), c, exampleShares, reconcile.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "```\n"+p.String()+"\n```\n") {
		t.Errorf("README.md does not show the plan:\n%s", p)
	}
}
