package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

var shareNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// contractors are the three people of the done-when list who get every tag:ci device.
var contractors = []string{"c1@partner.example", "c2@partner.example", "c3@partner.example"}

// doneWhenShares is the list of issue 26's done-when: tag:ci with the contractors, and
// two named servers (by name without suffix, and by hostname) with one more person.
func doneWhenShares(people []string) []reconcile.Share {
	var shares []reconcile.Share
	for _, p := range people {
		shares = append(shares, reconcile.Share{Device: "tag:ci", Email: p})
	}
	return append(shares,
		reconcile.Share{Device: "build-150", Email: "ops@example.com", AllowExitNode: true},
		reconcile.Share{Device: "build-151.example.ts.net", Email: "ops@example.com"})
}

// doneWhen is a tailnet for the steps of issue 26's done-when: a client, the device
// invites as they are, and a way to accept one as someone.
type doneWhen struct {
	c       reconcile.DeviceClient
	invites func() []tsinvites.DeviceInvite
	accept  func(id, loginName string) error
	now     time.Time
}

// shareAll plans the done-when's list (122 creates), applies it, and checks that a
// second plan is empty.
func (d doneWhen) shareAll(t *testing.T) {
	t.Helper()
	opts := reconcile.PlanOptions{Now: d.now}
	p, err := reconcile.NewSharePlan(t.Context(), d.c, doneWhenShares(contractors), opts)
	if err != nil || p.Count(reconcile.ActionCreate) != 122 || len(p.Changes) != 122 {
		t.Fatalf("plan: %d creates of %d changes, want 122: %v\n%s", p.Count(reconcile.ActionCreate), len(p.Changes), err, p)
	}
	res, err := reconcile.Apply(t.Context(), d.c, p, reconcile.ApplyOptions{})
	if err != nil || res.Count(reconcile.StatusDone) != 122 || len(d.invites()) != 122 {
		t.Fatalf("Apply: %d done, %d invites: %v", res.Count(reconcile.StatusDone), len(d.invites()), err)
	}
	for _, r := range res.Results {
		if r.Share == nil || r.Share.AllowExitNode != r.AllowExitNode {
			t.Fatalf("result %s: share %+v", r, r.Share)
		}
	}
	if again, err := reconcile.NewSharePlan(t.Context(), d.c, doneWhenShares(contractors), opts); err != nil || !again.Empty() || again.Count(reconcile.ActionUnchanged) != 122 {
		t.Fatalf("second plan: %v\n%s", err, again)
	}
}

// dropContractor has c3 accept on ten devices and c1 on five, drops c3 from the list,
// and checks that Prune deletes exactly c3's 30 pending invites and reports (and
// keeps) the 10 c3 accepted.
func (d doneWhen) dropContractor(t *testing.T) {
	t.Helper()
	accepted := 0
	for _, inv := range d.invites() {
		if inv.Email == "c3@partner.example" && accepted < 10 || inv.Email == "c1@partner.example" && accepted >= 10 && accepted < 15 {
			if err := d.accept(inv.ID, inv.Email); err != nil {
				t.Fatal(err)
			}
			accepted++
		}
	}
	p, err := reconcile.NewSharePlan(t.Context(), d.c, doneWhenShares(contractors[:2]), reconcile.PlanOptions{Now: d.now, Prune: true})
	if err != nil || p.Count(reconcile.ActionDelete) != 30 || len(p.Changes) != 30 {
		t.Fatalf("prune plan: %d deletes of %d changes, want 30 (c3's pending): %v\n%s", p.Count(reconcile.ActionDelete), len(p.Changes), err, p)
	}
	for _, ch := range p.Changes {
		if ch.Email != "c3@partner.example" || ch.DeviceID == "" {
			t.Errorf("prune deletes %s", ch)
		}
	}
	notListed := 0
	for _, a := range p.Accepted {
		if !a.Listed && a.AcceptedBy == "c3@partner.example" {
			notListed++
		}
	}
	if len(p.Accepted) != 15 || notListed != 10 || !strings.Contains(p.String(), "does not promise that deleting an accepted invite ends the share") {
		t.Errorf("accepted %d (%d of c3 not listed), want 15 (10):\n%s", len(p.Accepted), notListed, p)
	}
	if res, err := reconcile.Apply(t.Context(), d.c, p, reconcile.ApplyOptions{}); err != nil || res.Count(reconcile.StatusDone) != 30 {
		t.Fatalf("Apply prune: %v", err)
	}
	left := 0
	for _, inv := range d.invites() {
		if inv.Email == "c3@partner.example" {
			left++
			if !inv.Accepted {
				t.Errorf("c3's pending invite %s is left", inv.ID)
			}
		}
	}
	if left != 10 || len(d.invites()) != 92 {
		t.Errorf("%d of c3's invites left (want the 10 accepted), %d in all (want 92)", left, len(d.invites()))
	}
}

