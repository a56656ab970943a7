package tsinvites_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGlueAllUsed: every function and variable of glue.gen.go is used by hand-written
// code of this package (tests do not count). staticcheck skips generated files, so
// without this test a call or an enum list that nothing uses goes unnoticed. A call
// unused means a wrapper method is missing for an operation the selection (make spec)
// added: the message names each one.
func TestGlueAllUsed(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	glue, err := parser.ParseFile(fset, "glue.gen.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	used, err := handWrittenIdents(fset, ".")
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	for _, decl := range glue.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			declared++
			if !used[d.Name.Name] {
				t.Errorf("glue.gen.go has the call %s, which no wrapper method makes: add the method for this operation to wrapper.go "+
					"(or, if the method passes the operation's query parameters to the generated client itself, list the operation "+
					"in exclude-operation-ids in api/glue.cfg.yaml)", d.Name.Name)
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, spec := range d.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					declared++
					if !used[name.Name] {
						t.Errorf("glue.gen.go has the variable %s, which no hand-written code uses: use it, or remove its enum from the list in api/templates/glue-enums.tmpl", name.Name)
					}
				}
			}
		}
	}
	if declared == 0 {
		t.Error("glue.gen.go declares no function or variable: is it the glue?")
	}
}

// handWrittenIdents returns the names of every identifier in the package's hand-written
// files in dir: neither generated (*.gen.go) nor tests.
func handWrittenIdents(fset *token.FileSet, dir string) (map[string]bool, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, path := range paths {
		if strings.HasSuffix(path, ".gen.go") || strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
	}
	return used, nil
}
