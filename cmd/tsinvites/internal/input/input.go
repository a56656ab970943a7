// Package input reads the lists of invites the CLI is given: CSV files (create
// --from-csv, plan and apply), YAML and JSON lists (plan and apply) and --email flags;
// and the lists of device shares of shares plan and apply (ReadShares), on the same
// machinery.
// It checks every invite before anything is sent, and returns either invites that are
// all valid or an [*Error] listing every problem with its line. It knows nothing of the
// command line's parser or of the terminal: the CLI prints what it returns.
//
// Every reader is bounded (see the limits below), so that a wrong or hostile file fails
// fast instead of filling memory.
package input

import (
	"fmt"
	"strings"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// Limits of the readers. Without the limits on rows, a 16 MiB file of commas took
// 1.26 GB as fields before it was refused; with them, the CSV reader holds at most one
// row of 16 KiB and 256 fields at a time (its slice of fields reused from row to row),
// and reads at most MaxInvites rows.
const (
	MaxCSVBytes    = 16 << 20 // a CSV file
	maxCSVRowBytes = 16 << 10 // one row (a valid one has fewer than 300 bytes, an HR export's a few more)
	maxCSVFields   = 256      // fields of one row (email and role, and an HR export's other columns)

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
		names[i] = quoted(n)
	}
	word := "columns"
	if len(names) == 1 {
		word = "column"
	}
	return fmt.Sprintf("tsinvites: %s: ignoring %s %s: only the email and role columns are read (--email-column and --role-column pick others)",
		source, word, strings.Join(names, ", "))
}

// RoleList lists the known roles for a message: "member, admin, ...", from the
// generated enum (tsinvites.Roles). Messages about roles come from the SDK's policy
// (tsinvites.ValidateList); this is for the flags' help.
func RoleList() string {
	var names []string
	for _, r := range tsinvites.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// EmailRows checks invites given with --email flags, as ReadCSV checks a file's rows
// (with tsinvites.ValidateList: an email is taken as it is given, white space
// included); role "" means member. The error is an *Error whose problems name the
// flags.
func EmailRows(emails []string, role tsinvites.UserRole) ([]Row, error) {
	if role == "" {
		role = tsinvites.UserRoleMember
	}
	c := &checker{bad: &Error{source: "--email", unit: "--email"}, where: "as --email"}
	for i, email := range emails {
		c.add(i+1, tsinvites.CreateUserInviteRequest{Email: email, Role: role}, false, "")
	}
	rows := c.finish(nil)
	if c.bad.Count() > 0 {
		return nil, c.bad
	}
	for i := range rows {
		rows[i].FromFile = false
	}
	return rows, nil
}

// quoted is s for a message: cut to 40 characters, quoted and escaped.
func quoted(s string) string { return textsafe.Quote(s, 40) }
