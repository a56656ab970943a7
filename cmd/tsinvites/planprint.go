package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// printPlan prints plan in the output format: as text (coloured when w is a terminal
// and NO_COLOR is not set), JSON or CSV.
func (o *options) printPlan(plan *reconcile.Plan, w io.Writer, tty bool) error {
	p := o.printer()
	switch {
	case o.output == "json":
		return p.json(plan)
	case o.output == "csv" && plan.DeviceShares:
		return p.sharePlanCSV(plan)
	case o.output == "csv":
		cw := newCSVWriter(p.stdout)
		header := []string{"action", "email", "role", "oldRole", "inviteId", "lastEmailSentAt", "reason"}
		if plan.Options.ChangesUsers() {
			header = append(header, "userId")
		}
		_ = cw.Write(header)
		for _, ch := range plan.Changes {
			sent := ""
			if !ch.LastEmailSentAt.IsZero() {
				sent = ch.LastEmailSentAt.UTC().Format(time.RFC3339)
			}
			row := []string{string(ch.Action), ch.Email, string(ch.Role), string(ch.OldRole), ch.InviteID, sent, ch.Reason}
			if plan.Options.ChangesUsers() {
				row = append(row, ch.UserID)
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	o.writePlanText(w, plan, tty)
	return nil
}

// sharePlanCSV prints a plan of device shares as CSV: a row per change.
func (p *printer) sharePlanCSV(plan *reconcile.Plan) error {
	cw := newCSVWriter(p.stdout)
	_ = cw.Write([]string{"action", "deviceId", "deviceName", "email", "allowExitNode", "inviteId", "lastEmailSentAt", "reason"})
	for _, ch := range plan.Changes {
		_ = cw.Write([]string{string(ch.Action), ch.DeviceID, ch.DeviceName, ch.Email, strconv.FormatBool(ch.AllowExitNode), ch.InviteID, rfc3339(ch.LastEmailSentAt), ch.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// writePlanText writes the plan as Plan.String does (a line per change, one per joined
// person worth a look, the summary) to w, each line coloured by its mark when w is a
// terminal and neither NO_COLOR (https://no-color.org) nor TERM=dumb says otherwise.
func (o *options) writePlanText(w io.Writer, plan *reconcile.Plan, tty bool) {
	colors := map[string]*color.Color{
		"+ ": color.New(color.FgGreen),   // create
		"~ ": color.New(color.FgYellow),  // recreate
		"> ": color.New(color.FgCyan),    // resend
		"- ": color.New(color.FgRed),     // delete
		"= ": color.New(color.FgMagenta), // joined
		"^ ": color.New(color.FgGreen),   // approve
		"* ": color.New(color.FgYellow),  // set-role
		"! ": color.New(color.FgRed),     // suspend
		"& ": color.New(color.FgCyan),    // restore
	}
	on := tty && o.env.getenv("NO_COLOR") == "" && o.env.getenv("TERM") != "dumb"
	for _, c := range colors { // per color, never the package's global switch
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	for line := range strings.SplitSeq(printablePlan(plan).String(), "\n") {
		if c := colors[line[:min(2, len(line))]]; c != nil {
			line = c.Sprint(line)
		}
		fmt.Fprintln(w, line)
	}
}

// warn prints the plan's warnings on stderr (a login name that matches nobody, a near
// match, a --keep that matches no member).
func (o *options) warn(plan *reconcile.Plan) {
	for _, w := range plan.Warnings {
		printLine(o.env.stderr, "tsinvites: warning: %s", w)
	}
}

// printablePlan is a copy of plan whose texts (from the server or the file) are made
// printable, so that its String has no line ends but its own.
func printablePlan(plan *reconcile.Plan) *reconcile.Plan {
	p := *plan
	p.Warnings = nil // said on stderr (warn)
	p.Changes, p.Held = slices.Clone(plan.Changes), slices.Clone(plan.Held)
	for _, changes := range [][]reconcile.Change{p.Changes, p.Held} {
		for i, ch := range changes {
			ch.Email, ch.InviteID, ch.Reason, ch.UserID = printable(ch.Email), printable(ch.InviteID), printable(ch.Reason), printable(ch.UserID)
			ch.Role, ch.OldRole = tsinvites.UserRole(printable(string(ch.Role))), tsinvites.UserRole(printable(string(ch.OldRole)))
			changes[i] = ch
		}
	}
	p.Joined = slices.Clone(plan.Joined)
	for i, j := range p.Joined {
		j.Email, j.UserID = printable(j.Email), printable(j.UserID)
		j.Role, j.UserRole, j.Status = tsinvites.UserRole(printable(string(j.Role))), tsinvites.TailnetRole(printable(string(j.UserRole))), tsinvites.UserStatus(printable(string(j.Status)))
		j.OpenInvites = slices.Clone(j.OpenInvites)
		for k, id := range j.OpenInvites {
			j.OpenInvites[k] = printable(id)
		}
		p.Joined[i] = j
	}
	return &p
}
