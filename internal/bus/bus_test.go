package bus

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestBus(t *testing.T) {
	b := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	fast := b.Subscribe(ctx, "t", 8)
	slow := b.Subscribe(ctx, "t", 1)
	other := b.Subscribe(ctx, "u", 8)

	// Publishing never blocks, even with a full subscriber: its extra events drop.
	for i := range 5 {
		b.Publish(Event{Topic: "t", Payload: i})
	}
	for i := range 5 {
		if ev := <-fast; ev.Payload != i {
			t.Fatalf("fast got %v, want %d", ev.Payload, i)
		}
	}
	if ev := <-slow; ev.Payload != 0 {
		t.Fatalf("slow got %v", ev.Payload)
	}
	if b.Dropped() != 4 {
		t.Fatalf("dropped %d, want 4", b.Dropped())
	}
	select {
	case ev := <-other:
		t.Fatalf("another topic received %v", ev)
	default:
	}

	// Ending the context closes the channels and removes the subscriptions.
	cancel()
	deadline := time.After(5 * time.Second)
	for _, ch := range []<-chan Event{fast, slow, other} {
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatal("event after cancel")
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
	b.mu.RLock()
	n := len(b.subs)
	b.mu.RUnlock()
	if n != 0 {
		t.Fatalf("%d topics left after cancel", n)
	}
	b.Publish(Event{Topic: "t"}) // no subscribers: a no-op
}
