package fakeserver

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tsinvites/tsinvites"
)

// Server is a fake API served over HTTP on a loopback address. Its [Fake] methods
// (Invites, RequestCount, InjectFault, ...) inspect and steer it.
type Server struct {
	*Fake
	// URL is the server's host root, such as http://127.0.0.1:38457: the BaseURL for
	// tsinvites.Config. The API is under URL + "/api/v2/".
	URL string

	srv    *http.Server
	done   chan struct{}
	client *tsinvites.Client
	conns  atomic.Int64
}

// NewServer starts a fake API on 127.0.0.1 (or [::1] where there is no IPv4 loopback),
// on a free port. Call Close when done (tsinvitestest.Start does that for a test).
func NewServer(opts ...Option) (*Server, error) {
	f, err := newFake(opts...)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("tsinvitestest: listen on loopback: %w", err)
		}
	}
	s := &Server{
		Fake: f,
		URL:  "http://" + l.Addr().String(),
		srv:  &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	s.srv.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.client, err = tsinvites.New(tsinvites.Config{APIKey: f.token, BaseURL: s.URL})
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("tsinvitestest: client for the fake: %w", err)
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(l)
	}()
	return s, nil
}

// Client returns a [tsinvites.Client] for the server, with its token and the tailnet "-".
func (s *Server) Client() *tsinvites.Client { return s.client }

// Connections returns how many connections clients have opened to the server so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Close stops the server at once, closing its connections, and waits until it has
// stopped. It may be called more than once.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
}
