package whiteboard

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestHub(t testing.TB, cfg Config) (*Hub, *fakeClock) {
	clock := newFakeClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := NewHub(cfg)
	t.Cleanup(func() { _ = h.Close() })
	return h, clock
}

func receive(t testing.TB, h *Hub, from ParticipantID, moderator bool, msg []byte) error {
	t.Helper()
	err := h.Receive(from, moderator, msg)
	var pe *Error
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("Receive: %v", err)
	}
	return err
}

func mustReceive(t testing.TB, h *Hub, from ParticipantID, msg []byte) {
	t.Helper()
	if err := h.Receive(from, false, msg); err != nil {
		t.Fatalf("Receive(%s, %.100s): %v", from, msg, err)
	}
}

func TestHubRelaysToEveryoneInOrder(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	a := newClient(t, "PA_a").attach(h)
	b := newClient(t, "PA_b").attach(h)
	waitIdle(t, h) // snapshots sent: later changes arrive as updates
	mustReceive(t, h, "PA_a", update("m1", el("r1", 1, 10, false)))
	mustReceive(t, h, "PA_b", update("", el("r1", 2, 10, false), el("r2", 1, 1, false)))
	mustReceive(t, h, "PA_a", update("m2", el("r1", 1, 99, false))) // stale: no seq, no relay
	waitIdle(t, h)
	for _, c := range []*client{a, b} {
		c.converged(h)
		c.with(func(r *replica) {
			if r.snapshots != 1 || r.updates != 2 || r.seq != 2 {
				t.Fatalf("%s: %d snapshots, %d updates, seq %d", c.id, r.snapshots, r.updates, r.seq)
			}
		})
	}
	// The sender is in the relay, identical to everyone's, with its id as from.
	a.with(func(r *replica) {
		if len(r.acks) != 2 {
			t.Fatalf("acks %+v", r.acks)
		}
		if ack := r.acks[0]; ack.ID != "m1" || ack.Seq != 1 || ack.Accepted != 1 || ack.Stale != 0 {
			t.Fatalf("first ack %+v", ack)
		}
		if ack := r.acks[1]; ack.ID != "m2" || ack.Seq != 2 || ack.Accepted != 0 || ack.Stale != 1 {
			t.Fatalf("stale ack %+v", ack)
		}
	})
	if string(a.raw[1]) != string(b.raw[1]) || !strings.Contains(string(a.raw[1]), `"seq":1,"from":"PA_a"`) {
		t.Fatalf("relay differs or lacks from:\n%s\n%s", a.raw[1], b.raw[1])
	}
	b.with(func(r *replica) {
		if len(r.acks) != 0 {
			t.Fatalf("b got acks without ids: %+v", r.acks)
		}
	})
}

func TestHubLateJoinerGetsTheBoard(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(h)
	for i := range 50 {
		mustReceive(t, h, "PA_a", update("", el(fmt.Sprintf("e%d", i), 1, 1, i%7 == 0)))
	}
	mustReceive(t, h, "PA_a", update("", el("e1", 2, 1, true))) // a tombstone
	late := newClient(t, "PA_late").attach(h)
	waitIdle(t, h)
	late.converged(h)
	late.with(func(r *replica) {
		if r.seq != 51 || r.snapshots != 1 || r.updates != 0 {
			t.Fatalf("late joiner: seq %d, %d snapshots, %d updates", r.seq, r.snapshots, r.updates)
		}
		if e, ok := r.elems["e1"]; !ok || !e.IsDeleted {
			t.Fatal("the snapshot lacks the tombstone")
		}
	})
	mustReceive(t, h, "PA_a", update("", el("e2", 2, 1, false)))
	waitIdle(t, h)
	late.converged(h)
}

func TestHubMultipartSnapshotReassembles(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(h)
	// 3 MiB in elements of 1..30 KB: about 50 parts.
	size := 0
	for i := 0; size < 3<<20; i++ {
		n := 1000 + i*7919%29000
		size += n
		mustReceive(t, h, "PA_a", update("", elSized(fmt.Sprintf("e%d", i), 1, 1, n)))
		if i%100 == 0 {
			h.limits["PA_a"].updates.tokens = UpdateBurst // not what this test is about
			h.limits["PA_a"].bytes.tokens = ByteBurst
		}
		h.limits["PA_a"].updates.tokens = UpdateBurst
		h.limits["PA_a"].bytes.tokens = ByteBurst
	}
	j := newClient(t, "PA_j").attach(h)
	waitIdle(t, h)
	j.converged(h)
	parts := 0
	for _, f := range j.raw {
		m, _ := DecodeServer(f)
		if m.Type == TypeSnapshot {
			parts++
			if len(f) > MaxServerMessageBytes {
				t.Fatalf("part of %d bytes", len(f))
			}
		}
	}
	if parts < 40 {
		t.Fatalf("%d parts for 3 MiB", parts)
	}
}

