package whiteboard

import (
	"fmt"
	"slices"
	"testing"
)

// applyJSON decodes els as one update and applies it to b.
func applyJSON(t testing.TB, b *board, els ...string) (applyResult, *Error) {
	t.Helper()
	m, err := Decode(update("", els...))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return b.apply(m.Elements)
}

func mustApply(t testing.TB, b *board, els ...string) applyResult {
	t.Helper()
	res, err := applyJSON(t, b, els...)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

func TestReconcile(t *testing.T) {
	tests := []struct {
		name     string
		stored   string // "" for none
		incoming string
		accepted bool
	}{
		{"new element", "", el("a", 1, 5, false), true},
		{"higher version wins", el("a", 2, 5, false), el("a", 3, 900, false), true},
		{"lower version is stale", el("a", 3, 5, false), el("a", 2, 1, false), false},
		{"equal version, lower nonce wins", el("a", 3, 50, false), el("a", 3, 49, false), true},
		{"equal version, higher nonce is stale", el("a", 3, 50, false), el("a", 3, 51, false), false},
		{"equal version and nonce is stale", el("a", 3, 50, false), el("a", 3, 50, false), false},
		{"negative nonce is lower", el("a", 3, 0, false), el("a", 3, -1, false), true},
		{"delete by higher version", el("a", 3, 50, false), el("a", 4, 50, true), true},
		{"new element already deleted", "", el("a", 1, 5, true), true},
		{"late edit of a tombstone is stale", el("a", 4, 50, true), el("a", 3, 7, false), false},
		{"restore a tombstone by higher version", el("a", 4, 50, true), el("a", 5, 7, false), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBoard()
			if tt.stored != "" {
				mustApply(t, b, tt.stored)
			}
			seq := b.seq
			res := mustApply(t, b, tt.incoming)
			if got := len(res.accepted) == 1; got != tt.accepted {
				t.Fatalf("accepted = %v, want %v", got, tt.accepted)
			}
			wantSeq, wantStale := seq, 1
			if tt.accepted {
				wantSeq, wantStale = seq+1, 0
			}
			if b.seq != wantSeq || res.stale != wantStale {
				t.Fatalf("seq %d stale %d, want %d %d", b.seq, res.stale, wantSeq, wantStale)
			}
			stored := b.elems["a"].el
			want := tt.stored
			if tt.accepted {
				want = tt.incoming
			}
			if string(stored.Raw) != want {
				t.Fatalf("stored %s, want %s", stored.Raw, want)
			}
			checkCounts(t, b)
		})
	}
}

// checkCounts verifies the board's counters against its elements.
func checkCounts(t testing.TB, b *board) {
	t.Helper()
	var live, liveBytes, tombs, tombBytes int
	for id, e := range b.elems {
		if id != e.el.ID {
			t.Fatalf("element %s stored under %s", e.el.ID, id)
		}
		if e.el.IsDeleted {
			tombs++
			tombBytes += len(e.el.Raw)
		} else {
			live++
			liveBytes += len(e.el.Raw)
		}
	}
	if live != b.live || liveBytes != b.liveBytes || tombs != b.tombs || tombBytes != b.tombBytes {
		t.Fatalf("counters live %d/%d tombs %d/%d, elements say %d/%d %d/%d",
			b.live, b.liveBytes, b.tombs, b.tombBytes, live, liveBytes, tombs, tombBytes)
	}
	if b.live > MaxLiveElements || b.liveBytes+b.tombBytes > MaxBoardBytes || b.tombs > MaxTombstones {
		t.Fatalf("limits exceeded: live %d, bytes %d, tombstones %d", b.live, b.liveBytes+b.tombBytes, b.tombs)
	}
}

