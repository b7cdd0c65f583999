package nack

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// FuzzGeneratorModel drives a Generator with a stream that moves back and forth (so
// reordering, duplicates and wrap-around, but no resets) and checks every request
// against a model: only packets that were never pushed, within the window behind
// the highest one, each once per call and in ascending order.
func FuzzGeneratorModel(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0x85, 20, 0x90, 0x20, 0x81, 0x3f, 0x3f, 0x3f, 0x8f})
	f.Add([]byte{0x30, 0x30, 0x30, 0x8a, 0x0f, 0x0e, 0x8a, 0x00, 0x00, 0xbf, 0xbf})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4000 {
			data = data[:4000]
		}
		g, err := NewGenerator(GeneratorConfig{RTT: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		const window = DefaultGeneratorWindow
		pos := int64(65500) // wraps within the first steps forward
		highest := pos
		pushed := map[int64]bool{pos: true}
		now := t0
		g.Push(uint16(pos), now)
		var pairs []rtcp.NackPair
		for _, b := range data {
			now = now.Add(time.Millisecond)
			if b&0x80 != 0 { // a tick after (b & 0x3f) * 5 ms
				now = now.Add(time.Duration(b&0x3f) * 5 * time.Millisecond)
				pairs = g.AppendNacks(pairs[:0], now)
				last := int64(-1 << 62)
				for _, s := range seqsOf(pairs) {
					e := highest - int64(uint16(highest)-s)
					if e <= highest-window || pushed[e] {
						t.Fatalf("asked for %d (ext %d): highest %d, pushed %v", s, e, highest, pushed[e])
					}
					if e <= last {
						t.Fatalf("asked for ext %d after ext %d", e, last)
					}
					last = e
				}
				checkInvariant(t, g)
				continue
			}
			pos = max(pos+int64(b&0x3f)-16, highest-500)
			pushed[pos] = true
			highest = max(highest, pos)
			g.Push(uint16(pos), now)
		}
		if st := g.Stats(); st.Resets != 0 {
			t.Fatalf("%d resets, want none", st.Resets)
		}
		checkInvariant(t, g)
	})
}

// FuzzGeneratorArbitrary pushes arbitrary sequence numbers (every third value of the
// input is a tick) and checks that nothing panics, that the counters add up and that
// no call asks for one packet twice.
func FuzzGeneratorArbitrary(f *testing.F) {
	f.Add([]byte{0, 1, 0, 3, 0xff, 0xff, 0, 0, 0x80, 0, 0, 1})
	f.Add([]byte{0xff, 0xfe, 0, 2, 0x12, 0x34, 0x40, 0, 0x40, 1, 0x40, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := NewGenerator(GeneratorConfig{Window: 64, MaxNacks: 2, RTT: time.Millisecond, MinInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		var pairs []rtcp.NackPair
		for i := 0; i+1 < len(data) && i < 8000; i += 2 {
			v := binary.BigEndian.Uint16(data[i:])
			now = now.Add(time.Millisecond)
			if i%6 == 4 {
				now = now.Add(time.Duration(v%512) * time.Millisecond)
				pairs = g.AppendNacks(pairs[:0], now)
				seen := map[uint16]bool{}
				for _, s := range seqsOf(pairs) {
					if seen[s] {
						t.Fatalf("asked for %d twice in one call", s)
					}
					seen[s] = true
				}
			} else {
				g.Push(v, now)
			}
			checkInvariant(t, g)
		}
	})
}