func TestHubRefusesAllOrNothing(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	a := newClient(t, "PA_a").attach(h)
	b := newClient(t, "PA_b").attach(h)
	waitIdle(t, h)
	mustReceive(t, h, "PA_a", update("", el("keep", 1, 1, false)))
	bad := update("u7", el("keep", 2, 1, false), el("x", 1, 1, false), `{"id":"img","type":"image","version":1,"versionNonce":1,"isDeleted":false}`)
	err := receive(t, h, "PA_a", false, bad)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CodeInvalidField || !strings.HasPrefix(pe.Message, "elements[2].type") || pe.RefID != "u7" {
		t.Fatalf("err = %v", err)
	}
	waitIdle(t, h)
	if h.Seq() != 1 || h.Len() != 1 {
		t.Fatalf("refused update changed the board: seq %d len %d", h.Seq(), h.Len())
	}
	a.with(func(r *replica) {
		if len(r.errs) != 1 || r.errs[0].Code != CodeInvalidField || r.errs[0].RefID != "u7" || !strings.Contains(r.errs[0].Text, "elements[2]") {
			t.Fatalf("sender errors %+v", r.errs)
		}
	})
	b.with(func(r *replica) {
		if len(r.errs) != 0 || r.updates != 1 {
			t.Fatalf("bystander saw %d errors, %d updates", len(r.errs), r.updates)
		}
	})
	a.converged(h)
	b.converged(h)
}

func TestHubErrorsGoToTheSender(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	a := newClient(t, "PA_a").attach(h)
	tests := []struct {
		msg  string
		code Code
		ref  string
	}{
		{`not json`, CodeBadMessage, ""},
		{`{"v":2,"id":"x1","type":"update"}`, CodeBadVersion, "x1"},
		{`{"v":1,"id":"x2","type":"snapshot","seq":1,"part":1,"parts":1,"elements":[]}`, CodeUnexpectedType, "x2"},
		{`{"v":1,"id":"x3","type":"wipe"}`, CodeUnknownType, "x3"},
		{string(padTo(update("x4", el("a", 1, 1, false)), MaxMessageBytes+1)), CodeTooLarge, ""},
	}
	for _, tt := range tests {
		err := receive(t, h, "PA_a", true, []byte(tt.msg))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != tt.code || pe.RefID != tt.ref {
			t.Fatalf("%.40s: err = %v, want %s ref %q", tt.msg, err, tt.code, tt.ref)
		}
	}
	waitIdle(t, h)
	a.with(func(r *replica) {
		if len(r.errs) != len(tests) {
			t.Fatalf("%d error frames, want %d", len(r.errs), len(tests))
		}
		for i, e := range r.errs {
			if e.Code != tests[i].code || e.RefID != tests[i].ref {
				t.Fatalf("error %d: %+v", i, e)
			}
		}
	})
	if h.Seq() != 0 {
		t.Fatal("errors changed the board")
	}
}

func TestHubClearIsForModerators(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	a := newClient(t, "PA_a").attach(h)
	mod := newClient(t, "PA_mod").attach(h)
	waitIdle(t, h)
	mustReceive(t, h, "PA_a", update("", el("r1", 1, 1, false), el("r2", 1, 1, false)))
	err := receive(t, h, "PA_a", false, []byte(`{"v":1,"type":"clear","id":"c0"}`))
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CodeForbidden || pe.RefID != "c0" {
		t.Fatalf("non-moderator clear: %v", err)
	}
	if h.Len() != 2 || h.Seq() != 1 {
		t.Fatal("forbidden clear changed the board")
	}
	if err := h.Receive("PA_mod", true, []byte(clientExamples["clear"])); err != nil {
		t.Fatal(err)
	}
	if !h.Empty() || h.Seq() != 2 {
		t.Fatalf("after clear: len %d seq %d", h.Len(), h.Seq())
	}
	// Tombstones went too: an old version is new again.
	mustReceive(t, h, "PA_a", update("", el("r1", 1, 1, false)))
	waitIdle(t, h)
	for _, c := range []*client{a, mod} {
		c.converged(h)
		c.with(func(r *replica) {
			if r.cleared != 1 {
				t.Fatalf("%s saw %d cleared", c.id, r.cleared)
			}
		})
	}
	mod.with(func(r *replica) {
		if len(r.acks) != 1 || r.acks[0].ID != "c1" || r.acks[0].Seq != 2 {
			t.Fatalf("moderator acks %+v", r.acks)
		}
	})
	a.with(func(r *replica) {
		if len(r.errs) != 1 || r.errs[0].Code != CodeForbidden {
			t.Fatalf("a errors %+v", r.errs)
		}
	})
	if !strings.Contains(string(a.raw[len(a.raw)-2]), `"type":"cleared","seq":2,"by":"PA_mod"`) {
		t.Fatalf("cleared frame: %s", a.raw[len(a.raw)-2])
	}
}

