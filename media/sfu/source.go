package sfu

import (
	"sync/atomic"
	"time"
)

// Source is the state of one published track that its down-tracks share: the host-mute
// flag and keyframe requests towards the publisher. Safe for concurrent use.
type Source struct {
	hostMuted atomic.Bool
	limiter   *KeyframeLimiter
	keyframes chan Layer
	dropped   atomic.Uint64
}

// NewSource returns a Source whose keyframe requests are limited to one per interval per
// layer (DefaultKeyframeInterval if interval <= 0).
func NewSource(keyframeInterval time.Duration) *Source {
	return &Source{
		limiter:   NewKeyframeLimiter(keyframeInterval),
		keyframes: make(chan Layer, NumLayers),
	}
}

// SetHostMuted sets or clears the host mute. While set, no down-track forwards a packet of
// this track, whatever the publisher keeps sending; it applies from the next packet. Any
// goroutine may call it.
func (s *Source) SetHostMuted(muted bool) { s.hostMuted.Store(muted) }

// HostMuted reports whether the host has muted this track.
func (s *Source) HostMuted() bool { return s.hostMuted.Load() }

// KeyframeRequests delivers layers for which the control code should send a PLI (RFC 4585
// §6.3.1) or FIR (RFC 5104 §4.3.1) to the publisher, already rate-limited.
func (s *Source) KeyframeRequests() <-chan Layer { return s.keyframes }

// requestKeyframe queues a keyframe request without ever blocking the forwarding goroutine:
// when the reader is behind, the request is dropped (a later one will follow).
func (s *Source) requestKeyframe(l Layer) {
	select {
	case s.keyframes <- l:
	default:
		s.dropped.Add(1)
	}
}

// KeyframeArrived tells the source that a keyframe packet of layer arrived at now, so
// that a subscriber who missed it may ask for the next one soon (KeyframeLimiter).
// The forwarding goroutine calls it once per packet, not per down-track.
func (s *Source) KeyframeArrived(l Layer, now time.Time) { s.limiter.Seen(l, now) }

// DroppedKeyframeRequests counts keyframe requests dropped because the control code was
// not reading KeyframeRequests fast enough.
func (s *Source) DroppedKeyframeRequests() uint64 { return s.dropped.Load() }
