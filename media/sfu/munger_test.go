package sfu

import (
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// mstep is one packet into the munger (or a Pause) and what must come out.
type mstep struct {
	pause   bool
	in      PacketMeta
	drop    bool
	seq     uint16
	ts      uint32
	rebased bool
}

func pkt(ssrc uint32, seq uint16, ts uint32, ms int) PacketMeta {
	return PacketMeta{SSRC: ssrc, Seq: seq, TS: ts, Arrival: at(ms)}
}

func TestMungerTranslate(t *testing.T) {
	tests := []struct {
		name  string
		clock uint32
		steps []mstep
	}{
		{
			name: "layer switch continues seq and advances ts by the wall-clock gap", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 100, 1000, 0), seq: 100, ts: 1000, rebased: true},
				{in: pkt(1, 101, 4000, 33), seq: 101, ts: 4000},
				{in: pkt(1, 102, 7000, 66), seq: 102, ts: 7000},
				// new SSRC, unrelated bases; 33 ms later = 2970 ticks at 90 kHz
				{in: pkt(2, 5000, 777777, 99), seq: 103, ts: 7000 + 2970, rebased: true},
				{in: pkt(2, 5001, 780777, 132), seq: 104, ts: 7000 + 2970 + 3000},
			},
		},
		{
			name: "2 s mute gap on audio: no seq hole, ts advances by 2 s of clock", clock: 48000,
			steps: []mstep{
				{in: pkt(7, 10, 0, 0), seq: 10, ts: 0, rebased: true},
				{in: pkt(7, 11, 960, 20), seq: 11, ts: 960},
				{pause: true},
				{in: pkt(7, 111, 96960, 2020), seq: 12, ts: 960 + 96000, rebased: true},
				{in: pkt(7, 112, 97920, 2040), seq: 13, ts: 960 + 96000 + 960},
				// a straggler from before the mute is older than the new epoch
				{in: pkt(7, 110, 96000, 2041), drop: true},
			},
		},
		{
			name: "incoming 16-bit seq and 32-bit ts wraparound", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 65534, 4294964296, 0), seq: 65534, ts: 4294964296, rebased: true},
				{in: pkt(1, 65535, 4294967295, 33), seq: 65535, ts: 4294967295},
				{in: pkt(1, 0, 2999, 66), seq: 0, ts: 2999},
				{in: pkt(1, 1, 5999, 99), seq: 1, ts: 5999},
			},
		},
		{
			name: "outgoing seq and ts wrap across a switch", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 65535, 4294967000, 0), seq: 65535, ts: 4294967000, rebased: true},
				{in: pkt(2, 42, 10, 10), seq: 0, ts: 4294967000 + 900 - 1<<32, rebased: true},
				{in: pkt(2, 43, 20, 20), seq: 1, ts: 4294967000 + 910 - 1<<32},
			},
		},
		{
			name: "reordered packets keep their offset seq", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 1, 100, 0), seq: 1, ts: 100, rebased: true},
				{in: pkt(1, 2, 100, 1), seq: 2, ts: 100},
				{in: pkt(1, 4, 200, 2), seq: 4, ts: 200},
				{in: pkt(1, 3, 100, 3), seq: 3, ts: 100},
				{in: pkt(1, 5, 200, 4), seq: 5, ts: 200},
			},
		},
		{
			name: "reordered packets after a switch use the new offset", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 10, 0, 0), seq: 10, ts: 0, rebased: true},
				{in: pkt(2, 500, 9000, 100), seq: 11, ts: 9000, rebased: true},
				{in: pkt(2, 502, 9000, 101), seq: 13, ts: 9000},
				{in: pkt(2, 501, 9000, 102), seq: 12, ts: 9000},
			},
		},
		{
			name: "duplicates dropped, in order and late", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 1, 0, 0), seq: 1, ts: 0, rebased: true},
				{in: pkt(1, 2, 0, 1), seq: 2, ts: 0},
				{in: pkt(1, 2, 0, 2), drop: true},
				{in: pkt(1, 3, 0, 3), seq: 3, ts: 0},
				{in: pkt(1, 1, 0, 4), drop: true},
			},
		},
		{
			name: "packet from before the switch point dropped", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 10, 0, 0), seq: 10, ts: 0, rebased: true},
				{in: pkt(1, 11, 0, 1), seq: 11, ts: 0},
				{in: pkt(2, 500, 0, 2), seq: 12, ts: 90, rebased: true},
				{in: pkt(2, 499, 0, 3), drop: true},
				{in: pkt(2, 501, 0, 4), seq: 13, ts: 90},
			},
		},
		{
			name: "late beyond the window dropped", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 1000, 0, 0), seq: 1000, ts: 0, rebased: true},
				{in: pkt(1, 1700, 0, 1), seq: 1700, ts: 0},
				{in: pkt(1, 1100, 0, 2), drop: true},
				{in: pkt(1, 1600, 0, 3), seq: 1600, ts: 0},
			},
		},
		{
			name: "discontinuity in one SSRC rebases instead of leaving a hole", clock: 90000,
			steps: []mstep{
				{in: pkt(1, 100, 0, 0), seq: 100, ts: 0, rebased: true},
				{in: pkt(1, 30000, 5, 1000), seq: 101, ts: 90000, rebased: true},
				{in: pkt(1, 30001, 3005, 1033), seq: 102, ts: 93000},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMunger(tt.clock)
			for i, s := range tt.steps {
				if s.pause {
					m.Pause()
					continue
				}
				out, drop := m.Translate(s.in)
				if drop != s.drop {
					t.Fatalf("step %d (in seq %d): drop = %v, want %v", i, s.in.Seq, drop, s.drop)
				}
				if drop {
					continue
				}
				if out.Seq != s.seq || out.TS != s.ts || out.Rebased != s.rebased {
					t.Fatalf("step %d (in seq %d): got seq %d ts %d rebased %v, want seq %d ts %d rebased %v",
						i, s.in.Seq, out.Seq, out.TS, out.Rebased, s.seq, s.ts, s.rebased)
				}
			}
		})
	}
}

