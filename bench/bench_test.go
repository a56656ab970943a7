package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
)

// memTransport answers every request with body, from memory: it isolates the client's
// own CPU and allocations.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       req,
	}, nil
}

// A setup gives a base URL and an HTTP client that answer every request with body.
type setup func(b *testing.B, body []byte) (string, *http.Client)

// transports are the two ways requests are answered.
var transports = []struct {
	name  string
	setup setup
}{
	{"mem", func(_ *testing.B, body []byte) (string, *http.Client) {
		return "http://127.0.0.1", &http.Client{Transport: memTransport{body}}
	}},
	{"loopback", func(b *testing.B, body []byte) (string, *http.Client) {
		size := strconv.Itoa(len(body))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", size)
			_, _ = w.Write(body)
		}))
		b.Cleanup(srv.Close)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		b.Cleanup(tr.CloseIdleConnections)
		return srv.URL, &http.Client{Transport: tr}
	}},
}

var data = newPayloads()

// run benchmarks call with every transport and implementation, answering with body (or
// userBody for the official client); skip leaves an implementation out.
func run(b *testing.B, body, userBody []byte, parallel bool, call func(impl) func(context.Context) error) {
	for _, tr := range transports {
		for _, name := range []string{"raw", "generated", "tsinvites", "official"} {
			answer := body
			if name == "official" {
				answer = userBody
			}
			if answer == nil {
				continue
			}
			b.Run(fmt.Sprintf("transport=%s/impl=%s", tr.name, name), func(b *testing.B) {
				base, hc := tr.setup(b, answer)
				all, err := impls(base, hc)
				if err != nil {
					b.Fatal(err)
				}
				var f func(context.Context) error
				for _, im := range all {
					if im.name == name {
						f = call(im)
					}
				}
				measure(b, len(answer), parallel, f)
			})
		}
	}
}

// measure runs f b.N times (in parallel goroutines when parallel), reporting allocations,
// the bytes allocated per byte of the answer, and the process's CPU time per call
// (cpu-ns/op, where the system reports it).
func measure(b *testing.B, answerSize int, parallel bool, f func(context.Context) error) {
	ctx := context.Background()
	if err := f(ctx); err != nil { // once before timing: a wrong answer fails here
		b.Fatal(err)
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuBefore, cpuOK := cpuTime()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := f(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for b.Loop() {
			if err := f(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if cpuAfter, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(b.N), "cpu-ns/op")
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(answerSize), "answer-B")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(answerSize), "B/answer-B")
}

func BenchmarkGet(b *testing.B) {
	run(b, data.invite, data.user, false, func(im impl) func(context.Context) error { return im.get })
}

func BenchmarkGetParallel(b *testing.B) {
	run(b, data.invite, data.user, true, func(im impl) func(context.Context) error { return im.get })
}

func BenchmarkList(b *testing.B) {
	for _, n := range listSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			run(b, data.invites[n], data.users[n], false, func(im impl) func(context.Context) error {
				return func(ctx context.Context) error { return im.list(ctx, n) }
			})
		})
	}
}

func BenchmarkCreate(b *testing.B) {
	b.Run(fmt.Sprintf("n=%d", createBatch), func(b *testing.B) {
		run(b, data.created, nil, false, func(im impl) func(context.Context) error {
			return func(ctx context.Context) error { return im.create(ctx, data.createInput) }
		})
	})
}
