package contracts

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// source is one Go package as its files say it: doc comments and constants.
type source struct {
	path  string
	types *types.Package
	fset  *token.FileSet
	// docs maps "Name" (a type or constant) and "Type.Field" to the comment above
	// it, or beside it when there is none above.
	docs map[string]string
}

// loadSources type-checks the packages (import paths) from source.
func loadSources(paths ...string) (map[string]*source, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		return nil, fmt.Errorf("contracts: load %v: %w", paths, err)
	}
	out := make(map[string]*source, len(pkgs))
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("contracts: load %s: %v", p.PkgPath, p.Errors[0])
		}
		s := &source{path: p.PkgPath, types: p.Types, fset: p.Fset, docs: map[string]string{}}
		for _, f := range p.Syntax {
			s.readDocs(f)
		}
		out[p.PkgPath] = s
	}
	for _, path := range paths {
		if out[path] == nil {
			return nil, fmt.Errorf("contracts: package %s not loaded", path)
		}
	}
	return out, nil
}

func commentText(groups ...*ast.CommentGroup) string {
	for _, g := range groups {
		if t := strings.TrimSpace(g.Text()); t != "" {
			return t
		}
	}
	return ""
}

func (s *source) readDocs(f *ast.File) {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		var outer *ast.CommentGroup
		if len(gd.Specs) == 1 {
			outer = gd.Doc
		}
		for _, sp := range gd.Specs {
			switch sp := sp.(type) {
			case *ast.TypeSpec:
				s.docs[sp.Name.Name] = commentText(sp.Doc, outer, sp.Comment)
				st, ok := sp.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fld := range st.Fields.List {
					for _, n := range fld.Names {
						s.docs[sp.Name.Name+"."+n.Name] = commentText(fld.Doc, fld.Comment)
					}
				}
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					s.docs[n.Name] = commentText(sp.Doc, sp.Comment, outer)
				}
			}
		}
	}
}

// constInfo is one package-level constant.
type constInfo struct {
	name  string
	value constant.Value
	doc   string
}

// consts returns the package's constants that keep says to keep, in source order.
func (s *source) consts(keep func(name string, t types.Type) bool) []constInfo {
	scope := s.types.Scope()
	var objs []*types.Const
	for _, n := range scope.Names() {
		if c, ok := scope.Lookup(n).(*types.Const); ok && c.Exported() && keep(n, c.Type()) {
			objs = append(objs, c)
		}
	}
	// Source order: by file name, then offset (the files' positions in the FileSet
	// depend on the order they were parsed in).
	slices.SortFunc(objs, func(a, b *types.Const) int {
		pa, pb := s.fset.Position(a.Pos()), s.fset.Position(b.Pos())
		return cmp.Or(strings.Compare(pa.Filename, pb.Filename), pa.Offset-pb.Offset)
	})
	out := make([]constInfo, len(objs))
	for i, c := range objs {
		out[i] = constInfo{name: c.Name(), value: c.Val(), doc: s.docs[c.Name()]}
	}
	return out
}

// ofType keeps the constants of the named type pkgPath.name.
func ofType(pkgPath, name string) func(string, types.Type) bool {
	return func(_ string, t types.Type) bool {
		n, ok := t.(*types.Named)
		return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath
	}
}

// limits keeps the untyped numeric constants named Max….
func limits(name string, t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && strings.HasPrefix(name, "Max") && b.Info()&types.IsNumeric != 0
}

// number formats a numeric constant as a TypeScript literal; it must be an
// integer a JavaScript number holds exactly.
func number(v constant.Value) (string, error) {
	i := constant.ToInt(v)
	if i.Kind() != constant.Int {
		return "", fmt.Errorf("contracts: %s is not an integer", v)
	}
	n, exact := constant.Int64Val(i)
	if !exact || n > 1<<53-1 || n < -(1<<53-1) {
		return "", fmt.Errorf("contracts: %s does not fit a JavaScript number", v)
	}
	return fmt.Sprint(n), nil
}
