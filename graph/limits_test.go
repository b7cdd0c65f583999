package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/jishitong/jishitong/graph/generated"
)

// fanout is an operation of nested fragments: F0 selects fields aliased copies of
// __typename and each Fi spreads F(i-1) width times, so that the operation
// expands to fields·width^levels fields from a few hundred bytes.
func fanout(levels, width, fields int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{...F%d} fragment F0 on Query{", levels)
	for i := range fields {
		fmt.Fprintf(&b, "t%d:__typename ", i)
	}
	b.WriteString("}")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, " fragment F%d on Query{%s}", i, strings.TrimSpace(strings.Repeat(fmt.Sprintf("...F%d ", i-1), width)))
	}
	return b.String()
}

func TestSelectionCost(t *testing.T) {
	cases := []struct {
		doc  string
		want selectionCost
	}{
		{`{me{id}}`, selectionCost{fields: 2, depth: 2}},
		{`{a b c}`, selectionCost{fields: 3, depth: 1}},
		{`{group(id:"x"){members{edges{node{enterprise{branding{domains}}}}}}}`, selectionCost{fields: 7, depth: 7}},
		{`query{...F} fragment F on Query{me{...G}} fragment G on User{enterprise{id}}`, selectionCost{fields: 3, spreads: 2, depth: 3}},
		{`{me{... on User{enterprise{id}}}}`, selectionCost{fields: 3, depth: 3}},
		{"{" + strings.Repeat("a{", 40) + "b" + strings.Repeat("}", 40) + "}", selectionCost{fields: 41, depth: 41}},
		// Each use of a fragment counts its fields and spreads again.
		{`{...F ...F a:me{...F}} fragment F on Query{x y{...G}} fragment G on Y{z}`, selectionCost{fields: 1 + 3*3, spreads: 3 * 2, depth: 3}},
		{fanout(3, 10, 1), selectionCost{fields: 1000, spreads: 1 + 10 + 100 + 1000, depth: 1}},
		{fanout(10, 10, 1), selectionCost{fields: 1e10, spreads: 11111111111, depth: 1}},
		// Counts stop growing far above every limit instead of overflowing.
		{fanout(100, 10, 1), selectionCost{fields: satLimit, spreads: satLimit, depth: 1}},
		// Cycles and unknown fragments count nothing: validation refuses them.
		{`{...A} fragment A on Query{a ...B} fragment B on Query{b ...A}`, selectionCost{fields: 2, spreads: 3, depth: 1}},
		{`{x ...Nowhere}`, selectionCost{fields: 1, spreads: 1, depth: 1}},
	}
	for _, tc := range cases {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.doc})
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		if got := newCounter(doc).selectionSet(doc.Operations[0].SelectionSet); got != tc.want {
			t.Errorf("%.60s: %+v, want %+v", tc.doc, got, tc.want)
		}
	}
}

func TestCheckDocument(t *testing.T) {
	cases := []struct {
		doc, reason string
	}{
		{`{me{id}}`, ""},
		{fanout(10, 10, 1), ReasonSelections},
		{fanout(3, 10, 1), ReasonSelections},  // 1,111 spreads
		{fanout(2, 20, 13), ReasonSelections}, // 5,200 fields
		{fanout(2, 6, 1), ""},                 // 36 fields, 630 same-named pairs
		{fanout(2, 7, 1), ""},                 // 49 fields, 1,176 pairs
		{fanout(2, 7, 2), ReasonSelections},   // 2,352 pairs
		{"{" + repeated(63, func(int) string { return "a:__typename" }) + "}", ""},
		{"{" + repeated(64, func(int) string { return "a:__typename" }) + "}", ReasonSelections},
		{"{" + repeated(45, func(int) string { return "a:me{id}" }) + "}", ""}, // 2·990 pairs
		{"{" + repeated(46, func(int) string { return "a:me{id}" }) + "}", ReasonSelections},
		{"{" + repeated(1600, func(i int) string { return fmt.Sprintf("a%d:__typename", i) }) + "}", ""},
		{"{" + strings.Repeat("a{", 10) + "b" + strings.Repeat("}", 10) + "}", ReasonDepth},
		{"{" + strings.Repeat("a{", 9) + "b" + strings.Repeat("}", 9) + "}", ""},
		// Fragment cycles are refused before anything expands them.
		{`{...A} fragment A on Query{a ...B} fragment B on Query{b ...A}`, ReasonValidation},
		{completeFragments(12), ReasonValidation},
		// Unused fragments count: validation walks them before refusing them.
		{"{me{id}} " + fanout(10, 10, 1)[len("{...F10}"):], ReasonSelections},
		// Every operation of the document counts, not only the one to run.
		{"query A{me{id}} query B{" + strings.Repeat("a{", 10) + "b" + strings.Repeat("}", 10) + "}", ReasonDepth},
		{"query A{...F} query B{...F} " + fanout(2, 20, 7)[len("{...F2}"):] + " fragment F on Query{...F2}", ReasonSelections},
	}
	for _, tc := range cases {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: tc.doc}, MaxTokens)
		if err != nil {
			t.Fatalf("%.60s: %v", tc.doc, err)
		}
		got := ""
		if e := checkDocument(doc); e != nil {
			got, _ = e.Extensions["code"].(string)
		}
		if got != tc.reason {
			t.Errorf("%.60s: refused with %q, want %q", tc.doc, got, tc.reason)
		}
	}
}

// benchHandler is the GraphQL handler as NewHandler builds it, over resolvers
// that hold nothing and with execution skipped: what it measures is reading the
// request, the limits, parsing, validation and the complexity and introspection
// checks.
func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	r := &Resolver{}
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r, Complexity: complexityRoot()}))
	configureServer(srv, Config{PublicURL: "http://localhost"}, r, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return graphql.OneShot(&graphql.Response{Data: []byte(`{}`)})
	})
	return limitBody(srv, 1<<20)
}