func TestMungerMarkerPassesThrough(t *testing.T) {
	m := NewMunger(90000)
	in := pkt(1, 1, 0, 0)
	in.Marker = true
	if out, _ := m.Translate(in); !out.Marker {
		t.Fatal("marker lost")
	}
}

// FuzzMungerTranslate feeds arbitrary packet sequences: the munger must not panic, and no
// outgoing sequence number may repeat (checked on the unwrapped sequence, which is
// well defined because the munger never moves more than maxSeqJump per packet).
func FuzzMungerTranslate(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 1, 2, 0, 1, 1, 3, 0, 0x81, 0xff, 0, 0})
	f.Add([]byte{0x40, 0xff, 0xff, 0, 0x02, 0x00, 0x01, 5, 0xc0, 0x10, 0x00, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := NewMunger(90000)
		var (
			seq     uint16
			ts      uint32
			now     = t0
			started bool
			maxExt  int64
			seen    = map[int64]bool{}
		)
		for len(data) >= 4 {
			op, a, b, c := data[0], data[1], data[2], data[3]
			data = data[4:]
			ssrc := uint32(op & 3)
			switch {
			case op&0x80 != 0: // arbitrary jump
				seq = uint16(a)<<8 | uint16(b)
			default: // small step, possibly backwards or zero (duplicate)
				seq += uint16(int16(int8(a)) % 16)
			}
			ts += uint32(b) * 100
			now = now.Add(time.Duration(c) * time.Millisecond)
			if op&0x40 != 0 {
				m.Pause()
			}
			out, drop := m.Translate(PacketMeta{SSRC: ssrc, Seq: seq, TS: ts, Arrival: now})
			if drop {
				continue
			}
			ext := int64(out.Seq)
			if started {
				ext = maxExt + int64(int16(out.Seq-uint16(maxExt)))
				if out.Rebased && ext != maxExt+1 {
					t.Fatalf("rebased packet got seq %d, want %d", ext, maxExt+1)
				}
			}
			if seen[ext] {
				t.Fatalf("outgoing seq %d (ext %d) forwarded twice", out.Seq, ext)
			}
			seen[ext] = true
			if !started || ext > maxExt {
				maxExt = ext
			}
			started = true
		}
	})
}
