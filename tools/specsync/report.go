package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Change is one difference between two versions of api/openapi.yaml.
type Change struct {
	ID        string // oasdiff's rule, e.g. "response-optional-property-removed"
	Level     string // oasdiff's level: error, warning or info
	Operation string // "GET /user-invites/{userInviteId}", or "" for a component
	Text      string
	Breaking  bool
}

// Report is the list of changes, in oasdiff's order.
type Report struct {
	Changes []Change
}

// Breaking returns the breaking changes; none for a nil report.
func (r *Report) Breaking() []Change {
	if r == nil {
		return nil
	}
	var b []Change
	for _, c := range r.Changes {
		if c.Breaking {
			b = append(b, c)
		}
	}
	return b
}

// Find returns the changes with the rule id.
func (r *Report) Find(id string) []Change {
	var found []Change
	for _, c := range r.Changes {
		if c.ID == id {
			found = append(found, c)
		}
	}
	return found
}

// Write prints the report for a human.
func (r *Report) Write(w io.Writer) { r.WriteExcept(w, nil) }

// WriteExcept prints the report for a human, leaving out the changes that shown has
// too, word for word (it says how many).
func (r *Report) WriteExcept(w io.Writer, shown *Report) {
	if len(r.Changes) == 0 {
		fmt.Fprintln(w, "  none: the document means the same as before.")
		return
	}
	fmt.Fprintf(w, "  %d change(s), %d breaking for the SDK (BREAKING: oasdiff error or warning, a name the\n  generated Go code had is gone, a generated method's signature changes, or the server's\n  path moves)", len(r.Changes), len(r.Breaking()))
	var same int
	var rest []Change
	for _, c := range r.Changes {
		if shown != nil && slices.Contains(shown.Changes, c) {
			same++
			continue
		}
		rest = append(rest, c)
	}
	switch {
	case same > 0 && len(rest) == 0:
		fmt.Fprintln(w, "; all as listed above.")
	case same > 0:
		fmt.Fprintf(w, "; %d as listed above, the others:\n", same)
	default:
		fmt.Fprintln(w, ":")
	}
	for _, c := range rest {
		mark := "        "
		if c.Breaking {
			mark = "BREAKING"
		}
		where := c.Operation
		if where == "" {
			where = "components"
		}
		fmt.Fprintf(w, "  %s %-7s %s: %s [%s]\n", mark, c.Level, where, c.Text, c.ID)
	}
}

// sdkLevels lowers oasdiff's level of the changes that are additions for a generated
// SDK: a new enum value in an answer is an error for clients that switch on every value,
// but the generated type is a string, a value it does not know already decodes, and the
// regenerated code gains its constant.
var sdkLevels = map[string]checker.Level{
	checker.ResponsePropertyEnumValueAddedId:  checker.INFO,
	checker.ResponseMediaTypeEnumValueAddedId: checker.INFO,
}

// Compare reports what changed from the document before to the document after, with
// oasdiff's diff and its backward-compatibility rules (all of them, down to info, at the
// levels of sdkLevels).
//
// oasdiff judges compatibility for API clients in general. For a generated SDK, a name
// that disappears breaks the users' code even where the wire stays compatible (a
// removed response property or enum value removes a Go field or constant), so Breaking
// is set for oasdiff's errors and warnings and for every "-removed" change.
func Compare(before, after []byte) (*Report, error) {
	s1, err := load.NewSpecInfoFromData(openapi3.NewLoader(), before, "before")
	if err != nil {
		return nil, fmt.Errorf("load the previous document: %w", err)
	}
	s2, err := load.NewSpecInfoFromData(openapi3.NewLoader(), after, "after")
	if err != nil {
		return nil, fmt.Errorf("load the new document: %w", err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	config := checker.NewConfig(checker.GetAllChecks(), checker.WithSeverityLevels(sdkLevels))
	changes := checker.CheckBackwardCompatibilityUntilLevel(config, d, sources, checker.INFO)
	l := checker.NewDefaultLocalizer()
	r := &Report{}
	for _, c := range changes {
		op := strings.TrimSpace(c.GetOperation() + " " + c.GetPath())
		r.Changes = append(r.Changes, Change{
			ID:        c.GetId(),
			Level:     strings.ToLower(c.GetLevel().String()),
			Operation: op,
			Text:      c.GetUncolorizedText(l),
			Breaking:  c.GetLevel() >= checker.WARN || strings.HasSuffix(c.GetId(), "-removed"),
		})
	}
	return r, nil
}