func TestApplyMixedUpdate(t *testing.T) {
	b := newBoard()
	mustApply(t, b, el("a", 5, 1, false), el("b", 1, 1, false))
	res := mustApply(t, b, el("a", 4, 1, false), el("b", 2, 1, false), el("c", 1, 1, false))
	if len(res.accepted) != 2 || res.stale != 1 || b.seq != 2 {
		t.Fatalf("accepted %d stale %d seq %d", len(res.accepted), res.stale, b.seq)
	}
	if res.accepted[0].ID != "b" || res.accepted[1].ID != "c" {
		t.Fatalf("accepted out of order: %v", res.accepted)
	}
	res = mustApply(t, b, el("a", 1, 1, false), el("b", 1, 1, false))
	if len(res.accepted) != 0 || res.stale != 2 || b.seq != 2 {
		t.Fatalf("all stale: accepted %d stale %d seq %d", len(res.accepted), res.stale, b.seq)
	}
}

func TestTombstonePurge(t *testing.T) {
	b := newBoard()
	const extra = 5
	for i := range MaxTombstones + extra {
		id := fmt.Sprintf("t%d", i)
		mustApply(t, b, el(id, 1, 1, false))
		mustApply(t, b, el(id, 2, 1, true))
	}
	checkCounts(t, b)
	if b.tombs != MaxTombstones || b.live != 0 {
		t.Fatalf("tombstones %d live %d", b.tombs, b.live)
	}
	for i := range extra {
		if b.elems[fmt.Sprintf("t%d", i)] != nil {
			t.Fatalf("t%d not purged", i)
		}
	}
	if b.elems[fmt.Sprintf("t%d", extra)] == nil {
		t.Fatal("the oldest kept tombstone was purged")
	}
	// A late edit of a purged element is accepted (documented limitation);
	// one of a kept tombstone is not.
	if res := mustApply(t, b, el("t0", 1, 0, false)); len(res.accepted) != 1 {
		t.Fatal("edit of a purged tombstone refused")
	}
	if res := mustApply(t, b, el(fmt.Sprintf("t%d", extra+1), 1, 0, false)); len(res.accepted) != 0 {
		t.Fatal("late edit of a kept tombstone accepted")
	}
	// Restoring and deleting again leaves stale queue entries; they are
	// compacted and never purge a live element.
	for range 3 {
		for i := extra; i < extra+100; i++ {
			id := fmt.Sprintf("t%d", i)
			cur := b.elems[id].el
			mustApply(t, b, el(id, cur.Version+1, 1, !cur.IsDeleted))
		}
	}
	checkCounts(t, b)
	if len(b.tombQ) > 2*b.tombs+64 {
		t.Fatalf("tombstone queue not compacted: %d refs for %d tombstones", len(b.tombQ), b.tombs)
	}
}

