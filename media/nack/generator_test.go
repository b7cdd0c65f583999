package nack

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// t0 is the start of every test clock.
var t0 = time.Unix(1_700_000_000, 0)

// at returns t0 + ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// seqsOf expands NACK items into sequence numbers, in order.
func seqsOf(pairs []rtcp.NackPair) []uint16 {
	var out []uint16
	for _, p := range pairs {
		p.Range(func(s uint16) bool { out = append(out, s); return true })
	}
	return out
}

// span returns the sequence numbers a..b.
func span(a, b uint16) []uint16 {
	var out []uint16
	for s := a; s != b+1; s++ {
		out = append(out, s)
	}
	return out
}

// cat concatenates lists of sequence numbers.
func cat(lists ...[]uint16) []uint16 { return slices.Concat(lists...) }

// genOp is one step of a generator test: push seqs at ms, or (tick) ask for NACKs at
// ms and expect want.
type genOp struct {
	ms   int
	push []uint16
	tick bool
	want []uint16
}

func push(ms int, seqs ...uint16) genOp { return genOp{ms: ms, push: seqs} }
func tick(ms int, want ...uint16) genOp { return genOp{ms: ms, tick: true, want: want} }

// checkInvariant: every gap seen is repaired, reordered, lost or still pending.
func checkInvariant(t testing.TB, g *Generator) {
	t.Helper()
	st := g.Stats()
	if p := uint64(g.Pending()); st.Missing != st.Repaired+st.Reordered+st.Lost+p {
		t.Fatalf("missing %d != repaired %d + reordered %d + lost %d + pending %d", st.Missing, st.Repaired, st.Reordered, st.Lost, p)
	}
}

