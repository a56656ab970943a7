package tsinvites

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"

	"github.com/tsinvites/tsinvites/internal/identity"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// checkPathValue refuses a value that would not stay one path segment once escaped:
// empty or blank, "." or "..", or holding control characters. The error's text is the
// reason alone; it matches ErrInvalidInput.
func checkPathValue(what, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return reason("%s is empty", what)
	case v == "." || v == "..":
		return reason("%s %q is not allowed", what, v)
	case strings.ContainsFunc(v, unicode.IsControl):
		return reason("%s %q has control characters", what, v)
	}
	return nil
}

// ValidateInviteID reports what is wrong with id as an invite ID, as [Client.Get],
// [Client.Delete] and [Client.Resend] check it before sending: empty or blank, "." or
// "..", or holding control characters (anything else is escaped into the path). The
// error's text is the reason alone; it matches [ErrInvalidInput] with [errors.Is].
func ValidateInviteID(id UserInviteID) error { return checkPathValue("invite ID", id) }

// ValidateUserID reports what is wrong with id as a user ID, as [Client.ApproveUser],
// [Client.SetUserRole], [Client.SuspendUser] and [Client.RestoreUser] check it before
// sending (the rules of [ValidateInviteID]). The error matches [ErrInvalidInput].
func ValidateUserID(id UserID) error { return checkPathValue("user ID", id) }

const (
	maxEmailLen = 254 // the longest email an invite may have, in bytes: the longest address SMTP allows
	shownLen    = 64  // how many characters of a value a reason quotes
)

// InputError is the error for a list of invites that is refused before anything is
// sent: every problem of every invite, in list order. It matches [ErrInvalidInput] with
// [errors.Is]; [ValidateInvites] and [ValidateList] return it, [Client.Create] and
// reconcile.NewPlan wrap it (use [errors.As]). A program that reads invites from a file maps
// each problem's Index to its line, as the tsinvites command does:
//
//	var inErr *tsinvites.InputError
//	if errors.As(err, &inErr) {
//		for _, p := range inErr.Problems {
//			fmt.Printf("line %d: %s\n", lines[p.Index], p.Reason)
//		}
//	}
type InputError struct {
	// Problems are what is wrong, in list order; an item may have several (its role,
	// its email).
	Problems []InputProblem
}

// InputProblem is one problem of one item of a list.
type InputProblem struct {
	// Index is the position of the item in the list, from 0.
	Index int
	// Field is the field at fault: "email" or "role".
	Field string
	// Email is the item's email as given.
	Email string
	// Reason says what is wrong, and not where: the same words in the SDK, the engine
	// and the CLI, such as `unknown role "boss" (want one of member, admin, ...)` or
	// `duplicate email "ann@example.com"`. Values in it are quoted and escaped.
	Reason string
	// First is, for a duplicate email, the Index of the item whose email this one
	// repeats (ASCII letters compared without case); -1 for other problems.
	First int
}

// text is the problem with its position from 1: "invite 3: duplicate email
// "ann@example.com" (first as invite 1)".
func (p InputProblem) text() string {
	s := fmt.Sprintf("invite %d: %s", p.Index+1, p.Reason)
	if p.First >= 0 {
		s += fmt.Sprintf(" (first as invite %d)", p.First+1)
	}
	return s
}

// maxShownInputProblems caps the problems InputError's text lists.
const maxShownInputProblems = 10

// Error lists the problems, the first ten of them: "invalid input: invite 1: ...;
// invite 3: ...".
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalidInput.Error() + ": ")
	for i, p := range e.Problems {
		if i == maxShownInputProblems {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.text())
	}
	return b.String()
}

// Is reports whether target is [ErrInvalidInput].
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// ValidateInvites checks invites as [Client.Create] does before sending anything and
// returns an [*InputError] listing every problem, or nil: each invite must be valid
// (see [CreateUserInviteRequest.Validate]), and no email may appear twice (ASCII letters
// compared without case). An empty email is valid: an invite to share by hand.
func ValidateInvites(invites []CreateUserInviteRequest) error {
	return checkList(invites, false).orNil()
}

// ValidateList checks a list of people, as reconcile.NewPlan (its list and
// PlanOptions.Keep) and the tsinvites command's files do: the rules of
// [ValidateInvites], and every invite needs an email (role "" means member). It returns
// an [*InputError] listing every problem, or nil.
func ValidateList(desired []CreateUserInviteRequest) error {
	return checkList(desired, true).orNil()
}

// checkList is the one input policy for invites: every problem of every invite, an
// email required when needEmail.
func checkList(invites []CreateUserInviteRequest, needEmail bool) *InputError {
	e := &InputError{}
	first := map[string]int{} // email key → the index it was first at (grown as needed: a list of bad emails needs none)
	for i, inv := range invites {
		if msg := roleReason(inv.Role); msg != "" {
			e.add(InputProblem{Index: i, Field: "role", Email: inv.Email, Reason: msg, First: -1})
		}
		if msg := emailReason(inv.Email, needEmail); msg != "" {
			e.add(InputProblem{Index: i, Field: "email", Email: inv.Email, Reason: msg, First: -1})
			continue
		}
		key, ok := identity.Key(inv.Email)
		if !ok { // an empty email, valid here
			continue
		}
		if j, dup := first[key]; dup {
			e.add(InputProblem{Index: i, Field: "email", Email: inv.Email,
				Reason: "duplicate email " + textsafe.Quote(inv.Email, shownLen), First: j})
			continue
		}
		first[key] = i
	}
	return e
}

