package tsinvites_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
)

// ValidateList reports every problem of every invite at once, each with its index, its
// field and a reason that does not say where, and a duplicate with the index of its
// first; Create refuses the same list with the same *InputError, sending nothing.
func TestValidateListReportsEveryProblem(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 243) + "@example.com" // 255 bytes
	list := []tsinvites.CreateUserInviteRequest{
		{Email: "ok@example.com", Role: tsinvites.UserRoleAdmin},
		{Email: "", Role: "boss"},
		{Email: "OK@Example.com"},
		{Email: long},
		{Email: long[1:]}, // 254 bytes: fine
		{Email: "ok@example.com "},
	}
	err := tsinvites.ValidateList(list)
	var inErr *tsinvites.InputError
	if !errors.As(err, &inErr) || !errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Fatalf("ValidateList = %v, want an *InputError matching ErrInvalidInput", err)
	}
	type got struct {
		Index, First int
		Field, Start string
	}
	var problems []got
	for _, p := range inErr.Problems {
		start, _, _ := strings.Cut(p.Reason, " (")
		problems = append(problems, got{p.Index, p.First, p.Field, start})
	}
	want := []got{
		{1, -1, "role", `unknown role "boss"`},
		{1, -1, "email", "no email"},
		{2, 0, "email", `duplicate email "OK@Example.com"`},
		{3, -1, "email", "the email is longer than 254 bytes, the most an address may have"},
		{5, -1, "email", `email "ok@example.com " has white space before or after it: remove it`},
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// Create's rules: an invite without email is an invite to share by hand.
	if err := tsinvites.ValidateInvites([]tsinvites.CreateUserInviteRequest{{}, {Email: "a@example.com"}}); err != nil {
		t.Errorf("ValidateInvites of a link invite: %v", err)
	}
	if err := tsinvites.ValidateList(nil); err != nil {
		t.Errorf("ValidateList(nil) = %v", err)
	}
}

// The conversion between an invite's role and a user's keeps the name; the owner's
// role is no invite's.
func TestRoleConversions(t *testing.T) {
	t.Parallel()
	for _, r := range tsinvites.Roles() {
		if back := tsinvites.UserRoleOf(tsinvites.TailnetRoleOf(r)); back != r || !tsinvites.TailnetRoleOf(r).Valid() {
			t.Errorf("role %q: converted to %q and back to %q", r, tsinvites.TailnetRoleOf(r), back)
		}
	}
	if tsinvites.UserRoleOf(tsinvites.TailnetRoleOwner).Valid() {
		t.Error("the owner's role converts to a valid invite role")
	}
}
