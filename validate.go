package tsinvites

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tsinvites/tsinvites/internal/words"
)

// checkPathValue refuses a value that would not stay one path segment once escaped:
// empty or blank, "." or "..", or holding control characters.
func checkPathValue(what, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("%s is empty", what)
	case v == "." || v == "..":
		return fmt.Errorf("%s %q is not allowed", what, v)
	case strings.ContainsFunc(v, unicode.IsControl):
		return fmt.Errorf("%s %q has control characters", what, v)
	}
	return nil
}

// ValidateInviteID reports what is wrong with id as an invite ID, as [Client.Get],
// [Client.Delete] and [Client.Resend] check it before sending: empty or blank, "." or
// "..", or holding control characters (anything else is escaped into the path). The
// error's text is the reason alone; it matches [ErrInvalidInput] with [errors.Is].
func ValidateInviteID(id string) error {
	if err := checkPathValue("invite ID", id); err != nil {
		return reason("%v", err)
	}
	return nil
}

// ValidateUserID reports what is wrong with id as a user ID, as [Client.ApproveUser],
// [Client.SetUserRole], [Client.SuspendUser] and [Client.RestoreUser] check it before
// sending (the rules of [ValidateInviteID]). The error matches [ErrInvalidInput].
func ValidateUserID(id string) error {
	if err := checkPathValue("user ID", id); err != nil {
		return reason("%v", err)
	}
	return nil
}

// checkInvites checks the invites of one create before anything is sent: each must be
// valid, and no email may appear twice (compared without case).
func checkInvites(op operation, invites []CreateUserInviteRequest) error {
	if len(invites) == 0 {
		return invalid(op, "no invites given")
	}
	first := map[string]int{} // email key → index of the invite it was first in
	for i, inv := range invites {
		if err := inv.Validate(); err != nil {
			return invalid(op, "invite %d: %v", i+1, err)
		}
		key := words.EmailKey(inv.Email)
		if j, dup := first[key]; dup && inv.Email != "" {
			return invalid(op, "invites %d and %d are both for %q", j+1, i+1, inv.Email)
		}
		first[key] = i
	}
	return nil
}

// Validate reports what is wrong with the request, as [Client.Create] checks it before
// sending: an unknown role, or an email that is not a bare address such as
// "amelie@example.com", or one holding an invisible character (a zero-width space, a
// soft hyphen, a no-break space, ...) that makes it look like another address (empty
// email and role are valid). The error's text is the reason alone; it matches
// [ErrInvalidInput] with [errors.Is].
func (r CreateUserInviteRequest) Validate() error {
	if r.Role != "" && !r.Role.Valid() {
		return reason("unknown role %q (want one of %s)", r.Role, names(userRoleValues))
	}
	if r.Email == "" || words.PlainAddress(r.Email) { // plain ASCII: net/mail would take it
		return nil
	}
	if c, found := words.Invisible(r.Email); found { // it would look like another address
		return reason("email %s holds the invisible character %s", strconv.QuoteToASCII(r.Email), strconv.QuoteRuneToASCII(c))
	}
	addr, err := mail.ParseAddress(r.Email)
	if err != nil {
		return reason("email %q is not an address: %v", r.Email, err)
	}
	if addr.Name != "" || addr.Address != r.Email {
		if s, err := mail.ParseAddress(addr.Address); err != nil || s.Address != addr.Address { // "a b"@x: no bare form
			return reason("email %q is not a bare address such as amelie@example.com", r.Email)
		}
		return reason("email %q is not a bare address (did you mean %q?)", r.Email, addr.Address)
	}
	return nil
}

// Roles lists every known [UserRole], in the order of the API's document (from which it
// is generated).
func Roles() []UserRole { return slices.Clone(userRoleValues) }

// names lists an enum's values for an error: "member, admin, ...".
func names[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
