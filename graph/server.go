package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

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

// NewHandler builds the /graphql endpoint (POST, multipart upload, websocket with
// graphql-transport-ws and graphql-ws) over the resolvers. It expects requests
// that went through auth.Service.Middleware.
func NewHandler(cfg Config, r *Resolver, log *slog.Logger) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r, Complexity: complexityRoot()}))
	configureServer(srv, cfg, r, log)
	return limitBody(withLoaders(r, srv), cfg.MaxUploadBytes)
}

// configureServer gives srv its transports, limits and error handling.
func configureServer(srv *handler.Server, cfg Config, r *Resolver, log *slog.Logger) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	origins := []string{}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Host != "" {
		origins = append(origins, u.Host)
	}
	srv.AddTransport(fanoutWebsocket{fan: newStateFanout(r, log), Websocket: transport.Websocket{
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
	}})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: cfg.MaxUploadBytes, MaxMemory: 1 << 20})
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(MaxTokens)
	srv.SetDisableSuggestion(true)
	srv.SetValidationRulesFn(rulesWithoutSuggestions)
	srv.Use(documentLimits{cache: cache})
	srv.Use(websocketSubscriptions{})
	srv.Use(introspection{dev: cfg.Dev})
	srv.Use(passwordGate{})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity, complexityOptions(schema)...))
	srv.Use(operationTimeout{d: OperationTimeout})
	srv.SetErrorPresenter(errorPresenter(log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.Error("panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String())
		return errors.New("internal error")
	})
}

func ptr[T any](v T) *T { return &v }

// rulesWithoutSuggestions are gqlparser's default rules with every rule that
// suggests names ("Did you mean …") swapped for its silent variant: without
// introspection, suggestions would reveal the schema piece by piece.
// SetDisableSuggestion swaps only FieldsOnCorrectType and ScalarLeafs.
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct {
		old  string
		rule core.Rule
	}{
		{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},
		{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},
		{"ValuesOfCorrectType", rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.old)
		r.AddRule(swap.rule.Name, swap.rule.RuleFunc)
	}
	return r
}

// websocketInit authenticates a websocket at connection_init, by the payload's
// token or the session the upgrade request carried, and ties the connection's life
// to the session: revoking or expiring it closes the socket. Without a session, a
// participant's meetingToken (from /rtc's joined) opens a socket that may follow
// only that participant's meeting (meetingState, meetingChat).
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
	if tok, _ := payload["meetingToken"].(string); tok != "" && r.Meetings != nil {
		c, err := r.Meetings.VerifyStateToken(tok)
		if err != nil {
			return transport.WithWebsocketCloseCode(ctx, 4401), nil, errors.New("invalid or expired meeting token")
		}
		ctx = withClaim(ctx, c)
		if p == nil {
			return ctx, nil, nil
		}
	}
	if p == nil {
		return transport.WithWebsocketCloseCode(ctx, 4401), nil, errors.New("authentication required")
	}
	ctx = transport.AppendCloseReason(ctx, "session ended")
	return r.Auth.Watch(ctx, p, exp), nil, nil
}

