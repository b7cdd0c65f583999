package sfu

import (
	"sync"
	"sync/atomic"
	"time"
)

// Default per-layer bitrates in bits per second, used until measured rates are set.
var DefaultLayerBitrates = [NumLayers]int64{150_000, 500_000, 1_500_000}

// DefaultLayerTimeout is how long a layer may stay silent before it counts as stopped.
const DefaultLayerTimeout = time.Second

// SelectorConfig configures a Selector; zero fields take the defaults.
type SelectorConfig struct {
	// LayerBitrates are the expected bitrates of layers 0..2 in bits per second.
	LayerBitrates [NumLayers]int64
	// LayerTimeout is how long without packets before a layer counts as stopped.
	LayerTimeout time.Duration
}

// PaneLayer returns the highest layer worth sending to a pane of w×h pixels: up to
// 320×180 layer 0, up to 640×360 layer 1, otherwise 2; LayerOff for a hidden (empty)
// pane. Orientation does not matter: a 180×320 portrait pane also gets layer 0.
func PaneLayer(w, h int) Layer {
	if w <= 0 || h <= 0 {
		return LayerOff
	}
	long, short := max(w, h), min(w, h)
	switch {
	case long <= 320 && short <= 180:
		return 0
	case long <= 640 && short <= 360:
		return 1
	default:
		return 2
	}
}

// Selector chooses which simulcast layer one video down-track forwards.
//
// Control code sets the pane size and the bandwidth estimate from any goroutine; the
// resulting target layer reaches the hot path through an atomic. The hot path (Accept,
// KeyframeRequest, Reset, Epoch) runs on the forwarding goroutine only. Switches happen only
// on a keyframe of the target layer, so the subscriber's decoder never sees a P-frame whose
// reference it lacks; until then the current layer keeps flowing.
type Selector struct {
	timeout time.Duration
	limiter *KeyframeLimiter

	mu        sync.Mutex // control side only; the hot path never takes it
	paneW     int
	paneH     int
	bandwidth int64
	bitrates  [NumLayers]int64
	maxLayer  Layer
	target    atomic.Int32

	// Forwarding goroutine only.
	current  Layer
	epoch    uint32
	lastSeen [NumLayers]time.Time
	pending  Layer
}

// NewSelector returns a Selector with an unlimited pane, no bandwidth cap (target layer 2)
// and no current layer. limiter is shared by the down-tracks of one published track; nil
// gives the selector its own.
func NewSelector(cfg SelectorConfig, limiter *KeyframeLimiter) *Selector {
	if limiter == nil {
		limiter = NewKeyframeLimiter(DefaultKeyframeInterval)
	}
	s := &Selector{
		timeout:  cfg.LayerTimeout,
		limiter:  limiter,
		paneW:    1 << 16,
		paneH:    1 << 16,
		bitrates: cfg.LayerBitrates,
		current:  LayerOff,
		pending:  LayerOff,
		maxLayer: NumLayers - 1,
	}
	if s.timeout <= 0 {
		s.timeout = DefaultLayerTimeout
	}
	for i, b := range s.bitrates {
		if b <= 0 {
			s.bitrates[i] = DefaultLayerBitrates[i]
		}
	}
	s.target.Store(int32(s.computeTarget()))
	return s
}

// SetPane records the size in pixels of the pane the layout gives this track; 0×0 means
// hidden, which stops the video. Any goroutine may call it.
func (s *Selector) SetPane(w, h int) {
	s.mu.Lock()
	s.paneW, s.paneH = w, h
	s.target.Store(int32(s.computeTarget()))
	s.mu.Unlock()
}

// SetBandwidth records the bandwidth available to this track in bits per second, from
// TWCC or REMB estimation; bps <= 0 means unknown (no cap). Any goroutine may call it.
func (s *Selector) SetBandwidth(bps int64) {
	s.mu.Lock()
	s.bandwidth = bps
	s.target.Store(int32(s.computeTarget()))
	s.mu.Unlock()
}

// SetLayerBitrates records measured per-layer bitrates in bits per second; zero entries
// keep their previous value. Any goroutine may call it.
func (s *Selector) SetLayerBitrates(bps [NumLayers]int64) {
	s.mu.Lock()
	for i, b := range bps {
		if b > 0 {
			s.bitrates[i] = b
		}
	}
	s.target.Store(int32(s.computeTarget()))
	s.mu.Unlock()
}

// SetMaxLayer records the highest layer the publisher sends: 0 for a publisher without
// simulcast, so that the selector never waits for a layer that cannot come. Any
// goroutine may call it.
func (s *Selector) SetMaxLayer(l Layer) {
	s.mu.Lock()
	s.maxLayer = max(0, min(l, NumLayers-1))
	s.target.Store(int32(s.computeTarget()))
	s.mu.Unlock()
}

