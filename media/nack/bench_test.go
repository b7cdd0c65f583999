package nack

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// benchStream binds a video stream (RTX or not) to a fresh responder, writing to
// discard, and fills its buffer with 1100-byte packets.
func benchStream(b *testing.B, rtx bool) (*Responder, *fakeClock, *ResponderInterceptor, func(seq uint16)) {
	r, c := newClockedResponder(b, ResponderConfig{})
	i, _ := r.NewInterceptor("")
	ri := i.(*ResponderInterceptor)
	w := ri.BindLocalStream(videoInfo(rtx), discard{})
	hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SSRC: mediaSSRC, Timestamp: 1234}
	_ = hdr.SetExtension(extMid, []byte("0"))
	_ = hdr.SetExtension(extRID, []byte("h"))
	payload := make([]byte, 1100)
	write := func(seq uint16) {
		hdr.SequenceNumber = seq
		_, _ = w.Write(&hdr, payload, nil)
	}
	for s := range 2048 {
		write(uint16(s))
	}
	return r, c, ri, write
}

// BenchmarkResponderWrite: one 1100-byte video packet through the responder's write
// path (copied into the send buffer, passed on).
func BenchmarkResponderWrite(b *testing.B) {
	_, _, _, write := benchStream(b, true)
	b.ReportAllocs()
	b.SetBytes(1100)
	var seq uint16
	for b.Loop() {
		seq++
		write(seq)
	}
}

// BenchmarkResponderNack17: answering one generic NACK item that asks for 17 packets.
func BenchmarkResponderNack17(b *testing.B) {
	for _, tc := range []struct {
		name string
		rtx  bool
	}{{"rtx", true}, {"in-stream", false}} {
		b.Run(tc.name, func(b *testing.B) {
			r, c, ri, _ := benchStream(b, tc.rtx)
			raw, _ := (&rtcp.TransportLayerNack{MediaSSRC: mediaSSRC, Nacks: []rtcp.NackPair{{PacketID: 1500, LostPackets: 0xffff}}}).Marshal()
			b.ReportAllocs()
			for b.Loop() {
				c.advance(20 * time.Millisecond)
				ri.handleRTCP(raw)
			}
			b.StopTimer()
			if st := r.Stats(); st.Resent != 17*uint64(b.N) {
				b.Fatalf("resent %d of %d", st.Resent, 17*b.N)
			}
		})
	}
}

// BenchmarkGeneratorPush: one packet into a Generator, in order and with every tenth
// packet missing.
func BenchmarkGeneratorPush(b *testing.B) {
	for _, tc := range []struct {
		name string
		step func(i int) uint16
	}{
		{"in-order", func(int) uint16 { return 1 }},
		{"10%-loss", func(i int) uint16 { return 1 + uint16(i%9/8) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			g, _ := NewGenerator(GeneratorConfig{})
			now := time.Now()
			var seq uint16
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				seq += tc.step(i)
				g.Push(seq, now)
			}
		})
	}
}

// BenchmarkGeneratorAppendNacks: one 20 ms tick of a Generator with 100 packets
// outstanding among the last 1000 (10 % loss over about 3 s of video), all asked for
// again: 50 items of two packets each.
func BenchmarkGeneratorAppendNacks(b *testing.B) {
	g, _ := NewGenerator(GeneratorConfig{MaxAge: time.Hour, MaxNacks: 255, MinInterval: time.Nanosecond, RTT: time.Nanosecond})
	fill := func() {
		g.Reset()
		for i := range 1000 {
			if i%10 != 5 {
				g.Push(uint16(i), t0)
			}
		}
	}
	fill()
	pairs := make([]rtcp.NackPair, 0, 128)
	ms, asked := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if asked == 250 { // before the packets are given up
			b.StopTimer()
			fill()
			asked = 0
			b.StartTimer()
		}
		ms++
		asked++
		pairs = g.AppendNacks(pairs[:0], at(ms))
		if len(pairs) != 50 {
			b.Fatalf("%d items", len(pairs))
		}
	}
}
