package tsinvites_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites"
)

// A create answered with more invites than asked for returns the paired ones, an error
// matching ErrMayHaveCreated, and the extra invite through UnpairedInvites, whose URL
// no text of the error shows (issue 20, item 5).
func TestCreateAnswerWithMoreInvitesGivesTheUnpaired(t *testing.T) {
	t.Parallel()
	const url3 = "https://login.tailscale.com/uinv/third0123456789"
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"1","role":"member","inviteUrl":"https://login.tailscale.com/uinv/first"},`+
			`{"id":"2","role":"member","inviteUrl":"https://login.tailscale.com/uinv/second"},`+
			`{"id":"3","role":"member","inviteUrl":"`+url3+`"}]`)
	})
	got, err := c.Create(t.Context(), tsinvites.CreateUserInviteRequest{}, tsinvites.CreateUserInviteRequest{})
	if !errors.Is(err, tsinvites.ErrMayHaveCreated) || !strings.Contains(err.Error(), `invite "3"`) {
		t.Errorf("err = %v, want ErrMayHaveCreated naming invite 3", err)
	}
	if len(got) != 2 || got[0].ID != "1" || got[1].ID != "2" {
		t.Errorf("created = %v, want invites 1 and 2 paired", got)
	}
	extra := tsinvites.UnpairedInvites(err)
	if len(extra) != 1 || extra[0].ID != "3" || extra[0].InviteURL != url3 {
		t.Errorf("UnpairedInvites = %v, want invite 3 with its URL", extra)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, err); strings.Contains(s, "uinv") {
			t.Errorf("%s of the error shows an invite URL: %s", format, s)
		}
	}
	if tsinvites.UnpairedInvites(nil) != nil || tsinvites.UnpairedInvites(errors.New("other")) != nil {
		t.Error("UnpairedInvites of an error without unpaired invites is not nil")
	}
}
