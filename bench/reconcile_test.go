package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// roundTrip is the delay added to every request of BenchmarkOnboard: a far API.
const roundTrip = 40 * time.Millisecond

// BenchmarkOnboard invites 5,000 people against the fake API with 40 ms added to each
// request: NewPlan (two lists) and Apply (50 create calls of 100) with the defaults.
// x-floor is the time against the floor of 4 calls in flight: one round trip for the
// lists, then ceil(50/4) for the creates.
func BenchmarkOnboard(b *testing.B) {
	const people = 5000
	desired := make([]tsinvites.CreateUserInviteRequest, people)
	for i := range desired {
		desired[i] = tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("person%05d@example.com", i)}
	}
	batches := math.Ceil(people / float64(reconcile.DefaultBatchSize))
	floor := roundTrip * time.Duration(1+math.Ceil(batches/reconcile.DefaultConcurrency))
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		fake := tsinvitestest.Handler()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(roundTrip)
			fake.ServeHTTP(w, r)
		}))
		c, err := tsinvites.New(tsinvites.Config{APIKey: fake.Token(), BaseURL: srv.URL})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.StartTimer()
		start := time.Now()
		plan, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := reconcile.Apply(ctx, c, plan, reconcile.ApplyOptions{})
		took += time.Since(start)
		b.StopTimer()
		if err != nil || res.Count(reconcile.StatusDone) != people {
			b.Fatalf("Apply: %d done, %v", res.Count(reconcile.StatusDone), err)
		}
		srv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(took)/float64(b.N)/float64(floor), "x-floor")
}

// The large tailnet of BenchmarkLargePlan.
const (
	largeUsers   = 50000
	largeInvites = 20000
	largeNew     = 5000 // people of the list with neither a user nor an invite
	largeJoined  = 30000
)

// largeAnswers are the two lists' answers, 17.9 MB together.
var largeAnswers = sync.OnceValues(func() (invites, users []byte) {
	return array(largeInvites, invite), append(append([]byte(`{"users":`), array(largeUsers, user)...), '}')
})

// largeDesired is the list: every open invite's email, 30,000 users and 5,000 new.
func largeDesired() []tsinvites.CreateUserInviteRequest {
	var d []tsinvites.CreateUserInviteRequest
	for i := range largeInvites {
		d = append(d, tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("%s@example.com", pad(fmt.Sprintf("user%d", i+1), 140))})
	}
	for i := range largeJoined {
		d = append(d, tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("user%d@example.com", i+1)})
	}
	for i := range largeNew {
		d = append(d, tsinvites.CreateUserInviteRequest{Email: fmt.Sprintf("new%d@example.com", i+1)})
	}
	return d
}

// routes answers each request from memory, by the end of its path.
type routes struct{ invites, users []byte }

func (rt routes) RoundTrip(req *http.Request) (*http.Response, error) {
	body := rt.invites
	if strings.HasSuffix(req.URL.Path, "/users") {
		body = rt.users
	}
	return memTransport{body}.RoundTrip(req)
}

// Minimal models of an invite and a user: what a plan needs of them.
type (
	minInvite struct {
		ID              string    `json:"id"`
		Email           string    `json:"email"`
		Role            string    `json:"role"`
		LastEmailSentAt time.Time `json:"lastEmailSentAt"`
	}
	minUser struct {
		ID        string `json:"id"`
		LoginName string `json:"loginName"`
		Role      string `json:"role"`
		Status    string `json:"status"`
		Type      string `json:"type"`
	}
)

// minimalFetch gets both lists at once with net/http and decodes them into the
// minimal models: the floor of a plan.
func minimalFetch(ctx context.Context, hc *http.Client) error {
	var (
		invites []minInvite
		users   struct{ Users []minUser }
		wg      sync.WaitGroup
		errs    [2]error
	)
	wg.Go(func() { errs[0] = getJSON(ctx, hc, "http://127.0.0.1/api/v2/tailnet/-/user-invites", &invites) })
	errs[1] = getJSON(ctx, hc, "http://127.0.0.1/api/v2/tailnet/-/users?type=member", &users)
	wg.Wait()
	if len(invites) != largeInvites || len(users.Users) != largeUsers {
		return fmt.Errorf("minimal: %d invites, %d users: %v", len(invites), len(users.Users), errs)
	}
	return nil
}

func getJSON(ctx context.Context, hc *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// BenchmarkLargePlan plans a list of 55,000 people against a tailnet of 50,000 users and
// 20,000 open invites, answered from memory, and in the same loop fetches and decodes
// both lists minimally (minimalFetch): x-time and x-bytes are NewPlan's time and bytes
// allocated against the minimal fetch's.
func BenchmarkLargePlan(b *testing.B) {
	invites, users := largeAnswers()
	hc := &http.Client{Transport: routes{invites, users}}
	c, err := tsinvites.New(tsinvites.Config{APIKey: apiKey, BaseURL: "http://127.0.0.1", HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	desired, ctx := largeDesired(), context.Background()
	var planTime, minTime time.Duration
	var planBytes, minBytes uint64
	measure := func(f func() error) (time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		return took, after.TotalAlloc - before.TotalAlloc
	}
	for b.Loop() {
		t, m := measure(func() error { return minimalFetch(ctx, hc) })
		minTime, minBytes = minTime+t, minBytes+m
		t, m = measure(func() error {
			p, err := reconcile.NewPlan(ctx, c, desired, reconcile.PlanOptions{})
			if err == nil && (len(p.Joined) != largeJoined || p.Count(reconcile.ActionCreate) != largeNew || p.NotListed != 0) {
				err = fmt.Errorf("plan: %s", p.Summary())
			}
			return err
		})
		planTime, planBytes = planTime+t, planBytes+m
	}
	b.ReportMetric(float64(len(invites)+len(users)), "answer-B")
	b.ReportMetric(float64(planTime)/float64(minTime), "x-time")
	b.ReportMetric(float64(planBytes)/float64(minBytes), "x-bytes")
	b.ReportMetric(float64(planTime)/float64(b.N)/1e6, "plan-ms")
	b.ReportMetric(float64(minTime)/float64(b.N)/1e6, "minimal-ms")
	b.ReportMetric(float64(planBytes)/float64(b.N)/1e6, "plan-MB")
	b.ReportMetric(float64(minBytes)/float64(b.N)/1e6, "minimal-MB")
}
