package audiolevel

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// Defaults of MeterConfig.
const (
	// DefaultClockRate is the RTP clock of Opus (RFC 7587 §4.1).
	DefaultClockRate = 48000
	// DefaultActiveLevel is the quietest level in -dBov that counts as voice; LiveKit's
	// default is 35, we are a little more permissive for quiet laptop microphones.
	DefaultActiveLevel = 40
	// DefaultNoiseMargin is how many dB louder than its own noise floor a track's frame must
	// be to count as voice (Jitsi's DSI uses a 10-level sub-band above the minimum level).
	DefaultNoiseMargin = 10
	// DefaultNoiseWindow is the length of one noise-floor measurement window.
	DefaultNoiseWindow = 5 * time.Second
)

const (
	// defaultFrame is the duration assumed for a packet whose RTP timestamp cannot tell its
	// own: the first one, one after a gap (DTX, loss) or after a timestamp jump. 20 ms is
	// the Opus packet time of every browser.
	defaultFrame = 20 * time.Millisecond
	// maxFrame is the longest Opus packet (RFC 6716 §3.2.5); a larger timestamp step is a
	// gap, not one packet.
	maxFrame = 120 * time.Millisecond
	// ampOne is amplitude 1.0 (0 dBov) in the fixed point of the energy counter.
	ampOne = 1 << 16
)

// amplitude maps a level in -dBov to its linear amplitude 10^(-level/20) in units of
// 1/ampOne, so the hot path does a table look-up instead of math.Pow.
var amplitude = func() (t [Silence + 1]uint32) {
	for l := range t {
		t[l] = uint32(math.Round(ampOne * math.Pow(10, -float64(l)/20)))
	}
	return t
}()

// MeterConfig configures a Meter; zero fields take the defaults.
type MeterConfig struct {
	// ClockRate is the RTP clock of the codec in Hz.
	ClockRate uint32
	// ActiveLevel is the quietest level in -dBov (0 loudest, 127 silence) that counts as
	// voice; values above 127 also take the default.
	ActiveLevel uint8
	// NoiseMargin is how many dB above the track's noise floor a frame must be to count as
	// voice, so that a steady fan or hum does not make someone speak forever.
	NoiseMargin uint8
	// NoiseWindow is the length of one noise-floor window; the floor is the quietest level
	// of the current and the previous window.
	NoiseWindow time.Duration
}

// Meter accumulates the audio levels of one published audio track.
//
// ObserveRTP and Observe run on the track's forwarding goroutine only (one writer): they
// take no lock, allocate nothing and never read the clock. They publish two ever-growing
// counters, voiced time and voiced energy, through atomics; a Detector reads them from its
// own goroutine and works on differences between Ticks, so the hot path never resets
// anything and the two sides never wait for each other. SetMuted and Muted may be called
// from any goroutine.
//
// A frame counts as voiced when its level is at least as loud as both ActiveLevel and the
// track's noise floor minus NoiseMargin, and the track is not muted. Frames never sent
// (DTX) or sent without the extension add nothing, so they read as silence.
type Meter struct {
	clockRate   int64
	maxFrame    int32 // maxFrame in RTP clock ticks
	activeLevel uint8
	margin      uint8
	window      int64 // ns

	muted atomic.Bool

	// Single writer (the forwarding goroutine), which uses Load+Store rather than Add;
	// read by Detectors.
	voiced atomic.Int64  // nanoseconds of voiced frames, ever
	energy atomic.Uint64 // sum of amplitude (1/ampOne units) × µs over voiced frames, ever

	// Forwarding goroutine only.
	haveTS       bool
	lastTS       uint32
	started      bool
	windowEnd    int64 // UnixNano
	quietest     uint8 // quietest level of the current noise window
	prevQuietest uint8 // quietest level of the previous noise window
}

