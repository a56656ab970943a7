// Package input reads the lists of invites the CLI is given: CSV files (create
// --from-csv, plan and apply), YAML and JSON lists (plan and apply) and --email flags.
// It checks every invite before anything is sent, and returns either invites that are
// all valid or an [*Error] listing every problem with its line. It knows nothing of the
// command line's parser or of the terminal: the CLI prints what it returns.
//
// Every reader is bounded (see the limits below), so that a wrong or hostile file fails
// fast instead of filling memory.
package input

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/words"
)

// Limits of the readers. Without the limits on rows, a 16 MiB file of commas took
// 1.26 GB as fields before it was refused; with them, the CSV reader holds at most one
// row of 16 KiB and 256 fields at a time (its slice of fields reused from row to row),
// and reads at most MaxInvites rows.
const (
	MaxCSVBytes    = 16 << 20 // a CSV file
	maxCSVRowBytes = 16 << 10 // one row (a valid one has fewer than 300 bytes, an HR export's a few more)
	maxCSVFields   = 256      // fields of one row (email and role, and an HR export's other columns)
	maxEmailLen    = 254      // the longest address SMTP allows

	// MaxJSONBytes caps a JSON file, which is checked whole before its items are
	// decoded one at a time: 4 MiB is some 80,000 invites.
	MaxJSONBytes = 4 << 20
	// MaxYAMLBytes caps a YAML file, which the parser turns whole into a tree of nodes
	// of some 250 bytes each: a file of one-character items ("[a,a,...]", "-\n-\n...")
	// takes 130 times its size. 512 KiB (some 12,000 invites) keeps the worst to the
	// CSV reader's bound; a longer list is CSV or JSON.
	MaxYAMLBytes = 512 << 10
)

// MaxInvites caps the invites of one file, CSV rows or YAML and JSON items, valid or
// not: 1,000 create calls of 100.
const MaxInvites = 100_000

// Row is one invite read, and where it came from.
type Row struct {
	// Line is the line of the file the invite is on (for YAML and JSON, the line its
	// item starts on), or the position of its --email flag, from 1.
	Line int
	// FromFile says that Line is a line of a file, not the position of a flag.
	FromFile bool
	// Invite is a bare address with a known role.
	Invite tsinvites.CreateUserInviteRequest
	// RoleGiven says that the role came from the row (its role cell or key), not from
	// the default: for plan --manage-roles, where a row without a role leaves a user's
	// role as it is.
	RoleGiven bool
}

// File is what ReadCSV and ReadDesired read: the invites, and the names of the CSV
// columns that were not read.
type File struct {
	Rows    []Row
	Ignored []string
}

// IgnoredNote is the line to say (on stderr) about the columns of source that were
// ignored, or "" when there were none.
func (f File) IgnoredNote(source string) string {
	if len(f.Ignored) == 0 {
		return ""
	}
	names := make([]string, len(f.Ignored))
	for i, n := range f.Ignored {
		names[i] = strconv.Quote(shortText(n))
	}
	word := "columns"
	if len(names) == 1 {
		word = "column"
	}
	return fmt.Sprintf("tsinvites: %s: ignoring %s %s: only the email and role columns are read (--email-column and --role-column pick others)",
		source, word, strings.Join(names, ", "))
}

// RoleList lists the known roles for a message: "member, admin, ...".
func RoleList() string {
	var names []string
	for _, r := range tsinvites.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// checkInvite checks one invite as tsinvites.Client.Create will (with
// CreateUserInviteRequest.Validate), and also that its email has a sane length and no
// invisible character; it returns what is wrong (the role first), or "".
func checkInvite(email string, role tsinvites.UserRole) string {
	roleMsg, emailMsg := roleProblem(role), emailProblem(email)
	switch {
	case roleMsg == "":
		return emailMsg
	case emailMsg == "":
		return roleMsg
	}
	return roleMsg + "; " + emailMsg
}

// roleProblem says what is wrong with role, or "".
func roleProblem(role tsinvites.UserRole) string {
	if role.Valid() {
		return ""
	}
	// Said here, shortened: the role may be a whole mangled row.
	return fmt.Sprintf("unknown role %q (want one of %s)", shortText(string(role)), RoleList())
}

// emailProblem says what is wrong with email, or "".
func emailProblem(email string) string {
	switch {
	case email == "":
		return "the email is empty"
	case len(email) > maxEmailLen:
		return fmt.Sprintf("the email is longer than %d characters", maxEmailLen)
	}
	if words.PlainAddress(email) { // plain ASCII: nothing to refuse (Validate's quick path)
		return ""
	}
	// Before Validate, which may refuse it too: this says which character it is.
	if r, ok := words.Invisible(email); ok {
		return fmt.Sprintf("email %s holds an invisible character, %s: type the address again", quoteInvisible(shortText(email)), escapeRune(r))
	}
	if err := (tsinvites.CreateUserInviteRequest{Email: email}).Validate(); err != nil {
		return err.Error()
	}
	return ""
}

// quoteInvisible quotes s as %q does, and also escapes the invisible characters %q
// leaves as they are (such as the Hangul filler U+3164, a letter).
func quoteInvisible(s string) string {
	var b strings.Builder
	for _, r := range strconv.Quote(s) {
		if _, ok := words.Invisible(string(r)); ok {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeRune is r as a Go escape: \u200b.
func escapeRune(r rune) string {
	q := strconv.QuoteRuneToASCII(r)
	return q[1 : len(q)-1]
}

// duplicateEmail says that email is a duplicate when firstLine (email key → the line
// it was first on) has it, or records it as first on line and returns "". An empty
// email is neither. where says where the first one was, such as "on line" for a line
// of a file ("first on line 3").
func duplicateEmail(firstLine map[string]int, email string, line int, where string) string {
	if email == "" {
		return ""
	}
	key := words.EmailKey(email)
	if first, dup := firstLine[key]; dup {
		return fmt.Sprintf("duplicate email %q (first %s %d)", shortText(email), where, first)
	}
	firstLine[key] = line
	return ""
}

// EmailRows checks invites given with --email flags, as ReadCSV checks a file's rows;
// role "" means member. The error is an *Error whose problems name the flags.
func EmailRows(emails []string, role tsinvites.UserRole) ([]Row, error) {
	if role == "" {
		role = tsinvites.UserRoleMember
	}
	bad := &Error{source: "--email", unit: "--email"}
	var rows []Row
	firstFlag := map[string]int{} // email key → the --email it was first in
	for i, raw := range emails {
		email := strings.TrimSpace(raw)
		if msg := checkInvite(email, role); msg != "" {
			bad.add(i+1, "%s", msg)
			continue
		}
		if msg := duplicateEmail(firstFlag, email, i+1, "as --email"); msg != "" {
			bad.add(i+1, "%s", msg)
			continue
		}
		rows = append(rows, Row{Line: i + 1, Invite: tsinvites.CreateUserInviteRequest{Email: email, Role: role}})
	}
	if bad.Count() > 0 {
		return nil, bad
	}
	return rows, nil
}

// shortText cuts s for an error message.
func shortText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
