// Package fakeserver is the fake Tailscale API behind package tsinvitestest and the
// CLI's fake-server and --fake: its state (invites, users), its handlers (generated from
// api/openapi.yaml in internal/fakeapi), the validation of every request against that
// document, the token checks, and injected faults. It links no package testing, so the
// CLI can ship it; tsinvitestest is the test-facing layer over it (thin wrappers that
// carry the same documentation for users). Its errors and answers say "tsinvitestest",
// the name its users know it by.
package fakeserver
