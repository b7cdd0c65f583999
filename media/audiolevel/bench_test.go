package audiolevel

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// chromeAudioPacket is an Opus packet with the header extensions Chrome sends on audio:
// audio level, abs-send-time, transport-wide CC and MID, in the one-byte form.
func chromeAudioPacket() []byte {
	return append(rawPacket(0xBEDE,
		0x10, 0x80|30, // ssrc-audio-level (id 1)
		0x22, 0x12, 0x34, 0x56, // abs-send-time (id 2)
		0x31, 0x00, 0x2a, // transport-wide-cc (id 3)
		0x40, '0', // mid (id 4)
	), make([]byte, 80)...)
}

// BenchmarkParseObserve is the per-packet cost on the forwarding goroutine once the
// packet has been parsed: read the level, compute the frame duration, accumulate.
func BenchmarkParseObserve(b *testing.B) {
	var p rtp.Packet
	if err := p.Unmarshal(chromeAudioPacket()); err != nil {
		b.Fatal(err)
	}
	m := NewMeter(MeterConfig{})
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		p.Header.Timestamp += 960
		now = now.Add(20 * time.Millisecond)
		if !m.ObserveRTP(&p.Header, 1, now) {
			b.Fatal("no level")
		}
	}
}

// BenchmarkUnmarshalParseObserve adds pion's packet parsing, which the forwarding goroutine
// does anyway, for scale.
func BenchmarkUnmarshalParseObserve(b *testing.B) {
	raw := chromeAudioPacket()
	var p rtp.Packet
	m := NewMeter(MeterConfig{})
	now := t0
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := p.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
		now = now.Add(20 * time.Millisecond)
		m.ObserveRTP(&p.Header, 1, now)
	}
}

// BenchmarkDetectorTick100 is one Tick over the 100 audio tracks of a large meeting, a
// third of them talking (their 68 Observe calls per Tick are included).
func BenchmarkDetectorTick100(b *testing.B) {
	const n = 100
	d := NewDetector[int](DetectorConfig{})
	meters := make([]*Meter, n)
	for i := range meters {
		meters[i] = NewMeter(MeterConfig{})
		meters[i].Observe(Silence, 20*time.Millisecond, t0) // a quiet frame sets the noise floor
		if err := d.Add(i, meters[i]); err != nil {
			b.Fatal(err)
		}
	}
	now := t0
	buf := make([]Change[int], 0, n)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(DefaultTickInterval)
		for i := 0; i < n; i += 3 {
			// Speech dips between words; without that the noise floor would take it for a fan.
			meters[i].Observe(uint8(20+i%20), 80*time.Millisecond, now)
			meters[i].Observe(Silence, 20*time.Millisecond, now)
		}
		buf = d.Tick(now, buf).Changes
	}
	if !d.Speaking(0) || d.Speaking(1) {
		b.Fatal("the talking third is not speaking")
	}
}
