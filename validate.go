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

func invalid(operation, format string, args ...any) error {
	return fmt.Errorf("tsinvites: %s: %w: %s", operation, ErrInvalidInput, fmt.Sprintf(format, args...))
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

// checkInvites checks the invites of one create before anything is sent.
func checkInvites(operation string, invites []CreateUserInviteRequest) error {
	if len(invites) == 0 {
		return invalid(operation, "no invites given")
	}
	for i, inv := range invites {
		if inv.Role != "" && !inv.Role.Valid() {
			return invalid(operation, "invite %d: unknown role %q (want one of %s)", i+1, inv.Role, strings.Join(roleNames(), ", "))
		}
		if inv.Email == "" {
			continue
		}
		addr, err := mail.ParseAddress(inv.Email)
		if err != nil {
			return invalid(operation, "invite %d: email %q: %v", i+1, inv.Email, err)
		}
		if addr.Name != "" || addr.Address != inv.Email {
			return invalid(operation, "invite %d: email %q is not a bare address (did you mean %q?)", i+1, inv.Email, addr.Address)
		}
	}
	return nil
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
