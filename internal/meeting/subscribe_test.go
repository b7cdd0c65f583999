package meeting

import (
	"context"
	"reflect"
	"testing"

	"github.com/jishitong/jishitong/internal/layout"
)

// panes renders the participant of each pane, "/screen" for a screen share, "board"
// for the whiteboard.
func panes(a Assignment) []string {
	out := make([]string, len(a.Panes))
	for i, p := range a.Panes {
		out[i] = string(p.Participant)
		switch p.Source {
		case layout.SourceScreen:
			out[i] += "/screen"
		case layout.SourceWhiteboard:
			out[i] += "board"
		}
	}
	return out
}

func TestLayoutChanges(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		do   func(m *Owner) error
		want []string
	}{
		{"roster order", func(*Owner) error { return nil }, []string{"h", "a", "b", "c"}},
		{"presenter first", func(m *Owner) error { return m.SetRole(ctx, host, "c", RolePresenter) }, []string{"c", "h", "a", "b"}},
		{"screen share first", func(m *Owner) error { return m.SetMedia(ctx, as("b"), "b", Media{Screen: true}) }, []string{"b/screen", "b", "h", "a"}},
		{"pin", func(m *Owner) error { return m.Pin(ctx, host, 0, "c") }, []string{"c", "h", "a", "b"}},
		{"speaker", func(m *Owner) error { return m.SetSpeaking(ctx, System, "c", true) }, []string{"c", "h", "a", "b"}},
		{"single", func(m *Owner) error { return m.SetLayout(ctx, host, layout.Single) }, []string{"h"}},
		{"whiteboard shown by the host", func(m *Owner) error { return m.SetWhiteboard(ctx, host, true) }, []string{"board", "h", "a", "b"}},
		{"whiteboard before a screen share", func(m *Owner) error {
			if err := m.SetMedia(ctx, as("b"), "b", Media{Screen: true}); err != nil {
				return err
			}
			return m.SetWhiteboard(ctx, host, true)
		}, []string{"board", "b/screen", "b", "h"}},
		{"pin before the whiteboard", func(m *Owner) error {
			if err := m.Pin(ctx, host, 0, "c"); err != nil {
				return err
			}
			return m.SetWhiteboard(ctx, host, true)
		}, []string{"c", "board", "h", "a"}},
		{"whiteboard hidden again", func(m *Owner) error {
			if err := m.SetWhiteboard(ctx, host, true); err != nil {
				return err
			}
			return m.SetWhiteboard(ctx, host, false)
		}, []string{"h", "a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t, Config{Mode: layout.Grid2x2})
			f.join(t, "h", "a", "b", "c")
			if err := tt.do(f.m); err != nil {
				t.Fatal(err)
			}
			if got := panes(f.state(t).Assignment); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("panes %q, want %q", got, tt.want)
			}
			if evs := f.rec.all(); evs[len(evs)-1].Assignment == nil && len(tt.want) != 4 {
				t.Fatal("the change carries no assignment")
			}
		})
	}
}

// TestPolling rotates pane 3 of a 2x2 through a, b, c on the fake clock; every
// subscriber sees the same panes as the owner.
func TestPolling(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{Mode: layout.Grid2x2})
	f.join(t, "h", "x", "y", "a", "b", "c")
	subs := []*client{subscribe(t, f.m, 0), subscribe(t, f.m, 0)}
	if err := f.m.SetPolling(ctx, host, layout.Polling{Enabled: true, Panes: []int{3}, Interval: layout.MinInterval}); err != nil {
		t.Fatal(err)
	}
	if f.clock.pending() != 1 {
		t.Fatalf("%d timers armed, want 1", f.clock.pending())
	}
	for i, want := range []ParticipantID{"a", "b", "c", "a"} {
		seq := uint64(len(f.rec.all())) // before Advance: the owner may log at once
		if i > 0 {
			f.clock.Advance(layout.MinInterval)
			seq++ // exactly one layout event per step
		}
		for _, c := range subs {
			c.until(t, seq)
			if i > 0 && c.deltas[len(c.deltas)-1].Kind != KindLayout {
				t.Fatalf("step %d: %s, want a layout event", i, c.deltas[len(c.deltas)-1].Kind)
			}
		}
		st := f.state(t)
		if st.Seq != seq {
			t.Fatalf("step %d: owner at %d, want %d", i, st.Seq, seq)
		}
		if got := st.Assignment.Panes[3].Participant; got != want {
			t.Fatalf("step %d: pane 3 shows %q, want %q", i, got, want)
		}
		for _, c := range subs {
			if !reflect.DeepEqual(c.st, st) {
				t.Fatalf("step %d: subscriber state\n%+v\nowner\n%+v", i, c.st, st)
			}
		}
	}
	if err := f.m.SetPolling(ctx, host, layout.Polling{}); err != nil {
		t.Fatal(err)
	}
	if f.clock.pending() != 0 {
		t.Fatal("a timer is armed with polling off")
	}
}