// TestSharePlanDoneWhen is issue 26's done-when at the SDK's level, against the
// stand-in: 200 devices, 40 with tag:ci; sharing tag:ci with three contractors and two
// servers with one more person creates 122 invites in 42 create calls (one a device),
// after one devices list and one invites list a device in scope; a second plan is
// empty; after some accept and the list drops a contractor, Prune deletes exactly the
// pending invites of that contractor, and the accepted ones are reported, not deleted.
func TestSharePlanDoneWhen(t *testing.T) {
	f := newShareTailnet(shareNow, testDevices(200, 40, "tag:ci")...)
	d := doneWhen{c: f, invites: f.all, now: shareNow, accept: func(id, login string) error { f.accept(id, login); return nil }}
	d.shareAll(t)
	if f.count("ListDevices") != 2 || f.count("ListDeviceInvites") != 2*42 || f.count("CreateDeviceInvites") != 42 {
		t.Errorf("two plans read %d device lists and %d invite lists, want 2 and 84; %d create calls, want 42",
			f.count("ListDevices"), f.count("ListDeviceInvites"), f.count("CreateDeviceInvites"))
	}
	d.dropContractor(t)
	if n := f.count("DeleteDeviceInvite"); n != 30 {
		t.Errorf("%d deletes, want 30", n)
	}
}

