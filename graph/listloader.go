package graph

import (
	"context"
	"sync"
)

// listLoader loads a value per key for one request, fetching every key a list
// resolver announced (expect) together with the first key asked for. Unlike a
// time-window loader its batches do not depend on scheduling: the items of a list
// resolve concurrently, the first to ask fetches for all of them while the others
// wait on the lock, and they then read the result. So a list of meetings costs one
// fetch per field however many meetings it holds and however busy the machine is.
type listLoader[V any] struct {
	fetch func(ctx context.Context, keys []string) ([]V, []error)

	mu      sync.Mutex
	pending map[string]bool // announced, not fetched yet
	done    map[string]loaded[V]
}

type loaded[V any] struct {
	v   V
	err error
}

func newListLoader[V any](fetch func(ctx context.Context, keys []string) ([]V, []error)) *listLoader[V] {
	return &listLoader[V]{fetch: fetch, pending: map[string]bool{}, done: map[string]loaded[V]{}}
}

// expect announces keys that the request's resolvers are about to load.
func (l *listLoader[V]) expect(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if _, ok := l.done[k]; !ok && k != "" {
			l.pending[k] = true
		}
	}
}

// load returns the value of key, fetching it with every key announced and not
// fetched yet.
func (l *listLoader[V]) load(ctx context.Context, key string) (V, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.done[key]; ok {
		return r.v, r.err
	}
	keys := []string{key}
	for k := range l.pending {
		if k != key {
			keys = append(keys, k)
		}
	}
	clear(l.pending)
	vs, es := l.fetch(ctx, keys)
	for i, k := range keys {
		l.done[k] = loaded[V]{vs[i], es[i]}
	}
	r := l.done[key]
	return r.v, r.err
}