func TestHubRateLimits(t *testing.T) {
	t.Run("updates", func(t *testing.T) {
		h, clock := newTestHub(t, Config{})
		a := newClient(t, "PA_a").attach(h)
		for i := range UpdateBurst {
			mustReceive(t, h, "PA_a", update("", el(fmt.Sprintf("e%d", i), 1, 1, false)))
		}
		for i := range 3 { // over the limit: the first is answered, the rest silent
			err := receive(t, h, "PA_a", false, update(fmt.Sprintf("over%d", i), el("late", 1, 1, false)))
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != CodeRateLimited {
				t.Fatalf("update %d over the burst: %v", i, err)
			}
		}
		// Malformed messages count too.
		if err := receive(t, h, "PA_a", false, []byte("garbage")); !hasCode(err, CodeRateLimited) {
			t.Fatalf("garbage while limited: %v", err)
		}
		clock.Advance(time.Second/UpdateRate + time.Millisecond) // one token
		mustReceive(t, h, "PA_a", update("", el("late", 1, 1, false)))
		if err := receive(t, h, "PA_a", false, update("again", el("later", 1, 1, false))); !hasCode(err, CodeRateLimited) {
			t.Fatalf("second update after one token: %v", err)
		}
		clock.Advance(time.Second)
		for i := range UpdateRate {
			mustReceive(t, h, "PA_a", update("", el(fmt.Sprintf("s%d", i), 1, 1, false)))
		}
		waitIdle(t, h)
		a.with(func(r *replica) {
			if len(r.errs) != 2 || r.errs[0].RefID != "over0" || r.errs[1].RefID != "again" {
				t.Fatalf("rate_limited answers %+v, want one per run", r.errs)
			}
		})
		a.converged(h)
	})
	t.Run("bytes", func(t *testing.T) {
		h, clock := newTestHub(t, Config{})
		newClient(t, "PA_a").attach(h)
		big := func(i int) []byte {
			return padTo(update("", elSized(fmt.Sprintf("b%d", i), 1, 1, 30000), elSized(fmt.Sprintf("c%d", i), 1, 1, 30000)), MaxMessageBytes)
		}
		n := 0
		for ; n < 100; n++ {
			if err := receive(t, h, "PA_a", false, big(n)); err != nil {
				if !hasCode(err, CodeRateLimited) {
					t.Fatal(err)
				}
				break
			}
		}
		if want := ByteBurst / MaxMessageBytes; n != want {
			t.Fatalf("%d messages of 64 KiB before the byte limit, want %d", n, want)
		}
		clock.Advance(time.Second)
		for i := range ByteRate / MaxMessageBytes {
			mustReceive(t, h, "PA_a", big(1000+i))
		}
		if err := receive(t, h, "PA_a", false, big(2000)); !hasCode(err, CodeRateLimited) {
			t.Fatalf("past a second's bytes: %v", err)
		}
	})
	t.Run("pointers", func(t *testing.T) {
		h, clock := newTestHub(t, Config{})
		a := newClient(t, "PA_a").attach(h)
		b := newClient(t, "PA_b").attach(h)
		waitIdle(t, h) // pointers skip a peer still waiting for its snapshot
		ptr := []byte(clientExamples["pointer laser"])
		for range PointerBurst {
			mustReceive(t, h, "PA_a", ptr)
		}
		for range 5 {
			if err := receive(t, h, "PA_a", false, ptr); !hasCode(err, CodeRateLimited) {
				t.Fatalf("pointer over the burst: %v", err)
			}
		}
		clock.Advance(time.Second/PointerRate + time.Millisecond)
		mustReceive(t, h, "PA_a", ptr)
		// Pointers do not use the update budget.
		for i := range UpdateBurst {
			mustReceive(t, h, "PA_a", update("", el(fmt.Sprintf("e%d", i), 1, 1, false)))
		}
		waitIdle(t, h)
		a.with(func(r *replica) {
			if len(r.errs) != 0 || len(r.pointers) != 0 {
				t.Fatalf("sender got %d errors, %d of its pointers", len(r.errs), len(r.pointers))
			}
		})
		b.with(func(r *replica) {
			if len(r.pointers) != PointerBurst+1 {
				t.Fatalf("b got %d pointers, want %d", len(r.pointers), PointerBurst+1)
			}
			p := r.pointers[0]
			if p.From != "PA_a" || p.X != 10 || p.Y != 20.25 || p.Tool != ToolLaser || p.Button != ButtonDown {
				t.Fatalf("relayed pointer %+v", p)
			}
		})
		if string(b.raw[1]) != serverExamples["pointer laser"][:len(`{"v":1,"type":"pointer","from":"PA_`)]+`a"`+serverExamples["pointer laser"][len(`{"v":1,"type":"pointer","from":"PA_2"`):] {
			t.Fatalf("pointer frame %s", b.raw[1])
		}
	})
	t.Run("survive reattach", func(t *testing.T) {
		h, _ := newTestHub(t, Config{})
		newClient(t, "PA_a").attach(h)
		for i := range UpdateBurst {
			mustReceive(t, h, "PA_a", update("", el(fmt.Sprintf("e%d", i), 1, 1, false)))
		}
		h.Detach("PA_a")
		newClient(t, "PA_a").attach(h)
		if err := receive(t, h, "PA_a", false, update("", el("x", 1, 1, false))); !hasCode(err, CodeRateLimited) {
			t.Fatalf("reattach refilled the bucket: %v", err)
		}
	})
}

