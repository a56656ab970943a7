package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/tsinvites/tsinvites"
)

// openInvites lists invites as "email role", sorted.
func openInvites(invites []tsinvites.UserInvite) []string {
	var open []string
	for _, inv := range invites {
		open = append(open, inv.Email+" "+string(inv.Role))
	}
	slices.Sort(open)
	return open
}

// apply --plan FILE applies a plan saved by plan -o json, as it is (issue 25, item 4):
// the tailnet then matches the file the plan was made from, as after apply -f, and a
// new plan from the file has nothing left to do. On a terminal it shows the plan and
// asks first.
func TestApplySavedPlan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		in   invocation
	}{
		{"yes", []string{"--yes", "-o", "json"}, invocation{}},
		{"confirmed", []string{"-o", "table"}, invocation{stdin: "yes\n", stdinTTY: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, vars := sampleServer(t)
			saved := invocation{args: []string{"plan", "-f", "-", "--prune", "--resend-after", "48h", "-o", "json"}, stdin: desiredCSV, vars: vars}.run(t)
			if saved.code != exitOK {
				t.Fatalf("plan -o json: exit %d\n%s", saved.code, saved.stderr)
			}
			planFile := writeFile(t, "plan.json", saved.stdout)

			in := tc.in
			in.args, in.vars = append([]string{"apply", "--plan", planFile}, tc.args...), vars
			got := in.run(t)
			if got.code != exitOK || !strings.Contains(got.stdout+got.stderr, "~ recreate  bob@example.com (member → admin, invite 3)") {
				t.Fatalf("apply --plan: exit %d, or the plan not shown\n%s%s", got.code, got.stdout, got.stderr)
			}
			want := []string{"amelie@example.com admin", "bob@example.com admin", "contractor@partner.org member", "dave@example.com auditor"}
			if diff := cmp.Diff(want, openInvites(srv.Invites())); diff != "" {
				t.Errorf("open invites (-want +got):\n%s", diff)
			}
			again := invocation{args: []string{"plan", "-f", "-", "--prune", "-o", "table"}, stdin: desiredCSV, vars: vars}.run(t)
			if again.code != exitOK || !strings.Contains(again.stdout, "No changes") {
				t.Errorf("plan after apply --plan: exit %d\n%s%s", again.code, again.stdout, again.stderr)
			}
		})
	}
}

// apply --plan refuses -f and every flag that shapes a plan (they would make a new
// one), and a file that is not a saved plan, with exit 2, sending nothing. The flags
// are plan's own, read from the command: a flag added to plan is checked too.
func TestApplyPlanRefusesPlanFlags(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	planFile := writeFile(t, "plan.json", `{"tailnet": "-", "options": {}, "changes": []}`)
	cases := map[string][]string{}
	for _, c := range newRootCommand(&env{}).Commands() {
		if c.Name() != "plan" {
			continue
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "detailed-exitcode" {
				return
			}
			arg := "--" + f.Name + "=" + map[string]string{"bool": "true", "duration": "1h", "int": "1", "stringArray": "a@example.com"}[f.Value.Type()]
			if f.Value.Type() == "string" {
				arg = "--" + f.Name + "=x"
			}
			cases["--plan with --"+f.Name] = []string{"apply", "--yes", "--plan", planFile, arg}
		})
	}
	if len(cases) < 10 {
		t.Fatalf("%d flags of plan found, want the file's and the members' flags", len(cases))
	}
	cases["--plan empty"] = []string{"apply", "--yes", "--plan", ""}
	cases["a list, not a plan"] = []string{"apply", "--yes", "--plan", writeFile(t, "list.json", `[{"email": "a@example.com"}]`)}
	cases["no changes key"] = []string{"apply", "--yes", "--plan", writeFile(t, "other.json", `{"tailnet": "-"}`)}
	cases["no --yes off a terminal"] = []string{"apply", "--plan", planFile}
	before := srv.TotalRequests()
	for name, args := range cases {
		got := cli(t, vars, args...)
		if got.code != exitUsage || got.stdout != "" {
			t.Errorf("%s: exit %d, want %d; stdout %q; stderr %q", name, got.code, exitUsage, got.stdout, got.stderr)
		}
	}
	if n := srv.TotalRequests() - before; n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	got := cli(t, vars, "apply", "--yes", "--plan", planFile, "--prune")
	if !strings.Contains(got.stderr, "--plan applies a saved plan as it is: give no --prune with it") || !strings.Contains(got.stderr, "Run 'tsinvites apply --help'") {
		t.Errorf("stderr %q: want the flag named, and the help", got.stderr)
	}
}

// The same saved plan applied twice changes nothing the second time: reconcile's Apply
// re-reads the tailnet and skips each change that is no longer needed as the plan saw
// it, and the CLI counts them as skipped (exit 0), each with its reason.
func TestApplySavedPlanTwice(t *testing.T) {
	t.Parallel()
	srv, vars := sampleServer(t)
	saved := invocation{args: []string{"plan", "-f", "-", "--prune", "-o", "json"}, stdin: desiredCSV, vars: vars}.run(t)
	planFile := writeFile(t, "plan.json", saved.stdout)
	if got := cli(t, vars, "apply", "--plan", planFile, "--yes", "-o", "json"); got.code != exitOK {
		t.Fatalf("first apply: exit %d\n%s", got.code, got.stderr)
	}
	after := openInvites(srv.Invites())
	got := cli(t, vars, "apply", "--plan", planFile, "--yes", "-o", "json")
	r := decodeReport(t, got.stdout)
	if got.code != exitOK || r.Done != 0 || r.Skipped == 0 || r.Skipped != len(r.Results) || !strings.Contains(got.stderr, "skipped: the tailnet changed since the plan") {
		t.Errorf("second apply: exit %d, %d done, %d skipped of %d; stderr:\n%s", got.code, r.Done, r.Skipped, len(r.Results), got.stderr)
	}
	if diff := cmp.Diff(after, openInvites(srv.Invites())); diff != "" {
		t.Errorf("the second apply changed the invites (-first +second):\n%s", diff)
	}
}