// NewMeter returns a Meter for one audio track.
func NewMeter(cfg MeterConfig) *Meter {
	m := &Meter{
		clockRate:   int64(cfg.ClockRate),
		activeLevel: cfg.ActiveLevel,
		margin:      cfg.NoiseMargin,
		window:      int64(cfg.NoiseWindow),
	}
	if m.clockRate == 0 {
		m.clockRate = DefaultClockRate
	}
	if m.activeLevel == 0 || m.activeLevel > Silence {
		m.activeLevel = DefaultActiveLevel
	}
	if m.margin == 0 {
		m.margin = DefaultNoiseMargin
	}
	if m.window <= 0 {
		m.window = int64(DefaultNoiseWindow)
	}
	m.maxFrame = int32(m.clockRate * int64(maxFrame) / int64(time.Second))
	return m
}

// SetMuted sets or clears the mute of this track (host mute, or the publisher's own mute
// when signalled). While set, nothing the publisher sends counts as voice and the Detector
// ends the track's speaking at its next Tick. Any goroutine may call it.
func (m *Meter) SetMuted(muted bool) { m.muted.Store(muted) }

// Muted reports whether the track is muted.
func (m *Meter) Muted() bool { return m.muted.Load() }

// ObserveRTP records the audio level of one received packet, read with Parse under the
// negotiated extension id; the frame's duration comes from the step of the RTP timestamp.
// It reports whether the packet carried a level. Forwarding goroutine only; arrival is the
// packet's arrival time from a monotonic clock.
func (m *Meter) ObserveRTP(h *rtp.Header, id uint8, arrival time.Time) bool {
	level, _, ok := Parse(h, id)
	if !ok {
		// The timestamp is not consumed: the next packet's step covers this frame, which
		// then takes that packet's level.
		return false
	}
	m.observe(level, m.frameDuration(h.Timestamp), arrival.UnixNano())
	return true
}

// Observe records one frame of dur at level (in -dBov, clamped to Silence), for sources that
// measure their own levels (e.g. from decoded PCM) rather than carry RFC 6464. Forwarding
// goroutine only.
func (m *Meter) Observe(level uint8, dur time.Duration, arrival time.Time) {
	m.observe(min(level, Silence), int64(dur), arrival.UnixNano())
}

// frameDuration returns how long the packet with RTP timestamp ts lasted, in nanoseconds.
// Forwarding goroutine only.
func (m *Meter) frameDuration(ts uint32) int64 {
	if !m.haveTS {
		m.haveTS, m.lastTS = true, ts
		return int64(defaultFrame)
	}
	switch d := int32(ts - m.lastTS); {
	case d == 0: // a duplicate
		return 0
	case d > 0 && d <= m.maxFrame:
		m.lastTS = ts
		return int64(d) * int64(time.Second) / m.clockRate
	case d < 0 && int64(d) > -m.clockRate:
		// A late packet: the step of the packet that overtook it already covered its frame.
		return 0
	default:
		// A gap (DTX, loss) or a jump: this packet's own length is unknown.
		m.lastTS = ts
		return int64(defaultFrame)
	}
}

// observe records one frame of dur nanoseconds. Forwarding goroutine only.
func (m *Meter) observe(level uint8, dur, arrival int64) {
	if !m.started || arrival >= m.windowEnd {
		if m.started {
			m.prevQuietest = m.quietest
		}
		m.started, m.quietest, m.windowEnd = true, 0, arrival+m.window
	}
	m.quietest = max(m.quietest, level)
	if dur <= 0 || m.muted.Load() || level > m.threshold() {
		return
	}
	m.voiced.Store(m.voiced.Load() + dur)
	m.energy.Store(m.energy.Load() + uint64(amplitude[level])*uint64(dur/int64(time.Microsecond)))
}

// threshold returns the quietest level that counts as voice now: ActiveLevel, or less if
// the noise floor (the quietest level of the last one to two windows) is within NoiseMargin
// of it. Like Jitsi's DSI minimum level, this puts a participant next to a fan on the same
// footing as one in a quiet room. Forwarding goroutine only.
func (m *Meter) threshold() uint8 {
	floor := max(m.quietest, m.prevQuietest)
	if floor < m.margin {
		return 0
	}
	return min(m.activeLevel, floor-m.margin)
}
