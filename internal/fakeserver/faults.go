package fakeserver

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// A Fault is what the fake does instead of answering a request normally, to test how a
// client copes with a failing API or network. See [Fake.InjectFault].
//
// Without Done, the operation is not done: the fake waits Delay, then answers with
// Status and Body (or drops the connection, cuts the body or sends a huge one). With
// Done, the operation is done first (the store changes as if all went well), and then
// its real answer is spoiled in the same ways: this is the case where a client must not
// send a create again.
//
// Drop and Truncate end the handler with panic(http.ErrAbortHandler), which net/http's
// server turns into a closed connection. When the fake is mounted behind middleware of
// your own that recovers panics, let that one through.
type Fault struct {
	// Status is the HTTP status to answer with. Without Done, the default is 500; with
	// Done, the real status is kept unless Status is set.
	Status int
	// Body is the answer's body. "" means {"message": "injected fault"} for a status of
	// 400 and above (and nothing below), or the real body with Done and no Status.
	Body string
	// ContentType is the Content-Type header (default application/json, or the real
	// one with Done).
	ContentType string
	// RetryAfter, when set, is sent as the Retry-After header: seconds or an HTTP date.
	RetryAfter string
	// Delay holds the answer back this long, or until the client gives up.
	Delay time.Duration
	// Done makes the fake do the operation before spoiling its answer.
	Done bool
	// Drop closes the connection without answering.
	Drop bool
	// Truncate sends the headers, with the Content-Length of the whole body, and only
	// the first half of the body, then closes the connection. It needs a body: give
	// Body, a status of 400 or above, or Done.
	Truncate bool
	// HugeBody, when above zero, answers with a body of this many bytes: the start of a
	// JSON array of invites that goes on and on. It is streamed, not held in memory.
	HugeBody int64
}

// InjectFault makes the next n requests of the operation (an Op constant) get fault.
// The requests still count and are still validated first: an invalid request gets its
// 400 and does not use up a fault.
func (f *Fake) InjectFault(operationID string, n int, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.faults == nil { // a zero Fake
		f.faults = map[string][]Fault{}
	}
	for range n {
		f.faults[operationID] = append(f.faults[operationID], fault)
	}
}

func (f *Fake) popFault(op string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.faults[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	f.faults[op] = q[1:]
	return q[0], true
}

// serveFault answers r with fault; do does the operation, for a fault with Done.
func serveFault(w http.ResponseWriter, r *http.Request, fault Fault, do func(http.ResponseWriter)) {
	status, body, ctype := cmp.Or(fault.Status, http.StatusInternalServerError), fault.Body, fault.ContentType
	if fault.Done {
		rec := httptest.NewRecorder()
		do(rec)
		status = cmp.Or(fault.Status, rec.Code)
		if fault.Status == 0 && body == "" {
			body = rec.Body.String()
			ctype = cmp.Or(ctype, rec.Header().Get("Content-Type"))
		}
	}
	if body == "" && status >= 400 {
		body = `{"message":"injected fault"}`
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault.Drop {
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	}
	w.Header().Set("Content-Type", cmp.Or(ctype, "application/json"))
	if fault.RetryAfter != "" {
		w.Header().Set("Retry-After", fault.RetryAfter)
	}
	switch {
	case fault.HugeBody > 0:
		w.WriteHeader(status)
		writeHuge(w, fault.HugeBody)
	case fault.Truncate:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body[:len(body)/2]))
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler) // the client sees the connection close mid-body
	default:
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// writeHuge writes n bytes of a JSON array of invites that never closes, stopping early
// when the client goes away.
func writeHuge(w http.ResponseWriter, n int64) {
	const item = `{"id":"1","role":"member","tailnetId":1001,"inviterId":2001},`
	chunk := make([]byte, 0, 64<<10)
	for len(chunk)+len(item) <= cap(chunk) {
		chunk = append(chunk, item...)
	}
	if _, err := w.Write([]byte("[")); err != nil {
		return
	}
	for n--; n > 0; {
		part := chunk[:min(int64(len(chunk)), n)]
		if _, err := w.Write(part); err != nil {
			return
		}
		n -= int64(len(part))
	}
}
