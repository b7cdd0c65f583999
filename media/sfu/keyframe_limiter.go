package sfu

import (
	"sync/atomic"
	"time"
)

// DefaultKeyframeInterval is the minimum time between two keyframe requests (PLI/FIR) for
// the same layer of a published track.
const DefaultKeyframeInterval = 500 * time.Millisecond

// KeyframeLimiter rate-limits keyframe requests per layer of one published track, across
// all its down-tracks, so a crowd of new subscribers costs the publisher one keyframe.
// It is lock-free and safe for concurrent use; the zero value uses DefaultKeyframeInterval.
type KeyframeLimiter struct {
	interval time.Duration
	last     [NumLayers]atomic.Int64 // UnixNano of the last allowed request; 0 = never
}

// NewKeyframeLimiter returns a limiter allowing one request per interval per layer.
func NewKeyframeLimiter(interval time.Duration) *KeyframeLimiter {
	return &KeyframeLimiter{interval: interval}
}

// Allow reports whether a keyframe request for layer may be sent at now, and if so records
// it. Any goroutine may call it.
func (k *KeyframeLimiter) Allow(layer Layer, now time.Time) bool {
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
		if prev != 0 && n-prev < int64(interval) {
			return false
		}
		if k.last[layer].CompareAndSwap(prev, n) {
			return true
		}
	}
}
