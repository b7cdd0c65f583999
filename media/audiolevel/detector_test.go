package audiolevel

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestDetectorScenarios(t *testing.T) {
	s := time.Second
	tests := []struct {
		name   string
		pubs   []*publisher
		dur    time.Duration
		flips  map[string][]window
		active []activeWant
	}{
		{
			name: "single speaker starts and stops with the configured delays, stays active in silence",
			pubs: []*publisher{{id: "a", speech: []seg{{1 * s, 4 * s, 25}}}},
			dur:  8 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(4 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "a cough or a door does not make anyone speak",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 1*s + 150*ms, 10}, {3 * s, 3*s + 200*ms, 5}}},
				{id: "b", speech: []seg{{2 * s, 2*s + 60*ms, 0}}},
			},
			dur: 6 * s,
		},
		{
			name: "two people alternating 2 s turns switch the active speaker every turn",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 3 * s, 25}, {5 * s, 7 * s, 25}}},
				{id: "b", speech: []seg{{3 * s, 5 * s, 28}, {7 * s, 9 * s, 28}}},
			},
			dur: 12 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(3 * s), startsIn(5 * s), stopsIn(7 * s)},
				"b": {startsIn(3 * s), stopsIn(5 * s), startsIn(7 * s), stopsIn(9 * s)},
			},
			active: []activeWant{
				{"a", startsIn(1 * s)},
				{"b", window{3 * s, 5 * s}},
				{"a", window{5 * s, 7 * s}},
				{"b", window{7 * s, 9 * s}},
			},
		},
		{
			name: "300 ms of crosstalk over the active speaker does not switch, even loud",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 9 * s, 30}}},
				{id: "b", speech: []seg{{3 * s, 3*s + 300*ms, 25}, {6 * s, 6*s + 300*ms, 5}}},
			},
			dur: 11 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(9 * s)},
				"b": {startsIn(3 * s), stopsIn(3*s + 300*ms), startsIn(6 * s), stopsIn(6*s + 300*ms)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "someone else speaking clearly over the active speaker for long takes over",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 9 * s, 35}}},
				{id: "b", speech: []seg{{4 * s, 7 * s, 15}}},
			},
			dur: 11 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(9 * s)},
				"b": {startsIn(4 * s), stopsIn(7 * s)},
			},
			// b must speak for StartAfter, then out-score a for SwitchAfter (counted from the
			// Tick that saw it speak); when b is done, a, still talking, wins back the same way.
			active: []activeWant{
				{"a", startsIn(1 * s)},
				{"b", window{4*s + DefaultStartAfter + DefaultSwitchAfter - slack, 4*s + DefaultStartAfter + DefaultSwitchAfter + 2*slack}},
				{"a", window{7*s + DefaultSwitchAfter, 9 * s}},
			},
		},
		{
			name: "silence keeps the last active speaker, however long",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 2 * s, 25}}},
				{id: "b", speech: []seg{{3 * s, 5 * s, 25}}},
				{id: "c"},
			},
			dur: 30 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(2 * s)},
				"b": {startsIn(3 * s), stopsIn(5 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}, {"b", window{3 * s, 5 * s}}},
		},
		{
			name: "a muted track never speaks nor becomes active",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 5 * s, 10}}, muted: [][2]time.Duration{{0, 20 * s}}},
				{id: "b", speech: []seg{{2 * s, 4 * s, 30}}},
			},
			dur: 7 * s,
			flips: map[string][]window{
				"b": {startsIn(2 * s), stopsIn(4 * s)},
			},
			active: []activeWant{{"b", startsIn(2 * s)}},
		},
		{
			name: "muting stops speaking at once, unmuting needs fresh speech; the active speaker stays",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 8 * s, 25}}, muted: [][2]time.Duration{{3 * s, 5 * s}}},
			},
			dur: 11 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), {3 * s, 3*s + slack}, startsIn(5 * s), stopsIn(8 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "DTX: no packets between words reads as silence",
			pubs: []*publisher{
				{id: "a", dtx: true, speech: []seg{{1 * s, 3 * s, 25}, {6 * s, 7 * s, 25}}},
			},
			dur: 10 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(3 * s), startsIn(6 * s), stopsIn(7 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "DTX: comfort noise every 400 ms at a stale loud level still reads as silence",
			pubs: []*publisher{
				// Quiet before speaking, so the noise floor lets a level of 20 count as voice.
				{id: "a", dtx: true, background: 20, speech: []seg{{0, 1 * s, Silence}, {1 * s, 3 * s, 20}}},
			},
			dur: 10 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(3 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "a publisher that stops sending mid-sentence stops speaking",
			pubs: []*publisher{{id: "a", stopAt: 3 * s, speech: []seg{{1 * s, 10 * s, 25}}}},
			dur:  8 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(3 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}},
		},
		{
			name: "steady background noise above the level threshold is not speech; voice over it is",
			pubs: []*publisher{
				{id: "fan", background: 38, speech: []seg{{4 * s, 6 * s, 20}}},
				{id: "quiet", background: 60},
			},
			dur: 9 * s,
			flips: map[string][]window{
				"fan": {startsIn(4 * s), stopsIn(6 * s)},
			},
			active: []activeWant{{"fan", startsIn(4 * s)}},
		},
		{
			name: "removing the speaking active speaker reports it silent and hands over at once",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 8 * s, 20}}, removeAt: 4 * s},
				{id: "b", speech: []seg{{2 * s, 8 * s, 30}}},
			},
			dur: 10 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), {4 * s, 4*s + slack}},
				"b": {startsIn(2 * s), stopsIn(8 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}, {"b", window{4 * s, 4*s + slack}}},
		},
		{
			name: "a track added mid-meeting joins in; removing a silent one is quiet",
			pubs: []*publisher{
				{id: "a", speech: []seg{{1 * s, 2 * s, 25}}, removeAt: 5 * s},
				{id: "b", addAt: 3*s + 50*ms, speech: []seg{{4 * s, 6 * s, 25}}},
			},
			dur: 9 * s,
			flips: map[string][]window{
				"a": {startsIn(1 * s), stopsIn(2 * s)},
				"b": {startsIn(4 * s), stopsIn(6 * s)},
			},
			active: []activeWant{{"a", startsIn(1 * s)}, {"b", window{4 * s, 6 * s}}},
		},
	}
	for _, tt := range tests {
		for _, tick := range []time.Duration{100 * ms, 150 * ms, 200 * ms} {
			t.Run(fmt.Sprintf("%s/tick=%v", tt.name, tick), func(t *testing.T) {
				res := simulate(t, DetectorConfig{}, tick, tt.dur, tt.pubs...)
				for _, p := range tt.pubs {
					checkFlips(t, p.id, res.flips[p.id], tt.flips[p.id])
				}
				checkActive(t, res.active, tt.active)
			})
		}
	}
}

