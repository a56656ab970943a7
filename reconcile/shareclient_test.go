package reconcile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
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

// TestShareResendOnceAMinute: the API resends a device invite at most once a minute
// (the fake answers 429 with Retry-After: 60). A share plan's resends within the
// minute of the last resend meet it as user invites' do: the call fails, and as the wait is longer than
// the client's MaxRetryAfter the changes not yet sent are not attempted, saying how
// long the API asked to wait; nothing is retried blindly.
func TestShareResendOnceAMinute(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c, srv := fakeClient(t, tsinvitestest.WithDevices(testDevices(1, 1, "tag:ci")...), tsinvitestest.WithClock(func() time.Time { return now }))
	shares := []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com"}, {Device: "tag:ci", Email: "bob@example.com"}}
	p, err := reconcile.NewSharePlan(t.Context(), c, shares, reconcile.PlanOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reconcile.Apply(t.Context(), c, p, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	resend := func() *reconcile.Plan { // every invite, as last emailed before now
		p, err := reconcile.NewSharePlan(t.Context(), c, shares, reconcile.PlanOptions{Now: now.Add(time.Second), ResendAfter: time.Millisecond})
		if err != nil || p.Count(reconcile.ActionResend) != 2 {
			t.Fatalf("resend plan: %v\n%s", err, p)
		}
		return p
	}
	if res, err := reconcile.Apply(t.Context(), c, resend(), reconcile.ApplyOptions{}); err != nil || res.Count(reconcile.StatusDone) != 2 {
		t.Fatalf("first resends: %v", err)
	}
	res, err := reconcile.Apply(t.Context(), c, resend(), reconcile.ApplyOptions{Concurrency: 1}) // within the minute
	if err == nil || res.Count(reconcile.StatusFailed) != 1 || res.Count(reconcile.StatusNotAttempted) != 1 ||
		!tsinvites.IsRateLimited(res.Results[0].Err) || !strings.Contains(res.Results[1].Error, "asked to wait 1m0s") {
		t.Errorf("Apply within the minute: %v\n%v", err, res.Results)
	}
	if n := srv.RequestCount(tsinvitestest.OpResendDeviceInvite); n != 3 {
		t.Errorf("%d resend requests, want 3 (2, then 1 refused)", n)
	}
}