// limitBody refuses oversized requests, other methods than POST (websocket
// upgrades aside), other content types than JSON and multipart, and JSON bodies
// that are no GraphQL request, before gqlgen reads them, with a coded GraphQL
// error body like every other error.
func limitBody(next http.Handler, maxUpload int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			if r.Header.Get("Upgrade") != "" {
				next.ServeHTTP(w, r) // websocket
				return
			}
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "send GraphQL requests with POST, or open a graphql-transport-ws websocket")
			return
		}
		mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		limit := int64(MaxBodyBytes)
		switch mediaType {
		case "application/json":
		case "multipart/form-data":
			limit = maxUpload
		default:
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json or multipart/form-data")
			return
		}
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
			return
		}
		if mediaType == "application/json" {
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil || int64(len(body)) > limit {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
				return
			}
			// gqlgen's own decoding error names Go types and echoes the body.
			var params struct {
				Query         string         `json:"query"`
				OperationName string         `json:"operationName"`
				Variables     map[string]any `json:"variables"`
				Extensions    map[string]any `json:"extensions"`
			}
			if err := json.Unmarshal(body, &params); err != nil {
				writeError(w, http.StatusBadRequest, `the body must be a JSON object {"query": string, "operationName": string, "variables": object}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			w = &codedErrors{ResponseWriter: w}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), plainHTTPKey{}, true)))
	})
}

// codedErrors gives extensions.code BAD_USER_INPUT to errors of 4xx answers that
// lack a code: gqlgen's multipart transport writes its own errors without the
// error presenter.
type codedErrors struct {
	http.ResponseWriter
	status int
}

func (c *codedErrors) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *codedErrors) Write(b []byte) (int, error) {
	if c.status < 400 || c.status > 499 {
		return c.ResponseWriter.Write(b)
	}
	var resp struct {
		Errors []map[string]any `json:"errors"`
		Data   json.RawMessage  `json:"data"`
	}
	if err := json.Unmarshal(b, &resp); err != nil || len(resp.Errors) == 0 {
		return c.ResponseWriter.Write(b)
	}
	for _, e := range resp.Errors {
		ext, _ := e["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			e["extensions"] = ext
		}
		if _, ok := ext["code"]; !ok {
			ext["code"] = "BAD_USER_INPUT"
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return c.ResponseWriter.Write(b)
	}
	if _, err := c.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
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
			if field := de.Field; field != "" {
				gerr.Extensions["field"] = field
			} else if name, ok := lastName(gerr.Path); ok && de.Kind == errs.KindInvalid {
				// A scalar's own check (e.g. Time) cannot know which argument or
				// input field it reads; its path does.
				gerr.Extensions["field"] = name
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
			switch {
			case isReason(reason):
				gerr.Extensions["reason"] = reason
			case reason != "":
				// A code gqlgen gained: add it to Reasons and docs/api.md.
				log.Warn("graphql: refusal with an undocumented reason", "reason", reason, "err", err)
			}
			return gerr
		}
		log.Error("graphql", "err", err, "path", gerr.Path.String())
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": "INTERNAL"}
		return gerr
	}
}

// lastName returns the last field or argument name of path.
func lastName(path ast.Path) (string, bool) {
	for i := len(path) - 1; i >= 0; i-- {
		if n, ok := path[i].(ast.PathName); ok {
			return string(n), true
		}
	}
	return "", false
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
	// Refuse before execution: executed, each __schema or __type field would fail
	// with gqlgen's plain error, which the presenter can only show as INTERNAL.
	if op := oc.Doc.Operations.ForName(oc.OperationName); oc.DisableIntrospection && op != nil && selectsIntrospection(op.SelectionSet, 0) {
		return refusal(ReasonIntrospection, "introspection is disabled")
	}
	return nil
}

// selectsIntrospection reports whether a root selection set asks for __schema or
// __type, directly or through fragments. Validation has refused fragment cycles
// and documentLimits documents that expand to many fields, so the walk is short;
// level only guards against cycles (a document cannot nest deeper than its tokens).
func selectsIntrospection(set ast.SelectionSet, level int) bool {
	if level > MaxTokens {
		return false
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if selectsIntrospection(s.SelectionSet, level+1) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selectsIntrospection(s.Definition.SelectionSet, level+1) {
				return true
			}
		}
	}
	return false
}

// plainHTTPKey marks the context of a POST request (not a websocket).
type plainHTTPKey struct{}

// websocketSubscriptions refuses subscriptions sent as POST requests: gqlgen would
// hold such a request open until the first event, outside the session watch.
type websocketSubscriptions struct{}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = websocketSubscriptions{}

func (websocketSubscriptions) ExtensionName() string                          { return "WebsocketSubscriptions" }
func (websocketSubscriptions) Validate(schema graphql.ExecutableSchema) error { return nil }

func (websocketSubscriptions) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription && ctx.Value(plainHTTPKey{}) != nil {
		return refusal(ReasonSubscriptionTransport, "subscriptions need a graphql-transport-ws websocket")
	}
	return nil
}
