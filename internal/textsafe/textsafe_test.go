package textsafe

import "testing"

// Escape shows every character that hides or acts on a terminal as an escape, and
// leaves letters (non-ASCII ones too) and the ASCII space alone.
func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"bob@example.com":         "bob@example.com",
		"\u00e9lodie@example.com": "\u00e9lodie@example.com",
		"a b":                     "a b",
		"bob\u200b@example.com":   `bob\u200b@example.com`,
		"bob@example.com\u00a0":   `bob@example.com\u00a0`,
		"bob@example.com\u2028":   `bob@example.com\u2028`,
		"\u2060bob@example.com":   `\u2060bob@example.com`,
		"a\tb\nc\x1b[2J\u202ed":   `a\tb\nc\x1b[2J\u202ed`,
		"a\xffb":                  `a\xffb`,
		"\u3164":                  `\u3164`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%+q) = %s, want %s", in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"bob@example.com", 40, `"bob@example.com"`},
		{"ali\u200bce@example.com", 40, `"ali\u200bce@example.com"`},
		{"\u3164@example.com", 40, `"\u3164@example.com"`},
		{"\u00e9lodie", 40, `"` + "\u00e9lodie" + `"`},
		{"abcdef", 3, `"abc…"`},
	} {
		if got := Quote(c.in, c.max); got != c.want {
			t.Errorf("Quote(%+q, %d) = %s, want %s", c.in, c.max, got, c.want)
		}
	}
}

func TestShorten(t *testing.T) {
	t.Parallel()
	if got, want := Shorten("a \n\x1b[31m b\xff  c\u200b", 40), `a \x1b[31m b? c\u200b`; got != want {
		t.Errorf("Shorten = %q, want %q", got, want)
	}
	if got, want := Shorten("abcdef", 3), "abc…"; got != want {
		t.Errorf("Shorten = %q, want %q", got, want)
	}
}

func TestPlural(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 invites"}, {1, "1 invite"}, {2, "2 invites"}} {
		if got := Plural(c.n, "invite", "invites"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
