package sfu

import (
	"sync/atomic"
	"time"
)

// DefaultKeyframeInterval is how long a keyframe request (PLI/FIR) for one layer of a
// published track is waited for before another may be sent.
const DefaultKeyframeInterval = 500 * time.Millisecond

// MinKeyframeInterval is the shortest time between two keyframe requests for one layer,
// even when the first was answered: at most ten keyframes a second per layer however
// fast subscribers arrive.
const MinKeyframeInterval = 100 * time.Millisecond

// KeyframeLimiter rate-limits keyframe requests per layer of one published track, across
// all its down-tracks, so a crowd of new subscribers costs the publisher one keyframe:
// no request is sent within interval of the last one. A subscriber that shows nothing
// yet (AllowFirst) may ask sooner once the last request was answered by a keyframe it
// missed: after MinKeyframeInterval, instead of waiting up to interval for its first
// picture. Layer switches wait the whole interval, so a flapping allocation cannot turn
// into a stream of keyframes.
// It is lock-free and safe for concurrent use; the zero value uses DefaultKeyframeInterval.
type KeyframeLimiter struct {
	interval time.Duration
	last     [NumLayers]atomic.Int64 // UnixNano of the last allowed request; 0 = never
	seen     [NumLayers]atomic.Int64 // UnixNano of the last keyframe packet; 0 = never
}

// NewKeyframeLimiter returns a limiter allowing one request per interval per layer.
func NewKeyframeLimiter(interval time.Duration) *KeyframeLimiter {
	return &KeyframeLimiter{interval: interval}
}

// Allow reports whether a keyframe request for layer may be sent at now, and if so records
// it. Any goroutine may call it.
func (k *KeyframeLimiter) Allow(layer Layer, now time.Time) bool { return k.allow(layer, now, false) }

// AllowFirst is Allow for a subscriber that shows nothing of the track yet: once the last
// request was answered by a keyframe, it may ask again after MinKeyframeInterval.
func (k *KeyframeLimiter) AllowFirst(layer Layer, now time.Time) bool {
	return k.allow(layer, now, true)
}

func (k *KeyframeLimiter) allow(layer Layer, now time.Time, first bool) bool {
	if !layer.valid() {
		return false
	}
	interval := k.interval
	if interval <= 0 {
		interval = DefaultKeyframeInterval
	}
	n := now.UnixNano()
	for {
		prev := k.last[layer].Load()
		if prev != 0 {
			wait := interval
			if first && k.seen[layer].Load() >= prev {
				wait = min(MinKeyframeInterval, interval)
			}
			if n-prev < int64(wait) {
				return false
			}
		}
		if k.last[layer].CompareAndSwap(prev, n) {
			return true
		}
	}
}

// Seen records that a keyframe packet of layer arrived at now: the request outstanding
// for it, if any, is answered. Any goroutine.
func (k *KeyframeLimiter) Seen(layer Layer, now time.Time) {
	if layer.valid() {
		k.seen[layer].Store(now.UnixNano())
	}
}
