package whiteboard

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"
)

// replica is a client as docs/whiteboard.md §8 describes it: it assembles
// snapshots, checks that seq has no gaps and reconciles updates with
// Excalidraw's client rule. Tests compare it with the server's board.
type replica struct {
	seq       uint64
	synced    bool
	parts     []Message // snapshot parts received so far
	elems     map[string]Element
	snapshots int
	updates   int
	acks      []Message
	errs      []Message
	pointers  []Message
	cleared   int
}

func newReplica() *replica { return &replica{elems: map[string]Element{}} }

// apply handles one frame from the server; an error is a protocol violation.
func (r *replica) apply(frame []byte) error {
	if len(frame) > MaxServerMessageBytes {
		return fmt.Errorf("frame of %d bytes", len(frame))
	}
	m, err := DecodeServer(frame)
	if err != nil {
		return fmt.Errorf("undecodable frame %.200s: %v", frame, err)
	}
	if len(r.parts) > 0 && m.Type != TypeSnapshot && m.Type != TypeAck && m.Type != TypeError {
		return fmt.Errorf("%s inside a snapshot (part %d of %d)", m.Type, len(r.parts), r.parts[0].Parts)
	}
	switch m.Type {
	case TypeSnapshot:
		if m.Part == 1 {
			r.parts = r.parts[:0]
		}
		if m.Part != len(r.parts)+1 || len(r.parts) > 0 && (m.Seq != r.parts[0].Seq || m.Parts != r.parts[0].Parts) {
			return fmt.Errorf("snapshot part %d/%d seq %d out of order", m.Part, m.Parts, m.Seq)
		}
		r.parts = append(r.parts, m)
		if m.Part == m.Parts {
			clear(r.elems)
			for _, p := range r.parts {
				for _, e := range p.Elements {
					if _, dup := r.elems[e.ID]; dup {
						return fmt.Errorf("element %s twice in a snapshot", e.ID)
					}
					r.elems[e.ID] = e
				}
			}
			r.parts = r.parts[:0]
			r.seq, r.synced = m.Seq, true
			r.snapshots++
		}
	case TypeUpdate:
		if !r.synced || m.Seq != r.seq+1 {
			return fmt.Errorf("update seq %d after %d (synced %v)", m.Seq, r.seq, r.synced)
		}
		r.seq = m.Seq
		r.updates++
		for _, e := range m.Elements {
			if cur, ok := r.elems[e.ID]; ok && (cur.Version > e.Version || cur.Version == e.Version && cur.VersionNonce < e.VersionNonce) {
				continue // Excalidraw's shouldDiscardRemoteElement
			}
			r.elems[e.ID] = e
		}
	case TypeCleared:
		if !r.synced || m.Seq != r.seq+1 {
			return fmt.Errorf("cleared seq %d after %d", m.Seq, r.seq)
		}
		r.seq = m.Seq
		r.cleared++
		clear(r.elems)
	case TypeAck:
		r.acks = append(r.acks, m)
	case TypeError:
		r.errs = append(r.errs, m)
	case TypePointer:
		r.pointers = append(r.pointers, m)
	}
	return nil
}

// live returns the replica's live elements by id.
func (r *replica) live() map[string]string {
	out := map[string]string{}
	for id, e := range r.elems {
		if !e.IsDeleted {
			out[id] = string(e.Raw)
		}
	}
	return out
}

// boardLive returns the hub's live elements by id, from its exported scene.
func boardLive(t testing.TB, h *Hub) map[string]string {
	t.Helper()
	scene, _ := h.Export()
	els, err := parseScene(scene)
	if err != nil {
		t.Fatalf("export does not parse: %v", err)
	}
	out := map[string]string{}
	for _, e := range els {
		out[e.ID] = string(e.Raw)
	}
	return out
}

// client is a recorded peer: its send function feeds a replica.
type client struct {
	t       testing.TB
	id      ParticipantID
	mu      sync.Mutex
	rep     *replica
	raw     [][]byte
	err     error         // first protocol violation
	gate    chan struct{} // when set, every send takes a token first
	entered chan struct{} // when set, signalled as a send starts
	fail    error         // when set, send returns it
}

func newClient(t testing.TB, id ParticipantID) *client {
	return &client{t: t, id: id, rep: newReplica()}
}

func (c *client) send(b []byte) error {
	if c.entered != nil {
		select {
		case c.entered <- struct{}{}:
		default:
		}
	}
	if c.gate != nil {
		<-c.gate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.raw = append(c.raw, append([]byte(nil), b...))
	if err := c.rep.apply(b); err != nil && c.err == nil {
		c.err = err
	}
	return nil
}

// with runs f with the client's lock held.
func (c *client) with(f func(r *replica)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.rep)
}

// attach attaches c to h.
func (c *client) attach(h *Hub) *client {
	c.t.Helper()
	if err := h.Attach(c.id, c.send); err != nil {
		c.t.Fatalf("attach %s: %v", c.id, err)
	}
	return c
}

// converged fails the test unless c saw no protocol violation and holds the
// board's live elements at the board's seq.
func (c *client) converged(h *Hub) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		c.t.Fatalf("%s: %v", c.id, c.err)
	}
	want := boardLive(c.t, h)
	if got := c.rep.live(); !maps.Equal(got, want) {
		c.t.Fatalf("%s diverged: %d live elements, board %d; ids %v vs %v", c.id, len(got), len(want),
			slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if seq := h.Seq(); c.rep.seq != seq {
		c.t.Fatalf("%s at seq %d, board at %d", c.id, c.rep.seq, seq)
	}
}

// idle reports whether every peer's queue is empty and its goroutine waits.
func (h *Hub) idle() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.peers {
		if !p.failed && (p.busy || p.needSnapshot || len(p.queue) > 0) {
			return false
		}
	}
	return true
}

// waitIdle polls until h is idle.
func waitIdle(t testing.TB, h *Hub) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !h.idle() {
		if time.Now().After(deadline) {
			t.Fatal("hub not idle after 10 s")
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// fakeClock is an injected clock for the rate limiters.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
