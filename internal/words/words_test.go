package words

import "testing"

func TestEmailKeyFoldsASCIIOnly(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" Ann@Example.COM ":     "ann@example.com",
		"kate@example.com":      "kate@example.com",
		"\u212Aate@example.com": "\u212Aate@example.com", // the Kelvin sign is not K
		"\u0130van@example.com": "\u0130van@example.com", // nor a dotted capital I an i
	} {
		if got := EmailKey(in); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
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