func TestSubscribe(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{History: 8})
	f.join(t, "h", "a") // seq 2
	live := subscribe(t, f.m, 0)
	if u, _ := live.next(t); u.Full == nil || u.Full.Seq != 2 || len(u.Full.Participants) != 2 {
		t.Fatalf("first update %+v, want the full state at 2", u)
	}
	for q := 1; q <= 4; q++ { // seq 3..6
		if err := f.m.SetNetworkQuality(ctx, as("a"), "a", q); err != nil {
			t.Fatal(err)
		}
	}
	live.until(t, 6)
	if live.fulls != 1 || len(live.deltas) != 4 || live.deltas[0].Seq != 3 {
		t.Fatalf("%d fulls, deltas %v", live.fulls, live.deltas)
	}

	t.Run("resume inside history", func(t *testing.T) {
		c := subscribe(t, f.m, 4)
		c.st.Seq = 4 // as a client resuming from 4 would
		c.until(t, 6)
		if c.fulls != 0 || len(c.deltas) != 2 || c.deltas[0].Seq != 5 || c.deltas[1].Seq != 6 {
			t.Fatalf("%d fulls, deltas %+v", c.fulls, c.deltas)
		}
		if !reflect.DeepEqual(c.deltas, f.rec.all()[4:6]) {
			t.Fatal("replayed events differ from the logged ones")
		}
	})
	t.Run("resume up to date", func(t *testing.T) {
		c := subscribe(t, f.m, 6)
		select {
		case u := <-c.ch:
			t.Fatalf("got %+v, want nothing", u)
		default:
		}
	})
	for q := 0; q < 8; q++ { // seq 7..14: the history holds 7..14
		if err := f.m.SetMedia(ctx, as("a"), "a", Media{Audio: q%2 == 0}); err != nil {
			t.Fatal(err)
		}
	}
	live.until(t, 14)
	t.Run("resume too old", func(t *testing.T) {
		c := subscribe(t, f.m, 5)
		if u, _ := c.next(t); u.Full == nil || u.Full.Seq != 14 {
			t.Fatalf("got %+v, want a full state at 14", u)
		}
	})
	t.Run("resume from the future", func(t *testing.T) {
		c := subscribe(t, f.m, 99)
		if u, _ := c.next(t); u.Full == nil {
			t.Fatalf("got %+v, want a full state", u)
		}
	})
	if !reflect.DeepEqual(live.st, f.state(t)) {
		t.Fatal("the live subscriber's state differs from the owner's")
	}
}

// TestSlowSubscriber checks that a subscriber that never reads delays neither the
// meeting nor other subscribers, and later catches up from a full state.
func TestSlowSubscriber(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{QueueSize: 4})
	f.join(t, "h", "a")
	slow := subscribe(t, f.m, 0)
	fast := subscribe(t, f.m, 0)
	done := make(chan error, 1)
	go func() {
		for q := range 50 {
			if err := f.m.SetNetworkQuality(ctx, System, "a", q%5+1); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for fast.st.Seq < 52 {
		fast.next(t) // reads while the producer runs (and catches up by a full state if it falls behind)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := f.state(t)
	fast.until(t, st.Seq)
	slow.until(t, st.Seq)
	// Its first full state (at 2) was dropped with its queue; a later one replaced it.
	if slow.fulls < 1 || slow.first <= 2 || len(slow.deltas) >= 50 {
		t.Fatalf("slow subscriber: %d fulls, first at %d, %d deltas: want a resync", slow.fulls, slow.first, len(slow.deltas))
	}
	for _, c := range []*client{fast, slow} {
		if !reflect.DeepEqual(c.st, st) {
			t.Fatalf("subscriber at %d differs from the owner at %d", c.st.Seq, st.Seq)
		}
	}
}

// TestClose checks that subscriptions end and the owner exits; TestMain checks that no
// goroutine is left.
func TestClose(t *testing.T) {
	f := start(t, Config{})
	f.join(t, "h")
	ctx, cancel := context.WithCancel(context.Background())
	gone, err := f.m.Subscribe(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // unsubscribes through the owner
	kept := subscribe(t, f.m, 0)
	for range gone {
	}
	f.m.Close()
	for {
		if _, ok := kept.next(t); !ok {
			break
		}
	}
	if _, err := f.m.Subscribe(context.Background(), 0); err != ErrEnded {
		t.Fatalf("Subscribe after Close: %v", err)
	}
	if f.m.MutedByHost("h") {
		t.Fatal("muted after close")
	}
}
