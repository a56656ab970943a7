package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// The commands of the README's recipe for scheduled jobs ("Scheduled jobs (CI)"), as
// the README has them; TestCIRecipe runs each against the fake.
const (
	// recipeNightly runs every night with a read-only federated identity
	// (TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_IDENTITY_TOKEN): exit 4 fails the job
	// when the tailnet's invites differ from the file.
	recipeNightly = "tsinvites plan -f people.csv --detailed-exitcode"
	// recipeReviewed runs when a reviewed change to people.csv is merged, with a
	// user-owned API key (TAILSCALE_API_KEY).
	recipeReviewed = "tsinvites apply -f people.csv --yes"
)

// recipe runs one of the recipe's command lines, in the current folder.
func recipe(t *testing.T, vars map[string]string, line string) outcome {
	t.Helper()
	args := strings.Fields(line)
	if args[0] != "tsinvites" {
		t.Fatalf("%q is not a tsinvites command", line)
	}
	return cli(t, vars, args[1:]...)
}

// TestCIRecipe runs the recipe's jobs against the fake, as CI would, night after night:
// drift is found by the read-only credential (exit 4), the reviewed apply fixes it with
// an API key, and people who accept their invites are not invited again. It changes the
// working folder, so it does not run in parallel.
func TestCIRecipe(t *testing.T) {
	t.Chdir(t.TempDir())
	srv, envs := credentialFake(t, tsinvitestest.WithScopes("users:read"))
	nightly, reviewed := envs["federated identity"], envs["API key"]
	write := func(content string) {
		if err := os.WriteFile(filepath.Join(".", "people.csv"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	step := func(name string, vars map[string]string, line string, code int) outcome {
		t.Helper()
		got := recipe(t, vars, line)
		if got.code != code {
			t.Fatalf("%s: %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, line, got.code, code, got.stdout, got.stderr)
		}
		return got
	}

	write("Name,Email,Role\nAnn,ann@example.com,Admin\nBo,bo@example.com,\n")
	step("night 1, drift", nightly, recipeNightly, exitChanges)
	step("the reviewed job", reviewed, recipeReviewed, exitOK)
	step("night 2, in step", nightly, recipeNightly, exitOK)
	for _, inv := range srv.Invites() {
		if inv.Email == "ann@example.com" {
			if err := srv.AcceptInvite(inv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := step("night 3, Ann joined", nightly, recipeNightly, exitOK)
	if !strings.Contains(got.stdout, `"email": "ann@example.com",`) || !strings.Contains(got.stdout, `"userRole": "admin"`) { // JSON off a terminal
		t.Errorf("night 3: the plan does not count Ann as joined:\n%s", got.stdout)
	}
	write("Name,Email,Role\nAnn,ann@example.com,Admin\nBo,bo@example.com,\nCy,cy@example.com,auditor\n")
	step("night 4, a new hire", nightly, recipeNightly, exitChanges)
	// The nightly credential cannot apply: the API refuses changes from tokens no user owns.
	if got := recipe(t, nightly, recipeReviewed); got.code != exitFailed || !strings.Contains(got.stderr, "user-owned API key") {
		t.Errorf("apply with the nightly credential: exit %d; stderr:\n%s", got.code, got.stderr)
	}
	step("the reviewed job again", reviewed, recipeReviewed, exitOK)
	step("night 5, in step", nightly, recipeNightly, exitOK)
	if n := len(srv.Invites()); n != 2 {
		t.Errorf("%d open invites, want 2 (Bo and Cy; Ann joined)", n)
	}
}

// TestCIRecipeInREADME: the README's recipe gives the commands TestCIRecipe runs.
func TestCIRecipeInREADME(t *testing.T) {
	t.Parallel()
	section := readmeSection(t, "### Scheduled jobs (CI)")
	for _, line := range []string{recipeNightly, recipeReviewed} {
		if !strings.Contains(section, "\n"+line+"\n") {
			t.Errorf("the README's recipe has no line %q", line)
		}
	}
}