// TestShareDeviceNames: how a Share's Device finds devices, table-driven.
func TestShareDeviceNames(t *testing.T) {
	devices := []tsinvites.Device{
		{ID: "11", NodeID: "nA", Name: "alpha.example.ts.net", Hostname: "Alpha-Host", Tags: []string{"tag:ci"}},
		{ID: "12", NodeID: "nB", Name: "beta.example.ts.net", Hostname: "web", Tags: []string{"tag:ci", "tag:prod"}},
		{ID: "13", NodeID: "nC", Name: "gamma.example.ts.net", Hostname: "web"},
		{ID: "14", NodeID: "nD", Name: "delta.example.ts.net", Hostname: "delta"},
	}
	for _, tc := range []struct {
		device string
		want   []string // the nodeIds shared with, in order
		err    string   // a text of the refusal
		warn   string
	}{
		{device: "11", want: []string{"nA"}},
		{device: "nB", want: []string{"nB"}},
		{device: "gamma.example.ts.net", want: []string{"nC"}},
		{device: "gamma.example.ts.net.", want: []string{"nC"}},
		{device: "GAMMA", want: []string{"nC"}},
		{device: "alpha-host", want: []string{"nA"}},
		{device: "delta", want: []string{"nD"}}, // short name and hostname: one device
		{device: "tag:ci", want: []string{"nA", "nB"}},
		{device: "tag:prod", want: []string{"nB"}},
		{device: "tag:none", warn: "no device has the tag"},
		{device: "web", err: "names 2 devices: beta.example.ts.net (nB), gamma.example.ts.net (nC)"},
		{device: "epsilon", err: "no device has the ID, name or hostname"},
		{device: "tag:CI", warn: "no device has the tag"}, // tags are exact
	} {
		t.Run(tc.device, func(t *testing.T) {
			f := newShareTailnet(shareNow, devices...)
			p, err := reconcile.NewSharePlan(context.Background(), f, []reconcile.Share{{Device: tc.device, Email: "ann@example.com"}}, reconcile.PlanOptions{Now: shareNow})
			if tc.err != "" {
				var inErr *tsinvites.InputError
				if !errors.As(err, &inErr) || !errors.Is(err, tsinvites.ErrInvalidInput) || inErr.Problems[0].Field != "device" || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want an input error with %q", err, tc.err)
				}
				if f.count("ListDeviceInvites") != 0 {
					t.Error("invites were listed for a refused list")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range p.Changes {
				got = append(got, ch.DeviceID)
			}
			if tag := strings.HasPrefix(tc.device, "tag:"); tag != (f.filter.Tags != nil) || tag && (*f.filter.Tags)[0] != tc.device {
				t.Errorf("devices listed with the filter %+v", f.filter)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || tc.warn != "" && !strings.Contains(strings.Join(p.Warnings, "\n"), tc.warn) {
				t.Errorf("shared with %v (warnings %q), want %v (%q)", got, p.Warnings, tc.want, tc.warn)
			}
		})
	}
}

// TestShareInputRefused: every problem of a list at once, by line, and nothing sent.
func TestShareInputRefused(t *testing.T) {
	f := newShareTailnet(shareNow, testDevices(3, 3, "tag:ci")...)
	shares := []reconcile.Share{
		{Device: "tag:ci", Email: "ann@example.com"},
		{Device: "tag:ci", Email: "not an email"},
		{Device: "", Email: "bob@example.com"},
		{Device: "tag:ci", Email: "ANN@example.com"},                          // ann again, on the same Device
		{Device: "build-001", Email: "ann@example.com"},                       // ann on a device of tag:ci: not a duplicate
		{Device: "build\u200b-002", Email: "cy@example.com"},                  // an invisible character
		{Device: "build-002", Email: "dee@example.com", AllowExitNode: false}, // fine
	}
	_, err := reconcile.NewSharePlan(context.Background(), f, shares, reconcile.PlanOptions{})
	var inErr *tsinvites.InputError
	if !errors.As(err, &inErr) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, p := range inErr.Problems {
		got = append(got, fmt.Sprintf("%d:%s:%d", p.Index, p.Field, p.First))
	}
	if want := "[1:email:-1 2:device:-1 3:email:0 5:device:-1]"; fmt.Sprint(got) != want {
		t.Errorf("problems %v, want %s (%v)", got, want, err)
	}
	if f.count("ListDevices")+f.count("ListDeviceInvites") != 0 {
		t.Error("something was sent for a refused list")
	}

	// Two lines sharing one device with one person, disagreeing on the exit node.
	_, err = reconcile.NewSharePlan(context.Background(), f, []reconcile.Share{
		{Device: "tag:ci", Email: "ann@example.com"}, {Device: "n001", Email: "ann@example.com", AllowExitNode: true},
	}, reconcile.PlanOptions{})
	if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(err.Error(), "lines 1 and 2 share device") || f.count("ListDeviceInvites") != 0 {
		t.Errorf("err = %v", err)
	}
	if _, err := reconcile.NewSharePlan(context.Background(), f, nil, reconcile.PlanOptions{Offboard: true}); !errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Errorf("Offboard: err = %v", err)
	}
}

// TestSharePlanLifecycle: the changes a share plan proposes for pending and accepted
// invites, and how Apply makes a recreate (create, then delete the old).
func TestSharePlanLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newShareTailnet(shareNow, testDevices(2, 0, "")...)
	day := 24 * time.Hour
	for _, inv := range []tsinvites.DeviceInvite{
		{ID: "old", Email: "ann@example.com", Created: shareNow.Add(-31 * day), LastEmailSentAt: shareNow.Add(-31 * day)}, // expired
		{ID: "exit", Email: "bob@example.com", Created: shareNow.Add(-day), LastEmailSentAt: shareNow.Add(-day)},          // list wants the exit node
		{ID: "stale", Email: "cy@example.com", Created: shareNow.Add(-9 * day), LastEmailSentAt: shareNow.Add(-8 * day)},  // resend
		{ID: "dup1", Email: "dee@example.com", Created: shareNow.Add(-3 * day), LastEmailSentAt: shareNow.Add(-3 * day)},
		{ID: "dup2", Email: "Dee@example.com", Created: shareNow.Add(-2 * day), LastEmailSentAt: shareNow.Add(-2 * day)}, // kept: emailed last
		{ID: "gone", Email: "eve@example.com", Created: shareNow.Add(-day)},                                              // not listed
		{ID: "link", Created: shareNow.Add(-day)},                                                                        // no email
		{ID: "used", Email: "fay@example.com", Created: shareNow.Add(-day), Accepted: true, AcceptedBy: tsinvites.DeviceInviteAcceptedBy{LoginName: "GUS@example.com"}},
	} {
		f.add("n000", inv)
	}
	f.add("n001", tsinvites.DeviceInvite{ID: "other", Email: "zed@example.com", Created: shareNow}) // a device out of scope
	shares := []reconcile.Share{
		{Device: "build-000", Email: "ann@example.com"},
		{Device: "build-000", Email: "bob@example.com", AllowExitNode: true},
		{Device: "build-000", Email: "cy@example.com"},
		{Device: "build-000", Email: "dee@example.com"},
		{Device: "build-000", Email: "fay@example.com"}, // her invite was accepted by gus: she gets one
		{Device: "build-000", Email: "gus@example.com"}, // accepted fay's: his share
	}
	p, err := reconcile.NewSharePlan(ctx, f, shares, reconcile.PlanOptions{Now: shareNow, Prune: true, ResendAfter: 7 * day})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range p.Changes {
		got = append(got, fmt.Sprintf("%s %s %s", ch.Action, ch.Email, ch.InviteID))
	}
	want := "[create fay@example.com  recreate ann@example.com old recreate bob@example.com exit resend cy@example.com stale delete eve@example.com gone delete  link delete dee@example.com dup1]"
	if fmt.Sprint(got) != want {
		t.Errorf("changes\n%v, want\n%s\n%s", got, want, p)
	}
	if len(p.Accepted) != 1 || !p.Accepted[0].Listed || p.Accepted[0].AcceptedBy != "GUS@example.com" || !strings.Contains(p.String(), "emailed to fay@example.com") {
		t.Errorf("accepted %+v\n%s", p.Accepted, p)
	}
	res, err := reconcile.Apply(ctx, f, p, reconcile.ApplyOptions{Concurrency: 1})
	if err != nil || res.Count(reconcile.StatusDone) != len(p.Changes) {
		t.Fatalf("Apply: %v", err)
	}
	var ids []string
	for _, inv := range f.all() {
		ids = append(ids, inv.ID)
	}
	if fmt.Sprint(ids) != "[stale dup2 used di1 di2 di3 other]" {
		t.Errorf("invites after Apply: %v", ids)
	}
	if again, err := reconcile.NewSharePlan(ctx, f, shares, reconcile.PlanOptions{Now: shareNow, Prune: true, ResendAfter: 7 * day}); err != nil || !again.Empty() {
		t.Errorf("second plan: %v\n%s", err, again)
	}
}

