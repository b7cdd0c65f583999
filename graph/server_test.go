package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestSelectionDepth(t *testing.T) {
	cases := map[string]int{
		`{me{id}}`: 2,
		`{a b c}`:  1,
		`{group(id:"x"){members{edges{node{enterprise{branding{domains}}}}}}}`:         7,
		`query{...F} fragment F on Query{me{...G}} fragment G on User{enterprise{id}}`: 3,
		`{me{... on User{enterprise{id}}}}`:                                            3,
		"{" + strings.Repeat("a{", 40) + "b" + strings.Repeat("}", 40) + "}":           12, // stops counting past the limit
	}
	for q, want := range cases {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		// Resolve fragment spreads as the validator would.
		for _, op := range doc.Operations {
			resolveFragments(op.SelectionSet, doc)
		}
		for _, f := range doc.Fragments {
			resolveFragments(f.SelectionSet, doc)
		}
		if got := selectionDepth(doc.Operations[0].SelectionSet, 0, 11); got != want {
			t.Errorf("%.40s: depth %d, want %d", q, got, want)
		}
	}
}

func resolveFragments(set ast.SelectionSet, doc *ast.QueryDocument) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			resolveFragments(s.SelectionSet, doc)
		case *ast.InlineFragment:
			resolveFragments(s.SelectionSet, doc)
		case *ast.FragmentSpread:
			s.Definition = doc.Fragments.ForName(s.Name)
		}
	}
}
