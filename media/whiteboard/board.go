package whiteboard

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
)

// Board limits (docs/whiteboard.md §5).
const (
	// MaxLiveElements bounds the elements that are not deleted.
	MaxLiveElements = 10_000
	// MaxBoardBytes bounds the bytes of all stored elements, live and
	// tombstones. Live elements alone may fill it; tombstones are purged,
	// oldest first, to make room.
	MaxBoardBytes = 8 << 20
	// MaxTombstones bounds the deleted elements kept so that late edits of
	// them reconcile; past it the oldest are purged.
	MaxTombstones = 10_000
)

// entry is one stored element.
type entry struct {
	el      *Element // immutable; replaced, never modified
	created uint64   // order of first storage, for elements without an index
	changed uint64   // board seq of the last accepted change
}

// tombRef queues a tombstone for purging; it is stale when the element changed
// after it was queued.
type tombRef struct {
	id      string
	changed uint64
}

// board is the whiteboard state and Excalidraw's reconciliation rule. It is
// not safe for concurrent use; the Hub guards it with its mutex.
type board struct {
	seq       uint64
	elems     map[string]*entry
	live      int
	liveBytes int
	tombs     int
	tombBytes int
	created   uint64
	tombQ     []tombRef // in order of deletion; may hold stale refs
	snap      *snapshot // cached until the next change
}

func newBoard() *board {
	return &board{elems: map[string]*entry{}}
}

// applyResult is the outcome of one accepted update.
type applyResult struct {
	accepted []*Element // in the update's order
	stale    int
}

// apply reconciles els (distinct ids, each valid) into the board, all or
// nothing. Elements that are not newer than the stored ones are stale and
// dropped. When any element is accepted the board's seq advances by one.
func (b *board) apply(els []Element) (applyResult, *Error) {
	live, liveBytes := b.live, b.liveBytes
	wins := 0
	for i := range els {
		e := &els[i]
		cur := b.elems[e.ID]
		if cur != nil && !e.Newer(cur.el) {
			continue
		}
		wins++
		if cur != nil && !cur.el.IsDeleted {
			live--
			liveBytes -= len(cur.el.Raw)
		}
		if !e.IsDeleted {
			live++
			liveBytes += len(e.Raw)
		}
	}
	if live > MaxLiveElements && live > b.live {
		return applyResult{}, Errorf(CodeBoardFull, "the board would hold %d elements, limit %d", live, MaxLiveElements)
	}
	if liveBytes > MaxBoardBytes && liveBytes > b.liveBytes {
		return applyResult{}, Errorf(CodeBoardFull, "the board would hold %d bytes, limit %d", liveBytes, MaxBoardBytes)
	}
	res := applyResult{stale: len(els) - wins}
	if wins == 0 {
		return res, nil
	}
	b.seq++
	res.accepted = make([]*Element, 0, wins)
	for i := range els {
		e := &els[i]
		cur := b.elems[e.ID]
		if cur != nil && !e.Newer(cur.el) {
			continue
		}
		stored := new(Element)
		*stored = *e
		b.put(stored, cur)
		res.accepted = append(res.accepted, stored)
	}
	b.purge()
	b.snap = nil
	return res, nil
}

// put stores e in place of cur (nil for a new element) at the current seq.
func (b *board) put(e *Element, cur *entry) {
	if cur == nil {
		b.created++
		cur = &entry{created: b.created}
		b.elems[e.ID] = cur
	} else if cur.el.IsDeleted {
		b.tombs--
		b.tombBytes -= len(cur.el.Raw)
	} else {
		b.live--
		b.liveBytes -= len(cur.el.Raw)
	}
	cur.el = e
	cur.changed = b.seq
	if e.IsDeleted {
		b.tombs++
		b.tombBytes += len(e.Raw)
		b.tombQ = append(b.tombQ, tombRef{id: e.ID, changed: b.seq})
	} else {
		b.live++
		b.liveBytes += len(e.Raw)
	}
}

// purge drops the oldest tombstones while there are more than MaxTombstones
// or the board is above MaxBoardBytes.
func (b *board) purge() {
	n := 0
	for n < len(b.tombQ) && (b.tombs > MaxTombstones || b.liveBytes+b.tombBytes > MaxBoardBytes) {
		ref := b.tombQ[n]
		n++
		cur := b.elems[ref.id]
		if cur == nil || !cur.el.IsDeleted || cur.changed != ref.changed {
			continue // changed since it was queued
		}
		delete(b.elems, ref.id)
		b.tombs--
		b.tombBytes -= len(cur.el.Raw)
	}
	b.tombQ = b.tombQ[n:]
	// Stale refs accumulate when elements are deleted, restored and deleted
	// again; compact when they outnumber the tombstones.
	if len(b.tombQ) > 2*b.tombs+64 {
		q := make([]tombRef, 0, b.tombs)
		for _, ref := range b.tombQ {
			if cur := b.elems[ref.id]; cur != nil && cur.el.IsDeleted && cur.changed == ref.changed {
				q = append(q, ref)
			}
		}
		b.tombQ = q
	}
}

