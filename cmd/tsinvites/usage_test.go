package main

import (
	"strings"
	"testing"
)

// A usage error points to the help of the command that failed, and cobra's suggestions
// are indented, not shown as a literal \t (issue 20, small things).
func TestUsageErrorPointsToTheCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args       []string
		want, dont string
	}{
		{[]string{"lst"}, "Did you mean this?\n  list\n", `\t`},
		{[]string{"create", "--bogus"}, "Run 'tsinvites create --help' for usage.", "Run 'tsinvites --help'"},
		{[]string{"list", "extra"}, "Run 'tsinvites list --help' for usage.", "Run 'tsinvites --help'"},
		{[]string{"--bogus"}, "Run 'tsinvites --help' for usage.", `\t`},
	} {
		got := cli(t, nil, tt.args...)
		if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) || strings.Contains(got.stderr, tt.dont) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d, %q in it and not %q", tt.args, got.code, got.stderr, exitUsage, tt.want, tt.dont)
		}
	}
}
