package auth

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", h)
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horsE": false, "": false, strings.Repeat("x", 1000): false} {
		ok, err := VerifyPassword(ctx, pw, h)
		if err != nil || ok != want {
			t.Errorf("verify %.10q: %v %v", pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2id$garbage", "plain"} {
		if ok, err := VerifyPassword(ctx, "x", bad); ok || err != nil {
			t.Errorf("hash %q: %v %v", bad, ok, err)
		}
	}
	if p := GeneratePassword(20); len(p) != 20 || strings.ContainsAny(p, "0O1lI") {
		t.Errorf("generated %q", p)
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	ctx := context.Background()
	h, _ := HashPassword(ctx, "correct horse")
	for b.Loop() {
		VerifyPassword(ctx, "correct horse", h)
	}
}

// TestHashSlotsPriority: a freed hash slot goes to a waiting priority caller (a
// known device) before callers that queued earlier; a waiter whose context ends
// leaves the queue.
func TestHashSlotsPriority(t *testing.T) {
	s := &slots{free: 1}
	ctx := context.Background()
	if err := s.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	queued := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			s.mu.Lock()
			got := len(s.high) + len(s.low)
			s.mu.Unlock()
			if got == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d waiters queued, want %d", got, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	order := make(chan string, 3)
	cctx, cancel := context.WithCancel(ctx)
	gone := make(chan error, 1)
	go func() { gone <- s.acquire(cctx, false) }()
	queued(1)
	for _, name := range []string{"low", "high"} {
		go func() {
			if err := s.acquire(ctx, name == "high"); err == nil {
				order <- name
			}
		}()
		queued(2 + map[string]int{"low": 0, "high": 1}[name])
	}
	cancel()
	if err := <-gone; err == nil {
		t.Fatal("a cancelled waiter got a slot")
	}
	queued(2)
	s.release()
	if first := <-order; first != "high" {
		t.Fatalf("the freed slot went to %s", first)
	}
	s.release()
	if next := <-order; next != "low" {
		t.Fatalf("then to %s", next)
	}
	s.release()
	if s.free != 1 {
		t.Fatalf("%d free slots at the end, want 1", s.free)
	}
}
