package input

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
)

func TestReadDesired(t *testing.T) {
	t.Parallel()
	type row struct {
		Line  int
		Email string
		Role  tsinvites.UserRole
	}
	tests := []struct {
		name     string
		source   string // "in.yaml" unless set
		format   string
		in       string
		want     []row
		problems []string // "line N: ..." prefixes, in order
		prefix   string   // the start of the error, if set
		exact    bool     // problems are whole messages, not prefixes
	}{
		// YAML.
		{name: "yaml good", in: "- email: a@example.com\n  role: Admin\n\n- email: b@example.com\n- email: 'c@example.com'\n  role: ''\n",
			want: []row{{1, "a@example.com", "admin"}, {4, "b@example.com", "member"}, {5, "c@example.com", "member"}}},
		{name: "yaml null roles", in: "- email: a@example.com\n  role: ~\n- email: b@example.com\n  role: null\n- email: c@example.com\n  role:\n",
			want: []row{{1, "a@example.com", "member"}, {3, "b@example.com", "member"}, {5, "c@example.com", "member"}}},
		{name: "yaml keys any case", in: "- Email: a@example.com\n  ROLE: auditor\n",
			want: []row{{1, "a@example.com", "auditor"}}},
		{name: "yaml flow style, which JSON is", in: "[{email: a@example.com, role: admin},\n {\"email\": \"b@example.com\"}]\n",
			want: []row{{1, "a@example.com", "admin"}, {2, "b@example.com", "member"}}},
		{name: "yaml comments, markers, BOM, CRLF", in: "\uFEFF# invites\r\n---\r\n- email: a@example.com # the first\r\n...\r\n",
			want: []row{{3, "a@example.com", "member"}}},
		{name: "yaml anchors are fine", in: "- &a\n  email: a@example.com\n",
			want: []row{{1, "a@example.com", "member"}}},
		{name: "yaml every bad item",
			in: "- email: ok@example.com\n" + // 1
				"- email: b@example.com\n  rol: admin\n" + // 2
				"- email: c@example.com\n  Email: d@example.com\n" + // 4
				"- email: [e@example.com]\n" + // 6
				"- f@example.com\n" + // 7
				"- [g@example.com]\n" + // 8
				"- role: admin\n" + // 9
				"- email: h@example.com\n  role: owner\n" + // 10
				"- email: nope\n" + // 12
				"- email: OK@example.com\n" + // 13
				"- &x {email: i@example.com}\n" + // 14
				"- *x\n" + // 15
				"- email: j@example.com\n  role: *x\n" + // 16
				"- email: k@example.com\n  <<: {role: admin}\n" + // 18
				"- ? [a]\n  : b\n  email: l@example.com\n", // 20
			problems: []string{
				`line 2: unknown key "rol" (want email and role)`,
				`line 4: key email given twice`,
				`line 6: email is a list; want text`,
				`line 7: the item is a single value ("f@example.com"); want a mapping`,
				`line 8: the item is a list; want a mapping`,
				`line 9: no email`,
				`line 10: role "owner" cannot be given by an invite`,
				`line 12: email "nope" is not an address`,
				`line 13: duplicate email "OK@example.com" (first on line 1)`,
				`line 15: the item is an alias (*x; aliases are not supported)`,
				`line 16: role is an alias (*x; aliases are not supported); want text`,
				`line 18: unknown key "<<"`,
				`line 20: a key is a list; want email or role`,
			}},
		{name: "yaml a bad value is said once", in: "- email: {a: b}\n", problems: []string{"line 1: email is a mapping; want text"}, exact: true},
		{name: "json a bad value is said once", source: "in.json", in: "[{\"email\": 7, \"role\": \"owner\"}]", problems: []string{"line 1: email is a number; want a string"}, exact: true},
		{name: "yaml mapping at the top", in: "email: a@example.com\n", problems: []string{`line 1: the file is a mapping; want a list of invites, like "- email: a@example.com"`}},
		{name: "yaml value at the top", in: "a@example.com\n", problems: []string{`line 1: the file is a single value ("a@example.com"); want a list`}},
		{name: "yaml two documents", in: "- email: a@example.com\n---\n- email: b@example.com\n", problems: []string{"line 2: a second YAML document"}},
		{name: "yaml second document bad", in: "- email: a@example.com\n---\n- [\n", problems: []string{"line 3: did not find expected node content (not valid YAML)"}},
		{name: "yaml empty", in: "", problems: []string{"line 1: no invites: the file is empty"}},
		{name: "yaml only comments", in: "# nothing yet\n\n", problems: []string{"line 1: no invites: the file is empty"}},
		{name: "yaml only a marker", in: "---\n", problems: []string{"line 2: no invites: the file is empty"}},
		{name: "yaml empty list", in: "\n[]\n", problems: []string{"line 2: no invites: the list is empty"}},
		{name: "yaml tab indent", in: "- email: a@example.com\n\trole: admin\n", problems: []string{"line 2: found a tab character that violates indentation (not valid YAML)"}},
		{name: "yaml unclosed quote", in: "- email: a@example.com\n- email: \"b@example.com\n", problems: []string{"line 2: found unexpected end of stream (not valid YAML)"}},
		{name: "yaml quoted white space around an email is refused, as everywhere", in: "- email: ' c@example.com'\n- email: \"d@example.com\\u00a0\"\n",
			problems: []string{`line 1: email " c@example.com" has white space before or after it: remove it`, `line 2: email "d@example.com\u00a0" has white space before or after it`}},
		{name: "yaml unknown anchor", in: "- email: a@example.com\n  role: *r\n", problems: []string{"line 1: unknown anchor 'r' referenced (not valid YAML)"}},

		// JSON.
		{name: "json good", source: "in.json", in: "[\n {\"email\": \"a@example.com\", \"role\": \"Admin\"},\n\n  {\"email\": \"b@example.com\", \"role\": null}, {\"Email\": \"c@example.com\", \"ROLE\": \"\"}\n]\n",
			want: []row{{2, "a@example.com", "admin"}, {4, "b@example.com", "member"}, {4, "c@example.com", "member"}}},
		{name: "json BOM", source: "in.json", in: "\uFEFF[{\"email\": \"a@example.com\"}]",
			want: []row{{1, "a@example.com", "member"}}},
		{name: "json every bad item", source: "in.json",
			in: "[{\"email\": \"ok@example.com\"},\n" + // 1
				"{\"email\": \"b@example.com\", \"rol\": \"admin\"},\n" + // 2
				"{\"email\": \"c@example.com\", \"EMAIL\": \"d@example.com\"},\n" + // 3
				"{\"email\": 1},\n" + // 4
				"{\"email\": \"e@example.com\", \"role\": [\"admin\"]},\n" + // 5
				"\"f@example.com\",\n" + // 6
				"[],\n" + // 7
				"{\"role\": \"admin\"},\n" + // 8
				"{\"email\": \"g@example.com\", \"role\": \"owner\"},\n" + // 9
				"{\"email\": \"OK@EXAMPLE.COM\"},\n" + // 10
				"{\"email\": true}, null]", // 11
			problems: []string{
				`line 2: unknown key "rol" (want email and role)`,
				`line 3: key email given twice`,
				`line 4: email is a number; want a string`,
				`line 5: role is an array; want a string`,
				`line 6: the item is a string; want an object`,
				`line 7: the item is an array; want an object`,
				`line 8: no email`,
				`line 9: role "owner" cannot be given by an invite`,
				`line 10: duplicate email "OK@EXAMPLE.COM" (first on line 1)`,
				`line 11: email is true or false; want a string`,
				`line 11: the item is null; want an object`,
			}},
		{name: "json object at the top", source: "in.json", in: "\n{\"email\": \"a@example.com\"}", problems: []string{`line 2: the file is an object; want an array of invites, like [{"email"`}},
		{name: "json not json", source: "in.json", in: "email,role\na@example.com,admin\n", problems: []string{"line 1: the file is not JSON; want an array"}},
		{name: "json data after the array", source: "in.json", in: "[{\"email\": \"a@example.com\"}]\n[]\n", problems: []string{"line 2: invalid character '[' after top-level value (not valid JSON)"}},
		{name: "json syntax error line", source: "in.json", in: "[{\"email\": \"a@example.com\"},\n{\"email\": \"b@example.com\"}\n,]", problems: []string{"line 3: invalid character ']' looking for beginning of value"}},
		{name: "json cut short", source: "in.json", in: "[{\"email\": \"a@example.com\"},\n{\"email\": \"b", problems: []string{"line 2: unexpected end of JSON input"}},
		{name: "json empty", source: "in.json", in: " \n", problems: []string{"line 1: no invites: the file is empty"}},
		{name: "json empty array", source: "in.json", in: "\n [ ]\n", problems: []string{"line 2: no invites: the array is empty"}},

		// CSV is ReadCSV's.
		{name: "csv by extension", source: "in.csv", in: "email,role\na@example.com,Admin\n",
			want: []row{{2, "a@example.com", "admin"}}},
		{name: "csv problems", source: "in.csv", in: "email,role\na@example.com,owner\nb@example.com,admin\n", problems: []string{`line 2: role "owner" cannot be given by an invite`},
			prefix: "in.csv (read as CSV): 1 problem"},
		{name: "csv only a header", source: "in.csv", in: "email\n", problems: []string{"line 1: no invites: the file has only a header"}},

		// Choosing the format.
		{name: "explicit format over the extension", source: "in.json", format: "yaml", in: "- email: a@example.com\n",
			want: []row{{1, "a@example.com", "member"}}},
		{name: "explicit format names no guess", source: "in.txt", format: "yaml", in: "- rol: admin\n",
			problems: []string{"line 1: unknown key"}, prefix: "in.txt: 1 problem"},
		{name: "explicit csv given json", source: "in.json", format: "csv", in: "[{\"email\": \"a@example.com\"}]\n",
			problems: []string{"line 1: header: bare \""}, prefix: "in.json: 1 problem"},
		{name: "yml, any case", source: "IN.YML", in: "- email: a@example.com\n", want: []row{{1, "a@example.com", "member"}}},
		{name: "sniff json", source: "in.txt", in: "\uFEFF \r\n\t[{\"email\": \"a@example.com\"}]", want: []row{{2, "a@example.com", "member"}}},
		{name: "sniff json object", source: "-", in: "{\"email\": \"a@example.com\"}", problems: []string{"line 1: the file is an object"},
			prefix: "stdin (read as JSON): 1 problem"},
		{name: "sniff yaml item", source: "-", in: "\n- email: a@example.com\n", want: []row{{2, "a@example.com", "member"}}},
		{name: "sniff yaml marker", source: "stdin", in: "---\n- email: a@example.com\n", want: []row{{2, "a@example.com", "member"}}},
		{name: "sniff yaml comment", source: "in.txt", in: "\uFEFF# invites\n- email: a@example.com\n  rol: admin\n",
			problems: []string{"line 2: unknown key"}, prefix: "in.txt (read as YAML): 1 problem"},
		{name: "sniff csv", source: "-", in: "email,role\na@example.com,admin\n", want: []row{{2, "a@example.com", "admin"}}},
		{name: "sniff csv, a yaml mapping", source: "-", in: "email: a@example.com\n", problems: []string{"line 1: no header"},
			prefix: "stdin (read as CSV): 1 problem"},
		{name: "sniff empty", source: "-", in: "", problems: []string{"line 1: the file is empty"}, prefix: "stdin (read as CSV)"},
		{name: "sniff beyond the first buffer", source: "-", in: strings.Repeat("\n", sniffBytes) + "[]",
			problems: []string{`line 65537: no email column`}, prefix: "stdin (read as CSV)"}, // blank for all it looked at
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			source := tt.source
			if source == "" {
				source = "in.yaml"
			}
			file, err := ReadDesired(strings.NewReader(tt.in), source, tt.format, Columns{})

			rows := file.Rows
			var got []row
			for _, r := range rows {
				got = append(got, row{r.Line, r.Invite.Email, r.Invite.Role})
				if !r.FromFile {
					t.Errorf("row %+v: fromCSV is false", r)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if len(tt.problems) == 0 {
				if err != nil {
					t.Errorf("error: %v", err)
				}
				return
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an *Error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Errorf("error %q, want it to start with %q", err, tt.prefix)
			}
			var msgs []string
			for _, p := range ie.problems {
				msgs = append(msgs, "line "+strconv.Itoa(p.line)+": "+p.msg)
			}
			if len(msgs) != len(tt.problems) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(msgs, "\n"), len(tt.problems))
			}
			for i, want := range tt.problems {
				if !strings.HasPrefix(msgs[i], want) || tt.exact && msgs[i] != want {
					t.Errorf("problem %d = %q, want it to start with (or be, if exact) %q", i, msgs[i], want)
				}
			}
		})
	}
}

