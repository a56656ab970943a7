// Package words holds the small text helpers the SDK, the engine and the CLI share:
// plurals and the key by which emails are compared.
package words

import (
	"fmt"
	"strings"
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
