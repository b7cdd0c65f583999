package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits applied before any operation executes.
const (
	// MaxBodyBytes bounds a JSON request (query + variables).
	MaxBodyBytes = 64 << 10
	// MaxTokens bounds the lexer's work on one document.
	MaxTokens = 5000
	// MaxFields bounds the fields a document selects once every fragment spread is
	// replaced by the fragment's selections: fragments may not make a document
	// larger than the token limit lets one write out.
	MaxFields = MaxTokens
	// MaxSpreads bounds the fragment spreads a document makes once every spread is
	// expanded (a spread inside a fragment counts once per use of that fragment).
	MaxSpreads = 1000
	// MaxOverlaps bounds the pairs of fields that share a response name in one
	// selection (fragments expanded, same-named fields merged as execution merges
	// them): validation compares every such pair, and their sub-selections.
	MaxOverlaps = 2000
	// MaxComplexity bounds the fields one operation may resolve.
	MaxComplexity = 2000
	// MaxDepth bounds selection nesting.
	MaxDepth = 10
	// OperationTimeout bounds the execution of one query or mutation, on every
	// transport; subscriptions live as long as their websocket.
	OperationTimeout = 15 * time.Second
)

// Reasons for refusing a document, sent as extensions.reason next to the code
// BAD_USER_INPUT. docs/api.md lists exactly these.
const (
	// ReasonParse: the document is no GraphQL, or exceeds MaxTokens.
	ReasonParse = errcode.ParseFailed
	// ReasonValidation: the document does not fit the schema (unknown field, wrong
	// argument, fragment cycle, variables of the wrong type, unknown operation).
	ReasonValidation = errcode.ValidationFailed
	// ReasonSize: the document exceeds MaxBodyBytes.
	ReasonSize = "DOCUMENT_TOO_LARGE"
	// ReasonSelections: the document expands to more than MaxFields fields or
	// MaxSpreads fragment spreads.
	ReasonSelections = "SELECTION_LIMIT_EXCEEDED"
	// ReasonDepth: an operation nests deeper than MaxDepth.
	ReasonDepth = "DEPTH_LIMIT_EXCEEDED"
	// ReasonComplexity: the operation's complexity exceeds MaxComplexity (gqlgen's
	// complexity limit emits this code).
	ReasonComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
	// ReasonIntrospection: introspection without the right to it.
	ReasonIntrospection = "INTROSPECTION_DISABLED"
	// ReasonSubscriptionTransport: a subscription sent as a POST request.
	ReasonSubscriptionTransport = "SUBSCRIPTION_NEEDS_WEBSOCKET"
)

// Reasons lists every extensions.reason the server sends.
var Reasons = []string{ReasonParse, ReasonValidation, ReasonSize, ReasonSelections, ReasonDepth,
	ReasonComplexity, ReasonIntrospection, ReasonSubscriptionTransport}

// A refused document is a protocol error, whatever refused it: HTTP 422 (as gqlgen
// answers parse and validation failures) and a websocket `error` message, never a
// 200 that looks like an executed operation.
func init() {
	for _, r := range Reasons {
		errcode.RegisterErrorType(r, errcode.KindProtocol)
	}
}

func isReason(s string) bool {
	for _, r := range Reasons {
		if r == s {
			return true
		}
	}
	return false
}

func refusal(reason, format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": reason}
	return e
}

