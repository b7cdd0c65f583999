package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
)

// loaders batch and cache lookups for the length of one request, so that a list of
// members asking for their enterprise costs one query, not one per member.
type loaders struct {
	enterprise *dataloadgen.Loader[string, *directory.Enterprise]
}

type loadersKey struct{}

// withLoaders gives each HTTP request fresh loaders that act as the request's
// caller. Websocket connections get none: they live for hours and a cache would go
// stale, so their lookups go straight to the domain.
func withLoaders(r *Resolver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, req)
			return
		}
		l := &loaders{
			enterprise: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*directory.Enterprise, error) {
				return r.Directory.EnterprisesByID(ctx, caller(ctx), ids)
			}, dataloadgen.WithWait(time.Millisecond)),
		}
		next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), loadersKey{}, l)))
	})
}

// loadEnterprise returns the enterprise with id through the request's loader.
func (r *Resolver) loadEnterprise(ctx context.Context, id string) (*directory.Enterprise, error) {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	if l == nil {
		return r.Directory.Enterprise(ctx, caller(ctx), id)
	}
	e, err := l.enterprise.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, errs.NotFound("enterprise")
	}
	return e, err
}
