package rtc

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/jishitong/jishitong/media/sfu"
)

// nopWriter is a TrackLocalWriter that drops packets, to measure this package's part of
// the forwarding path without pion's interceptors and SRTP.
type nopWriter struct{ n int }

func (w *nopWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) { w.n++; return len(p), nil }
func (w *nopWriter) Write(b []byte) (int, error)                   { w.n++; return len(b), nil }

// BenchmarkForwardFanout2 measures one incoming VP8 packet (parse, keyframe check, meta)
// forwarded to two subscribers (Forward, header rewrite, writer lookup); ns/op is per
// incoming packet.
func BenchmarkForwardFanout2(b *testing.B) {
	t := &publishedTrack{kind: sfu.KindVideo, src: sfu.NewSource(0), keyframe: vp8Keyframe}
	empty := map[*sfu.DownTrack]sink{}
	t.sinks.Store(&empty)
	w := &nopWriter{}
	for i := range 2 {
		d := sfu.NewDownTrack(t.src, sfu.DownTrackConfig{Kind: sfu.KindVideo, SSRC: uint32(100 + i), PayloadType: 96, ClockRate: 90000})
		t.attach(d, sink{w: w})
		d.Selector().SetMaxLayer(0)
	}
	payload := videoFrame(true)[0]
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 7}, Payload: payload}
	buf := make([]byte, 1500)
	f := &forwarder{t: t}
	send := f.send
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pkt.SequenceNumber = uint16(i)
		pkt.Timestamp = uint32(i/2) * 3000
		n, _ := pkt.MarshalTo(buf)
		f.handle(buf[:n], now, send)
	}
	if w.n == 0 {
		b.Fatal("nothing forwarded")
	}
}