func TestGenerator(t *testing.T) {
	tests := []struct {
		name string
		cfg  GeneratorConfig
		ops  []genOp
		want GeneratorStats
	}{
		{
			name: "in order: nothing to ask",
			ops:  []genOp{push(0, 1, 2, 3, 4), tick(20)},
			want: GeneratorStats{Received: 4},
		},
		{
			name: "a gap is asked for, again after the RTT, and repaired",
			ops: []genOp{
				push(0, 1, 2, 4), tick(20, 3), tick(40), tick(119), tick(120, 3), push(130, 3), tick(240),
			},
			want: GeneratorStats{Received: 4, Missing: 1, Repaired: 1},
		},
		{
			name: "spacing is max(RTT, MinInterval)",
			cfg:  GeneratorConfig{RTT: 5 * time.Millisecond, MinInterval: 30 * time.Millisecond},
			ops:  []genOp{push(0, 10, 12), tick(0, 11), tick(29), tick(30, 11)},
			want: GeneratorStats{Received: 2, Missing: 1},
		},
		{
			name: "wrap-around: one item covers 65531..1",
			ops:  []genOp{push(0, 65529, 65530, 2), tick(20, 65531, 65532, 65533, 65534, 65535, 0, 1), push(30, 0, 65535), tick(200, 65531, 65532, 65533, 65534, 1)},
			want: GeneratorStats{Received: 5, Missing: 7, Repaired: 2},
		},
		{
			name: "wrap-around of the first packet",
			ops:  []genOp{push(0, 65535, 1), tick(20, 0)},
			want: GeneratorStats{Received: 2, Missing: 1},
		},
		{
			name: "reordered before the tick: never asked",
			ops:  []genOp{push(0, 1, 3, 2, 4), tick(20)},
			want: GeneratorStats{Received: 4, Missing: 1, Reordered: 1},
		},
		{
			name: "duplicates and packets before the first",
			ops:  []genOp{push(0, 5, 6, 6, 5, 4, 7), tick(20)},
			want: GeneratorStats{Received: 3, Duplicates: 3},
		},
		{
			name: "items of 17: packet id and a 16-bit mask",
			ops:  []genOp{push(0, 100, 118, 140), tick(20, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139)},
			want: GeneratorStats{Received: 3, Missing: 38},
		},
		{
			name: "a jump beyond MaxGap resets instead of asking",
			ops:  []genOp{push(0, 1, 3, 2000, 2001, 2003), tick(20, 2002)},
			want: GeneratorStats{Received: 5, Missing: 2, Lost: 1, Resets: 1},
		},
		{
			name: "a jump of exactly MaxGap is asked for",
			cfg:  GeneratorConfig{Window: 64, MaxGap: 4},
			ops:  []genOp{push(0, 1, 5), tick(20, 2, 3, 4), push(30, 10), tick(40)},
			want: GeneratorStats{Received: 3, Missing: 3, Lost: 3, Resets: 1},
		},
		{
			name: "MaxNacks requests, then lost",
			cfg:  GeneratorConfig{MaxNacks: 3, RTT: 20 * time.Millisecond, MaxAge: time.Minute},
			ops:  []genOp{push(0, 1, 3), tick(0, 2), tick(20, 2), tick(40, 2), tick(59), tick(60), push(70, 2)},
			want: GeneratorStats{Received: 3, Missing: 1, Lost: 1, Late: 1},
		},
		{
			name: "MaxAge, then lost",
			cfg:  GeneratorConfig{MaxAge: 50 * time.Millisecond, RTT: 20 * time.Millisecond},
			ops:  []genOp{push(0, 1, 3), tick(10, 2), tick(30, 2), tick(50, 2), tick(61), push(70, 4), tick(100)},
			want: GeneratorStats{Received: 3, Missing: 1, Lost: 1},
		},
		{
			name: "out of the window, then lost",
			cfg:  GeneratorConfig{Window: 64},
			ops: []genOp{
				push(0, 1, 3, 30, 60),
				{ms: 10, tick: true, want: cat([]uint16{2}, span(4, 29), span(31, 59))},
				push(20, 66), // 2 leaves the window 3..66
				{ms: 200, tick: true, want: cat(span(4, 29), span(31, 59), span(61, 65))},
			},
			want: GeneratorStats{Received: 5, Missing: 61, Lost: 1},
		},
		{
			name: "one very late packet from behind the window is ignored",
			ops:  []genOp{push(0, 5000, 5002, 100, 5003), tick(20, 5001)},
			want: GeneratorStats{Received: 3, Missing: 1, Duplicates: 1},
		},
		{
			name: "a run of packets from far behind restarts the tracking",
			ops:  []genOp{push(0, 5000, 5002, 100, 101, 102, 104), tick(20, 103)},
			want: GeneratorStats{Received: 4, Missing: 2, Duplicates: 2, Lost: 1, Resets: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGenerator(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var pairs []rtcp.NackPair
			for i, op := range tc.ops {
				for _, s := range op.push {
					g.Push(s, at(op.ms))
				}
				if op.tick {
					pairs = g.AppendNacks(pairs[:0], at(op.ms))
					if got := seqsOf(pairs); !slices.Equal(got, op.want) {
						t.Fatalf("op %d: tick at %d ms asked for %v, want %v", i, op.ms, got, op.want)
					}
				}
				checkInvariant(t, g)
			}
			if got := g.Stats(); got != tc.want {
				t.Errorf("stats %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestGeneratorCapsItemsPerCall: 300 gaps of 17 packets need 300 items; one call
// returns 250 and the next the other 50.
func TestGeneratorCapsItemsPerCall(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{Window: 8192})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 301 {
		g.Push(uint16(i*18), t0)
	}
	first := g.AppendNacks(nil, at(1))
	second := g.AppendNacks(nil, at(2))
	if len(first) != maxPairsPerCall || len(second) != 300-maxPairsPerCall {
		t.Fatalf("calls returned %d and %d items, want %d and %d", len(first), len(second), maxPairsPerCall, 300-maxPairsPerCall)
	}
	for _, p := range append(first, second...) {
		if p.LostPackets != 0xffff || p.PacketID%18 != 1 {
			t.Fatalf("item %+v, want a full item starting after a multiple of 18", p)
		}
	}
	if second[0].PacketID != first[len(first)-1].PacketID+18 {
		t.Errorf("second call starts at %d, want %d", second[0].PacketID, first[len(first)-1].PacketID+18)
	}
}

func TestGeneratorReset(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	g.Push(1, t0)
	g.Push(3, t0)
	g.Reset()
	g.Push(40000, at(1))
	g.Push(40001, at(2))
	if got := g.AppendNacks(nil, at(3)); len(got) != 0 {
		t.Errorf("after Reset asked for %v", seqsOf(got))
	}
	if st := g.Stats(); st.Lost != 1 || st.Resets != 1 {
		t.Errorf("stats %+v, want the pending packet lost and one reset", st)
	}
	checkInvariant(t, g)
}

func TestGeneratorConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  GeneratorConfig
		want error
	}{
		{GeneratorConfig{Window: 1000}, ErrNotPowerOfTwo},
		{GeneratorConfig{Window: 32}, ErrNotPowerOfTwo},
		{GeneratorConfig{Window: 1 << 16}, ErrNotPowerOfTwo},
		{GeneratorConfig{Window: 64, MaxGap: 64}, ErrInvalidConfig},
		{GeneratorConfig{MaxNacks: 256}, ErrInvalidConfig},
		{GeneratorConfig{MaxAge: -1}, ErrInvalidConfig},
		{GeneratorConfig{RTT: -1}, ErrInvalidConfig},
		{GeneratorConfig{Window: 1 << 15, MaxGap: 1<<15 - 1}, nil},
	} {
		if _, err := NewGenerator(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("NewGenerator(%+v) = %v, want %v", tc.cfg, err, tc.want)
		}
	}
}

// TestGeneratorSetRTT: a longer RTT spaces the requests further.
func TestGeneratorSetRTT(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	g.SetRTT(300 * time.Millisecond)
	g.SetRTT(0) // ignored
	g.Push(1, t0)
	g.Push(3, t0)
	for _, tc := range []struct {
		ms   int
		want int
	}{{0, 1}, {100, 0}, {299, 0}, {300, 1}} {
		if got := len(g.AppendNacks(nil, at(tc.ms))); got != tc.want {
			t.Errorf("at %d ms: %d items, want %d", tc.ms, got, tc.want)
		}
	}
}

// TestGeneratorLossySteadyStream: 10 % loss over 10,000 packets (wrapping once),
// each lost packet repaired on its second request.
func TestGeneratorLossySteadyStream(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{RTT: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var pairs []rtcp.NackPair
	asked := map[uint16]int{}
	start := uint16(60000)
	for i := range 10_000 {
		now := t0.Add(time.Duration(i) * 3 * time.Millisecond) // 333 packets/s
		seq := start + uint16(i)
		if i%10 != 3 {
			g.Push(seq, now)
		}
		if i%7 == 0 { // a tick every 21 ms
			pairs = g.AppendNacks(pairs[:0], now)
			for _, s := range seqsOf(pairs) {
				asked[s]++
				if asked[s] == 2 {
					g.Push(s, now)
				}
			}
		}
	}
	st := g.Stats()
	if st.Missing != 1000 || st.Lost != 0 || st.Repaired+uint64(g.Pending()) != 1000 {
		t.Errorf("stats %+v (pending %d), want 1000 missing, none lost", st, g.Pending())
	}
	checkInvariant(t, g)
}

// TestGeneratorAllocations: Push and AppendNacks (into reused storage) allocate
// nothing.
func TestGeneratorAllocations(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	pairs := make([]rtcp.NackPair, 0, 64)
	var seq uint16
	ms := 0
	allocs := testing.AllocsPerRun(1000, func() {
		ms++
		seq += 1 + uint16(ms%5/4) // a gap every fifth packet
		g.Push(seq, at(ms))
		pairs = g.AppendNacks(pairs[:0], at(ms))
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per packet, want 0", allocs)
	}
}

// TestGeneratorConcurrent: the read loop pushes while a ticker asks for NACKs and a
// third goroutine reads the counters (run with -race).
func TestGeneratorConcurrent(t *testing.T) {
	g, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var pairs []rtcp.NackPair
		for i := range 2000 {
			pairs = g.AppendNacks(pairs[:0], at(i))
			_ = g.Stats()
			g.SetRTT(time.Duration(20+i%50) * time.Millisecond)
		}
	}()
	for i := range 20_000 {
		if i%10 != 7 {
			g.Push(uint16(i), at(i/10))
		}
	}
	<-done
	checkInvariant(t, g)
	if st := g.Stats(); st.Missing != 2000 {
		t.Errorf("missing %d, want 2000", st.Missing)
	}
}