func hasCode(err error, code Code) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.Code == code
}

func TestHubSlowPeerDoesNotDelayOthers(t *testing.T) {
	h, clock := newTestHub(t, Config{QueueFrames: 16, QueueBytes: 1 << 20})
	fast := newClient(t, "PA_fast").attach(h)
	slow := newClient(t, "PA_slow")
	slow.gate = make(chan struct{})
	slow.entered = make(chan struct{}, 1)
	var once sync.Once
	release := func() { once.Do(func() { close(slow.gate) }) }
	t.Cleanup(release) // runs before the hub's Close
	slow.attach(h)
	<-slow.entered // stuck sending its snapshot
	for i := range 100 {
		clock.Advance(time.Second)
		mustReceive(t, h, "PA_fast", update("", el(fmt.Sprintf("e%d", i), 1, 1, false)))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var seq uint64
		fast.with(func(r *replica) { seq = r.seq })
		if seq == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fast peer at seq %d while the slow one is stuck", seq)
		}
		time.Sleep(time.Millisecond)
	}
	h.mu.Lock()
	p := h.peers["PA_slow"]
	frames, bytes, resyncs := len(p.queue), p.queued, p.resyncs
	h.mu.Unlock()
	if frames > 16 || bytes > 1<<20 || resyncs == 0 {
		t.Fatalf("slow queue %d frames %d bytes, %d resyncs", frames, bytes, resyncs)
	}
	release() // it catches up: a fresh snapshot, then live updates
	waitIdle(t, h)
	mustReceive(t, h, "PA_fast", update("", el("after", 1, 1, false)))
	waitIdle(t, h)
	fast.converged(h)
	slow.converged(h)
	slow.with(func(r *replica) {
		if r.snapshots != 2 || r.updates != 1 {
			t.Fatalf("slow peer got %d snapshots and %d updates, want the initial snapshot, a fresh one and 1 update", r.snapshots, r.updates)
		}
	})
}

