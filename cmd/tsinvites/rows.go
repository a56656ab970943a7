package main

import (
	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
)

// inviteRow is one invite create sends, and where it came from: a row of a CSV file or
// an --email flag (read by package input), or a --link invite.
type inviteRow struct {
	line    int  // the line in the CSV file, or the position of the --email flag
	fromCSV bool // line is a line of a CSV file
	req     tsinvites.CreateUserInviteRequest
}

// fromInput is create's rows for the rows package input read.
func fromInput(rows []input.Row) []inviteRow {
	out := make([]inviteRow, len(rows))
	for i, r := range rows {
		out[i] = inviteRow{line: r.Line, fromCSV: r.FromFile, req: r.Invite}
	}
	return out
}

// emailRows checks invites given with --email flags (see input.EmailRows).
func emailRows(emails []string, role tsinvites.UserRole) ([]inviteRow, error) {
	rows, err := input.EmailRows(emails, role)
	if err != nil {
		return nil, err
	}
	return fromInput(rows), nil
}
