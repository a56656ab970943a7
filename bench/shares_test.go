package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// The tailnet of BenchmarkSharePlan: issue 26's done-when.
const (
	shareDevices = 200
	shareTagged  = 40 // with tag:ci
)

// shareList is the done-when's list: tag:ci with three contractors, two servers (not
// tagged) with one more person: 42 devices in scope.
func shareList() []reconcile.Share {
	var shares []reconcile.Share
	for i := range 3 {
		shares = append(shares, reconcile.Share{Device: "tag:ci", Email: fmt.Sprintf("contractor%d@partner.example", i+1)})
	}
	return append(shares,
		reconcile.Share{Device: "build-150", Email: "ops@example.com"},
		reconcile.Share{Device: "build-151.example.ts.net", Email: "ops@example.com"})
}

// deviceServer is the fake API (tsinvitestest) with the 200 devices, no invites yet,
// every request answered after roundTrip, and its token.
func deviceServer() (*httptest.Server, string) {
	devices := make([]tsinvites.Device, shareDevices)
	for i := range devices {
		devices[i] = tsinvites.Device{ID: fmt.Sprint(1000 + i), NodeID: fmt.Sprintf("n%03d", i),
			Name: fmt.Sprintf("build-%03d.example.ts.net", i), Hostname: fmt.Sprintf("build-%03d", i)}
		if i < shareTagged {
			devices[i].Tags = []string{"tag:ci"}
		}
	}
	fake := tsinvitestest.Handler(tsinvitestest.WithDevices(devices...))
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(roundTrip)
		fake.ServeHTTP(w, r)
	})), fake.Token()
}

// BenchmarkSharePlan plans the done-when's shares over 200 devices (40 with tag:ci)
// against the fake API with 40 ms added to each request: one devices list, then the invites of the 42
// devices in scope, DefaultConcurrency lists in flight. x-floor is the time against
// the floor of one round trip for the devices list plus ceil(42/4) for the invite
// lists (the issue asks for at most 1.3).
func BenchmarkSharePlan(b *testing.B) {
	srv, token := deviceServer()
	defer srv.Close()
	c, err := tsinvites.New(tsinvites.Config{APIKey: token, BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	inScope := shareTagged + 2
	floor := roundTrip * time.Duration(1+math.Ceil(float64(inScope)/reconcile.DefaultConcurrency))
	ctx := context.Background()
	var took time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := reconcile.NewSharePlan(ctx, c, shareList(), reconcile.PlanOptions{})
		took += time.Since(start)
		if err != nil || p.Count(reconcile.ActionCreate) != 3*shareTagged+2 {
			b.Fatalf("plan: %d creates, %v", p.Count(reconcile.ActionCreate), err)
		}
	}
	b.ReportMetric(float64(took)/float64(b.N)/float64(floor), "x-floor")
}