func TestReadDesiredUnknownFormat(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"xml", "YAML", "yml", " csv"} {
		file, err := ReadDesired(strings.NewReader("email\na@example.com\n"), "in.csv", format, Columns{})

		rows := file.Rows
		var ie *Error
		if rows != nil || err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "unknown format") {
			t.Errorf("format %q: %v, %v; want an unknown format error", format, rows, err)
		}
	}
}

func TestReadDesiredTooBig(t *testing.T) {
	t.Parallel()
	const (
		jsonLimit = "larger than 4 MiB, the limit for JSON"
		yamlLimit = "larger than 512 KiB, the limit for YAML (some 12,000 invites); give a longer list as CSV (up to 16 MiB) or JSON (4 MiB)"
	)
	bigCSV, bigCSVLine := tooBigCSV()
	tests := []struct {
		source, format, in string
		line               int
		want               string
	}{
		{"big.yaml", "", "- email: a@example.com\n- email: " + strings.Repeat("x", MaxYAMLBytes), 2, yamlLimit},
		{"big.json", "", "[\n" + strings.Repeat(" ", MaxJSONBytes), 2, jsonLimit},
		{"-", "", "\n- email: a@example.com\n" + strings.Repeat("x", MaxYAMLBytes), 3, yamlLimit},                       // sniffed YAML
		{"-", "", bigCSV, bigCSVLine, "larger than 16 MiB"},                                                             // sniffed CSV
		{"big.txt", "json", strings.Repeat("\n", MaxJSONBytes-1) + "[{\"email\": \"a@b.c\"}]", MaxJSONBytes, jsonLimit}, // exactly on the limit's line
		{"big.txt", "yaml", strings.Repeat("\n", MaxYAMLBytes-1) + "- email: a@b.c\n", MaxYAMLBytes, yamlLimit},
	}
	for _, tt := range tests {
		_, err := ReadDesired(strings.NewReader(tt.in), tt.source, tt.format, Columns{})
		var ie *Error
		if !errors.As(err, &ie) || len(ie.problems) != 1 || !strings.Contains(ie.problems[0].msg, tt.want) || ie.problems[0].line != tt.line {
			t.Errorf("%s %q: error %v, want one problem on line %d: %s", tt.source, tt.format, err, tt.line, tt.want)
		}
	}
	// Just under the limit is fine (capReader refuses a file of exactly the limit, as
	// it cannot tell it from a longer one without reading on).
	for source, limit := range map[string]int{"big.json": MaxJSONBytes, "big.yaml": MaxYAMLBytes} {
		in := "[{\"email\": \"a@example.com\"}]"
		in = strings.Repeat(" ", limit-1-len(in)) + in
		if file, err := ReadDesired(strings.NewReader(in), source, "", Columns{}); err != nil || len(file.Rows) != 1 {
			t.Errorf("%s just under its limit: %v, %v", source, file.Rows, err)
		}
	}
}

