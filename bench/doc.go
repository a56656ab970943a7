// Package bench compares the cost of a call through tsinvites with hand-written net/http
// code, the generated client used directly, and the official Tailscale Go client, and
// the bulk work of package reconcile against its floors (reconcile_test.go). It is
// a module of its own, so that the SDK never depends on what it is compared with. See
// BENCHMARKS.md at the root of the repository.
package bench
