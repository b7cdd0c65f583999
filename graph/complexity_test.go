package graph

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/jishitong/jishitong/graph/generated"
)

func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}, Complexity: complexityRoot()})
	doc, errs := gqlparser.LoadQuery(es.Schema(), query)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	return complexity.Calculate(context.Background(), es, doc.Operations[0], vars, complexityOptions(es.Schema())...)
}

// TestComplexityScoresListsPerItem checks that a list costs its selection once per
// item it may hold, so that the reported query (the invitation status of every
// meeting of a window) no longer scores 4, and that reads per item are refused on
// long pages.
func TestComplexityScoresListsPerItem(t *testing.T) {
	window := map[string]any{"f": time.Now().Format(time.RFC3339), "t": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}
	cases := []struct {
		name     string
		query    string
		vars     map[string]any
		min, max int
	}{
		{"reported: deliveries of every meeting of a window",
			`query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{deliveries{status}}}}`, window, 500, MaxComplexity},
		{"two fields of a meeting list", `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id name}}}`, window, 100, 400},
		{"members page of 200", `{members(first:200){edges{node{id}}}}`, nil, 600, MaxComplexity},
		{"members default page", `{members{edges{node{id}}}}`, nil, 150, 300},
		{"members of each of 200 enterprises", `{enterprises(first:200){edges{node{members(first:200){edges{node{id}}}}}}}`, nil, MaxComplexity + 1, maxScore},
		{"members of each of 200 groups", `{groups(first:200){edges{node{members(first:200){edges{node{id}}}}}}}`, nil, MaxComplexity + 1, maxScore},
		{"logs of a page of history", `{meetingHistory(first:50){edges{node{log{kind}}}}}`, nil, MaxComplexity + 1, maxScore},
		{"whiteboards of a long page of history", `{meetingHistory(first:200){edges{node{whiteboard{savedAt}}}}}`, nil, MaxComplexity + 1, maxScore},
		{"scenes of a page of history", `{meetingHistory(first:20){edges{node{whiteboard{scene}}}}}`, nil, MaxComplexity + 1, maxScore},
		{"the log of one run", `{meetingRun(id:"x"){log{at kind actorName detail}}}`, nil, 100, MaxComplexity},
		{"one saved whiteboard", `{meetingRun(id:"x"){whiteboard{scene}}}`, nil, 200, MaxComplexity},
		{"out-of-range first scores the largest page", `{members(first:100000){edges{node{id}}}}`, nil, 600, MaxComplexity},
	}
	for _, c := range cases {
		got := costOf(t, c.query, c.vars)
		if got < c.min || got > c.max {
			t.Errorf("%s: complexity %d, want %d to %d", c.name, got, c.min, c.max)
		}
	}
}

// graphqlTag matches the documents the web app sends: graphql(`...`).
var graphqlTag = regexp.MustCompile("graphql\\(\\s*`([^`]*)`")

// TestComplexityOfWebAppOperations runs every operation the web app ships
// (frontend/src, graphql(`...`) documents and .graphql files) through the
// complexity check: each must stay within MaxComplexity with the page sizes it
// asks for.
func TestComplexityOfWebAppOperations(t *testing.T) {
	root := filepath.Join("..", "frontend", "src")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no front end sources: %v", err)
	}
	var docs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(path, string(filepath.Separator)+"gql"+string(filepath.Separator)) {
			return nil // generated
		}
		switch filepath.Ext(path) {
		case ".ts", ".tsx":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range graphqlTag.FindAllStringSubmatch(string(b), -1) {
				docs = append(docs, m[1])
			}
		case ".graphql":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			docs = append(docs, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}, Complexity: complexityRoot()})
	doc, gerrs := gqlparser.LoadQuery(es.Schema(), strings.Join(docs, "\n"))
	if gerrs != nil {
		t.Fatalf("the web app's documents do not validate against the schema: %v", gerrs)
	}
	if len(doc.Operations) < 20 {
		t.Fatalf("found %d operations in %s; the pattern no longer finds them", len(doc.Operations), root)
	}
	for _, op := range doc.Operations {
		addTypename(es.Schema(), op.SelectionSet)
		got := complexity.Calculate(context.Background(), es, op, sampleVars(op), complexityOptions(es.Schema())...)
		t.Logf("%-28s %5d", op.Name, got)
		if got > MaxComplexity {
			t.Errorf("%s scores %d, above MaxComplexity %d", op.Name, got, MaxComplexity)
		}
	}
}

// addTypename adds __typename to every selection set below the operation's root,
// as the web app's GraphQL client does before it sends a document.
func addTypename(schema *ast.Schema, set ast.SelectionSet) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				continue
			}
			addTypename(schema, s.SelectionSet)
			s.SelectionSet = append(s.SelectionSet, &ast.Field{Alias: "__typename", Name: "__typename",
				Definition:       &ast.FieldDefinition{Name: "__typename", Type: ast.NonNullNamedType("String", nil)},
				ObjectDefinition: schema.Types[s.Definition.Type.Name()]})
		case *ast.InlineFragment:
			addTypename(schema, s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				addTypename(schema, s.Definition.SelectionSet)
			}
		}
	}
}

// sampleVars gives the operation's scalar variables a value, so that fields with
// required arguments are scored by their own functions; page sizes keep their
// defaults unless the document fixes them.
func sampleVars(op *ast.OperationDefinition) map[string]any {
	vars := map[string]any{}
	for _, v := range op.VariableDefinitions {
		switch v.Type.Name() {
		case "Time":
			vars[v.Variable] = time.Now().Format(time.RFC3339)
		case "ID", "String":
			vars[v.Variable] = "x"
		case "Boolean":
			vars[v.Variable] = false
		}
	}
	return vars
}
