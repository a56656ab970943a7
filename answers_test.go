package tsinvites_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/tsinvites/tsinvites"
)

// A list answer whose object names a key twice is malformed, not read: with
// {"users":[...],"users":[]} the last, empty list won, and the members it left out
// were invited again (issue 25, item 10).
func TestListAnswerWithDuplicatedKeyIsRefused(t *testing.T) {
	t.Parallel()
	const user = `{"id":"u1","loginName":"ann@example.com","role":"member","status":"active"}`
	for _, body := range []string{
		`{"users":[` + user + `],"users":[]}`,
		`{"users":[],"users":[` + user + `]}`,
		`{"users":[` + user + `],"other":1,"other":2}`,
	} {
		c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		})
		users, err := c.ListUsers(t.Context(), tsinvites.ListUsersParams{})
		if err == nil || users != nil {
			t.Errorf("ListUsers of %s = %v, %v; want a malformed-answer error", body, users, err)
		}
	}
}