// PaneTarget returns the layer the pane size asks for, of those the publisher sends,
// before any bandwidth cap. Any goroutine may call it.
func (s *Selector) PaneTarget() Layer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return min(PaneLayer(s.paneW, s.paneH), s.maxLayer)
}

// LayerBitrate returns the bitrate in bits per second the selector assumes for layer l
// (measured or default); 0 for LayerOff. Any goroutine may call it.
func (s *Selector) LayerBitrate(l Layer) int64 {
	if !l.valid() {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bitrates[l]
}

// Target returns the layer the selector is working towards. Any goroutine may call it.
func (s *Selector) Target() Layer { return Layer(s.target.Load()) }

// upgradeHeadroom is the share (in percent) by which the bandwidth must exceed a layer's
// bitrate before the selector moves up to it; keeping a layer only needs the bitrate.
// Without it an estimate or a measured bitrate wobbling around a layer's rate moved the
// layer back and forth every allocation, and every move up costs a keyframe.
const upgradeHeadroom = 15

// computeTarget caps the pane's layer by bandwidth; with a known estimate too small even
// for layer 0 the video is paused rather than congesting the link. Caller holds s.mu.
func (s *Selector) computeTarget() Layer {
	l := min(PaneLayer(s.paneW, s.paneH), s.maxLayer)
	if s.bandwidth <= 0 {
		return l
	}
	prev := Layer(s.target.Load())
	for ; l >= 0; l-- {
		need := s.bitrates[l]
		if l > prev {
			need += need * upgradeHeadroom / 100
		}
		if need <= s.bandwidth {
			return l
		}
	}
	return LayerOff
}

// Current returns the layer being forwarded, or LayerOff. Forwarding goroutine only.
func (s *Selector) Current() Layer { return s.current }

// Epoch changes whenever the current layer changes (including to and from LayerOff), so
// the caller knows to start a new munger epoch. Forwarding goroutine only.
func (s *Selector) Epoch() uint32 { return s.epoch }

// Reset drops the current layer (after a pause or mute), so forwarding resumes only on a
// keyframe. Forwarding goroutine only.
func (s *Selector) Reset() { s.setCurrent(LayerOff) }

func (s *Selector) setCurrent(l Layer) {
	if s.current != l {
		s.current = l
		s.epoch++
	}
}

// Accept decides whether a packet of the given layer is forwarded. now is the packet's
// arrival time. Forwarding goroutine only.
func (s *Selector) Accept(layer int, keyframe bool, now time.Time) (forward bool) {
	l := Layer(layer)
	if !l.valid() {
		return false
	}
	s.lastSeen[l] = now
	target := Layer(s.target.Load())
	if target == LayerOff {
		s.setCurrent(LayerOff)
		return false
	}
	cur := s.current
	switch {
	case l == cur:
		if cur != target {
			s.wantKeyframe(target, now)
		}
		return true
	case l == target && keyframe:
		s.setCurrent(l)
		return true
	case l < target && keyframe && s.stopped(cur, now):
		// The current layer is gone (or there is none yet): take any keyframe at or
		// below the target now rather than showing nothing; upgrade later.
		s.setCurrent(l)
		return true
	}
	s.wantKeyframe(target, now)
	return false
}

// stopped reports whether layer l has not arrived within the layer timeout.
func (s *Selector) stopped(l Layer, now time.Time) bool {
	if !l.valid() || s.lastSeen[l].IsZero() {
		return true
	}
	return now.Sub(s.lastSeen[l]) > s.timeout
}

// wantKeyframe asks for a keyframe of the target layer or, when nothing is flowing and the
// target is not arriving, of the highest live layer below it; subject to the shared rate
// limit.
func (s *Selector) wantKeyframe(target Layer, now time.Time) {
	l := target
	if s.stopped(s.current, now) {
		for c := target; c >= 0; c-- {
			if !s.stopped(c, now) {
				l = c
				break
			}
		}
	}
	if s.pending != LayerOff {
		return
	}
	allow := s.limiter.Allow
	if s.current == LayerOff {
		allow = s.limiter.AllowFirst // nothing shown yet: the first picture
	}
	if allow(l, now) {
		s.pending = l
	}
}

// KeyframeRequest returns, once, a layer for which a PLI/FIR should be sent to the
// publisher. Forwarding goroutine only.
func (s *Selector) KeyframeRequest() (Layer, bool) {
	l := s.pending
	if l == LayerOff {
		return LayerOff, false
	}
	s.pending = LayerOff
	return l, true
}
