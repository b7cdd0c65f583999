package audiolevel

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// simExtID is the audio level extension ID the simulated publishers negotiated.
const simExtID = 3

// seg is a stretch of speech at a level in [from, to).
type seg struct {
	from, to time.Duration
	level    uint8
}

// publisher scripts one simulated audio track sending 20 ms Opus packets.
type publisher struct {
	id     string
	speech []seg
	// background is the level outside speech; 0 means Silence.
	background uint8
	// dtx sends nothing outside speech but one comfort-noise packet every 400 ms.
	dtx bool
	// stopAt, when set, ends all sending at that time (a stalled publisher).
	stopAt time.Duration
	// muted is [from, to) ranges during which the Meter is muted.
	muted [][2]time.Duration
	// addAt and removeAt add the track to / remove it from the Detector; addAt 0 adds it
	// before the first Tick, removeAt 0 never removes it.
	addAt, removeAt time.Duration
}

// packet returns the level the publisher sends at capture time c, if it sends.
func (p *publisher) packet(c time.Duration) (uint8, bool) {
	if p.stopAt > 0 && c >= p.stopAt {
		return 0, false
	}
	for _, s := range p.speech {
		if c >= s.from && c < s.to {
			return s.level, true
		}
	}
	if p.dtx {
		return cmp.Or(p.background, Silence), c%(400*ms) == 0
	}
	return cmp.Or(p.background, Silence), true
}

// flip is a speaking change seen at a Tick.
type flip struct {
	at time.Duration
	on bool
}

// handover is an active-speaker change seen at a Tick; id "" means none.
type handover struct {
	at time.Duration
	id string
}

// simResult is what the Detector reported over a run.
type simResult struct {
	flips  map[string][]flip
	active []handover
}

// simEvent is a packet arrival, a control action or a Tick at a simulated time.
type simEvent struct {
	at    time.Duration
	order int // actions before packets before Ticks at the same instant
	do    func()
}

// simulate runs publishers for dur with Ticks every tick and packet jitter up to 15 ms,
// checking on every Tick that no ID repeats a state and that ActiveChanged is exact.
func simulate(t *testing.T, cfg DetectorConfig, tick, dur time.Duration, pubs ...*publisher) simResult {
	t.Helper()
	det := NewDetector[string](cfg)
	res := simResult{flips: map[string][]flip{}}
	var evs []simEvent
	for i, p := range pubs {
		m := NewMeter(MeterConfig{})
		h := rtp.Header{Version: 2, PayloadType: 111, SSRC: uint32(1000 + i)}
		ext := []byte{0}
		rng := rand.New(rand.NewPCG(uint64(i), 42))
		for c := time.Duration(0); c < dur; c += 20 * ms {
			level, ok := p.packet(c)
			if !ok {
				continue
			}
			ts := uint32(c / (20 * ms) * 960)
			arrival := c + time.Duration(rng.IntN(15))*ms
			evs = append(evs, simEvent{at: arrival, order: 1, do: func() {
				h.Timestamp = ts
				ext[0] = level | 0x80
				if err := h.SetExtension(simExtID, ext); err != nil {
					t.Fatal(err)
				}
				if !m.ObserveRTP(&h, simExtID, t0.Add(arrival)) {
					t.Fatal("ObserveRTP: no level")
				}
			}})
		}
		add := func() {
			if err := det.Add(p.id, m); err != nil {
				t.Fatal(err)
			}
		}
		if p.addAt == 0 {
			add()
		} else {
			evs = append(evs, simEvent{at: p.addAt, do: add})
		}
		if p.removeAt > 0 {
			evs = append(evs, simEvent{at: p.removeAt, do: func() {
				if !det.Remove(p.id) {
					t.Errorf("Remove(%s) = false", p.id)
				}
			}})
		}
		for _, r := range p.muted {
			evs = append(evs,
				simEvent{at: r[0], do: func() { m.SetMuted(true) }},
				simEvent{at: r[1], do: func() { m.SetMuted(false) }})
		}
	}
	last := map[string]bool{}
	prevActive := ""
	var buf []Change[string]
	for at := time.Duration(0); at <= dur; at += tick {
		evs = append(evs, simEvent{at: at, order: 2, do: func() {
			u := det.Tick(t0.Add(at), buf)
			buf = u.Changes
			for _, c := range u.Changes {
				if last[c.ID] == c.Speaking {
					t.Errorf("%v: %s speaking=%v reported twice in a row", at, c.ID, c.Speaking)
				}
				last[c.ID] = c.Speaking
				res.flips[c.ID] = append(res.flips[c.ID], flip{at, c.Speaking})
			}
			id := ""
			if u.HasActive {
				id = u.Active
			}
			if u.ActiveChanged != (id != prevActive) {
				t.Errorf("%v: ActiveChanged = %v, active %q after %q", at, u.ActiveChanged, id, prevActive)
			}
			if u.ActiveChanged {
				res.active = append(res.active, handover{at, id})
			}
			prevActive = id
		}})
	}
	slices.SortStableFunc(evs, func(a, b simEvent) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.order, b.order))
	})
	for _, e := range evs {
		e.do()
	}
	return res
}

// window is a span of simulated time in which a flip or handover must happen.
type window struct{ from, to time.Duration }

// Tolerances: a decision waits for the next Tick (up to 200 ms in these runs) and packets
// arrive up to 15 ms late.
const slack = 200*ms + 20*ms

// startsIn is where speaking must start for speech beginning at x.
func startsIn(x time.Duration) window {
	return window{x + DefaultStartAfter, x + DefaultStartAfter + slack}
}

// stopsIn is where speaking must stop for speech ending at x.
func stopsIn(x time.Duration) window {
	return window{x + DefaultStopAfter, x + DefaultStopAfter + 2*slack}
}

func checkFlips(t *testing.T, id string, got []flip, want []window) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: speaking flips %v, want %d in %v", id, got, len(want), want)
	}
	for i, f := range got {
		if f.on != (i%2 == 0) {
			t.Errorf("%s: flip %d is speaking=%v", id, i, f.on)
		}
		if f.at < want[i].from || f.at > want[i].to {
			t.Errorf("%s: flip %d (speaking=%v) at %v, want in [%v, %v]", id, i, f.on, f.at, want[i].from, want[i].to)
		}
	}
}

// activeWant is an expected handover to id within a window.
type activeWant struct {
	id string
	in window
}

func checkActive(t *testing.T, got []handover, want []activeWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("active speaker changes %v, want %v", got, want)
	}
	for i, h := range got {
		if h.id != want[i].id || h.at < want[i].in.from || h.at > want[i].in.to {
			t.Errorf("active change %d: %q at %v, want %q in [%v, %v]", i, h.id, h.at, want[i].id, want[i].in.from, want[i].in.to)
		}
	}
}