// add adds a problem, doubling the room when it is full (append grows a long slice by
// a quarter, which for 100,000 problems allocates five times their size in all).
func (e *InputError) add(p InputProblem) {
	if len(e.Problems) == cap(e.Problems) {
		e.Problems = slices.Grow(e.Problems, max(len(e.Problems), 8))
	}
	e.Problems = append(e.Problems, p)
}

// orNil is e, or nil (not a nil *InputError) when it has no problem.
func (e *InputError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Validate reports what is wrong with the request, as [Client.Create] checks it before
// sending: a role an invite cannot give (an unknown one, or owner), or an email that is
// not a bare address such as "amelie@example.com", is longer than 254 bytes,
// has white space before or after it, or holds an invisible character (a zero-width
// space, a soft hyphen, a no-break space, ...) that makes it look like another address.
// An empty email and an empty role (member) are valid. The error's text is the reason
// alone (the [InputProblem] Reason of [ValidateInvites]); it matches
// [ErrInvalidInput] with [errors.Is].
func (r CreateUserInviteRequest) Validate() error {
	if e := checkList([]CreateUserInviteRequest{r}, false); len(e.Problems) > 0 {
		return &reasonError{msg: e.Problems[0].Reason}
	}
	return nil
}

// checkInvites checks the invites of one create before anything is sent (see
// ValidateInvites); the error names op.
func checkInvites(op operation, invites []CreateUserInviteRequest) error {
	if len(invites) == 0 {
		return invalid(op, "no invites given")
	}
	if err := ValidateInvites(invites); err != nil {
		return fmt.Errorf("tsinvites: %v: %w", op, err)
	}
	return nil
}

// emailReason says what is wrong with email, or "": "" is wrong only when needEmail.
func emailReason(email string, needEmail bool) string {
	switch {
	case email == "" && needEmail:
		return "no email"
	case email == "" || identity.PlainAddress(email) && len(email) <= maxEmailLen:
		return "" // plain ASCII: net/mail would take it
	case len(email) > maxEmailLen:
		return fmt.Sprintf("the email is longer than %d bytes, the most an address may have", maxEmailLen)
	case strings.TrimSpace(email) != email:
		return "email " + textsafe.Quote(email, shownLen) + " has white space before or after it: remove it"
	}
	if c, found := identity.Invisible(email); found { // it would look like another address
		return "email " + textsafe.Quote(email, shownLen) + " holds an invisible character, " + textsafe.Escape(string(c)) + ": type the address again"
	}
	q := textsafe.Quote(email, shownLen)
	addr, err := mail.ParseAddress(email)
	switch {
	case err != nil:
		return "email " + q + " is not an address: " + err.Error() // one string, not fmt's: a list may have 100,000
	case addr.Name == "" && addr.Address == email:
		return ""
	}
	if s, err := mail.ParseAddress(addr.Address); err != nil || s.Address != addr.Address { // "a b"@x: no bare form
		return fmt.Sprintf("email %s is not a bare address such as amelie@example.com", q)
	}
	return fmt.Sprintf("email %s is not a bare address (did you mean %s?)", q, textsafe.Quote(addr.Address, shownLen))
}

// roleReason says what is wrong with role as an invite's, or "": "" means member.
func roleReason(role UserRole) string {
	switch {
	case role == "" || role.Valid():
		return ""
	case TailnetRoleOf(role) == TailnetRoleOwner:
		return fmt.Sprintf("role %q cannot be given by an invite: transfer ownership in the admin console (an invite's roles are %s)", role, names(userRoleValues))
	}
	return unknownRole(role, userRoleValues)
}

// unknownRole is the reason for a role that is not one of values: `unknown role "boss"
// (want one of member, admin, ...)`. Every such message is made here.
func unknownRole[T ~string](role T, values []T) string {
	return fmt.Sprintf("unknown role %s (want one of %s)", textsafe.Quote(string(role), shownLen), names(values))
}

// Roles lists every known [UserRole], in the order of the API's document (from which it
// is generated).
func Roles() []UserRole { return slices.Clone(userRoleValues) }

// TailnetRoleOf is the user's role that the invite's role r gives: the same name. The
// API has two role types, an invite's [UserRole] (no owner) and a user's [TailnetRole]
// (with owner); they are converted here and nowhere else.
func TailnetRoleOf(r UserRole) TailnetRole { return TailnetRole(r) }

// UserRoleOf is the user's role r as an invite's [UserRole], the type of a plan's
// roles: the same name. The owner's role, which no invite gives, becomes
// UserRole("owner"), which [UserRole.Valid] refuses.
func UserRoleOf(r TailnetRole) UserRole { return UserRole(r) }

// names lists an enum's values for an error: "member, admin, ...".
func names[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
