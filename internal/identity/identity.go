// Package identity holds who a person is, for every layer: the key by which an email, an
// invite's email, a user's login name and a kept email are compared; the characters
// that make an address look like another (white space, invisible characters), with
// which a name matches nobody; the near matches that differ only in the case of
// non-ASCII letters, which are reported and never joined; and the plainest form of an
// address.
package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Key is how emails and login names are compared everywhere: ASCII letters folded to
// lower case and nothing else, nothing trimmed. Unicode folding would make the Kelvin
// sign (U+212A) equal "k" and a dotted capital I equal "i", so that one person could
// pass for another; what a local part's other characters mean is the mail server's
// business. ok is false, and s matches nobody, when s is empty or holds white space or
// an invisible character (see [Flaw]): a login name " bob@example.com" (with a
// no-break space) is not bob@example.com.
func Key(s string) (key string, ok bool) {
	if s == "" {
		return "", false
	}
	if _, flawed := Flaw(s); flawed {
		return "", false
	}
	return LowerASCII(s), true
}

// LowerASCII is s with its ASCII letters in lower case and every other byte as it is:
// the folding of [Key], and of the names of devices.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Flaw returns the first character of s that is white space (ASCII or not: the space,
// tab, U+0085, U+00A0, U+2000 to U+200A, U+2028, U+2029, U+3000, ...) or invisible (see
// [Invisible]), and true; 0, false when s has none. A name with such a character
// matches nobody.
func Flaw(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsSpace(r) || IsInvisible(r) {
			return r, true
		}
	}
	return 0, false
}

// Invisible returns the first character of s that shows nothing, or shows as a space,
// where an email is read (see [IsInvisible]), and true; 0, false when s has none. Such
// a character makes an address that looks like another one. The ASCII space is not
// one: it shows.
func Invisible(s string) (rune, bool) {
	for _, r := range s {
		if IsInvisible(r) {
			return r, true
		}
	}
	return 0, false
}

// IsInvisible reports whether r shows nothing, or shows as a space, where an email is
// read: a control character, a format character (Unicode category Cf: the zero-width
// space U+200B, the soft hyphen U+00AD, the word joiner U+2060, a byte-order mark
// U+FEFF, the bidi marks), a space other than the ASCII one (the no-break space U+00A0,
// U+2028, ...), or another default-ignorable character (the combining grapheme joiner,
// variation selectors, Hangul fillers). utf8.RuneError (bytes that are not UTF-8) is
// not its business.
func IsInvisible(r rune) bool {
	switch {
	case r < utf8.RuneSelf: // ASCII: only the controls are invisible (the quick path)
		return r < ' ' || r == 0x7f
	case r == utf8.RuneError:
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp) || ignorable(r)
}

// ignorable reports whether r is one of the default-ignorable characters (Unicode's
// Default_Ignorable_Code_Point) outside the categories IsInvisible checks by name.
func ignorable(r rune) bool {
	switch {
	case r == 0x034F, // combining grapheme joiner
		r == 0x115F || r == 0x1160,   // Hangul choseong and jungseong fillers
		r == 0x17B4 || r == 0x17B5,   // Khmer inherent vowels
		0x180B <= r && r <= 0x180F,   // Mongolian free variation selectors and vowel separator
		r == 0x3164 || r == 0xFFA0,   // Hangul fillers
		0xFE00 <= r && r <= 0xFE0F,   // variation selectors
		0xE0000 <= r && r <= 0xE0FFF: // tags and variation selectors supplement
		return true
	}
	return false
}

// NearKey is the key of s for finding near matches: names whose [Key]s differ only in
// the case of non-ASCII letters (Élodie@example.com and élodie@example.com). It is ""
// when s is ASCII, or matches nobody (see [Key]): such a name has no near match. Two
// names with the same NearKey and different Keys are a near match, which is reported
// and never joined: a near match is never taken for the same person. An ASCII letter
// never near-matches a non-ASCII one (the Kelvin sign is not k).
func NearKey(s string) string {
	key, ok := Key(s)
	if !ok || !hasNonASCII(key) {
		return ""
	}
	b := make([]byte, 0, len(key))
	for _, r := range key {
		b = utf8.AppendRune(b, foldNonASCII(r))
	}
	return string(b)
}

// hasNonASCII reports whether s has a byte outside ASCII.
func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// foldNonASCII is the smallest non-ASCII character of r's case folding orbit (r when
// it has none).
func foldNonASCII(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf && f < least {
			least = f
		}
	}
	return least
}

// PlainAddress reports whether s is a bare address of the plainest form,
// dot-atom@dot-atom in ASCII (amelie.dupont+hr@example.com): one that net/mail always
// takes as it is. It is a quick path for checking long lists; false says nothing (ask
// net/mail).
func PlainAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && dotAtom(local) && dotAtom(domain)
}

// dotAtom reports whether s is atoms of RFC 5322 atext joined by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}
