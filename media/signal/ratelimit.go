package signal

import "time"

// tokenBucket admits rate messages per second with a burst. A rejected message
// still costs a token, so the balance goes negative: a client that keeps
// sending while limited digs a debt, and once the debt exceeds overdraft the
// connection is closed as a flood. A client that backs off repays the debt at
// rate per second. It is used by the reader goroutine only.
type tokenBucket struct {
	rate, burst, overdraft float64
	tokens                 float64
	last                   time.Time
}

func newTokenBucket(rate float64, burst, overdraft int, now time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), overdraft: float64(overdraft), tokens: float64(burst), last: now}
}

// verdict is the outcome of one take.
type verdict uint8

const (
	admit verdict = iota
	reject
	flood
)

func (b *tokenBucket) take(now time.Time) verdict {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	switch {
	case b.tokens >= 0:
		return admit
	case b.tokens < -b.overdraft:
		return flood
	default:
		return reject
	}
}
