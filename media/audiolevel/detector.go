package audiolevel

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Defaults of DetectorConfig.
const (
	// DefaultTickInterval is the recommended time between two Detector.Ticks: fine enough
	// for the delays below, coarse enough to cost nothing.
	DefaultTickInterval = 100 * time.Millisecond
	// DefaultStartAfter is how much voiced time (net of gaps) makes a track speak.
	DefaultStartAfter = 250 * time.Millisecond
	// DefaultStopAfter is how long a speaking track must stay quiet to stop speaking.
	DefaultStopAfter = time.Second
	// DefaultSwitchAfter is how long a challenger must out-score the active speaker to take
	// over.
	DefaultSwitchAfter = time.Second
	// DefaultDominance is the factor by which a challenger's smoothed score must exceed the
	// active speaker's: 2 is 6 dB louder at the same activity, or twice as active.
	DefaultDominance = 2.0
	// DefaultSmoothing is the time constant of the exponential smoothing of scores.
	DefaultSmoothing = 300 * time.Millisecond
	// DefaultMinActivity is the share of a Tick interval that must be voiced for the
	// interval to count as voice while speaking.
	DefaultMinActivity = 0.3
)

// startLeak is how fast the start budget drains in silence, relative to how fast voice fills
// it: a cough's 150 ms is gone after 300 ms of silence, while speech with short gaps
// between words still adds up.
const startLeak = 2

// DetectorConfig configures a Detector; zero fields take the defaults.
type DetectorConfig struct {
	// StartAfter is how much voiced time, net of half the silence in between, a track needs
	// to start speaking; shorter bursts (a cough, a door) never make anyone speak.
	StartAfter time.Duration
	// StopAfter is how long a speaking track's Tick intervals must stay below MinActivity
	// before it stops speaking; pauses between sentences are shorter.
	StopAfter time.Duration
	// SwitchAfter is how long another speaking track must out-score the active speaker by
	// Dominance, without a break, to become the active speaker.
	SwitchAfter time.Duration
	// Dominance is the factor (>= 1) between a challenger's smoothed score and the active
	// speaker's.
	Dominance float64
	// Smoothing is the time constant of the exponential moving average of each track's
	// score (mean amplitude × share of voiced time).
	Smoothing time.Duration
	// MinActivity is the share (0, 1] of a Tick interval that must be voiced to keep a
	// speaking track speaking.
	MinActivity float64
}

func (c DetectorConfig) withDefaults() DetectorConfig {
	if c.StartAfter <= 0 {
		c.StartAfter = DefaultStartAfter
	}
	if c.StopAfter <= 0 {
		c.StopAfter = DefaultStopAfter
	}
	if c.SwitchAfter <= 0 {
		c.SwitchAfter = DefaultSwitchAfter
	}
	if c.Dominance < 1 {
		c.Dominance = DefaultDominance
	}
	if c.Smoothing <= 0 {
		c.Smoothing = DefaultSmoothing
	}
	if c.MinActivity <= 0 || c.MinActivity > 1 {
		c.MinActivity = DefaultMinActivity
	}
	return c
}

// Change is a flip of one track's speaking flag.
type Change[K comparable] struct {
	ID       K
	Speaking bool
}

// Update is the outcome of one Tick.
type Update[K comparable] struct {
	// Changes are the speaking flags that flipped since the previous Tick, in the order
	// tracks were added; a removed track that was speaking appears first, as not speaking.
	// For every ID, consecutive Changes across Ticks alternate: a state is never repeated.
	Changes []Change[K]
	// Active is the active speaker, valid when HasActive.
	Active    K
	HasActive bool
	// ActiveChanged reports whether Active or HasActive differ from the previous Tick's.
	ActiveChanged bool
}