func TestHubFailingPeer(t *testing.T) {
	var failed atomic.Value
	h, _ := newTestHub(t, Config{OnPeerFailed: func(id ParticipantID, err error) { failed.Store(fmt.Sprint(id, ": ", err)) }})
	a := newClient(t, "PA_a").attach(h)
	bad := newClient(t, "PA_bad")
	bad.fail = errors.New("data channel closed")
	bad.attach(h)
	waitIdle(t, h)
	if got, _ := failed.Load().(string); got != "PA_bad: data channel closed" {
		t.Fatalf("OnPeerFailed got %q", got)
	}
	mustReceive(t, h, "PA_a", update("", el("r", 1, 1, false)))
	waitIdle(t, h)
	a.converged(h)
	// Attached again (a new data channel), it gets a snapshot.
	again := newClient(t, "PA_bad").attach(h)
	waitIdle(t, h)
	again.converged(h)

	// A panicking send is a failure too, not a crash.
	boom := &client{t: t, id: "PA_boom", rep: newReplica()}
	if err := h.Attach("PA_boom", func([]byte) error { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	_ = boom
	waitIdle(t, h)
	if got, _ := failed.Load().(string); !strings.Contains(got, "PA_boom") || !strings.Contains(got, "panicked") {
		t.Fatalf("OnPeerFailed got %q", got)
	}
}

func TestHubAttachDetachClose(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	if err := h.Attach("bad id", func([]byte) error { return nil }); !errors.Is(err, ErrInvalidParticipant) {
		t.Fatalf("Attach(bad id) = %v", err)
	}
	if err := h.Attach(ParticipantID(strings.Repeat("p", 65)), func([]byte) error { return nil }); !errors.Is(err, ErrInvalidParticipant) {
		t.Fatalf("Attach(65 bytes) = %v", err)
	}
	if err := h.Receive("PA_nobody", false, []byte(clientExamples["clear"])); !errors.Is(err, ErrNotAttached) {
		t.Fatalf("Receive from a stranger = %v", err)
	}
	old := newClient(t, "PA_a").attach(h)
	waitIdle(t, h)
	neu := newClient(t, "PA_a").attach(h) // replaces
	mustReceive(t, h, "PA_a", update("", el("r", 1, 1, false)))
	waitIdle(t, h)
	neu.converged(h)
	old.with(func(r *replica) {
		if r.updates != 0 {
			t.Fatal("the replaced peer still receives")
		}
	})
	h.Detach("PA_a")
	h.Detach("PA_a") // idempotent
	if err := h.Receive("PA_a", false, update("", el("r", 2, 1, false))); !errors.Is(err, ErrNotAttached) {
		t.Fatalf("Receive after Detach = %v", err)
	}

	// Close waits for a send in progress and stops every goroutine
	// (TestMain checks for leaks).
	stuck := newClient(t, "PA_stuck")
	stuck.gate = make(chan struct{})
	stuck.entered = make(chan struct{}, 1)
	stuck.attach(h)
	<-stuck.entered
	closed := make(chan struct{})
	go func() { _ = h.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a send was in progress")
	case <-time.After(20 * time.Millisecond):
	}
	close(stuck.gate)
	<-closed
	if err := h.Attach("PA_b", func([]byte) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Attach after Close = %v", err)
	}
	if err := h.Receive("PA_a", false, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Receive after Close = %v", err)
	}
	if h.Len() != 1 {
		t.Fatal("the board is gone after Close")
	}
	_ = h.Close()
}

func TestHubConcurrentEditsConverge(t *testing.T) {
	h, _ := newTestHub(t, Config{Now: func() time.Time { return time.Unix(0, 0) }})
	const writers = 6
	clients := make([]*client, writers)
	for i := range clients {
		clients[i] = newClient(t, ParticipantID(fmt.Sprintf("PA_%d", i))).attach(h)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				if i%50 == 0 {
					h.mu.Lock() // refill: this test is about ordering, not limits
					h.limits[clients[w].id].updates.tokens = UpdateBurst
					h.mu.Unlock()
				}
				// Everyone edits the same few elements with colliding versions.
				id := fmt.Sprintf("e%d", i%10)
				e := el(id, int64(1+i/10), int64(w*1000+i), i%13 == 0)
				_ = h.Receive(clients[w].id, w == 0, update("", e))
				if w == 0 && i == 150 {
					_ = h.Receive(clients[w].id, true, []byte(`{"v":1,"type":"clear"}`))
				}
			}
		}()
	}
	// A peer joins in the middle of it all.
	time.Sleep(time.Millisecond)
	late := newClient(t, "PA_late").attach(h)
	wg.Wait()
	waitIdle(t, h)
	for _, c := range append(clients, late) {
		c.converged(h)
	}
}

func TestHubRelaysTheLargestUpdate(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	long := ParticipantID(strings.Repeat("P", MaxParticipantIDBytes))
	c := newClient(t, long).attach(h)
	waitIdle(t, h)
	// Two elements that fill the message: the relay exceeds 64 KiB by the
	// seq and from the server adds.
	base := update("", elSized("a", 1, 1, MaxElementBytes), elSized("b", 1, 1, 1000))
	msg := update("", elSized("a", 1, 1, MaxElementBytes), elSized("b", 1, 1, 1000+MaxMessageBytes-len(base)))
	if len(msg) != MaxMessageBytes {
		t.Fatalf("message of %d bytes", len(msg))
	}
	mustReceive(t, h, long, msg)
	waitIdle(t, h)
	c.converged(h) // the replica refuses frames above MaxServerMessageBytes
	if n := len(c.raw[len(c.raw)-1]); n <= MaxMessageBytes || n > MaxServerMessageBytes {
		t.Fatalf("relay of %d bytes", n)
	}
}
