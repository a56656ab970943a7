// Package pipenet serves an http.Handler over net.Pipe connections, for tests that run in
// a testing/synctest bubble: a goroutine waiting on a loopback socket is not durably
// blocked (the bubble's clock would never move while a connection is open), one waiting
// on a pipe is. The root package's tests and the CLI's share it.
package pipenet

import (
	"context"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
)

// BaseURL is the base URL to give a client of Serve: the pipe's dial ignores the address,
// and 127.0.0.1 lets the client use plain http.
const BaseURL = "http://127.0.0.1"

// Serve serves h with net/http's server on a new network of pipes until the test ends,
// and returns a transport (net/http's, with its connection pool and httptrace events)
// that dials it. Call it inside the bubble.
func Serve(t testing.TB, h http.Handler) *http.Transport {
	t.Helper()
	n := &network{conns: make(chan net.Conn), closed: make(chan struct{})}
	srv := &http.Server{Handler: h}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(n)
	}()
	tr := &http.Transport{DialContext: n.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
		<-served
	})
	return tr
}

// network is a net.Listener of pipe connections.
type network struct {
	conns  chan net.Conn // the servers' ends, to Accept
	closed chan struct{}
	once   sync.Once
}

func (n *network) Accept() (net.Conn, error) {
	select {
	case c := <-n.conns:
		return c, nil
	case <-n.closed:
		return nil, net.ErrClosed
	}
}

func (n *network) Close() error {
	n.once.Do(func() { close(n.closed) })
	return nil
}

func (n *network) Addr() net.Addr { return addr{} }

// dial connects to the network's server, whatever the address.
func (n *network) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case n.conns <- server:
		return client, nil
	case <-n.closed:
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type addr struct{}

func (addr) Network() string { return "pipe" }
func (addr) String() string  { return "pipe" }
