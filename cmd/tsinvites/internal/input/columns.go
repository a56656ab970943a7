package input

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// Columns says which columns of a CSV file hold the email and the role
// (--email-column, --role-column), matched without case and surrounding spaces; ""
// means "email" and "role". The role column is optional unless named. IgnoreRole
// (--ignore-role-column) reads no role column at all: every invite gets the default
// role.
type Columns struct {
	Email, Role string
	IgnoreRole  bool
}

// Given reports whether any of the columns' flags was given.
func (c Columns) Given() bool { return c.Email != "" || c.Role != "" || c.IgnoreRole }

// Check refuses the same name for both columns, and a role column named and ignored.
func (c Columns) Check() error {
	switch {
	case c.IgnoreRole && c.Role != "":
		return errors.New("--role-column names the column of roles, --ignore-role-column reads none: give one of them")
	case c.Given() && strings.EqualFold(strings.TrimSpace(c.emailName()), strings.TrimSpace(cmp.Or(c.Role, "role"))):
		return fmt.Errorf("--email-column and --role-column name the same column, %s", quoted(c.Email+c.Role))
	}
	return nil
}

// emailName is the name of the email column, as given.
func (c Columns) emailName() string { return cmp.Or(c.Email, "email") }

// key is how a column's name in a header or a flag is matched.
func key(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
