package input

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// RoleGiven tells a role from the row (in any format) from the default member, which
// plan --manage-roles needs: a row without a role keeps a user's role.
func TestRoleGiven(t *testing.T) {
	t.Parallel()
	for format, content := range map[string]string{
		"csv":  "email,role\na@example.com,admin\nb@example.com,\nc@example.com,Member\n",
		"yaml": "- {email: a@example.com, role: admin}\n- email: b@example.com\n- {email: c@example.com, role: member}\n",
		"json": `[{"email": "a@example.com", "role": "admin"}, {"email": "b@example.com", "role": ""}, {"email": "c@example.com", "role": "member"}]`,
	} {
		f, err := ReadDesired(strings.NewReader(content), "people."+format, format, Columns{})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var got []bool
		for _, r := range f.Rows {
			got = append(got, r.RoleGiven)
		}
		if diff := cmp.Diff([]bool{true, false, true}, got); diff != "" || f.Rows[1].Invite.Role != "member" {
			t.Errorf("%s: RoleGiven (-want +got):\n%s(role of the row without one: %q, want member)", format, diff, f.Rows[1].Invite.Role)
		}
	}
	f, err := ReadDesired(strings.NewReader("email\na@example.com\n"), "people.csv", "csv", Columns{})
	if err != nil || f.Rows[0].RoleGiven {
		t.Errorf("a CSV without a role column: %v, RoleGiven %v, want false", err, f.Rows[0].RoleGiven)
	}
}