// repeated returns n copies of f(i), space separated.
func repeated(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	return b.String()
}

// benchDocuments are the costliest documents to validate that the limits refuse
// and that they accept.
var benchDocuments = []struct {
	name   string
	doc    string
	reason string // "" when accepted
}{
	{"refused/fanout-10^8", fanout(8, 10, 1), ReasonSelections},
	{"refused/fanout-10^10", fanout(10, 10, 1), ReasonSelections},
	{"refused/fanout-2^490", "{...F490} fragment F0 on Query{__typename}" + repeated(490, func(i int) string {
		return fmt.Sprintf("fragment F%d on Query{...F%d ...F%d}", i+1, i, i)
	}), ReasonSelections},
	{"refused/nested-990", "{" + strings.Repeat("a{", 990) + "b" + strings.Repeat("}", 990) + "}", ReasonDepth},
	{"refused/conflicting-450", "{" + repeated(450, func(i int) string { return fmt.Sprintf(`a:member(id:"%d"){id}`, i) }) + "}", ReasonSelections},
	{"refused/complexity-4545", "{" + repeated(45, func(i int) string { return fmt.Sprintf("m%d:me{...U}", i) }) + "} fragment U on User{" +
		repeated(100, func(i int) string { return fmt.Sprintf("f%d:id", i) }) + "}", ReasonComplexity},
	{"accepted/fanout-6^2", fanout(2, 6, 1), ""},
	{"accepted/fanout-distinct-920", "{...F} fragment F on Query{" + repeated(23, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "}" +
		repeated(23, func(i int) string {
			return fmt.Sprintf("fragment F%d on Query{%s}", i, repeated(40, func(j int) string { return fmt.Sprintf("f%d_%d:__typename", i, j) }))
		}), ""},
	{"refused/same-name-1600", "{" + repeated(1600, func(int) string { return "a:__typename" }) + "}", ReasonSelections},
	{"refused/same-name-me-800", "{" + repeated(800, func(int) string { return "a:me{id}" }) + "}", ReasonSelections},
	{"refused/fragments-400", "{" + repeated(400, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "}" +
		repeated(400, func(i int) string { return fmt.Sprintf("fragment F%d on Query{a:__typename}", i) }), ReasonSelections},
	{"refused/cycles-complete-40", completeFragments(40), ReasonValidation},
	{"refused/oftype-tree-9", `{__type(name:"User"){` + ofTypeTree(8) + `}}`, ReasonSelections},
	// Valid, refused only at the end: anonymous clients may not introspect.
	{"refused/oftype-tree-6-introspection", `{__type(name:"User"){` + ofTypeTree(5) + `}}`, ReasonIntrospection},
	{"accepted/distinct-1600", "{" + repeated(1600, func(i int) string { return fmt.Sprintf("a%d:__typename", i) }) + "}", ""},
	{"accepted/same-name-63", "{" + repeated(63, func(int) string { return "a:__typename" }) + "}", ""},
	{"accepted/same-name-me-45", "{" + repeated(45, func(int) string { return "a:me{id}" }) + "}", ""},
	{"accepted/fragments-63", "{" + repeated(63, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "}" +
		repeated(63, func(i int) string { return fmt.Sprintf("fragment F%d on Query{a:__typename}", i) }), ""},
}

// completeFragments is a document of n fragments that each spread all the
// others: n! paths through them.
func completeFragments(n int) string {
	return "{...F0}" + repeated(n, func(i int) string {
		return fmt.Sprintf("fragment F%d on Query{f%d:__typename %s}", i, i, repeated(n, func(j int) string {
			if j == i {
				return ""
			}
			return fmt.Sprintf("...F%d", j)
		}))
	})
}

// ofTypeTree is a binary tree of ofType fields, levels deep: every pair of
// siblings shares a name, and so do their children.
func ofTypeTree(levels int) string {
	if levels == 0 {
		return "name"
	}
	sub := ofTypeTree(levels - 1)
	return "ofType{" + sub + "} ofType{" + sub + "}"
}

func BenchmarkValidation(b *testing.B) {
	h := benchHandler(b)
	for _, d := range benchDocuments {
		b.Run(d.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				doc := fmt.Sprintf("%s\n#%d", d.doc, i) // past the query cache
				i++
				body, _ := json.Marshal(map[string]any{"query": doc})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				refused := strings.Contains(w.Body.String(), `"errors"`)
				if refused != (d.reason != "") || !strings.Contains(w.Body.String(), d.reason) {
					b.Fatalf("%s: want reason %q, answer %.300s", d.name, d.reason, w.Body)
				}
			}
		})
	}
}

func TestOperationTimeout(t *testing.T) {
	const d = 20 * time.Millisecond
	for _, tc := range []struct {
		op       ast.Operation
		deadline bool
	}{{ast.Query, true}, {ast.Mutation, true}, {ast.Subscription, false}} {
		ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: tc.op}})
		var gotDeadline bool
		var err error
		operationTimeout{d: d}.InterceptResponse(ctx, func(ctx context.Context) *graphql.Response {
			_, gotDeadline = ctx.Deadline()
			if gotDeadline {
				<-ctx.Done()
				err = ctx.Err()
			}
			return &graphql.Response{}
		})
		if gotDeadline != tc.deadline {
			t.Errorf("%s: deadline %v, want %v", tc.op, gotDeadline, tc.deadline)
		}
		if tc.deadline && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: ended with %v", tc.op, err)
		}
	}
}