// TestDetectorRandomNoRepeats drives random speech, mutes, additions and removals and
// checks (inside simulate) that no ID ever gets the same speaking state twice in a row and
// that ActiveChanged is reported exactly when the active speaker changes.
func TestDetectorRandomNoRepeats(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		dur := 60 * time.Second
		var pubs []*publisher
		for i := range 6 {
			p := &publisher{id: fmt.Sprint("p", i), dtx: rng.IntN(2) == 0, background: uint8(rng.IntN(128))}
			for at := time.Duration(0); at < dur; {
				at += time.Duration(rng.IntN(3000)) * ms
				l := time.Duration(rng.IntN(2500)) * ms
				p.speech = append(p.speech, seg{at, at + l, uint8(rng.IntN(50))})
				at += l
			}
			if rng.IntN(2) == 0 {
				from := time.Duration(rng.IntN(50000)) * ms
				p.muted = [][2]time.Duration{{from, from + time.Duration(rng.IntN(8000))*ms}}
			}
			if rng.IntN(3) == 0 {
				p.addAt = time.Duration(1+rng.IntN(20000)) * ms
			}
			if rng.IntN(3) == 0 {
				p.removeAt = p.addAt + time.Duration(1+rng.IntN(30000))*ms
			}
			pubs = append(pubs, p)
		}
		tick := time.Duration(50+rng.IntN(200)) * ms
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			simulate(t, DetectorConfig{}, tick, dur, pubs...)
		})
	}
}

func TestDetectorAddRemove(t *testing.T) {
	d := NewDetector[string](DetectorConfig{})
	m := NewMeter(MeterConfig{})
	if err := d.Add("a", nil); !errors.Is(err, ErrNilMeter) {
		t.Fatalf("Add(nil) = %v", err)
	}
	if err := d.Add("a", m); err != nil {
		t.Fatal(err)
	}
	if err := d.Add("a", NewMeter(MeterConfig{})); !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("Add twice = %v", err)
	}
	if d.Len() != 1 {
		t.Fatalf("Len = %d", d.Len())
	}
	if d.Remove("b") {
		t.Fatal("Remove(unknown) = true")
	}
	if !d.Remove("a") || d.Len() != 0 {
		t.Fatal("Remove(a) failed")
	}
	// A removed id may come back with a new Meter.
	if err := d.Add("a", NewMeter(MeterConfig{})); err != nil {
		t.Fatal(err)
	}
}

