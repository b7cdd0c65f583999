package whiteboard

import "time"

// Rate limits per participant (docs/whiteboard.md §5).
const (
	// UpdateRate and UpdateBurst bound update and clear messages, and
	// messages that fail to decode.
	UpdateRate  = 30
	UpdateBurst = 60
	// ByteRate and ByteBurst bound the bytes of the same messages.
	ByteRate  = 512 << 10
	ByteBurst = 2 << 20
	// PointerRate and PointerBurst bound pointer messages; the excess is
	// dropped without an answer.
	PointerRate  = 20
	PointerBurst = 20
)

// tokenBucket admits rate units per second with a burst. Callers hold the
// Hub's mutex.
type tokenBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newTokenBucket(rate, burst float64, now time.Time) tokenBucket {
	return tokenBucket{rate: rate, burst: burst, tokens: burst, last: now}
}

// take removes n tokens and reports true if there were that many; otherwise
// it removes none.
func (b *tokenBucket) take(now time.Time, n float64) bool {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

// limiter is one participant's buckets. It outlives Detach so that reopening
// the data channel does not refill them.
type limiter struct {
	updates, bytes, pointers tokenBucket
	limited                  bool // in a run of dropped messages; the first was answered
}

func newLimiter(now time.Time) *limiter {
	return &limiter{
		updates:  newTokenBucket(UpdateRate, UpdateBurst, now),
		bytes:    newTokenBucket(ByteRate, ByteBurst, now),
		pointers: newTokenBucket(PointerRate, PointerBurst, now),
	}
}

// admit charges one message of n bytes to the update and byte buckets.
func (l *limiter) admit(now time.Time, n int) bool {
	if !l.updates.take(now, 1) {
		return false
	}
	if !l.bytes.take(now, float64(n)) {
		l.updates.tokens++ // refund: the message is not admitted
		return false
	}
	return true
}