// Detector decides, from the Meters of a meeting's audio tracks, who is speaking and who
// the active speaker is. K identifies a track to the caller, typically a participant ID.
//
// Speaking starts once a track has StartAfter of voiced time (its start budget drains at
// half speed in silence, so coughs do not add up to speech) and stops after StopAfter of
// Tick intervals with less than MinActivity voiced; a muted track stops at once.
//
// The active speaker is the first track to speak, and after that changes only to a
// speaking track whose smoothed score has exceeded the active speaker's by Dominance for
// SwitchAfter without a break. As in Jitsi's DominantSpeakerIdentification, the active
// speaker stays through silence and is never replaced by nobody, except when its track is
// removed; a short interjection over the active speaker (crosstalk) does not switch. A
// muted active speaker stays active until someone else takes over the same way.
//
// Concurrency: every method is safe for concurrent use, serialized by a mutex that only
// control code takes; forwarding goroutines never touch a Detector, only their Meter. Tick
// is meant to be called from one goroutine (the meeting's owner) every DefaultTickInterval
// or so, with an injected clock. Add and Remove may come from any goroutine at any time;
// they take effect at the next Tick. A Meter keeps working after Remove (its forwarding
// goroutine may still be running) and may be read by several Detectors.
type Detector[K comparable] struct {
	cfg DetectorConfig

	mu             sync.Mutex
	tracks         []*track[K] // in Add order
	active         *track[K]
	removed        []K // speaking tracks removed since the last Tick
	last           time.Time
	reportedActive K
	reportedHas    bool
}

// track is the Detector's state of one Meter. Guarded by Detector.mu.
type track[K comparable] struct {
	id K
	m  *Meter

	voiced int64  // Meter.voiced at the previous Tick
	energy uint64 // Meter.energy at the previous Tick

	score     float64       // smoothed mean amplitude × voiced share, in [0, 1]
	budget    time.Duration // start budget while not speaking
	quiet     time.Duration // quiet time while speaking
	challenge time.Duration // time spent out-scoring the active speaker
	speaking  bool
}

// NewDetector returns a Detector with no tracks.
func NewDetector[K comparable](cfg DetectorConfig) *Detector[K] {
	return &Detector[K]{cfg: cfg.withDefaults()}
}

// Add starts watching m under id, with speaking off. Its Meter's history before Add does
// not count. It returns ErrDuplicateID if id is present and ErrNilMeter if m is nil.
func (d *Detector[K]) Add(id K, m *Meter) error {
	if m == nil {
		return ErrNilMeter
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.index(id) >= 0 {
		return ErrDuplicateID
	}
	d.tracks = append(d.tracks, &track[K]{id: id, m: m, voiced: m.voiced.Load(), energy: m.energy.Load()})
	return nil
}

// Remove stops watching id and reports whether it was present. If it was speaking, the
// next Tick reports it as not speaking; if it was the active speaker, the next Tick has
// none (or the loudest other speaking track).
func (d *Detector[K]) Remove(id K) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.index(id)
	if i < 0 {
		return false
	}
	t := d.tracks[i]
	d.tracks = slices.Delete(d.tracks, i, i+1)
	if t.speaking {
		d.removed = append(d.removed, id)
	}
	if d.active == t {
		d.active = nil
	}
	return true
}

// Len returns the number of tracks.
func (d *Detector[K]) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.tracks)
}

// Speaking reports whether id was speaking at the last Tick.
func (d *Detector[K]) Speaking(id K) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.index(id)
	return i >= 0 && d.tracks[i].speaking
}

// Active returns the active speaker as of the last Tick.
func (d *Detector[K]) Active() (id K, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.active == nil {
		return id, false
	}
	return d.active.id, true
}