func TestBoardLimits(t *testing.T) {
	t.Run("live elements", func(t *testing.T) {
		b := newBoard()
		var batch []string
		for i := range MaxLiveElements {
			batch = append(batch, el(fmt.Sprintf("e%d", i), 1, 1, false))
			if len(batch) == MaxUpdateElements {
				mustApply(t, b, batch...)
				batch = batch[:0]
			}
		}
		if b.live != MaxLiveElements {
			t.Fatalf("live %d", b.live)
		}
		seq := b.seq
		// One more element is refused, together with a valid edit in the same update.
		_, err := applyJSON(t, b, el("e0", 2, 1, false), el("one-more", 1, 1, false))
		if err == nil || err.Code != CodeBoardFull {
			t.Fatalf("err = %v, want board_full", err)
		}
		if b.seq != seq || b.elems["e0"].el.Version != 1 || b.elems["one-more"] != nil {
			t.Fatal("a refused update changed the board")
		}
		// Editing, or deleting one and adding one, stays within the limit.
		mustApply(t, b, el("e0", 2, 1, false))
		mustApply(t, b, el("e1", 2, 1, true), el("one-more", 1, 1, false))
		checkCounts(t, b)
	})
	t.Run("bytes", func(t *testing.T) {
		b := newBoard()
		n := MaxBoardBytes / MaxElementBytes
		for i := range n {
			mustApply(t, b, elSized(fmt.Sprintf("big%d", i), 1, 1, MaxElementBytes))
		}
		if b.liveBytes != MaxBoardBytes {
			t.Fatalf("live bytes %d", b.liveBytes)
		}
		seq := b.seq
		if _, err := applyJSON(t, b, el("tiny", 1, 1, false)); err == nil || err.Code != CodeBoardFull {
			t.Fatalf("err = %v, want board_full", err)
		}
		if b.seq != seq || b.elems["tiny"] != nil {
			t.Fatal("a refused update changed the board")
		}
		mustApply(t, b, elSized("big0", 2, 1, MaxElementBytes)) // same size: fits
		mustApply(t, b, elSized("big1", 2, 1, 200))             // shrink: makes room
		mustApply(t, b, el("tiny", 1, 1, false))
		checkCounts(t, b)
	})
	t.Run("tombstones give way to live bytes", func(t *testing.T) {
		b := newBoard()
		n := MaxBoardBytes / MaxElementBytes
		for i := range n {
			mustApply(t, b, elSized(fmt.Sprintf("big%d", i), 1, 1, MaxElementBytes))
		}
		for i := range n / 2 { // full-size tombstones: the board stays at 8 MiB
			mustApply(t, b, elSizedDeleted(fmt.Sprintf("big%d", i), 2, 1, MaxElementBytes))
		}
		if b.tombs != n/2 || b.liveBytes+b.tombBytes != MaxBoardBytes {
			t.Fatalf("tombstones %d, bytes %d", b.tombs, b.liveBytes+b.tombBytes)
		}
		for i := range 10 {
			mustApply(t, b, elSized(fmt.Sprintf("new%d", i), 1, 1, MaxElementBytes))
		}
		for i := range n / 2 {
			gone := b.elems[fmt.Sprintf("big%d", i)] == nil
			if gone != (i < 10) {
				t.Fatalf("big%d purged = %v; want the 10 oldest tombstones purged", i, gone)
			}
		}
		checkCounts(t, b)
	})
}

func TestSnapshotOrder(t *testing.T) {
	b := newBoard()
	mustApply(t, b, el("plain2", 1, 1, false))
	mustApply(t, b, elIndexed("z", "a2", 1, 1, false), elIndexed("y", "a0", 1, 1, false))
	mustApply(t, b, el("plain1", 1, 1, false), elIndexed("x", "a1", 1, 1, false), elIndexed("w", "a1", 1, 1, false))
	mustApply(t, b, el("plain2", 2, 1, false)) // an edit keeps its creation order
	var got []string
	for _, e := range b.capture().sorted() {
		got = append(got, e.el.ID)
	}
	want := []string{"plain2", "plain1", "y", "w", "x", "z"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestSplitParts(t *testing.T) {
	b := newBoard()
	for i := range 300 {
		mustApply(t, b, elSized(fmt.Sprintf("e%03d", i), 1, 1, 1000+i*37%5000))
	}
	s := b.capture()
	s.sorted()
	total := 0
	for i := range s.numParts() {
		f := s.frame(i)
		if len(f) > MaxServerMessageBytes {
			t.Fatalf("part %d is %d bytes", i+1, len(f))
		}
		m, err := DecodeServer(f)
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		if m.Part != i+1 || m.Parts != s.numParts() || m.Seq != b.seq {
			t.Fatalf("part %d: %d/%d seq %d", i+1, m.Part, m.Parts, m.Seq)
		}
		total += len(m.Elements)
	}
	if total != 300 || s.numParts() < 2 {
		t.Fatalf("%d elements in %d parts", total, s.numParts())
	}
	// Parts are full: each but the last has no room for the next element.
	for i := 0; i+1 < len(s.parts); i++ {
		next := s.els[s.parts[i][1]]
		if len(s.frame(i))+len(next.el.Raw)+1 <= MaxServerMessageBytes {
			t.Fatalf("part %d could have held the next element", i+1)
		}
	}
	empty := newBoard().capture()
	if empty.numParts() != 1 || string(empty.frame(0)) != serverExamples["snapshot empty"] {
		t.Fatalf("empty board snapshot %s", empty.frame(0))
	}
}
