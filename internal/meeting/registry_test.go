package meeting

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var logged []Kind
	r := NewRegistry(func(runID string) Config {
		return Config{MuteOnEntry: runID == "muted", Locked: runID == "locked", Log: func(e Event) {
			mu.Lock()
			defer mu.Unlock()
			logged = append(logged, e.Kind)
		}}
	})
	defer r.Close()

	if r.Get("run") != nil {
		t.Fatal("Get before Ensure")
	}
	m, err := r.Ensure("run")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one owner per run", func(t *testing.T) {
		var wg sync.WaitGroup
		got := make([]*Owner, 8)
		for i := range got {
			wg.Go(func() { got[i], _ = r.Ensure("run") })
		}
		wg.Wait()
		for _, g := range got {
			if g != m {
				t.Fatalf("Ensure returned another owner")
			}
		}
		if r.Get("run") != m {
			t.Fatal("Get")
		}
	})
	t.Run("config per run", func(t *testing.T) {
		mm, err := r.Ensure("muted")
		if err != nil {
			t.Fatal(err)
		}
		if err := mm.Join(ctx, System, Participant{ID: "p", Name: "P", Client: ClientBrowser}); err != nil {
			t.Fatal(err)
		}
		if !mm.MutedByHost("p") {
			t.Fatal("MuteOnEntry not applied")
		}
		lm, err := r.Ensure("locked")
		if err != nil {
			t.Fatal(err)
		}
		if err := lm.Join(ctx, Actor{ParticipantID: "q"}, Participant{ID: "q", Name: "Q", Client: ClientBrowser}); errs.KindOf(err) != errs.KindConflict {
			t.Fatalf("join a meeting started locked: %v", err)
		}
	})
	t.Run("end", func(t *testing.T) {
		updates, err := m.Subscribe(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		r.End(ctx, "run")
		var last Update
		for u := range updates {
			last = u
		}
		if last.Event == nil || last.Event.Kind != KindEnded {
			t.Fatalf("last update %+v, want the ended event", last)
		}
		<-m.Done()
		if _, err := r.Ensure("run"); !errors.Is(err, ErrEnded) {
			t.Fatalf("Ensure of an ended run: %v", err)
		}
		if r.Get("run") != nil {
			t.Fatal("Get of an ended run")
		}
		mu.Lock()
		defer mu.Unlock()
		if len(logged) == 0 || logged[len(logged)-1] != KindEnded {
			t.Fatalf("logged %v", logged)
		}
	})
	t.Run("close", func(t *testing.T) {
		r.Close()
		if _, err := r.Ensure("other"); !errors.Is(err, ErrEnded) {
			t.Fatalf("Ensure after Close: %v", err)
		}
	})
}
