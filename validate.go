package tsinvites

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// ErrInvalidInput is matched, with [errors.Is], by every error for input that the client
// refuses before sending anything: a bad invite ID or tailnet, an empty create, an
// unknown role or an email address that does not parse.
var ErrInvalidInput = errors.New("invalid input")

func invalid(op operation, format string, args ...any) error {
	return fmt.Errorf("tsinvites: %v: %w: %s", op, ErrInvalidInput, fmt.Sprintf(format, args...))
}

// operation says what a call does, for errors and logs. It is formatted only when
// needed, so that a call that succeeds does not pay for it.
type operation struct {
	verb   string // "list invites", "create", "get invite", ...
	id     string // the invite ID, with withID
	withID bool
	count  int // create: the number of invites
}

func (o operation) String() string {
	switch {
	case o.verb == "create":
		return fmt.Sprintf("create %d invite(s)", o.count)
	case o.withID:
		return fmt.Sprintf("%s %q", o.verb, o.id)
	}
	return o.verb
}

// checkPathValue refuses a value that would not stay one path segment once escaped:
// empty or blank, "." or "..", or holding control characters. Anything else (including
// "/", "?", "#" and spaces) is escaped by the request builders.
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
// "..", or holding control characters. Anything else is escaped into the path. The
// error's text is the reason alone; it matches [ErrInvalidInput] with [errors.Is].
func ValidateInviteID(id string) error {
	if err := checkPathValue("invite ID", id); err != nil {
		return &reasonError{msg: err.Error()}
	}
	return nil
}

// checkInvites checks the invites of one create before anything is sent: each must be
// valid, and no email may appear twice (compared without case).
func checkInvites(op operation, invites []CreateUserInviteRequest) error {
	if len(invites) == 0 {
		return invalid(op, "no invites given")
	}
	first := map[string]int{} // lower-cased email → index of its first invite
	for i, inv := range invites {
		if err := inv.Validate(); err != nil {
			return invalid(op, "invite %d: %v", i+1, err)
		}
		if inv.Email == "" {
			continue
		}
		key := strings.ToLower(inv.Email)
		if j, dup := first[key]; dup {
			return invalid(op, "invites %d and %d are both for %q", j+1, i+1, inv.Email)
		}
		first[key] = i
	}
	return nil
}

// Validate reports what is wrong with the request, as [Client.Create] checks it before
// sending: an unknown role, or an email that is not a bare address such as
// "amelie@example.com". The error's text is the reason alone; it matches
// [ErrInvalidInput] with [errors.Is]. An empty email and an empty role (member) are
// valid.
func (r CreateUserInviteRequest) Validate() error {
	if r.Role != "" && !r.Role.Valid() {
		return reason("unknown role %q (want one of %s)", r.Role, strings.Join(roleNames(), ", "))
	}
	if r.Email == "" {
		return nil
	}
	addr, err := mail.ParseAddress(r.Email)
	if err != nil {
		return reason("email %q is not an address: %v", r.Email, err)
	}
	if addr.Name != "" || addr.Address != r.Email {
		return reason("email %q is not a bare address (did you mean %q?)", r.Email, addr.Address)
	}
	return nil
}

// reasonError is what is wrong with some input, without saying where: it matches
// ErrInvalidInput.
type reasonError struct{ msg string }

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return ErrInvalidInput }

func reason(format string, args ...any) error {
	return &reasonError{msg: fmt.Sprintf(format, args...)}
}

// Roles lists every known [UserRole], in the order of the API's documentation.
func Roles() []UserRole {
	return []UserRole{UserRoleMember, UserRoleAdmin, UserRoleITAdmin, UserRoleNetworkAdmin, UserRoleBillingAdmin, UserRoleAuditor}
}

func roleNames() []string {
	var names []string
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return names
}
