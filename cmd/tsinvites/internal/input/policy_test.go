package input

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
	"github.com/tsinvites/tsinvites/tsinvitestest"
)

// policyCase is a list of invites given to every layer.
type policyCase struct {
	name    string
	invites []tsinvites.CreateUserInviteRequest
	// link: the list holds an invite without email, which Client.Create makes (an
	// invite to share by hand, its documented contract) and every list of people
	// refuses ("no email"): the one deliberate difference.
	link bool
}

// policyCases are the inputs of TestOnePolicyForEveryLayer. Roles are given as the SDK
// takes them: the CLI's readers also take a role in any case ("Admin"), as they take
// column names, which is about files.
func policyCases() []policyCase {
	one := func(email string, role tsinvites.UserRole) []tsinvites.CreateUserInviteRequest {
		return []tsinvites.CreateUserInviteRequest{{Email: email, Role: role}}
	}
	local64 := strings.Repeat("l", 64)
	label := strings.Repeat("d", 63)
	at254 := local64 + "@" + label + "." + label + "." + strings.Repeat("e", 254-64-1-63-1-63-1-4) + ".com"
	cases := []policyCase{
		{name: "plain", invites: one("amelie@example.com", tsinvites.UserRoleMember)},
		{name: "ASCII case", invites: one("Amelie.Dupont@Example.COM", tsinvites.UserRoleAdmin)},
		{name: "no role means member", invites: one("a@example.com", "")},
		{name: "plus and dots", invites: one("a.b+hr@x.example.com", "")},
		{name: "254 bytes", invites: one(at254, "")},
		{name: "255 bytes", invites: one("x"+at254, "")},
		{name: "300 bytes", invites: one(strings.Repeat("x", 288)+"@example.com", "")},
		{name: "owner", invites: one("a@example.com", "owner")},
		{name: "unknown role", invites: one("a@example.com", "boss")},
		{name: "role of another enum", invites: one("a@example.com", "needs-approval")},
		{name: "no email", invites: one("", tsinvites.UserRoleMember), link: true},
		{name: "space before", invites: one(" a@example.com", "")},
		{name: "space after", invites: one("a@example.com ", "")},
		{name: "tab before", invites: one("\ta@example.com", "")},
		{name: "no-break space after", invites: one("a@example.com\u00a0", "")},
		{name: "ideographic space before", invites: one("\u3000a@example.com", "")},
		{name: "en quad after", invites: one("a@example.com\u2000", "")},
		{name: "next line after", invites: one("a@example.com\u0085", "")},
		{name: "paragraph separator after", invites: one("a@example.com\u2029", "")},
		{name: "space inside", invites: one("a b@example.com", "")},
		{name: "zero-width space", invites: one("a\u200b@example.com", "")},
		{name: "soft hyphen", invites: one("a\u00ad@example.com", "")},
		{name: "word joiner", invites: one("a\u2060@example.com", "")},
		{name: "byte-order mark", invites: one("\ufeffa@example.com", "")},
		{name: "line separator", invites: one("a\u2028@example.com", "")},
		{name: "Mongolian vowel separator", invites: one("a\u180e@example.com", "")},
		{name: "Hangul filler", invites: one("a\u3164@example.com", "")},
		{name: "right-to-left override", invites: one("a\u202e@example.com", "")},
		{name: "DEL", invites: one("a\x7f@example.com", "")},
		{name: "NUL", invites: one("a\x00@example.com", "")},
		{name: "display name", invites: one("Bob <bob@example.com>", "")},
		{name: "quoted display name", invites: one(`"Bob, HR" <bob@example.com>`, "")},
		{name: "angle brackets only", invites: one("<bob@example.com>", "")},
		{name: "mailto", invites: one("mailto:bob@example.com", "")},
		{name: "two addresses", invites: one("bob@example.com, ann@example.com", "")},
		{name: "no at", invites: one("bob", "")},
		{name: "no local part", invites: one("@example.com", "")},
		{name: "no domain", invites: one("bob@", "")},
		{name: "two ats", invites: one("bob@@example.com", "")},
		{name: "comment", invites: one("bob(hr)@example.com", "")},
		{name: "duplicate", invites: []tsinvites.CreateUserInviteRequest{{Email: "a@example.com"}, {Email: "a@example.com", Role: "admin"}}},
		{name: "duplicate by ASCII case", invites: []tsinvites.CreateUserInviteRequest{{Email: "ann@example.com"}, {Email: "b@example.com"}, {Email: "ANN@Example.com"}}},
		{name: "Kelvin sign is not k", invites: []tsinvites.CreateUserInviteRequest{{Email: "kate@example.com"}, {Email: "\u212aate@example.com"}}},
		{name: "a blank twin is not a duplicate but refused", invites: []tsinvites.CreateUserInviteRequest{{Email: "a@example.com"}, {Email: "a@example.com\u00a0"}}},
		{name: "every problem at once", invites: []tsinvites.CreateUserInviteRequest{{Email: "ok@example.com", Role: "admin"}, {Email: "nope", Role: "owner"}, {Email: "OK@example.com"}, {Email: "b\u200b@example.com", Role: "boss"}}},
	}
	for _, r := range tsinvites.Roles() { // every role of the document
		cases = append(cases, policyCase{name: "role " + string(r), invites: one("r@example.com", r)})
	}
	return cases
}

