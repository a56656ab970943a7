// Package words holds the small text helpers the SDK, the engine and the CLI share:
// plurals, the key by which emails are compared, and the characters an email may not
// hide.
package words

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plural formats n with the singular or plural noun: "1 invite", "3 invites".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// EmailKey is how emails are compared everywhere: trimmed of white space, ASCII letters
// folded to lower case and nothing else. Unicode folding would make the Kelvin sign
// (U+212A) equal "k" and a dotted capital I equal "i", so that one person could pass
// for another; what a local part's other characters mean is the mail server's business.
func EmailKey(email string) string {
	email = strings.TrimSpace(email)
	for i := 0; i < len(email); i++ {
		if c := email[i]; 'A' <= c && c <= 'Z' {
			b := []byte(email)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return email
}

// Invisible returns the first character of s that shows nothing, or shows as a space,
// where an email is read: a control character, a format character (Unicode category
// Cf: the zero-width space U+200B, the soft hyphen U+00AD, the word joiner U+2060, a
// byte-order mark U+FEFF, the bidi marks), a space other than the ASCII one (the
// no-break space U+00A0, U+2028, ...), or another default-ignorable character (the
// combining grapheme joiner, variation selectors, Hangul fillers); and true. Such a
// character makes an address that looks like another one. It returns 0, false when s
// has none. Bytes that are not UTF-8 are not its business.
func Invisible(s string) (rune, bool) {
	for _, r := range s {
		if r < utf8.RuneSelf { // ASCII: only the controls are invisible (the quick path)
			if r < ' ' || r == 0x7f {
				return r, true
			}
			continue
		}
		if r == utf8.RuneError {
			continue
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp) || ignorable(r) {
			return r, true
		}
	}
	return 0, false
}

// ignorable reports whether r is one of the default-ignorable characters (Unicode's
// Default_Ignorable_Code_Point) outside the categories Invisible checks by name.
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
