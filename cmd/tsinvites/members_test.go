package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// longAgo is when the fakes' users joined: past reconcile's OffboardGrace, so that
// --offboard may suspend them.
var longAgo = time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)

// journey is the tailnet of TestFromInviteToMember: the fake, its credentials and the
// file of people.
type journey struct {
	t    *testing.T
	srv  *tsinvitestest.Server
	envs map[string]map[string]string
	file string
	rows []string // "email,role" of each person of the file
}

// write writes the file of people.
func (j *journey) write() {
	j.t.Helper()
	if err := os.WriteFile(j.file, []byte("email,role\n"+strings.Join(j.rows, "\n")+"\n"), 0o600); err != nil {
		j.t.Fatal(err)
	}
}

// step runs the command line with the credential kind and wants the exit code; it
// returns the outcome and how many requests of op it sent.
func (j *journey) step(kind string, code int, op string, args ...string) (outcome, int) {
	j.t.Helper()
	before := j.srv.RequestCount(op)
	got := cli(j.t, j.envs[kind], append([]string{args[0], "-f", j.file}, args[1:]...)...)
	if got.code != code {
		j.t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got.code, code, got.stdout, got.stderr)
	}
	return got, j.srv.RequestCount(op) - before
}

// user is the fake's user with this login name.
func (j *journey) user(login string) tsinvites.User {
	j.t.Helper()
	users := j.srv.Users()
	i := slices.IndexFunc(users, func(u tsinvites.User) bool { return u.LoginName == login })
	if i < 0 {
		j.t.Fatalf("no user %s", login)
	}
	return users[i]
}

// count is the number of the fake's users that f selects.
func (j *journey) count(f func(tsinvites.User) bool) int {
	n := 0
	for _, u := range j.srv.Users() {
		if f(u) {
			n++
		}
	}
	return n
}

// newJourney is a tailnet that requires approval, with its owner, a lead (an admin
// listed without a role), 20 users who are not in the file (a waiting stranger, 2
// admins, a kept service account, 16 others), and a file of 200 people (the lead and
// 199 to invite).
func newJourney(t *testing.T) *journey {
	seed := []tsinvites.User{
		{Created: longAgo, LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner},
		{Created: longAgo, LoginName: "lead@example.com", Role: tsinvites.TailnetRoleAdmin},
		{Created: longAgo, LoginName: "stranger@example.com", Status: tsinvites.UserStatusNeedsApproval},
		{Created: longAgo, LoginName: "admin1@example.com", Role: tsinvites.TailnetRoleAdmin},
		{Created: longAgo, LoginName: "admin2@example.com", Role: tsinvites.TailnetRoleITAdmin},
		{Created: longAgo, LoginName: "ci-bot@example.com"},
	}
	for i := range 16 {
		seed = append(seed, tsinvites.User{Created: longAgo, LoginName: fmt.Sprintf("left%02d@example.com", i)})
	}
	srv, envs := credentialFake(t, tsinvitestest.WithUserApproval(), tsinvitestest.WithScopes("users"), tsinvitestest.WithUsers(seed...))
	j := &journey{t: t, srv: srv, envs: envs, file: filepath.Join(t.TempDir(), "people.csv"), rows: []string{"lead@example.com,"}}
	for i := range 199 {
		j.rows = append(j.rows, fmt.Sprintf("p%03d@example.com,member", i))
	}
	j.write()
	return j
}