// TestSharePlanSaved: a share plan prints, goes through JSON and back (ReadPlan) and
// counts alike; applied later, it skips what changed since: a create whose person has
// an invite by now, a delete of an invite accepted since.
func TestSharePlanSaved(t *testing.T) {
	ctx := context.Background()
	f := newShareTailnet(shareNow, testDevices(2, 2, "tag:ci")...)
	f.add("n000", tsinvites.DeviceInvite{ID: "x1", Email: "left@example.com", Created: shareNow})
	p, err := reconcile.NewSharePlan(ctx, f, []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com", AllowExitNode: true}}, reconcile.PlanOptions{Now: shareNow, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := reconcile.ReadPlan(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != p.String() || back.Count(reconcile.ActionCreate) != 2 || back.Count(reconcile.ActionDelete) != 1 {
		t.Fatalf("read back:\n%s\nwant\n%s", back, p)
	}
	if !strings.Contains(p.String(), "+ create    ann@example.com on build-000.example.ts.net (device n000, exit node)") {
		t.Errorf("plan:\n%s", p)
	}
	// Since the plan: ann got an invite on n001, and x1 was accepted.
	f.add("n001", tsinvites.DeviceInvite{ID: "y1", Email: "ann@example.com", AllowExitNode: true, Created: shareNow})
	f.accept("x1", "left@example.com")
	res, err := reconcile.Apply(ctx, f, back, reconcile.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Results {
		got = append(got, fmt.Sprintf("%s %s %s", r.Action, r.DeviceID, r.Status))
	}
	if fmt.Sprint(got) != "[create n000 done create n001 skipped delete n000 skipped]" || f.count("DeleteDeviceInvite") != 0 {
		t.Errorf("results %v", got)
	}
	if res2, err := reconcile.Apply(ctx, f, back, reconcile.ApplyOptions{}); err != nil || res2.Count(reconcile.StatusSkipped) != 3 {
		t.Errorf("second Apply of the saved plan: %v %v", res2, err)
	}
}

// userOnly is a reconcile.Client without the device calls.
type userOnly struct{ reconcile.Client }

func (userOnly) Tailnet() string { return "example.com" }

// TestApplyShareNeedsDeviceClient: a plan of shares with a client without the device
// calls is refused before anything is sent.
func TestApplyShareNeedsDeviceClient(t *testing.T) {
	p := &reconcile.Plan{Changes: []reconcile.Change{{Action: reconcile.ActionCreate, Email: "ann@example.com", DeviceID: "n000"}}}
	_, err := reconcile.Apply(context.Background(), userOnly{}, p, reconcile.ApplyOptions{})
	if !errors.Is(err, tsinvites.ErrInvalidInput) || !strings.Contains(err.Error(), "DeviceClient") {
		t.Errorf("err = %v", err)
	}
}

// TestSharePlanListsConcurrently: the invite lists of the devices in scope go
// Concurrency at a time: with every list held, exactly three are in flight.
func TestSharePlanListsConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newShareTailnet(shareNow, testDevices(10, 10, "tag:ci")...)
		f.gate = make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := reconcile.NewSharePlan(context.Background(), f, []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com"}}, reconcile.PlanOptions{Concurrency: 3})
			done <- err
		}()
		for range 10 {
			synctest.Wait() // every list that may start has started, and waits
			f.mu.Lock()
			if f.inFlight != min(3, 10-f.calls["ListDeviceInvites"]+f.inFlight) {
				t.Errorf("%d lists in flight, want 3 while more are to come", f.inFlight)
			}
			f.mu.Unlock()
			f.gate <- struct{}{} // one list may end
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if f.maxInFlight != 3 {
			t.Errorf("%d lists in flight at most, want 3", f.maxInFlight)
		}
	})
}