// speak feeds m voiced 20 ms frames from..to (ms from t0).
func speak(m *Meter, level uint8, from, to int) {
	for c := from; c < to; c += 20 {
		m.Observe(level, 20*ms, t0.Add(time.Duration(c)*ms))
	}
}

func TestDetectorTickClock(t *testing.T) {
	d := NewDetector[int](DetectorConfig{})
	m := NewMeter(MeterConfig{})
	speak(m, 127, 0, 100) // the noise floor needs a quiet frame first
	if err := d.Add(1, m); err != nil {
		t.Fatal(err)
	}
	speak(m, 20, 100, 2000)
	// The first Tick is a baseline: what came before it does not count.
	if u := d.Tick(t0.Add(2*time.Second), nil); len(u.Changes) != 0 || u.HasActive || u.ActiveChanged {
		t.Fatalf("first Tick = %+v", u)
	}
	speak(m, 20, 2000, 2400)
	// A clock that does not advance decides nothing; the voice waits for the next Tick.
	if u := d.Tick(t0.Add(2*time.Second), nil); len(u.Changes) != 0 || u.HasActive {
		t.Fatalf("Tick at the same time = %+v", u)
	}
	if u := d.Tick(t0.Add(1*time.Second), nil); len(u.Changes) != 0 || u.HasActive {
		t.Fatalf("Tick back in time = %+v", u)
	}
	u := d.Tick(t0.Add(2400*ms), nil)
	if len(u.Changes) != 1 || u.Changes[0] != (Change[int]{1, true}) || !u.HasActive || u.Active != 1 || !u.ActiveChanged {
		t.Fatalf("Tick = %+v", u)
	}
	if !d.Speaking(1) || d.Speaking(2) {
		t.Fatal("Speaking disagrees with the Tick")
	}
	if id, ok := d.Active(); !ok || id != 1 {
		t.Fatalf("Active = %v, %v", id, ok)
	}
	if u := d.Tick(t0.Add(2500*ms), u.Changes); len(u.Changes) != 0 || u.ActiveChanged || !u.HasActive {
		t.Fatalf("steady Tick = %+v", u)
	}
}

func TestDetectorConfigDefaults(t *testing.T) {
	got := DetectorConfig{Dominance: 0.5, MinActivity: 2, StartAfter: -1}.withDefaults()
	want := DetectorConfig{
		StartAfter: DefaultStartAfter, StopAfter: DefaultStopAfter, SwitchAfter: DefaultSwitchAfter,
		Dominance: DefaultDominance, Smoothing: DefaultSmoothing, MinActivity: DefaultMinActivity,
	}
	if got != want {
		t.Fatalf("withDefaults = %+v, want %+v", got, want)
	}
	custom := DetectorConfig{StartAfter: 1, StopAfter: 2, SwitchAfter: 3, Dominance: 1, Smoothing: 4, MinActivity: 1}
	if got := custom.withDefaults(); got != custom {
		t.Fatalf("withDefaults changed valid values: %+v", got)
	}
}

func TestDetectorTickAllocs(t *testing.T) {
	d := NewDetector[int](DetectorConfig{})
	for i := range 10 {
		if err := d.Add(i, NewMeter(MeterConfig{})); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]Change[int], 0, 16)
	now := t0
	n := testing.AllocsPerRun(100, func() {
		now = now.Add(100 * ms)
		buf = d.Tick(now, buf).Changes
	})
	if n != 0 {
		t.Fatalf("Tick allocates %v times", n)
	}
}

// TestMeterConcurrent runs the forwarding goroutine against a Detector and mute toggles;
// under -race it proves the two sides share only atomics.
func TestMeterConcurrent(t *testing.T) {
	m := NewMeter(MeterConfig{})
	d := NewDetector[int](DetectorConfig{})
	if err := d.Add(1, m); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		h := rtp.Header{Version: 2}
		for i := range 20000 {
			h.Timestamp = uint32(i) * 960
			if err := h.SetExtension(1, []byte{uint8(i % 128)}); err != nil {
				t.Error(err)
				return
			}
			m.ObserveRTP(&h, 1, t0.Add(time.Duration(i)*20*ms))
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 2000 {
			m.SetMuted(i%3 == 0)
		}
	}()
	go func() {
		defer wg.Done()
		var buf []Change[int]
		for i := range 2000 {
			buf = d.Tick(t0.Add(time.Duration(i)*100*ms), buf).Changes
			if i == 1000 {
				d.Remove(1)
				_ = d.Add(1, m)
			}
		}
	}()
	wg.Wait()
}