// TestOnePolicyForEveryLayer drives the same inputs through Client.Create against the
// fake, reconcile.NewPlan against the fake, and the CLI's CSV, YAML and JSON readers:
// each input is accepted by all or refused by all, for the same reasons, each problem
// on the same invite (issue 24: a 255-byte address was refused by the CLI and sent by
// the SDK and reconcile; surrounding spaces were trimmed by reconcile and refused by
// the SDK).
func TestOnePolicyForEveryLayer(t *testing.T) {
	t.Parallel()
	cases := policyCases()
	if len(cases) < 40 {
		t.Fatalf("%d cases, want 40 or more", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := tsinvitestest.Start(t)
			c, err := tsinvites.New(tsinvites.Config{APIKey: srv.Token(), BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			created, err := c.Create(t.Context(), tc.invites...)
			create := verdict(t, "Create", err)
			_, err = reconcile.NewPlan(t.Context(), c, tc.invites, reconcile.PlanOptions{})
			plan := verdict(t, "NewPlan", err)
			switch {
			case tc.link:
				if create != nil || len(created) != len(tc.invites) {
					t.Errorf("Create of a link invite: %v, %v", created, err)
				}
			case !cmp.Equal(create, plan):
				t.Errorf("Create and NewPlan disagree:\nCreate:  %v\nNewPlan: %v", create, plan)
			}
			for format, read := range map[string]func([]tsinvites.CreateUserInviteRequest) (File, func(int) int, error){
				"CSV": readAsCSV, "YAML": readAsYAML, "JSON": readAsJSON,
			} {
				file, lineOf, err := read(tc.invites)
				got := readerVerdict(t, format, err)
				if want := linesOf(plan, lineOf); !cmp.Equal(want, got) {
					t.Errorf("%s reader and NewPlan disagree (-NewPlan +%s):\n%s", format, format, cmp.Diff(want, got))
				}
				if plan == nil && len(file.Rows) != len(tc.invites) {
					t.Errorf("%s: %d rows for %d invites", format, len(file.Rows), len(tc.invites))
				}
			}
		})
	}
}

// verdict is what an *InputError says of each invite, by index from 0; nil for no error.
func verdict(t *testing.T, layer string, err error) map[int]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var inErr *tsinvites.InputError
	if !errors.As(err, &inErr) || !errors.Is(err, tsinvites.ErrInvalidInput) {
		t.Fatalf("%s: %v, want an *InputError matching ErrInvalidInput", layer, err)
	}
	out := map[int]string{}
	for _, p := range inErr.Problems {
		msg := p.Reason
		if p.First >= 0 {
			msg += fmt.Sprintf(" (first %d)", p.First)
		}
		if out[p.Index] != "" {
			msg = out[p.Index] + "; " + msg
		}
		out[p.Index] = msg
	}
	return out
}

// linesOf is a verdict as a reader says it: "line 3: reason (first on line 2)".
func linesOf(v map[int]string, lineOf func(int) int) []string {
	if v == nil {
		return nil
	}
	var out []string
	for i := range len(v) + 100 {
		msg, ok := v[i]
		if !ok {
			continue
		}
		if head, first, dup := strings.Cut(msg, " (first "); dup {
			var j int
			fmt.Sscanf(first, "%d)", &j)
			msg = fmt.Sprintf("%s (first on line %d)", head, lineOf(j))
		}
		out = append(out, fmt.Sprintf("line %d: %s", lineOf(i), msg))
	}
	return out
}

// readerVerdict is what a reader's *Error says, one "line N: ..." a problem.
func readerVerdict(t *testing.T, format string, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ie *Error
	if !errors.As(err, &ie) {
		t.Fatalf("%s: %v, want an *Error", format, err)
	}
	var out []string
	for _, p := range ie.problems {
		out = append(out, fmt.Sprintf("line %d: %s", p.line, p.msg))
	}
	return out
}

func readAsCSV(invites []tsinvites.CreateUserInviteRequest) (File, func(int) int, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"email", "role"})
	for _, inv := range invites {
		_ = w.Write([]string{inv.Email, string(inv.Role)})
	}
	w.Flush()
	// The role column named (--role-column): a column found by its default name whose
	// cells hold no role at all gets one hint about the column instead (a job title
	// column of an HR export), which is about files.
	file, err := ReadDesired(&b, "in.csv", "", Columns{Role: "role"})
	return file, func(i int) int { return i + 2 }, err
}

func readAsYAML(invites []tsinvites.CreateUserInviteRequest) (File, func(int) int, error) {
	var b strings.Builder
	for _, inv := range invites {
		// Escaped: YAML folds a raw line break (U+0085 too) in a quoted scalar into a
		// space, and refuses a raw control character.
		fmt.Fprintf(&b, "- email: %s\n  role: %s\n", strconv.QuoteToASCII(inv.Email), strconv.QuoteToASCII(string(inv.Role)))
	}
	file, err := ReadDesired(strings.NewReader(b.String()), "in.yaml", "", Columns{})
	return file, func(i int) int { return 2*i + 1 }, err
}

func readAsJSON(invites []tsinvites.CreateUserInviteRequest) (File, func(int) int, error) {
	var b strings.Builder
	b.WriteString("[\n")
	for i, inv := range invites {
		item, _ := json.Marshal(map[string]string{"email": inv.Email, "role": string(inv.Role)})
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(item)
	}
	b.WriteString("\n]\n")
	file, err := ReadDesired(strings.NewReader(b.String()), "in.json", "", Columns{})
	return file, func(i int) int { return i + 2 }, err
}