// Tick reads every Meter, advances the speaking and active-speaker decisions to now and
// returns what changed, appending the Changes to dst[:0] (pass the previous Update's
// Changes to allocate nothing). The first Tick only takes a baseline; a Tick whose now is
// not after the previous one decides nothing.
func (d *Detector[K]) Tick(now time.Time, dst []Change[K]) Update[K] {
	d.mu.Lock()
	defer d.mu.Unlock()
	changes := dst[:0]
	for _, id := range d.removed {
		changes = append(changes, Change[K]{ID: id, Speaking: false})
	}
	clear(d.removed)
	d.removed = d.removed[:0]

	if d.last.IsZero() {
		d.last = now
		for _, t := range d.tracks {
			t.voiced, t.energy = t.m.voiced.Load(), t.m.energy.Load()
		}
		return d.update(changes)
	}
	dt := now.Sub(d.last)
	if dt <= 0 {
		return d.update(changes)
	}
	d.last = now

	alpha := 1 - math.Exp(-float64(dt)/float64(d.cfg.Smoothing))
	for _, t := range d.tracks {
		if t.step(dt, alpha, &d.cfg) {
			changes = append(changes, Change[K]{ID: t.id, Speaking: t.speaking})
		}
	}
	d.elect(dt)
	return d.update(changes)
}

// step advances one track by dt and reports whether its speaking flag flipped.
func (t *track[K]) step(dt time.Duration, alpha float64, cfg *DetectorConfig) bool {
	voiced, energy := t.m.voiced.Load(), t.m.energy.Load()
	dv := time.Duration(voiced - t.voiced)
	de := energy - t.energy // modular: correct across a wrap of the counter
	t.voiced, t.energy = voiced, energy
	muted := t.m.muted.Load()
	if muted {
		dv, de = 0, 0
	}
	// Packets arrive in bursts after jitter, so an interval can hold more than its length.
	dv = min(max(dv, 0), dt)
	inst := min(float64(de)/ampOne/(float64(dt)/float64(time.Microsecond)), 1)
	t.score += alpha * (inst - t.score)

	was := t.speaking
	switch {
	case muted:
		t.speaking, t.budget, t.quiet = false, 0, 0
	case !t.speaking:
		t.budget = max(t.budget+dv-(dt-dv)/startLeak, 0)
		if t.budget >= cfg.StartAfter {
			t.speaking, t.budget, t.quiet = true, 0, 0
		}
	default:
		if float64(dv) >= cfg.MinActivity*float64(dt) {
			t.quiet = 0
		} else {
			t.quiet += dt
		}
		if t.quiet >= cfg.StopAfter {
			t.speaking, t.quiet = false, 0
		}
	}
	return t.speaking != was
}

// elect updates the active speaker after the tracks have stepped by dt.
func (d *Detector[K]) elect(dt time.Duration) {
	if d.active == nil {
		// Nobody to flap with: the loudest speaking track takes over at once.
		for _, t := range d.tracks {
			t.challenge = 0
			if t.speaking && (d.active == nil || t.score > d.active.score) {
				d.active = t
			}
		}
		return
	}
	bar := d.active.score * d.cfg.Dominance
	var best *track[K]
	for _, t := range d.tracks {
		if t != d.active && t.speaking && t.score > bar {
			t.challenge += dt
		} else {
			t.challenge = 0
		}
		if t.challenge >= d.cfg.SwitchAfter && (best == nil || t.score > best.score) {
			best = t
		}
	}
	if best != nil {
		d.active = best
		for _, t := range d.tracks {
			t.challenge = 0
		}
	}
}

// update fills in the active speaker and whether it changed since the last reported one.
func (d *Detector[K]) update(changes []Change[K]) Update[K] {
	u := Update[K]{Changes: changes}
	if d.active != nil {
		u.Active, u.HasActive = d.active.id, true
	}
	u.ActiveChanged = u.HasActive != d.reportedHas || u.Active != d.reportedActive
	d.reportedActive, d.reportedHas = u.Active, u.HasActive
	return u
}

// index returns the position of id in d.tracks, or -1.
func (d *Detector[K]) index(id K) int {
	return slices.IndexFunc(d.tracks, func(t *track[K]) bool { return t.id == id })
}