// TestShareApplyFailures: a create call whose answer was lost leaves its shares
// unknown (never sent again, and the next plan finds them made); a resend answered
// 429 with a wait longer than the client's leaves the changes not yet sent
// not-attempted, as for user invites; a devices' invite list that fails makes the plan
// fail with its own error, naming the device.
func TestShareApplyFailures(t *testing.T) {
	ctx := context.Background()
	f := newShareTailnet(shareNow, testDevices(2, 2, "tag:ci")...)
	f.fail["CreateDeviceInvites"] = fmt.Errorf("tsinvites: create: connection reset: %w", tsinvites.ErrMayHaveCreated)
	shares := []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com"}, {Device: "tag:ci", Email: "bob@example.com"}}
	p, err := reconcile.NewSharePlan(ctx, f, shares, reconcile.PlanOptions{Now: shareNow})
	if err != nil {
		t.Fatal(err)
	}
	res, err := reconcile.Apply(ctx, f, p, reconcile.ApplyOptions{Concurrency: 1})
	if err == nil || res.Count(reconcile.StatusUnknown) != 2 || res.Count(reconcile.StatusDone) != 2 || f.count("CreateDeviceInvites") != 2 {
		t.Fatalf("Apply: %d unknown, %d done, %d calls: %v", res.Count(reconcile.StatusUnknown), res.Count(reconcile.StatusDone), f.count("CreateDeviceInvites"), err)
	}
	if again, err := reconcile.NewSharePlan(ctx, f, shares, reconcile.PlanOptions{Now: shareNow}); err != nil || !again.Empty() {
		t.Fatalf("the plan after a lost answer: %v\n%s", err, again)
	}

	later := reconcile.PlanOptions{Now: shareNow.Add(48 * time.Hour), ResendAfter: time.Hour}
	p, err = reconcile.NewSharePlan(ctx, f, shares, later)
	if err != nil || p.Count(reconcile.ActionResend) != 4 {
		t.Fatalf("resend plan: %v\n%s", err, p)
	}
	f.fail["ResendDeviceInvite"] = &tsinvites.APIError{StatusCode: http.StatusTooManyRequests, RetryAfter: time.Hour}
	res, err = reconcile.Apply(ctx, f, p, reconcile.ApplyOptions{Concurrency: 1})
	if err == nil || res.Count(reconcile.StatusFailed) != 1 || res.Count(reconcile.StatusNotAttempted) != 3 || f.count("ResendDeviceInvite") != 1 ||
		!strings.Contains(res.Results[1].Error, "asked to wait 1h0m0s") {
		t.Errorf("Apply after a 429: %v (%v)", err, res.Results)
	}

	f.fail["ListDeviceInvites"] = &tsinvites.APIError{StatusCode: http.StatusForbidden, Message: "no device_invites:read"}
	if _, err := reconcile.NewSharePlan(ctx, f, shares, later); !tsinvites.IsForbidden(err) || !strings.Contains(err.Error(), "listing the invites of device build-00") {
		t.Errorf("plan with a list refused: %v", err)
	}
}

