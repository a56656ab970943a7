// Package fakeapi holds the net/http strict server generated from api/openapi.yaml for
// the fake API in tsinvitestest, the embedded document (GetSpec) it validates requests
// against, and Unimplemented, which answers every operation with 501 until the fake's
// handlers override it. Nothing here is written by hand but this file.
package fakeapi

// BasePath returns the path where the API's operations start on its server, as the
// document's first server URL says ("/api/v2"), without a trailing slash.
func BasePath() string { return serverBasePath }
