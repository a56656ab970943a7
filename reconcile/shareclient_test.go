package reconcile_test

import (
	"testing"

	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// TestSharePlanThroughTheClient plans and applies shares through a *tsinvites.Client
// against the fake API, every request and answer checked against the document
// (spectest): the device calls NewSharePlan and Apply make are the document's, with the
// bodies and queries it allows; a list of one tag asks the API for that tag's devices
// alone, and the plan is the same.
func TestSharePlanThroughTheClient(t *testing.T) {
	c, srv := fakeClient(t, tsinvitestest.WithDevices(testDevices(4, 2, "tag:ci")...))
	shares := []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com"}, {Device: "build-003", Email: "bob@example.com", AllowExitNode: true}}
	p, err := reconcile.NewSharePlan(t.Context(), c, shares, reconcile.PlanOptions{})
	if err != nil || p.Count(reconcile.ActionCreate) != 3 {
		t.Fatalf("plan: %v\n%s", err, p)
	}
	res, err := reconcile.Apply(t.Context(), c, p, reconcile.ApplyOptions{})
	if err != nil || res.Count(reconcile.StatusDone) != 3 || len(srv.DeviceInvites()) != 3 {
		t.Fatalf("Apply: %v", err)
	}
	if again, err := reconcile.NewSharePlan(t.Context(), c, shares, reconcile.PlanOptions{}); err != nil || !again.Empty() {
		t.Fatalf("second plan: %v\n%s", err, again)
	}
	tagged, err := reconcile.NewSharePlan(t.Context(), c, shares[:1], reconcile.PlanOptions{})
	if err != nil || !tagged.Empty() || tagged.Count(reconcile.ActionUnchanged) != 2 {
		t.Fatalf("plan of tag:ci: %v\n%s", err, tagged)
	}
}
