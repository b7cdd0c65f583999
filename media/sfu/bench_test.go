package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func benchForward(b *testing.B, d *DownTrack, layer Layer, payloadLen int, clockStep uint32, frame time.Duration) {
	h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 1234}
	if err := h.SetExtension(1, []byte("h")); err != nil { // rid, as browsers send it
		b.Fatal(err)
	}
	payload := make([]byte, payloadLen)
	buf := make([]byte, 1500)
	now := t0
	seq := uint16(0)
	ts := uint32(0)
	d.Forward(PacketMeta{SSRC: 1234, Layer: layer, Keyframe: true, Arrival: now})
	b.ReportAllocs()
	b.SetBytes(int64(payloadLen))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq++
		ts += clockStep
		now = now.Add(frame)
		h.SequenceNumber, h.Timestamp = seq, ts
		out, ok := d.Forward(PacketMeta{SSRC: 1234, Layer: layer, Seq: seq, TS: ts, Arrival: now})
		if !ok {
			b.Fatal("dropped")
		}
		if _, err := d.MarshalTo(buf, &h, payload, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForwardVideo measures one 1100-byte video packet of the current simulcast layer
// through mute gate, selector, munger and marshal into a reused buffer.
func BenchmarkForwardVideo(b *testing.B) {
	benchForward(b, videoTrack(NewSource(0)), 2, 1100, 3000, 33*time.Millisecond)
}

// BenchmarkForwardAudio measures one 100-byte Opus packet through mute gate, munger and
// marshal into a reused buffer.
func BenchmarkForwardAudio(b *testing.B) {
	benchForward(b, audioTrack(NewSource(0)), 0, 100, 960, 20*time.Millisecond)
}

// BenchmarkSpreaderFanout measures one audio packet fanned out to 50 subscribers; ns/op is
// per incoming packet.
func BenchmarkSpreaderFanout(b *testing.B) {
	var s Spreader
	src := NewSource(0)
	for range 50 {
		s.Add(audioTrack(src))
	}
	h := rtp.Header{Version: 2, PayloadType: 111, SSRC: 42}
	payload := make([]byte, 100)
	buf := make([]byte, 1500)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := PacketMeta{SSRC: 42, Seq: uint16(i), TS: uint32(i) * 960, Arrival: t0.Add(time.Duration(i) * 20 * time.Millisecond)}
		h.SequenceNumber, h.Timestamp = in.Seq, in.TS
		s.ForEach(func(d *DownTrack) {
			if out, ok := d.Forward(in); ok {
				_, _ = d.MarshalTo(buf, &h, payload, out)
			}
		})
	}
}
