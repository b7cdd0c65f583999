package nack

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
)

// Responder defaults.
const (
	// DefaultVideoBufferSize is how many packets of a video stream a Responder keeps:
	// about 3 s at 300 packets/s, longer than a receiver keeps asking (1 s).
	DefaultVideoBufferSize = 1024
	// DefaultAudioBufferSize is how many packets of an audio stream (with "nack"
	// feedback) a Responder keeps: 5 s of 20 ms frames.
	DefaultAudioBufferSize = 256
	// DefaultResendInterval is the least time between two resends of one packet.
	//
	// Why 10 ms: two NACKs for one packet within 10 ms are one loss reported twice
	// (NACK items overlapping, a retry crossing the first answer on a short path), and
	// sending the packet twice only adds load to a link that is already losing. A
	// receiver's own retries are spaced by its RTT estimate (Generator: at least
	// 20 ms; libwebrtc: its RTT, 100 ms before it has one), so a real retry always
	// passes. pion's responder waits RTT+5 ms, from an RTT estimate that needs sender
	// reports and lags when the path changes; a fixed short interval never holds back
	// a legitimate retry.
	DefaultResendInterval = 10 * time.Millisecond
)

// Bounds of a Responder buffer size.
const (
	minBufferSize = 16
	maxBufferSize = 1 << 15
)

// ResponderConfig configures a Responder. The zero value selects the defaults.
type ResponderConfig struct {
	// VideoBufferSize is how many packets of each video stream are kept for resending:
	// a power of two in 16..32768; DefaultVideoBufferSize when 0.
	VideoBufferSize int
	// AudioBufferSize is the same for audio streams; DefaultAudioBufferSize when 0.
	AudioBufferSize int
	// ResendInterval is the least time between two resends of one packet;
	// DefaultResendInterval when 0.
	ResendInterval time.Duration
}

// withDefaults validates c and fills in its zero fields.
func (c ResponderConfig) withDefaults() (ResponderConfig, error) {
	if c.VideoBufferSize == 0 {
		c.VideoBufferSize = DefaultVideoBufferSize
	}
	if c.AudioBufferSize == 0 {
		c.AudioBufferSize = DefaultAudioBufferSize
	}
	if c.ResendInterval == 0 {
		c.ResendInterval = DefaultResendInterval
	}
	for _, n := range []int{c.VideoBufferSize, c.AudioBufferSize} {
		if n < minBufferSize || n > maxBufferSize || n&(n-1) != 0 {
			return c, fmt.Errorf("%w: responder buffer size %d", ErrNotPowerOfTwo, n)
		}
	}
	if c.ResendInterval < 0 {
		return c, fmt.Errorf("%w: resend interval %v", ErrInvalidConfig, c.ResendInterval)
	}
	return c, nil
}

// ResponderStats are a Responder's counters, summed over all its interceptors.
type ResponderStats struct {
	// NACKed counts the packets of buffered streams that receivers asked for.
	NACKed uint64
	// Resent counts the packets resent, in the stream or over RTX.
	Resent uint64
	// ResentRTX counts the packets resent over RTX (RFC 4588); also in Resent.
	ResentRTX uint64
	// NotInBuffer counts requests for packets no longer (or never) in the buffer.
	NotInBuffer uint64
	// Suppressed counts requests for a packet resent less than ResendInterval ago.
	Suppressed uint64
	// WriteErrors counts resends the stream's writer failed.
	WriteErrors uint64
	// PaddingPackets and PaddingBytes count the probe traffic Pad sent.
	PaddingPackets, PaddingBytes uint64
}

// responderCounters are the atomic counters behind ResponderStats.
type responderCounters struct {
	nacked, resent, resentRTX, notInBuffer, suppressed, writeErrors atomic.Uint64
	paddingPackets, paddingBytes                                    atomic.Uint64
}

// Responder answers generic NACKs (RFC 4585 §6.2.1) for local streams from a buffer of
// the packets last sent, over RTX (RFC 4588) where the stream negotiated it. It is an
// interceptor.Factory: one Responder per webrtc.API, creating a ResponderInterceptor
// per PeerConnection, and holding counters for all of them.
//
// Register it after the interceptors that must see retransmissions (TWCC sequence
// numbers, congestion control and pacing): pion wraps local streams so that the
// interceptor added first sees a packet last, and the Responder writes resent packets
// through the writer it was bound with.
type Responder struct {
	cfg   ResponderConfig
	stats responderCounters
	// now is the clock; tests replace it.
	now func() time.Time
	// onNew, if set, learns each new PeerConnection's interceptor (for Pad).
	onNew atomic.Pointer[func(*ResponderInterceptor)]
}

var _ interceptor.Factory = (*Responder)(nil)

// NewResponder returns a Responder, or an error wrapping ErrNotPowerOfTwo or
// ErrInvalidConfig.
func NewResponder(cfg ResponderConfig) (*Responder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Responder{cfg: cfg, now: time.Now}, nil
}

// NewInterceptor implements interceptor.Factory: the interceptor for one
// PeerConnection.
func (r *Responder) NewInterceptor(_ string) (interceptor.Interceptor, error) {
	i := newResponderInterceptor(r)
	if fn := r.onNew.Load(); fn != nil {
		(*fn)(i)
	}
	return i, nil
}

// OnNewInterceptor makes fn learn the interceptor of every PeerConnection created from
// now on, on the goroutine creating it (pion builds the interceptors inside
// API.NewPeerConnection), so that its owner can Pad.
func (r *Responder) OnNewInterceptor(fn func(*ResponderInterceptor)) { r.onNew.Store(&fn) }

// Stats returns the counters. Any goroutine.
func (r *Responder) Stats() ResponderStats {
	s := &r.stats
	return ResponderStats{
		NACKed:      s.nacked.Load(),
		Resent:      s.resent.Load(),
		ResentRTX:   s.resentRTX.Load(),
		NotInBuffer: s.notInBuffer.Load(),
		Suppressed:  s.suppressed.Load(),
		WriteErrors: s.writeErrors.Load(),

		PaddingPackets: s.paddingPackets.Load(),
		PaddingBytes:   s.paddingBytes.Load(),
	}
}
