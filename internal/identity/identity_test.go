package identity

import (
	"net/mail"
	"testing"
)

func TestKeyFoldsASCIIOnlyAndTrimsNothing(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ann@Example.COM":         "ann@example.com",
		"kate@example.com":        "kate@example.com",
		"\u212Aate@example.com":   "\u212Aate@example.com",   // the Kelvin sign is not K
		"\u0130van@example.com":   "\u0130van@example.com",   // nor a dotted capital I an i
		"\u00c9lodie@example.com": "\u00c9lodie@example.com", // nor É an é
	} {
		if got, ok := Key(in); got != want || !ok {
			t.Errorf("Key(%q) = %q, %t; want %q, true", in, got, ok, want)
		}
	}
	// White space anywhere, or an invisible character: the name matches nobody.
	for _, in := range []string{"", " ann@example.com", "ann@example.com ", "ann@example.com\t", "\u00a0ann@example.com",
		"ann@example.com\u3000", "\u2000ann@example.com", "ann@example.com\u200a", "ann@example.com\u0085",
		"ann@example.com\u2029", "ann@example.com\u2028", "an\u200bn@example.com", "ann@example.com\u2060", "a nn@example.com"} {
		if got, ok := Key(in); ok {
			t.Errorf("Key(%+q) = %q, true; want no key", in, got)
		}
	}
}

// NearKey joins names that differ only in the case of non-ASCII letters, and never an
// ASCII letter with a non-ASCII one.
func TestNearKey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		near bool
	}{
		{"\u00c9lodie@example.com", "\u00e9lodie@example.com", true},
		{"\u00c9LODIE@example.com", "\u00e9lodie@Example.com", true},
		{"stra\u00dfe@example.com", "stra\u1e9ee@example.com", true},
		{"kate@example.com", "\u212Aate@example.com", false},
		{"ivan@example.com", "\u0130van@example.com", false},
		{"\u00e9lodie@example.com", "elodie@example.com", false},
		{"ann@example.com", "Ann@example.com", false}, // ASCII: no near key, the keys match
	} {
		ka, kb := NearKey(c.a), NearKey(c.b)
		if got := ka != "" && ka == kb; got != c.near {
			t.Errorf("NearKey(%q) = %q, NearKey(%q) = %q: near %t, want %t", c.a, ka, c.b, kb, got, c.near)
		}
	}
}

// TestInvisible: every character that hides in an address is found, with its rune;
// visible text, ASCII space and non-ASCII letters are not.
func TestInvisible(t *testing.T) {
	t.Parallel()
	for _, r := range []rune{
		0x200B, 0x00AD, 0x2060, 0xFEFF, 0x00A0, // issue 20: zero-width space, soft hyphen, word joiner, BOM, no-break space
		0x200C, 0x200D, 0x200E, 0x202E, 0x2066, 0x180E, // other format characters
		0x2007, 0x202F, 0x3000, 0x2028, 0x2029, 0x1680, // other spaces and separators
		0x0000, 0x0009, 0x000A, 0x007F, 0x0085, // controls
		0x034F, 0xFE0F, 0x115F, 0x3164, 0xE0041, 0x17B4, // other default-ignorables
	} {
		s := "ali" + string(r) + "ce@example.com"
		if got, ok := Invisible(s); !ok || got != r {
			t.Errorf("Invisible(%+q) = %U, %t; want %U, true", s, got, ok, r)
		}
	}
	for _, s := range []string{"alice@example.com", "a b@example.com", "\u00e9lodie@example.com", "\u212Aate@example.com", "\u0130van@example.com", "用户@例子.广告", "a\xffb@example.com", ""} {
		if got, ok := Invisible(s); ok {
			t.Errorf("Invisible(%+q) = %U, true; want none", s, got)
		}
	}
}

// PlainAddress says yes only where net/mail takes the address as it is, with no name.
func TestPlainAddressAgreesWithNetMail(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"amelie@example.com", "a.b+c@x.example", "x@y", "o'brien@example.ie", "{a}|b~@c-d.e",
		"", "@", "a@", "@b", "a@@b", ".a@b", "a.@b", "a..b@c", "a@b..c", "a@.b", "a@b.",
		"a b@c", "\"a b\"@c", "a@[1.2.3.4]", "Ann <ann@example.com>", "a@b@c", "a(comment)@b", "é@example.com", "a\t@b",
	} {
		if !PlainAddress(s) {
			continue
		}
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Name != "" || addr.Address != s {
			t.Errorf("PlainAddress(%q) but net/mail gives %v, %v", s, addr, err)
		}
	}
	for _, s := range []string{"amelie@example.com", "a.b+c@x.example", "o'brien@example.ie"} {
		if !PlainAddress(s) {
			t.Errorf("PlainAddress(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"a..b@c", "\"a b\"@c", "Ann <ann@example.com>", "a@b@c", "é@example.com"} {
		if PlainAddress(s) {
			t.Errorf("PlainAddress(%q) = true, want false", s)
		}
	}
}
