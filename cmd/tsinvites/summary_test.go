package main

import (
	"strings"
	"testing"
)

// TestSummaryOfOneItem: a bulk command of one item that is not done says so in words,
// not "resent 0 of 1 invite" (issue 20, small things); with more items the counts stay.
func TestSummaryOfOneItem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"resend", "999"}, "tsinvites: resent no invite; 1 failed"},
		{[]string{"delete", "999"}, "tsinvites: deleted no invite; 1 failed"},
		{[]string{"delete", "999", "998"}, "tsinvites: deleted 0 of 2 invites; 2 failed"},
	} {
		_, vars := sampleServer(t)
		got := cli(t, vars, append(tc.args, "-o", "json")...)
		if got.code != exitFailed || !strings.Contains(got.stderr, tc.want) || strings.Contains(got.stderr, "0 of 1 ") {
			t.Errorf("%v: exit %d, want %d; stderr %q, want %q", tc.args, got.code, exitFailed, got.stderr, tc.want)
		}
	}
}
