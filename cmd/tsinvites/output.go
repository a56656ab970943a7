package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tsinvites/tsinvites/internal/textsafe"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/cmd/tsinvites/internal/input"
)

// printer writes data in the chosen output format.
type printer struct {
	format   string // table, json or csv
	showURLs bool
	now      time.Time
	stdout   io.Writer
	stderr   io.Writer
}

func (o *options) printer() *printer {
	return &printer{format: o.output, showURLs: o.showURLs, now: o.env.now(), stdout: o.env.stdout, stderr: o.env.stderr}
}

// visible returns inv as it may be printed: without its URL unless --show-urls.
func (p *printer) visible(inv tsinvites.UserInvite) tsinvites.UserInvite {
	if !p.showURLs {
		inv.InviteURL = ""
	}
	return inv
}

// invites prints invites: a table, a JSON array with the API's field names, or CSV.
// When URLs are hidden, a note on stderr says how many there are and how to see them.
func (p *printer) invites(invites []tsinvites.UserInvite) error {
	var err error
	switch p.format {
	case "json":
		out := make([]tsinvites.UserInvite, 0, len(invites))
		for _, inv := range invites {
			out = append(out, p.visible(inv))
		}
		err = p.json(out)
	case "csv":
		w := newCSVWriter(p.stdout)
		header := []string{"id", "email", "role", "lastEmailSentAt"}
		if p.showURLs {
			header = append(header, "inviteUrl")
		}
		_ = w.Write(header)
		for _, inv := range invites {
			sent := ""
			if !inv.LastEmailSentAt.IsZero() {
				sent = inv.LastEmailSentAt.UTC().Format(time.RFC3339)
			}
			_ = w.Write(p.withURL([]string{inv.ID, inv.Email, string(inv.Role), sent}, &inv))
		}
		w.Flush()
		err = w.Error()
	default:
		if len(invites) == 0 {
			fmt.Fprintln(p.stderr, "No invites.")
			return nil
		}
		tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
		header := "ID\tEMAIL\tROLE\tLAST SENT"
		if p.showURLs {
			header += "\tINVITE URL"
		}
		fmt.Fprintln(tw, header)
		for _, inv := range invites {
			line := fmt.Sprintf("%s\t%s\t%s\t%s", printable(inv.ID), printable(orDash(inv.Email)), printable(string(inv.Role)), ago(inv.LastEmailSentAt, p.now))
			if p.showURLs {
				line += "\t" + printable(orDash(inv.InviteURL))
			}
			fmt.Fprintln(tw, line)
		}
		err = tw.Flush()
	}
	p.urlNote(invites)
	return err
}

// withURL appends the invite's URL (empty without an invite) to a CSV row when
// --show-urls asks for it.
func (p *printer) withURL(row []string, inv *tsinvites.UserInvite) []string {
	if !p.showURLs {
		return row
	}
	url := ""
	if inv != nil {
		url = inv.InviteURL
	}
	return append(row, url)
}

// urlNote says on stderr that invite URLs were hidden, and how to see them.
func (p *printer) urlNote(invites []tsinvites.UserInvite) {
	if p.showURLs {
		return
	}
	n := 0
	for _, inv := range invites {
		if inv.InviteURL != "" {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(p.stderr, "tsinvites: %s an invite URL, hidden: anyone holding one can join the tailnet; add --show-urls to see them\n", textsafe.Plural(n, "invite has", "invites have"))
	}
}

// json prints v as one indented JSON document.
func (p *printer) json(v any) error {
	enc := json.NewEncoder(p.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ago describes t relative to now: "never", "just now", "5 minutes ago", "3 days ago",
// or the date for anything older than 30 days.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return textsafe.Plural(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 24*time.Hour:
		return textsafe.Plural(int(d/time.Hour), "hour", "hours") + " ago"
	case d < 30*24*time.Hour:
		return textsafe.Plural(int(d/(24*time.Hour)), "day", "days") + " ago"
	}
	return t.UTC().Format(time.DateOnly)
}

// csvWriter writes CSV for spreadsheets, as encoding/csv's Writer does (quoting a cell
// that holds a comma, a quote, a line end or starts with a space, "\n" line ends), with
// two changes for cells that come from the server:
//   - A cell that a spreadsheet would take for a formula (it starts with =, +, -, @, a
//     tab or a carriage return: an email such as "=HYPERLINK(...)@example.com" is a valid
//     address) gets a leading ', as OWASP advises against CSV injection; the spreadsheet
//     then shows the text as it is (input.DefuseCell; the CLI's CSV reader takes the '
//     off again, input.RestoreCell, so that what it writes it reads back).
//   - A cell holding a character that printable escapes (an escape sequence, a bidi
//     override) is quoted too, and kept as it is: CSV is data.
type csvWriter struct{ w *bufio.Writer }

func newCSVWriter(w io.Writer) csvWriter { return csvWriter{bufio.NewWriter(w)} }

// Write writes row, defusing its cells (in place). Its error, like Flush's and Error's,
// is the first error writing to the underlying writer.
func (w csvWriter) Write(row []string) error {
	for i, cell := range row {
		if i > 0 {
			_ = w.w.WriteByte(',')
		}
		cell = input.DefuseCell(cell)
		row[i] = cell
		if csvNeedsQuotes(cell) {
			_, _ = w.w.WriteString(`"` + strings.ReplaceAll(cell, `"`, `""`) + `"`)
		} else {
			_, _ = w.w.WriteString(cell)
		}
	}
	return w.w.WriteByte('\n')
}

// Flush writes what is buffered to the underlying writer.
func (w csvWriter) Flush() { _ = w.w.Flush() }

// Error is the first error of Write or Flush.
func (w csvWriter) Error() error {
	_, err := w.w.Write(nil)
	return err
}

// csvNeedsQuotes reports whether a cell is written quoted: as encoding/csv decides, or
// when it holds a character that printable escapes.
func csvNeedsQuotes(cell string) bool {
	if cell == "" {
		return false
	}
	if cell == `\.` || strings.ContainsAny(cell, ",\"\r\n") || needsEscape(cell) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(cell)
	return unicode.IsSpace(r)
}
