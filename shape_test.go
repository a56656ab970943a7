package tsinvites_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The root package stays the card's thin wrapper: at most 1,550+300 hand-written lines
// outside tests, at most 54+10 exported names (methods of exported types included), and
// no import of the engine (reconcile) or the CLI, which build on it. (Issue 24 put the
// one input policy in the root: InputError, InputProblem, ValidateInvites, ValidateList
// and the role conversions, 150 lines and 8 names over the earlier 1,400 and 45; and
// Client.RetryPolicy, which reconcile.Client needs to wait as long as the client does.
// Issue 26's device family adds 300 lines and 10 names: seven operations,
// DeviceInvite's String and GoString, UnpairedDeviceInvites.)
func TestRootStaysThin(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	lines, exported := 0, []string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".gen.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines += strings.Count(string(src), "\n")
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "github.com/tsinvites/tsinvites/reconcile") || strings.HasPrefix(p, "github.com/tsinvites/tsinvites/cmd") {
				t.Errorf("%s imports %s: the root knows nothing of what builds on it", name, p)
			}
		}
		f, err = parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		exported = append(exported, exportedNames(f)...)
	}
	if lines > 1550+300 {
		t.Errorf("the root's hand-written code is %d lines, over the budget of 1,850: move what a user need not read to internal/", lines)
	}
	if len(exported) > 54+10 {
		t.Errorf("the root's hand-written code exports %d names, over the budget of 64: %v", len(exported), exported)
	}
}

// exportedNames lists the exported declarations of f: types, functions, constants,
// variables, and methods of exported types.
func exportedNames(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv != nil {
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); !ok || !id.IsExported() {
					continue
				}
			}
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						names = append(names, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	return names
}
