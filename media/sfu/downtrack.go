package sfu

import (
	"sync/atomic"

	"github.com/pion/rtp"
)

// Kind is the media kind of a track.
type Kind int8

// Media kinds; the zero value is unknown.
const (
	KindUnknown Kind = iota
	KindAudio
	KindVideo
)

// String returns the kind as WebRTC names it.
func (k Kind) String() string {
	switch k {
	case KindAudio:
		return "audio"
	case KindVideo:
		return "video"
	default:
		return "unknown"
	}
}

// DownTrackConfig describes the track as negotiated with one subscriber.
type DownTrackConfig struct {
	Kind        Kind
	SSRC        uint32 // SSRC of the subscriber-facing stream
	PayloadType uint8  // payload type negotiated with the subscriber; 0 keeps the publisher's
	ClockRate   uint32 // codec clock in Hz (90000 video, 48000 Opus)
	Selector    SelectorConfig
}

// DownTrack forwards one published track to one subscriber: it gates on host mute and
// pause, picks the simulcast layer (video) and rewrites sequence numbers and timestamps.
//
// Forward, RewriteHeader and MarshalTo run on the published track's forwarding goroutine;
// SetPaused and the Selector's setters may be called from any goroutine.
type DownTrack struct {
	cfg    DownTrackConfig
	src    *Source
	paused atomic.Bool
	// keyframe is set by RequestKeyframe and consumed by the forwarding goroutine.
	keyframe atomic.Bool

	// Forwarding goroutine only.
	munger   Munger
	sel      *Selector // nil for audio
	selEpoch uint32
}

// NewDownTrack returns a down-track of src for one subscriber.
func NewDownTrack(src *Source, cfg DownTrackConfig) *DownTrack {
	d := &DownTrack{cfg: cfg, src: src}
	d.munger.init(cfg.ClockRate)
	if cfg.Kind == KindVideo {
		d.sel = NewSelector(cfg.Selector, src.limiter)
		d.selEpoch = d.sel.Epoch()
	}
	return d
}

// Selector returns the layer selector of a video down-track, or nil for audio, so control
// code can feed it pane sizes and bandwidth estimates.
func (d *DownTrack) Selector() *Selector { return d.sel }

// SSRC returns the subscriber-facing SSRC.
func (d *DownTrack) SSRC() uint32 { return d.cfg.SSRC }

// SetPaused pauses or resumes this subscription (subscriber's choice, e.g. a hidden tile).
// It applies from the next packet. Any goroutine may call it.
func (d *DownTrack) SetPaused(paused bool) { d.paused.Store(paused) }

// RequestKeyframe asks for a keyframe of the layer this subscriber currently receives,
// as when the subscriber sent a PLI or FIR; the forwarding goroutine passes it to the
// Source on the next packet, subject to the per-layer rate limit. Any goroutine.
func (d *DownTrack) RequestKeyframe() { d.keyframe.Store(true) }

// Forward decides whether in goes to this subscriber and, if so, with which sequence number
// and timestamp. Forwarding goroutine only.
func (d *DownTrack) Forward(in PacketMeta) (Translated, bool) {
	if d.src.hostMuted.Load() || d.paused.Load() {
		d.munger.Pause()
		if d.sel != nil {
			d.sel.Reset()
		}
		return Translated{}, false
	}
	if d.sel != nil {
		fwd := d.sel.Accept(int(in.Layer), in.Keyframe, in.Arrival)
		if l, ok := d.sel.KeyframeRequest(); ok {
			d.src.requestKeyframe(l)
		} else if d.keyframe.Load() && d.keyframe.Swap(false) {
			if l := d.sel.Current(); l.valid() && d.src.limiter.Allow(l, in.Arrival) {
				d.src.requestKeyframe(l)
			}
		}
		if !fwd {
			return Translated{}, false
		}
		if e := d.sel.Epoch(); e != d.selEpoch {
			// The selector picked up a layer after a switch or a stop: even if the SSRC is
			// the same as before, the stream was interrupted.
			d.selEpoch = e
			d.munger.Pause()
		}
	}
	t, drop := d.munger.Translate(in)
	return t, !drop
}

// RewriteHeader rewrites h in place for this subscriber: SSRC, payload type, sequence
// number, timestamp and marker. The publisher's header extensions are removed, because
// their IDs were negotiated with the publisher; the subscriber's own (TWCC, abs-send-time)
// are added by its interceptors.
func (d *DownTrack) RewriteHeader(h *rtp.Header, t Translated) {
	h.SSRC = d.cfg.SSRC
	if d.cfg.PayloadType != 0 {
		h.PayloadType = d.cfg.PayloadType
	}
	h.SequenceNumber = t.Seq
	h.Timestamp = t.TS
	h.Marker = t.Marker
	h.Extension = false
	h.ExtensionProfile = 0
	h.Extensions = nil
}

// MarshalTo writes the rewritten packet (a copy of h plus payload and padding) into buf and
// returns its length; h itself is untouched because the same incoming packet fans out to
// every down-track. It allocates nothing. Returns io.ErrShortBuffer if buf is too small.
func (d *DownTrack) MarshalTo(buf []byte, h *rtp.Header, payload []byte, t Translated) (int, error) {
	p := rtp.Packet{Header: *h, Payload: payload}
	d.RewriteHeader(&p.Header, t)
	return p.MarshalTo(buf)
}
