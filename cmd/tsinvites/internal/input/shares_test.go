package input

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/reconcile"
)

// TestReadShares: the same shares read from CSV (other columns ignored, any case and
// order), YAML and JSON (allowExitNode a boolean or its text), each with its line.
func TestReadShares(t *testing.T) {
	t.Parallel()
	want := []ShareRow{
		{Line: 2, Share: reconcile.Share{Device: "tag:ci", Email: "a@partner.org"}},
		{Line: 3, Share: reconcile.Share{Device: "build-1", Email: "b@partner.org", AllowExitNode: true}},
	}
	files := map[string]string{
		"shares.csv":  "Note,Email,DEVICE,allowExitNode\nx,a@partner.org,tag:ci,\ny,b@partner.org,build-1,yes\n",
		"shares.yaml": "- {device: tag:ci, email: a@partner.org}\n- device: build-1\n  email: b@partner.org\n  allowExitNode: true\n",
		"shares.json": "[\n{\"device\": \"tag:ci\", \"email\": \"a@partner.org\", \"allowExitNode\": null},\n{\"Device\": \"build-1\", \"email\": \"b@partner.org\", \"allowExitNode\": true}]\n",
	}
	for name, content := range files {
		f, err := ReadShares(strings.NewReader(content), name, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		wantLines := want
		if name == "shares.yaml" {
			wantLines = []ShareRow{{Line: 1, Share: want[0].Share}, {Line: 2, Share: want[1].Share}}
		}
		if diff := cmp.Diff(wantLines, f.Rows); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
		if ignored := f.IgnoredNote(); (name == "shares.csv") != strings.Contains(ignored, `"Note"`) {
			t.Errorf("%s: ignored note %q", name, ignored)
		}
	}
}

// TestReadSharesProblems: every problem of a file is reported at once, on its line: the
// emails by the SDK's policy (through reconcile.ValidateShares), a person twice on one
// device, a bad allowExitNode, a row of the wrong width; nothing is returned.
func TestReadSharesProblems(t *testing.T) {
	t.Parallel()
	in := "device,email,allowExitNode\ntag:ci,a@partner.org,\ntag:ci,A@partner.org,\nbuild-1,not-an-address,\nbuild-1,c@partner.org,maybe\nbuild-1\n,d@partner.org,\n"
	_, err := ReadShares(strings.NewReader(in), "shares.csv", "")
	var bad *Error
	if !errors.As(err, &bad) {
		t.Fatalf("error %v, want an *Error", err)
	}
	msg := err.Error()
	for _, want := range []string{"5 problems", "line 3: ", "(first on line 2)", "line 4: ", "line 5: allowExitNode \"maybe\"", "line 6: 1 field, the header has 3", "line 7: no device given"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	for _, in := range []string{"", "email\na@partner.org\n", "device,email\n", "[]", "- email: a@partner.org\n  role: admin\n"} {
		if _, err := ReadShares(strings.NewReader(in), "-", ""); !errors.As(err, &bad) {
			t.Errorf("%q: error %v, want an *Error", in, err)
		}
	}
}

// TestShareFileLineError: a problem NewSharePlan finds with a share (its Index in the
// list) is reported on the share's line of the file.
func TestShareFileLineError(t *testing.T) {
	t.Parallel()
	f, err := ReadShares(strings.NewReader("device,email\nbuild-1,a@partner.org\nnowhere,b@partner.org\n"), "shares.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	planErr := &tsinvites.InputError{Problems: []tsinvites.InputProblem{{Index: 1, Field: "device", Reason: "no device has the ID, name or hostname \"nowhere\"", First: -1}}}
	got := f.LineError(planErr).Error()
	if !strings.Contains(got, "shares.csv (read as CSV): 1 problem") || !strings.Contains(got, "line 3: no device has") {
		t.Errorf("LineError = %q, want the problem on line 3", got)
	}
	other := errors.New("other")
	if f.LineError(other) != other {
		t.Error("LineError changed an error that is no input error")
	}
}

// FuzzReadShares: whatever the input, ReadShares returns shares that all pass
// reconcile.ValidateShares, in line order, or an *Error with no shares (or, for a bad
// format, an error that says so); it never panics.
func FuzzReadShares(f *testing.F) {
	for _, seed := range []struct{ in, source, format string }{
		{"device,email,allowExitNode\ntag:ci,a@partner.org,\nbuild-1,b@partner.org,yes\n", "in.csv", ""},
		{"Email,DEVICE\na@partner.org,tag:ci\nA@partner.org,tag:ci\n", "-", ""},
		{"- device: tag:ci\n  email: a@partner.org\n  allowExitNode: true\n", "in.yaml", ""},
		{"[{\"device\": \"x\", \"email\": \"a@partner.org\", \"allowExitNode\": false}, {\"device\": 1}]", "in.json", ""},
		{"\"device\nemail", "in.csv", ""},
		{"", "-", "xml"},
	} {
		f.Add([]byte(seed.in), seed.source, seed.format)
	}
	f.Fuzz(func(t *testing.T, in []byte, source, format string) {
		file, err := ReadShares(strings.NewReader(string(in)), source, format)
		if err != nil {
			var ie *Error
			if file.Rows != nil || !errors.As(err, &ie) && !strings.Contains(err.Error(), "unknown format") {
				t.Fatalf("rows %v with error %v", file.Rows, err)
			}
			return
		}
		if verr := reconcile.ValidateShares(file.Shares()); verr != nil {
			t.Fatalf("shares read that the policy refuses: %v", verr)
		}
		for i := 1; i < len(file.Rows); i++ {
			if file.Rows[i].Line < file.Rows[i-1].Line {
				t.Fatalf("lines out of order: %v", file.Rows)
			}
		}
	})
}