// TestValidateShares: the checks NewSharePlan makes before sending anything, for a
// program to call on its own: the same problems, by line.
func TestValidateShares(t *testing.T) {
	shares := []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com"}, {Device: "tag:", Email: "bob@example.com"}, {Device: "x", Email: "bob"}}
	var inErr *tsinvites.InputError
	if err := reconcile.ValidateShares(shares); !errors.As(err, &inErr) || !errors.Is(err, tsinvites.ErrInvalidInput) || len(inErr.Problems) != 2 ||
		inErr.Problems[0].Index != 1 || inErr.Problems[0].Field != "device" || inErr.Problems[1].Index != 2 || inErr.Problems[1].Field != "email" {
		t.Errorf("ValidateShares = %v", err)
	}
	if err := reconcile.ValidateShares(shares[:1]); err != nil {
		t.Errorf("ValidateShares of a good line = %v", err)
	}
}

// TestShareAcceptedDuringThePromptIsNotDeleted: a fresh plan (not read back) prunes a
// pending invite; the person accepts it before Apply runs (as at `shares apply`'s
// prompt). Apply must not delete the accepted share, nor the old invite of a recreate
// accepted meanwhile: a plan never deletes an accepted share.
func TestShareAcceptedDuringThePromptIsNotDeleted(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newShareTailnet(shareNow, testDevices(1, 1, "tag:ci")...)
	f.add("n000", tsinvites.DeviceInvite{ID: "x1", Email: "left@example.com", Created: shareNow})
	f.add("n000", tsinvites.DeviceInvite{ID: "x2", Email: "ann@example.com", Created: shareNow})
	p, err := reconcile.NewSharePlan(ctx, f, []reconcile.Share{{Device: "tag:ci", Email: "ann@example.com", AllowExitNode: true}}, reconcile.PlanOptions{Now: shareNow, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Count(reconcile.ActionDelete) != 1 || p.Count(reconcile.ActionRecreate) != 1 {
		t.Fatalf("plan:\n%s", p)
	}
	f.accept("x1", "left@example.com")
	f.accept("x2", "ann@example.com")
	res, err := reconcile.Apply(ctx, f, p, reconcile.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("DeleteDeviceInvite"); n != 0 {
		t.Errorf("Apply sent %d deletes of invites accepted since the plan, want 0", n)
	}
	for _, r := range res.Results {
		if r.Action == reconcile.ActionDelete && r.Status != reconcile.StatusSkipped {
			t.Errorf("delete of an invite accepted since the plan: %s (%v), want skipped", r.Status, r.Err)
		}
	}
	kept := 0
	for _, inv := range f.all() {
		if inv.Accepted {
			kept++
		}
	}
	if kept != 2 {
		t.Errorf("%d accepted shares left, want 2", kept)
	}
}