// The whole way from invite to member, through the command line against a fake that
// requires approval (every request checked against the document): 200 people in a
// file, 150 accept, the waiting are approved (by a federated identity with the scope
// users), 10 roles change, people who left are offboarded within the guards, a listed
// suspended person is restored, and the next plan is empty.
func TestFromInviteToMember(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	j.step("API key", exitOK, tsinvitestest.OpCreate, "apply", "--yes")
	for _, inv := range j.srv.Invites()[:150] {
		if err := j.srv.AcceptInvite(inv.ID); err != nil {
			t.Fatal(err)
		}
	}

	// Every invite exists: the federated identity's run makes approve calls only.
	got, approved := j.step("federated identity", exitOK, tsinvitestest.OpApproveUser, "apply", "--approve", "--yes", "-o", "json")
	if approved != 150 || strings.Count(got.stdout, `"action": "approve"`) != 150 || !strings.Contains(got.stdout, `"userId": "30`) {
		t.Errorf("apply --approve: %d approve calls and %d in the report, want 150 each, with user IDs", approved, strings.Count(got.stdout, `"action": "approve"`))
	}
	if n := j.count(func(u tsinvites.User) bool { return u.Status == tsinvites.UserStatusNeedsApproval }); n != 1 || j.user("stranger@example.com").Status != tsinvites.UserStatusNeedsApproval {
		t.Errorf("%d users await approval, want 1: the stranger, who is not in the file", n)
	}

	// Ten people of the file change role; the lead's row has none, so the lead stays admin.
	for i := 1; i <= 10; i++ {
		j.rows[i] = strings.Replace(j.rows[i], ",member", ",auditor", 1)
	}
	j.write()
	got, set := j.step("federated identity", exitOK, tsinvitestest.OpUpdateUserRole, "apply", "--manage-roles", "--yes", "-o", "csv")
	if auditors := j.count(func(u tsinvites.User) bool { return u.Role == tsinvites.TailnetRoleAuditor }); set != 10 || auditors != 10 || j.user("lead@example.com").Role != tsinvites.TailnetRoleAdmin {
		t.Errorf("apply --manage-roles: %d calls, %d auditors, lead %s; want 10, 10, admin", set, auditors, j.user("lead@example.com").Role)
	}
	checkCSVReport(t, got.stdout, "set-role", 10)

	// Offboarding: 20 users not in the file, 2 admins and 1 kept: 17 to suspend, over the cap.
	got, suspended := j.step("federated identity", exitUsage, tsinvitestest.OpSuspendUser, "apply", "--offboard", "--keep", "ci-bot@example.com", "--yes")
	if suspended != 0 || !strings.Contains(got.stderr, "would suspend 17 members") || !strings.Contains(got.stderr, "--max-offboard 10") {
		t.Errorf("apply --offboard over the cap: %d suspensions sent; stderr:\n%s", suspended, got.stderr)
	}
	back := j.user("p050@example.com") // suspended by hand, and in the file: restored
	if err := j.srv.Client().SuspendUser(t.Context(), back.ID); err != nil {
		t.Fatal(err)
	}
	offboard := []string{"--offboard", "--keep", "ci-bot@example.com", "--max-offboard", "20"}
	_, suspended = j.step("federated identity", exitOK, tsinvitestest.OpSuspendUser, append([]string{"apply", "--yes"}, offboard...)...)
	if n := j.count(func(u tsinvites.User) bool { return u.Status == tsinvites.UserStatusSuspended }); suspended != 17 || n != 17 {
		t.Errorf("apply --offboard --max-offboard 20: %d suspend calls, %d suspended; want 17", suspended, n)
	}
	for _, login := range []string{"owner@example.com", "admin1@example.com", "admin2@example.com", "ci-bot@example.com", "p050@example.com"} {
		if s := j.user(login).Status; s == tsinvites.UserStatusSuspended {
			t.Errorf("%s is suspended", login)
		}
	}

	all := append([]string{"plan", "--detailed-exitcode", "--approve", "--manage-roles"}, offboard...)
	if got, _ := j.step("federated identity", exitOK, tsinvitestest.OpListUsers, all...); !strings.Contains(got.stdout, `"changes": []`) {
		t.Errorf("the next plan is not empty:\n%s", got.stdout)
	}
}

// checkCSVReport checks that the CSV report has a userId column filled for the n
// changes of action.
func checkCSVReport(t *testing.T, report, action string, n int) {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(report)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("CSV report: %v\n%s", err, report)
	}
	col := slices.Index(records[0], "userId")
	found := 0
	for _, rec := range records[1:] {
		if col >= 0 && rec[0] == action && rec[col] != "" {
			found++
		}
	}
	if found != n {
		t.Errorf("CSV report: %d %s rows with a user ID, want %d\n%s", found, action, n, report)
	}
}

// recipeApprove is the README's nightly job that approves the people of the file who
// accepted their invite, with a federated identity that has the scope users.
const recipeApprove = "tsinvites apply -f people.csv --approve --yes"