func TestReadDesiredReadError(t *testing.T) {
	t.Parallel()
	broken := errors.New("the disk is on fire")
	for _, source := range []string{"in.yaml", "in.json", "-"} {
		r := io.MultiReader(strings.NewReader("- email: a@example.com\n"), errReader{broken})
		_, err := ReadDesired(r, source, "", Columns{})
		var ie *Error
		if !errors.Is(err, broken) || errors.As(err, &ie) {
			t.Errorf("%s: error %v, want %v", source, err, broken)
		}
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// FuzzReadDesired checks readDesired's promises on any input, in any format: it never
// panics; it returns either an *Error naming a line for every problem (or, for an
// unknown format, another error), or rows that all pass CreateUserInviteRequest.Validate, in file order, with
// no email twice.
func FuzzReadDesired(f *testing.F) {
	for _, seed := range []struct{ in, source, format string }{
		{"email,role\na@example.com,admin\nb@example.com,\n", "in.csv", ""},
		{"email\nA@example.com\na@example.com\n", "-", ""},
		{"- email: a@example.com\n  role: Admin\n- email: b@example.com\n", "in.yaml", ""},
		{"\uFEFF# c\n---\n- {email: a@example.com, role: ~}\n...\n", "-", ""},
		{"- &x\n  email: a@example.com\n- *x\n- email: b@example.com\n  role: *x\n  <<: *x\n", "in.yml", ""},
		{"- email: a@example.com\n  rol: admin\n  Email: b\n---\n- [1]\n", "in.txt", "yaml"},
		{"- email: a@example.com\n\trole: admin\n", "in.yaml", ""},
		{"[{\"email\": \"a@example.com\", \"role\": \"admin\"},\n{\"email\": \"b@example.com\", \"role\": null}]", "in.json", ""},
		{"\uFEFF [{\"email\": 1, \"EMAIL\": \"a\"}, [], \"x\", null, {\"rol\": {}}]", "-", ""},
		{"[{\"email\": \"a@example.com\"}] []", "in.txt", "json"},
		{"{\"email\": \"a@example.com\"}", "-", ""},
		{"", "-", ""},
		{"[]", "in.json", "csv"},
		{"email\na@example.com\n", "in.csv", "xml"},
		{"0", "\n", ""},
	} {
		f.Add([]byte(seed.in), seed.source, seed.format)
	}
	f.Fuzz(func(t *testing.T, in []byte, source, format string) {
		file, err := ReadDesired(strings.NewReader(string(in)), source, format, Columns{})

		rows := file.Rows
		if err != nil {
			if rows != nil {
				t.Fatalf("rows %v with an error", rows)
			}
			var ie *Error
			if !errors.As(err, &ie) {
				if !strings.Contains(err.Error(), "unknown format") {
					t.Fatalf("error %v is not an *Error", err)
				}
				return
			}
			if len(ie.problems) == 0 {
				t.Fatalf("error %v has no problems", err)
			}
			for _, p := range ie.problems {
				if p.line < 1 || p.msg == "" {
					t.Fatalf("problem %+v names no line", p)
				}
			}
			// The first line names the source, which may hold a line break (a file
			// name can; the fuzzer's first find, a property too strict, now a seed).
			for _, l := range strings.Split(strings.TrimPrefix(err.Error(), ie.source), "\n")[1:] {
				if !problemLine.MatchString(l) && !strings.HasPrefix(l, "  ... and ") {
					t.Fatalf("error line %q names no line", l)
				}
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		seen := map[string]bool{}
		for i, r := range rows {
			if err := r.Invite.Validate(); err != nil || r.Invite.Email == "" {
				t.Fatalf("row %d = %+v: %v", i, r, err)
			}
			key := strings.ToLower(r.Invite.Email)
			if seen[key] {
				t.Fatalf("email %q accepted twice", r.Invite.Email)
			}
			seen[key] = true
			if r.Line < 1 || !r.FromFile || i > 0 && r.Line < rows[i-1].Line {
				t.Fatalf("row %d = %+v", i, r)
			}
		}
	})
}
