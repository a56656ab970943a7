package tsinvites

import "fmt"

// String formats the invite for logs and %v with its InviteURL hidden: anyone holding
// that URL can join the tailnet. Read the field itself when you mean to share it.
func (inv UserInvite) String() string {
	url := ""
	if inv.InviteURL != "" {
		url = redacted
	}
	sent := "never"
	if !inv.LastEmailSentAt.IsZero() {
		sent = inv.LastEmailSentAt.Format("2006-01-02T15:04:05Z07:00")
	}
	return fmt.Sprintf("{ID:%s Email:%s Role:%s TailnetID:%d InviterID:%d LastEmailSentAt:%s InviteURL:%s}",
		inv.ID, inv.Email, inv.Role, inv.TailnetID, inv.InviterID, sent, url)
}

// GoString formats the invite for %#v, with its InviteURL hidden as in String.
func (inv UserInvite) GoString() string { return "tsinvites.UserInvite" + inv.String() }
