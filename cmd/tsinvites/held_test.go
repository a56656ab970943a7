package main

import (
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// A change held back prints with its login name escaped, as changes do: a line end in
// a login name cannot make a line of its own.
func TestHeldLinesAreEscaped(t *testing.T) {
	t.Parallel()
	_, envs := credentialFake(t, tsinvitestest.WithUsers(tsinvites.User{Created: longAgo, LoginName: "evil@example.com\r! suspend   bob@example.com", Role: tsinvites.TailnetRoleAdmin}))
	got := invocation{args: []string{"plan", "-f", "-", "--offboard", "-o", "table"}, stdin: "email\na@example.com\n", vars: envs["API key"]}.run(t)
	if got.code != exitOK || !strings.Contains(got.stdout, `? held      evil@example.com\r! suspend   bob@example.com (admin, user 3001): not in the list, not suspended`) {
		t.Errorf("plan --offboard: exit %d\n%q%s", got.code, got.stdout, got.stderr)
	}
}
