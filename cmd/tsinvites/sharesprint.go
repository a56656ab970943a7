package main

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// shareRow is a device invite as the shares commands print it, with the device it is
// of (its nodeId, and name when known: the API's invite gives only the legacy number).
type shareRow struct {
	Device     string `json:"device,omitempty"`
	DeviceName string `json:"deviceName,omitempty"`
	tsinvites.DeviceInvite
}

// visibleShare returns inv as it may be printed: without its URL unless --show-urls.
func (p *printer) visibleShare(inv tsinvites.DeviceInvite) tsinvites.DeviceInvite {
	if !p.showURLs {
		inv.InviteURL = ""
	}
	return inv
}

// shares prints device invites: a table, a JSON array (the API's fields, with device
// and deviceName), or CSV; invite URLs only with --show-urls, a note on stderr otherwise.
func (p *printer) shares(rows []shareRow) error {
	var err error
	switch p.format {
	case "json":
		out := make([]shareRow, len(rows))
		for i, r := range rows {
			r.DeviceInvite = p.visibleShare(r.DeviceInvite)
			out[i] = r
		}
		err = p.json(out)
	case "csv":
		w := newCSVWriter(p.stdout)
		_ = w.Write(p.shareURL([]string{"id", "device", "deviceName", "email", "allowExitNode", "multiUse", "accepted", "acceptedBy", "created", "lastEmailSentAt"}, "inviteUrl"))
		for _, r := range rows {
			inv := r.DeviceInvite
			_ = w.Write(p.shareURL([]string{inv.ID, r.Device, r.DeviceName, inv.Email, strconv.FormatBool(inv.AllowExitNode), strconv.FormatBool(inv.MultiUse),
				strconv.FormatBool(inv.Accepted), inv.AcceptedBy.LoginName, rfc3339(inv.Created), rfc3339(inv.LastEmailSentAt)}, inv.InviteURL))
		}
		w.Flush()
		err = w.Error()
	default:
		if len(rows) == 0 {
			fmt.Fprintln(p.stderr, "No device invites.")
			return nil
		}
		tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(p.shareURL([]string{"ID", "DEVICE", "EMAIL", "EXIT NODE", "STATUS", "LAST SENT"}, "INVITE URL"), "\t"))
		for _, r := range rows {
			inv := r.DeviceInvite
			cells := []string{inv.ID, cmp.Or(r.DeviceName, r.Device), orDash(inv.Email), yesNo(inv.AllowExitNode), shareStatus(inv), ago(inv.LastEmailSentAt, p.now)}
			for i, c := range cells {
				cells[i] = printable(c)
			}
			fmt.Fprintln(tw, strings.Join(p.shareURL(cells, printable(orDash(inv.InviteURL))), "\t"))
		}
		err = tw.Flush()
	}
	p.shareURLNote(rows)
	return err
}

// shareURL appends url to a row when --show-urls asks for it.
func (p *printer) shareURL(row []string, url string) []string {
	if p.showURLs {
		return append(row, url)
	}
	return row
}

// shareURLNote says on stderr that the device invites' URLs were hidden, and how to see
// them.
func (p *printer) shareURLNote(rows []shareRow) {
	n := 0
	for _, r := range rows {
		if r.InviteURL != "" && !r.Accepted {
			n++
		}
	}
	if n > 0 && !p.showURLs {
		fmt.Fprintf(p.stderr, "tsinvites: %s an invite URL, hidden: anyone holding one can use the device; add --show-urls to see them\n", textsafe.Plural(n, "device invite has", "device invites have"))
	}
}

// shareStatus is "pending", "accepted by LOGIN" or "accepted" (no login name given);
// multi-use invites say so.
func shareStatus(inv tsinvites.DeviceInvite) string {
	s := "pending"
	if inv.Accepted {
		s = "accepted"
		if inv.AcceptedBy.LoginName != "" {
			s += " by " + inv.AcceptedBy.LoginName
		}
	}
	if inv.MultiUse {
		s += " (multi-use)"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// rfc3339 is t for CSV, "" when zero.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
