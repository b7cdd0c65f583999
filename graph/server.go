package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jishitong/jishitong/graph/generated"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// Config is the GraphQL edge's slice of the server configuration.
type Config struct {
	// Dev enables introspection for everyone.
	Dev bool
	// PublicURL is where browsers load the app from; its origin may open websockets.
	PublicURL string
	// MaxUploadBytes bounds multipart requests.
	MaxUploadBytes int64
}

// Limits applied before any operation executes.
const (
	// MaxBodyBytes bounds a JSON request (query + variables).
	MaxBodyBytes = 64 << 10
	// MaxTokens bounds the lexer's work on one document.
	MaxTokens = 5000
	// MaxComplexity bounds the fields one operation may resolve.
	MaxComplexity = 2000
	// MaxDepth bounds selection nesting.
	MaxDepth = 10
)

// NewHandler builds the /graphql endpoint (POST, multipart upload, websocket with
// graphql-transport-ws and graphql-ws) over the resolvers. It expects requests
// that went through auth.Service.Middleware.
func NewHandler(cfg Config, r *Resolver, log *slog.Logger) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	origins := []string{}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Host != "" {
		origins = append(origins, u.Host)
	}
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{
			// Same-origin browsers and the public URL's origin only: another site
			// must not open a socket with a visitor's cookie.
			OriginPatterns: origins,
		}},
		InitFunc:              r.websocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
		PingPongInterval:      20 * time.Second,
		PayloadReadLimit:      ptr(int64(MaxBodyBytes)),
	})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: cfg.MaxUploadBytes, MaxMemory: 1 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(MaxTokens)
	srv.SetDisableSuggestion(true)
	srv.Use(introspection{dev: cfg.Dev})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
	srv.SetErrorPresenter(errorPresenter(log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.Error("panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String())
		return errors.New("internal error")
	})
	return limitBody(srv, cfg.MaxUploadBytes)
}

func ptr[T any](v T) *T { return &v }

// websocketInit authenticates a websocket at connection_init, by the payload's
// token or the session the upgrade request carried, and ties the connection's life
// to the session: revoking or expiring it closes the socket.
func (r *Resolver) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p := auth.FromContext(ctx)
	exp := auth.RequestFrom(ctx).ExpiresAt
	if tok := auth.TokenFromInit(payload); tok != "" {
		var err error
		if p, exp, err = r.Auth.Authenticate(ctx, tok); err != nil {
			return transport.WithWebsocketCloseCode(ctx, 4401), nil, errors.New("invalid or expired session")
		}
		ctx = auth.WithPrincipal(ctx, p)
	}
	if p == nil {
		return transport.WithWebsocketCloseCode(ctx, 4401), nil, errors.New("authentication required")
	}
	ctx = transport.AppendCloseReason(ctx, "session ended")
	return r.Auth.Watch(ctx, p, exp), nil, nil
}

// limitBody refuses oversized requests before gqlgen reads them, with a GraphQL
// error body like every other error.
func limitBody(next http.Handler, maxUpload int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		limit := int64(MaxBodyBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = maxUpload
		}
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
			return
		}
		if limit == MaxBodyBytes {
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil || int64(len(body)) > limit {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":"BAD_USER_INPUT"}}]}`, msg)
}

// errorPresenter gives every error an extensions.code and hides internals: domain
// errors show their message; GraphQL parse, validation and limit errors are
// BAD_USER_INPUT; anything else is logged and shown as INTERNAL.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if de, ok := errs.As(err); ok {
			gerr.Message = de.Message
			gerr.Extensions = map[string]any{"code": de.Kind.String()}
			if de.Field != "" {
				gerr.Extensions["field"] = de.Field
			}
			for k, v := range de.Details {
				gerr.Extensions[k] = v
			}
			if de.Kind == errs.KindUnknown {
				log.Error("graphql", "err", err, "path", gerr.Path.String())
				gerr.Message = "internal error"
			}
			return gerr
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			gerr.Message = "request cancelled or timed out"
			gerr.Extensions = map[string]any{"code": "INTERNAL"}
			return gerr
		}
		var qerr *gqlerror.Error
		if errors.As(err, &qerr) && qerr.Err == nil {
			// Produced by gqlgen itself: parse, validation, coercion or a limit.
			reason, _ := qerr.Extensions["code"].(string)
			gerr.Extensions = map[string]any{"code": "BAD_USER_INPUT"}
			if reason != "" {
				gerr.Extensions["reason"] = reason
			}
			return gerr
		}
		log.Error("graphql", "err", err, "path", gerr.Path.String())
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": "INTERNAL"}
		return gerr
	}
}

// introspection allows schema introspection to platform admins, and to everyone in
// development mode.
type introspection struct{ dev bool }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = introspection{}

func (introspection) ExtensionName() string                          { return "ConditionalIntrospection" }
func (introspection) Validate(schema graphql.ExecutableSchema) error { return nil }

func (i introspection) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	oc.DisableIntrospection = !(i.dev || auth.FromContext(ctx).IsPlatformAdmin())
	return nil
}

// depthLimit refuses operations nested deeper than max, counting through fragments.
type depthLimit struct{ max int }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil {
		return nil
	}
	if depth := selectionDepth(op.SelectionSet, 0, d.max); depth > d.max {
		e := gqlerror.Errorf("operation is nested deeper than the limit of %d", d.max)
		e.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return e
	}
	return nil
}

// selectionDepth returns the depth of set below level, stopping once it passes max
// (so fragment cycles, already refused by validation, cannot loop).
func selectionDepth(set ast.SelectionSet, level, max int) int {
	if level > max {
		return level
	}
	deepest := level
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				d = level + 1
			} else {
				d = selectionDepth(s.SelectionSet, level+1, max)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, level, max)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, level, max)
			}
		}
		deepest = max2(deepest, d)
	}
	return deepest
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}
