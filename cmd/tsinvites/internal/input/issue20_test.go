package input

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
)

// problems is the "line N: msg" of each problem of err, which must be an *Error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var ie *Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *Error", err)
	}
	var out []string
	for _, p := range ie.problems {
		out = append(out, "line "+strconv.Itoa(p.line)+": "+p.msg)
	}
	return out
}

// TestInvisibleCharacters: every reader refuses an email holding a character that does
// not show, on its line, with the character escaped.
func TestInvisibleCharacters(t *testing.T) {
	t.Parallel()
	for _, r := range []rune{0x200B, 0x00AD, 0x2060, 0xFEFF, 0x00A0, 0x202F, 0x3164, 0xFE0F} {
		email := "ali" + string(r) + "ce@example.com"
		escaped := strconv.QuoteRuneToASCII(r)
		want := "holds an invisible character, " + escaped[1:len(escaped)-1] + ": type the address again"
		for format, in := range map[string]string{
			"csv":  "email\nbob@example.com\n" + email + "\n",
			"yaml": "- email: bob@example.com\n- email: \"" + email + "\"\n",
			"json": "[{\"email\": \"bob@example.com\"},\n{\"email\": \"" + email + "\"}]",
		} {
			_, err := ReadDesired(strings.NewReader(in), "in", format, Columns{})
			if got := problems(t, err); len(got) != 1 || !strings.HasPrefix(got[0], "line ") || !strings.HasSuffix(got[0], want) || strings.ContainsRune(got[0], r) {
				t.Errorf("%s, %U: problems %q; want one, ending %q", format, r, got, want)
			}
		}
		_, err := EmailRows([]string{"bob@example.com", email}, "")
		if got := problems(t, err); len(got) != 1 || !strings.HasPrefix(got[0], "line 2: ") || !strings.HasSuffix(got[0], want) {
			t.Errorf("--email, %U: problems %q", r, got)
		}
	}
}

// TestDefuseCellRoundTrip: every cell DefuseCell writes, RestoreCell gives back; the
// cells a spreadsheet would read as formulas are written with a quote before them.
func TestDefuseCellRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cell, written string
	}{
		{"-dash@example.com", "'-dash@example.com"},
		{"=HYPERLINK(1)@example.com", "'=HYPERLINK(1)@example.com"},
		{"+plus@example.com", "'+plus@example.com"},
		{"@at", "'@at"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'-quoted@example.com", "''-quoted@example.com"},
		{"''=quotes", "'''=quotes"},
		{"'plain@example.com", "'plain@example.com"},
		{"'", "'"},
		{"''", "''"},
		{"", ""},
		{"plain-dash@example.com", "plain-dash@example.com"},
	} {
		if got := DefuseCell(c.cell); got != c.written {
			t.Errorf("DefuseCell(%q) = %q, want %q", c.cell, got, c.written)
		}
		if got := RestoreCell(c.written); got != c.cell {
			t.Errorf("RestoreCell(%q) = %q, want %q", c.written, got, c.cell)
		}
	}
	file, err := ReadCSV(strings.NewReader("email,role\n'-dash@example.com,admin\n\"'=eq@example.com\",'+x\n"), "in.csv", "", Columns{})
	if err == nil || len(problems(t, err)) != 1 || !strings.HasPrefix(problems(t, err)[0], `line 3: unknown role "+x"`) {
		t.Errorf("ReadCSV: %v, %v; want one problem: line 3: unknown role \"+x\"", file, err)
	}
}

