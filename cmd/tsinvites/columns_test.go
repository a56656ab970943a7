package main

import (
	"strings"
	"testing"
)

// TestColumnFlagsUsage: the column flags go with CSV, and must name two columns.
func TestColumnFlagsUsage(t *testing.T) {
	t.Parallel()
	_, vars := sampleServer(t)
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"plan", "-f", "-", "--email-column", "mail"}, "- email: a@example.com\n", "--email-column and --role-column are for CSV files"},
		{[]string{"create", "--email", "a@example.com", "--email-column", "mail"}, "", "--email-column and --role-column go with --from-csv"},
		{[]string{"plan", "-f", "-", "--email-column", "Role"}, "email,role\n", "--email-column and --role-column name the same column"},
	} {
		got := invocation{args: tc.args, stdin: tc.stdin, vars: vars}.run(t)
		if got.code != exitUsage || !strings.Contains(got.stderr, tc.want) {
			t.Errorf("%v: exit %d; stderr %q, want %q", tc.args, got.code, got.stderr, tc.want)
		}
	}
}
