package graph

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// TestListLoaderFetchesAnnouncedKeysOnce loads 200 announced keys from 200
// goroutines, as the items of a list resolve: one fetch serves them all, whatever
// the scheduling, and per-key errors reach only their key.
func TestListLoaderFetchesAnnouncedKeysOnce(t *testing.T) {
	var fetches, fetched atomic.Int64
	bad := errors.New("forbidden")
	l := newListLoader(func(_ context.Context, keys []string) ([]string, []error) {
		fetches.Add(1)
		fetched.Add(int64(len(keys)))
		vs, es := make([]string, len(keys)), make([]error, len(keys))
		for i, k := range keys {
			if k == "k13" {
				es[i] = bad
				continue
			}
			vs[i] = "v" + k
		}
		return vs, es
	})
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	l.expect(keys...)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() {
			v, err := l.load(context.Background(), k)
			switch {
			case k == "k13" && !errors.Is(err, bad):
				t.Errorf("%s: error %v, want %v", k, err, bad)
			case k != "k13" && (err != nil || v != "v"+k):
				t.Errorf("%s: %q, %v", k, v, err)
			}
		})
	}
	wg.Wait()
	if fetches.Load() != 1 || fetched.Load() != 200 {
		t.Errorf("%d fetches of %d keys, want 1 of 200", fetches.Load(), fetched.Load())
	}
	// A key nobody announced is fetched alone; a loaded one is not fetched again.
	if v, _ := l.load(context.Background(), "other"); v != "vother" {
		t.Errorf("other: %q", v)
	}
	l.expect("k1")
	if _, _ = l.load(context.Background(), "k1"); fetches.Load() != 2 {
		t.Errorf("%d fetches, want 2", fetches.Load())
	}
}