// clear erases every element and tombstone; the seq advances by one.
func (b *board) clear() {
	b.seq++
	b.elems = map[string]*entry{}
	b.live, b.liveBytes, b.tombs, b.tombBytes = 0, 0, 0, 0
	b.tombQ = nil
	b.snap = nil
}

// reset replaces the content with els (from a scene) at the next seq, all or
// nothing.
func (b *board) reset(els []Element) *Error {
	nb := newBoard()
	nb.seq = b.seq
	if _, err := nb.apply(els); err != nil {
		return err
	}
	nb.seq = b.seq + 1 // apply advanced it already unless els is empty
	*b = *nb
	return nil
}

// capture returns the board as of now for a snapshot or an export. It is
// cheap under the lock: the list is sorted later, outside it, by the first
// caller of sorted. Elements are immutable, so the capture stays valid after
// the board moves on.
func (b *board) capture() *snapshot {
	if b.snap != nil {
		return b.snap
	}
	s := &snapshot{seq: b.seq, live: b.live, els: make([]snapEntry, 0, len(b.elems))}
	for _, e := range b.elems {
		s.els = append(s.els, snapEntry{el: e.el, created: e.created})
	}
	b.snap = s
	return s
}

// snapEntry is one element of a snapshot with its creation order.
type snapEntry struct {
	el      *Element
	created uint64
}

// snapshot is an immutable view of the board at seq.
type snapshot struct {
	seq   uint64
	live  int
	once  sync.Once
	els   []snapEntry // sorted by once
	parts [][2]int    // element ranges of the snapshot messages, set by once
}

// sorted returns the elements (tombstones included) in scene order: elements
// with an Excalidraw fractional index by index, then id, as Excalidraw's
// orderByFractionalIndex does; elements without one first, in the order they
// were created.
func (s *snapshot) sorted() []snapEntry {
	s.once.Do(func() {
		slices.SortFunc(s.els, func(a, b snapEntry) int {
			ai, bi := a.el.Index != "", b.el.Index != ""
			switch {
			case ai && bi:
				if c := cmp.Compare(a.el.Index, b.el.Index); c != 0 {
					return c
				}
				return cmp.Compare(a.el.ID, b.el.ID)
			case ai:
				return 1
			case bi:
				return -1
			default:
				return cmp.Compare(a.created, b.created)
			}
		})
		s.parts = splitParts(s.seq, s.els, MaxServerMessageBytes)
	})
	return s.els
}

// splitParts packs els greedily into consecutive ranges whose snapshot
// messages fit in limit bytes. An empty board is one empty part.
func splitParts(seq uint64, els []snapEntry, limit int) [][2]int {
	digits := len(strconv.Itoa(len(els) + 1))
	overhead := len(`{"v":1,"type":"snapshot","seq":,"part":,"parts":,"elements":[]}`) +
		len(strconv.FormatUint(seq, 10)) + 2*digits
	parts := make([][2]int, 0, 1)
	start, size := 0, overhead
	for i, e := range els {
		n := len(e.el.Raw)
		if i > start {
			n++ // comma
		}
		if size+n > limit && i > start {
			parts = append(parts, [2]int{start, i})
			start, size, n = i, overhead, len(e.el.Raw)
		}
		size += n
	}
	return append(parts, [2]int{start, len(els)})
}

// frame returns snapshot message i (0-based) of len(parts).
func (s *snapshot) frame(i int) []byte {
	s.sorted()
	r := s.parts[i]
	n := 128
	for _, e := range s.els[r[0]:r[1]] {
		n += len(e.el.Raw) + 1
	}
	b := appendHeader(make([]byte, 0, n), TypeSnapshot)
	b = appendUintField(b, "seq", s.seq)
	b = appendUintField(b, "part", uint64(i+1))
	b = appendUintField(b, "parts", uint64(len(s.parts)))
	b = append(b, `,"elements":[`...)
	for j, e := range s.els[r[0]:r[1]] {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, e.el.Raw...)
	}
	return append(b, ']', '}')
}

// numParts returns the number of snapshot messages.
func (s *snapshot) numParts() int {
	s.sorted()
	return len(s.parts)
}