// documentLimits refuses, on every transport and before gqlgen validates a
// document, documents longer than MaxBodyBytes (the multipart transport reads them
// up to the upload limit, and the query cache would keep 1000 such documents) and
// documents whose operations expand to more than MaxFields fields or MaxSpreads
// fragment spreads, or nest deeper than MaxDepth. It counts in one pass over the
// document, each fragment once: gqlgen's validation, complexity and the
// introspection check expand every spread, so a few hundred bytes of fragments
// spreading each other would otherwise cost seconds to minutes of CPU.
type documentLimits struct {
	// cache is gqlgen's query cache: the documents in it passed these limits.
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = documentLimits{}

func (documentLimits) ExtensionName() string                          { return "DocumentLimits" }
func (documentLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > MaxBodyBytes {
		return refusal(ReasonSize, "the GraphQL document exceeds %d bytes", MaxBodyBytes)
	}
	if l.cache != nil {
		if _, ok := l.cache.Get(ctx, p.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, MaxTokens)
	if err != nil {
		return nil // gqlgen parses it again and reports the error
	}
	return checkDocument(doc)
}

// checkDocument refuses a parsed document whose operations, all together, expand
// to more than MaxFields fields or MaxSpreads spreads, or of which one nests
// deeper than MaxDepth. Every operation counts, not only the one to run, so that
// a cached document needs no second check. Unknown fragments count as empty
// (validation refuses them afterwards); fragment cycles are refused here, as
// validation would, since expanding them costs before validation refuses them.
func checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	c := newCounter(doc)
	var total selectionCost
	add := func(s selectionCost) {
		total.fields = satAdd(total.fields, s.fields)
		total.spreads = satAdd(total.spreads, s.spreads)
		total.depth = max(total.depth, s.depth)
	}
	roots := []ast.SelectionSet{}
	for _, op := range doc.Operations {
		add(c.selectionSet(op.SelectionSet))
		roots = append(roots, op.SelectionSet)
	}
	// Validation walks unused fragments too (before refusing them).
	for _, f := range doc.Fragments {
		if _, used := c.done[f.Name]; !used {
			add(c.fragment(f.Name))
			roots = append(roots, f.SelectionSet)
		}
	}
	switch {
	case c.cycle != "":
		return refusal(ReasonValidation, "fragment %q spreads itself, directly or through other fragments", c.cycle)
	case total.spreads > MaxSpreads:
		return refusal(ReasonSelections, "the document spreads fragments more than %d times once its fragments are expanded", MaxSpreads)
	case total.fields > MaxFields:
		return refusal(ReasonSelections, "the document selects more than %d fields once its fragments are expanded", MaxFields)
	case total.depth > MaxDepth:
		return refusal(ReasonDepth, "operation is nested deeper than the limit of %d", MaxDepth)
	}
	// Within the limits above, merging is linear in the (bounded) expansion.
	pairs := 0
	for _, set := range roots {
		pairs = satAdd(pairs, c.overlaps(set))
	}
	if pairs > MaxOverlaps {
		return refusal(ReasonSelections, "the document selects the same response name too often: more than %d pairs of same-named fields once its fragments are expanded", MaxOverlaps)
	}
	return nil
}

// selectionCost is what a selection set costs once its fragment spreads are
// expanded: fields, fragment spreads, and nesting depth in fields.
type selectionCost struct{ fields, spreads, depth int }

// counter computes selection costs, each named fragment once.
type counter struct {
	fragments map[string]*ast.FragmentDefinition
	// done holds the cost of each fragment computed; a fragment being computed
	// is in busy (a spread of it then is a cycle).
	done map[string]selectionCost
	busy map[string]bool
	// cycle names a fragment found spreading itself.
	cycle string
}

func newCounter(doc *ast.QueryDocument) *counter {
	c := &counter{fragments: map[string]*ast.FragmentDefinition{}, done: map[string]selectionCost{}, busy: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, dup := c.fragments[f.Name]; !dup {
			c.fragments[f.Name] = f
		}
	}
	return c
}

func (c *counter) selectionSet(set ast.SelectionSet) selectionCost {
	var total selectionCost
	for _, s := range set {
		var sc selectionCost
		switch s := s.(type) {
		case *ast.Field:
			sc = c.selectionSet(s.SelectionSet)
			sc.fields = satAdd(sc.fields, 1)
			sc.depth++
		case *ast.InlineFragment:
			sc = c.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			sc = c.fragment(s.Name)
			sc.spreads = satAdd(sc.spreads, 1)
		}
		total.fields = satAdd(total.fields, sc.fields)
		total.spreads = satAdd(total.spreads, sc.spreads)
		total.depth = max(total.depth, sc.depth)
	}
	return total
}

func (c *counter) fragment(name string) selectionCost {
	if sc, ok := c.done[name]; ok {
		return sc
	}
	f := c.fragments[name]
	if c.busy[name] && c.cycle == "" {
		c.cycle = name
	}
	if f == nil || c.busy[name] {
		return selectionCost{}
	}
	c.busy[name] = true
	sc := c.selectionSet(f.SelectionSet)
	delete(c.busy, name)
	c.done[name] = sc
	return sc
}

// mergedField is the fields of one response name in one selection, merged as
// execution merges them.
type mergedField struct {
	count    int
	children map[string]*mergedField
}

// overlaps returns the number of pairs of same-named fields in set and below,
// every fragment spread expanded. Callers bound the expansion first.
func (c *counter) overlaps(set ast.SelectionSet) int {
	root := &mergedField{}
	c.merge(root, set, map[string]bool{})
	return root.pairs()
}

func (c *counter) merge(into *mergedField, set ast.SelectionSet, busy map[string]bool) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if into.children == nil {
				into.children = map[string]*mergedField{}
			}
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			f := into.children[name]
			if f == nil {
				f = &mergedField{}
				into.children[name] = f
			}
			f.count++
			c.merge(f, s.SelectionSet, busy)
		case *ast.InlineFragment:
			c.merge(into, s.SelectionSet, busy)
		case *ast.FragmentSpread:
			if f := c.fragments[s.Name]; f != nil && !busy[s.Name] {
				busy[s.Name] = true
				c.merge(into, f.SelectionSet, busy)
				delete(busy, s.Name)
			}
		}
	}
}

func (f *mergedField) pairs() int {
	n := f.count * (f.count - 1) / 2
	for _, c := range f.children {
		n = satAdd(n, c.pairs())
	}
	return n
}

// satLimit is where counts stop growing: far above every limit, far below
// overflow.
const satLimit = 1 << 40

func satAdd(a, b int) int {
	return min(a+b, satLimit)
}

// operationTimeout bounds the execution of queries and mutations by
// OperationTimeout, on every transport, under the context the transport gives
// (for POST, the request's: it ends when the client goes).
type operationTimeout struct{ d time.Duration }

var _ interface {
	graphql.ResponseInterceptor
	graphql.HandlerExtension
} = operationTimeout{}

func (operationTimeout) ExtensionName() string                          { return "OperationTimeout" }
func (operationTimeout) Validate(schema graphql.ExecutableSchema) error { return nil }

func (t operationTimeout) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return next(ctx)
}
