// Package fakeapi holds the net/http strict server generated from api/openapi.yaml for
// the fake API in tsinvitestest, and the embedded document (GetSpec) it validates
// requests against. Nothing here is written by hand but this comment.
package fakeapi