// TestCIRecipeApprove runs the nightly approval of the README's recipe with a federated
// identity (scope users): with every invite of the file made, it approves and exits 0;
// with someone new in the file, the create is refused (403: invites need a user-owned
// key), the approvals are still made, and it exits 3.
func TestCIRecipeApprove(t *testing.T) {
	t.Chdir(t.TempDir())
	srv, envs := credentialFake(t, tsinvitestest.WithUserApproval(), tsinvitestest.WithScopes("users"))
	write := func(content string) {
		if err := os.WriteFile("people.csv", []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("email,role\nann@example.com,admin\nbo@example.com,\n")
	if got := recipe(t, envs["API key"], recipeReviewed); got.code != exitOK {
		t.Fatalf("reviewed apply: exit %d\n%s", got.code, got.stderr)
	}
	accept := func(email string) {
		for _, inv := range srv.Invites() {
			if inv.Email == email {
				if err := srv.AcceptInvite(inv.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	accept("ann@example.com")
	creates := srv.RequestCount(tsinvitestest.OpCreate)
	if got := recipe(t, envs["federated identity"], recipeApprove); got.code != exitOK || srv.Users()[0].Status != tsinvites.UserStatusActive {
		t.Fatalf("nightly approve: exit %d, Ann %s\n%s", got.code, srv.Users()[0].Status, got.stderr)
	}
	if n := srv.RequestCount(tsinvitestest.OpCreate) - creates; n != 0 {
		t.Errorf("%d create calls, want none", n)
	}
	accept("bo@example.com")
	write("email,role\nann@example.com,admin\nbo@example.com,\ncy@example.com,\n")
	got := recipe(t, envs["federated identity"], recipeApprove)
	if got.code != exitPartial || !strings.Contains(got.stderr, "403") || srv.Users()[1].Status != tsinvites.UserStatusActive {
		t.Errorf("nightly approve with a new person: exit %d, Bo %s, want 3 (the create refused) and Bo approved\n%s", got.code, srv.Users()[1].Status, got.stderr)
	}
}

// TestCIRecipeApproveInREADME: the README's recipe has the nightly approval.
func TestCIRecipeApproveInREADME(t *testing.T) {
	t.Parallel()
	if section := readmeSection(t, "### Scheduled jobs (CI)"); !strings.Contains(section, "\n"+recipeApprove+"\n") {
		t.Errorf("the README's recipe has no line %q", recipeApprove)
	}
}

// The flags on users refuse what does not go together, with exit 2, sending nothing.
func TestMemberFlagsUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--no-users", "--approve"}, "WithoutUsers (--no-users) cannot go with Approve, ManageRoles or Offboard (--approve, --manage-roles, --offboard)"},
		{[]string{"apply", "--yes", "--no-users", "--offboard"}, "(--no-users) cannot go with"},
		{[]string{"plan", "--keep", "a@example.com"}, "--offboard-admins, --keep, --max-offboard and --offboard-grace go with --offboard"},
		{[]string{"plan", "--max-offboard", "20"}, "go with --offboard"},
		{[]string{"plan", "--offboard", "--max-offboard", "-1"}, "--max-offboard -1: want 0 (the default, 10) or more"},
		{[]string{"plan", "--offboard", "--keep", "not an email"}, `--keep "not an email": want an email`},
	} {
		srv, vars := sampleServer(t)
		before := srv.TotalRequests()
		got := invocation{args: append(tt.args, "-f", "-"), stdin: "email\na@example.com\n", vars: vars}.run(t)
		if sent := srv.TotalRequests() - before; got.code != exitUsage || !strings.Contains(got.stderr, tt.want) || sent != 0 {
			t.Errorf("%v: exit %d, %d requests; stderr %q, want 2, none and %q", tt.args, got.code, sent, got.stderr, tt.want)
		}
	}
}

// TestFromInviteToMemberInREADME runs the worked example of the README's section "From
// invite to member" against the fake, as ExampleNewPlan_fromInviteToMember sets it up,
// and wants the README's output.
func TestFromInviteToMemberInREADME(t *testing.T) {
	t.Parallel()
	file, command, output := readmeExample(t, "## From invite to member", "people.csv")
	if file == "" || !strings.HasPrefix(command, "tsinvites plan -f people.csv ") {
		t.Fatalf("the README's example is not a file and a plan:\n%s$ %s\n%s", file, command, output)
	}
	srv, envs := credentialFake(t, tsinvitestest.WithUserApproval(), tsinvitestest.WithUsers(
		tsinvites.User{Created: longAgo, LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner},
		tsinvites.User{Created: longAgo, LoginName: "bob@example.com"},
		tsinvites.User{Created: longAgo, LoginName: "carl@example.com"},
		tsinvites.User{Created: longAgo, LoginName: "dana@example.com", Status: tsinvites.UserStatusSuspended},
		tsinvites.User{Created: longAgo, LoginName: "erin@example.com", Role: tsinvites.TailnetRoleAdmin},
		tsinvites.User{Created: longAgo, LoginName: "ci-bot@example.com"},
	), tsinvitestest.WithInvites(tsinvites.CreateUserInviteRequest{Email: "ann@example.com"}))
	if err := srv.AcceptInvite(srv.Invites()[0].ID); err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(command)[1:]
	args[2] = "-" // the file, from stdin
	got := invocation{args: append(args, "-o", "table"), stdin: file, vars: envs["API key"]}.run(t)
	if got.code != exitOK || got.stdout != output {
		t.Errorf("%s: exit %d\n%s\nwant the README's\n%s\nstderr:\n%s", command, got.code, got.stdout, output, got.stderr)
	}
}

// TestOffboardGraceFlag: --offboard holds back a member not in the file who joined
// within the grace (72 h by default), and --offboard-grace changes it (issue 25 item 9:
// "a default of a few days, a flag to change it"). The member joined two days before
// the command plans (testNow), a day away from either grace.
func TestOffboardGraceFlag(t *testing.T) {
	t.Parallel()
	joined := testNow.Add(-48 * time.Hour) // the tests' clock, which the CLI plans at
	for _, tt := range []struct {
		flags   []string
		suspend bool
	}{
		{nil, false}, // the default, 72 h
		{[]string{"--offboard-grace", "0"}, false},    // 0 means the default
		{[]string{"--offboard-grace", "24h"}, true},   // joined longer ago than this
		{[]string{"--offboard-grace", "100h"}, false}, // a longer grace
	} {
		srv, envs := credentialFake(t, tsinvitestest.WithUsers(
			tsinvites.User{Created: longAgo, LoginName: "owner@example.com", Role: tsinvites.TailnetRoleOwner},
			tsinvites.User{Created: longAgo, LoginName: "ann@example.com"},
			tsinvites.User{Created: joined, LoginName: "new@github"},
		))
		args := append([]string{"plan", "-f", "-", "--offboard", "-o", "json"}, tt.flags...)
		got := invocation{args: args, stdin: "email\nann@example.com\n", vars: envs["API key"]}.run(t)
		var plan struct {
			Changes, Held []struct{ Action, Email, Reason string }
		}
		if err := json.Unmarshal([]byte(got.stdout), &plan); err != nil || got.code != exitOK {
			t.Fatalf("%v: exit %d, %v\nstdout:\n%s\nstderr:\n%s", tt.flags, got.code, err, got.stdout, got.stderr)
		}
		suspended := len(plan.Changes) == 1 && plan.Changes[0].Action == "suspend" && plan.Changes[0].Email == "new@github"
		held := len(plan.Held) == 1 && strings.Contains(plan.Held[0].Reason, "joined recently")
		if suspended != tt.suspend || held == tt.suspend || len(plan.Changes)+len(plan.Held) != 1 {
			t.Errorf("%v: changes %+v, held %+v; want the suspend of new@github %s", tt.flags, plan.Changes, plan.Held, map[bool]string{true: "planned", false: "held back as joined recently"}[tt.suspend])
		}
		if srv.TotalRequests() == 0 {
			t.Errorf("%v: the plan read nothing", tt.flags)
		}
	}
	srv, vars := sampleServer(t)
	before := srv.TotalRequests()
	for _, args := range [][]string{{"plan", "--offboard-grace", "24h"}, {"plan", "--offboard", "--offboard-grace", "-1h"}} {
		got := invocation{args: append(args, "-f", "-"), stdin: "email\na@example.com\n", vars: vars}.run(t)
		if got.code != exitUsage || !strings.Contains(got.stderr, "--offboard-grace") {
			t.Errorf("%v: exit %d, stderr %q, want 2 naming --offboard-grace", args, got.code, got.stderr)
		}
	}
	if sent := srv.TotalRequests() - before; sent != 0 {
		t.Errorf("refused flags sent %d requests", sent)
	}
}
