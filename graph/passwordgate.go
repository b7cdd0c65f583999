package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jishitong/jishitong/internal/auth"
)

// passwordGate refuses every operation of a session that must change its password
// (auth.Principal.MustChangePassword) unless it selects only the fields such a
// session needs: its own account, the password change, signing in or out, and the
// anonymous branding. It runs before execution on every transport, so queries,
// mutations and subscriptions are refused alike, with FORBIDDEN and
// extensions.reason PASSWORD_CHANGE_REQUIRED.
type passwordGate struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = passwordGate{}

// passwordGateAllowed are the root fields a restricted session may select.
var passwordGateAllowed = map[string]bool{
	"me": true, "changePassword": true, "logout": true, "login": true, "branding": true, "__typename": true,
}

func (passwordGate) ExtensionName() string                          { return "PasswordGate" }
func (passwordGate) Validate(schema graphql.ExecutableSchema) error { return nil }

func (passwordGate) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if p := auth.FromContext(ctx); p == nil || !p.MustChangePassword {
		return nil
	}
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil || onlyFields(op.SelectionSet, passwordGateAllowed, 0) {
		return nil
	}
	e := gqlerror.Errorf("%s", auth.ErrPasswordChangeRequired.Message)
	e.Err = auth.ErrPasswordChangeRequired
	return e
}

// onlyFields reports whether every field of a root selection set, directly or
// through fragments of any type condition, is in allowed. Validation has refused
// fragment cycles; level only guards the walk (see selectsIntrospection).
func onlyFields(set ast.SelectionSet, allowed map[string]bool, level int) bool {
	if level > MaxTokens {
		return false
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if !allowed[s.Name] {
				return false
			}
		case *ast.InlineFragment:
			if !onlyFields(s.SelectionSet, allowed, level+1) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !onlyFields(s.Definition.SelectionSet, allowed, level+1) {
				return false
			}
		}
	}
	return true
}