// TestRoleColumnOfJobTitles: a role column found by its default name that holds no
// role is said once, on the header's line, with the way out; the rows' other problems
// are kept, in order. A column with one role in it, or named by --role-column, is
// checked row by row; IgnoreRole reads none.
func TestRoleColumnOfJobTitles(t *testing.T) {
	t.Parallel()
	// The roles come from the generated code: a role the document adds changes no test.
	hint := `line 1: column "Role" holds no role (line 2 has "software engineer"; the roles are ` + RoleList() + `): name the column that holds the roles with --role-column, or give --ignore-role-column to invite everyone as `
	titles := "Email,Role\nann@example.com,software engineer\nbob,Manager\ncid@example.com,\n"
	tests := []struct {
		name, in string
		role     tsinvites.UserRole
		cols     Columns
		want     []string
	}{
		{"job titles", titles, "", Columns{}, []string{hint + "member", `line 3: email "bob" is not an address: mail: missing '@' or angle-addr`}},
		{"job titles, create --role", titles, "auditor", Columns{}, []string{hint + "auditor", `line 3: email "bob"`}},
		{"one role among them", titles + "dan@example.com,Admin\n", "", Columns{}, []string{
			`line 2: unknown role "software engineer"`, `line 3: unknown role "manager" (want one of ` + RoleList() + `); email "bob"`}},
		{"named by --role-column", titles, "", Columns{Role: "role"}, []string{`line 2: unknown role "software engineer"`, `line 3: unknown role "manager"`}},
		{"ignored", titles, "", Columns{IgnoreRole: true}, []string{`line 3: email "bob"`}},
		{"empty role cells are no titles", "email,role\na@example.com,\nb,\n", "", Columns{}, []string{`line 3: email "b"`}},
		{"the reading stops after titles", "email,role\na@example.com,chef\n\"x\n", "", Columns{}, []string{
			`line 1: column "role" holds no role (line 2 has "chef"`, `line 3: extraneous or missing " in quoted-field`}},
	}
	for _, tt := range tests {
		_, err := ReadCSV(strings.NewReader(tt.in), "hr.csv", tt.role, tt.cols)
		got := problems(t, err)
		if len(got) != len(tt.want) {
			t.Errorf("%s: problems\n%s\nwant %d", tt.name, strings.Join(got, "\n"), len(tt.want))
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tt.want[i]) {
				t.Errorf("%s: problem %d = %q, want it to start with %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
	file, err := ReadCSV(strings.NewReader("Name,Email,Role\nAnn,ann@example.com,Chef\n"), "hr.csv", "admin", Columns{IgnoreRole: true})
	if err != nil || len(file.Rows) != 1 || file.Rows[0].Invite.Role != tsinvites.UserRoleAdmin || !cmp.Equal(file.Ignored, []string{"Name", "Role"}) {
		t.Errorf("IgnoreRole: %+v, %v", file, err)
	}
	if err := (Columns{Role: "Role", IgnoreRole: true}).Check(); err == nil {
		t.Error("--role-column with --ignore-role-column: no error")
	}
}

// TestRoleColumnOfJobTitlesCounts: of a thousand rows of job titles, half with a bad
// email, the message has the hint and the first problems, and counts the others; once a
// row has a role, every row's problems are counted as they are.
func TestRoleColumnOfJobTitlesCounts(t *testing.T) {
	t.Parallel()
	var titles, thenRole strings.Builder
	titles.WriteString("email,role\n")
	for i := range 1000 {
		email := "p" + strconv.Itoa(i) + "@example.com"
		if i%2 == 1 {
			email = "p" + strconv.Itoa(i)
		}
		titles.WriteString(email + ",chef\n")
	}
	thenRole.WriteString(titles.String() + "last@example.com,admin\n")
	for in, want := range map[string]int{titles.String(): 1 + 500, thenRole.String(): 1000} {
		_, err := ReadCSV(strings.NewReader(in), "hr.csv", "", Columns{})
		var ie *Error
		if !errors.As(err, &ie) || ie.Count() != want || len(ie.problems) != maxShownProblems {
			t.Errorf("%d problems (%d kept), want %d (%d kept)", ie.Count(), len(ie.problems), want, maxShownProblems)
		}
	}
}

// TestYAMLMemoryIsBounded reads YAML files built to cost memory and measures what
// ReadDesired allocates in all: at most what the CSV reader may (five times its cap).
// Before YAML had its own cap, a list of 4 MiB took 175 to 300 MiB (the parser's tree
// of nodes), and 4 MiB of "[a,a,...]" over 500 MiB. It does not run in parallel: the
// measure is of the whole process.
func TestYAMLMemoryIsBounded(t *testing.T) {
	const limit = 5 * MaxCSVBytes
	fill := func(head, unit, tail string, n int) string {
		return head + strings.Repeat(unit, (n-len(head)-len(tail))/len(unit)) + tail
	}
	var list strings.Builder
	for i := 0; list.Len() < 4<<20; i++ {
		list.WriteString("- email: p" + strconv.Itoa(i) + "@example.com\n  role: admin\n")
	}
	under := func(n int) string { // the items of list within n bytes
		return list.String()[:strings.LastIndex(list.String()[:n], "\n- ")+1]
	}
	inputs := map[string]string{
		"a list just under 4 MiB":          under(4<<20 - 1),
		"a list just under the cap":        under(MaxYAMLBytes - 1),
		"dashes just under the cap":        fill("", "-\n", "", MaxYAMLBytes-1),
		"flow scalars just under the cap":  fill("[", "a,", "a]", MaxYAMLBytes-1),
		"flow mappings just under the cap": fill("[", "{},", "{}]", MaxYAMLBytes-1),
	}
	for name, in := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		file, err := ReadDesired(strings.NewReader(in), "in.yaml", "", Columns{})
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		msg := "no error"
		if err != nil {
			msg, _, _ = strings.Cut(err.Error(), "\n  ... and")
			msg = quoted(strings.ReplaceAll(msg, "\n", " | "))
		}
		t.Logf("%-34s %5.2f MiB in, %6.1f MiB allocated, %d rows: %s", name, float64(len(in))/(1<<20), float64(allocated)/(1<<20), len(file.Rows), msg)
		if allocated > limit {
			t.Errorf("%s: %d MiB allocated, want at most %d MiB", name, allocated>>20, limit>>20)
		}
	}
}
