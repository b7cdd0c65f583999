package nack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

const (
	mediaSSRC = 0x11111111
	rtxSSRC   = 0x22222222
	ptVP8     = 96
	ptRTX     = 97
	extMid    = 1
	extRID    = 10
	extRRID   = 11
)

// recorder is a fake downstream RTPWriter: it keeps each packet as it would go on
// the wire, and fails while fail is set.
type recorder struct {
	fail atomic.Bool
	mu   sync.Mutex
	raw  [][]byte
}

func (r *recorder) Write(h *rtp.Header, payload []byte, _ interceptor.Attributes) (int, error) {
	if r.fail.Load() {
		return 0, io.ErrClosedPipe
	}
	raw, err := (&rtp.Packet{Header: *h, Payload: payload}).Marshal()
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.raw = append(r.raw, raw)
	r.mu.Unlock()
	return len(raw), nil
}

// packets returns the packets written so far, parsed, and forgets them.
func (r *recorder) take(t testing.TB) []rtp.Packet {
	t.Helper()
	r.mu.Lock()
	raw := r.raw
	r.raw = nil
	r.mu.Unlock()
	out := make([]rtp.Packet, len(raw))
	for i, b := range raw {
		if err := out[i].Unmarshal(b); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// fakeClock is a Responder clock that moves only when told.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return t0.Add(time.Duration(c.ns.Load())) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func newClockedResponder(t testing.TB, cfg ResponderConfig) (*Responder, *fakeClock) {
	t.Helper()
	r, err := NewResponder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &fakeClock{}
	r.now = c.now
	return r, c
}

// videoInfo is a VP8 stream with generic NACK, RTX when rtx is set, and the mid, rid
// and rrid header extensions.
func videoInfo(rtx bool) *interceptor.StreamInfo {
	info := &interceptor.StreamInfo{
		SSRC: mediaSSRC, PayloadType: ptVP8, MimeType: "video/VP8", ClockRate: 90000,
		RTCPFeedback: []interceptor.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}},
		RTPHeaderExtensions: []interceptor.RTPHeaderExtension{
			{URI: sdp.SDESMidURI, ID: extMid}, {URI: sdp.SDESRTPStreamIDURI, ID: extRID}, {URI: sdp.SDESRepairRTPStreamIDURI, ID: extRRID},
		},
	}
	if rtx {
		info.SSRCRetransmission, info.PayloadTypeRetransmission = rtxSSRC, ptRTX
	}
	return info
}

// harness is one ResponderInterceptor with one bound stream.
type harness struct {
	r     *Responder
	clock *fakeClock
	ri    *ResponderInterceptor
	down  *recorder
	w     interceptor.RTPWriter
	rtcp  chan []byte
	read  interceptor.RTCPReader
}

func newHarness(t testing.TB, cfg ResponderConfig, info *interceptor.StreamInfo) *harness {
	t.Helper()
	r, c := newClockedResponder(t, cfg)
	i, err := r.NewInterceptor("pc")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{r: r, clock: c, ri: i.(*ResponderInterceptor), down: &recorder{}, rtcp: make(chan []byte, 1)}
	h.w = h.ri.BindLocalStream(info, h.down)
	h.read = h.ri.BindRTCPReader(interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		return copy(b, <-h.rtcp), a, nil
	}))
	return h
}

// send writes a packet with sequence number seq: payload "p<seq>" padded to 20 bytes.
func (h *harness) send(t testing.TB, seq uint16) {
	t.Helper()
	hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SequenceNumber: seq, Timestamp: 3000 * uint32(seq), SSRC: mediaSSRC, Marker: seq%3 == 0}
	payload := make([]byte, 20)
	binary.BigEndian.PutUint16(payload, seq)
	if _, err := h.w.Write(&hdr, payload, nil); err != nil {
		t.Fatal(err)
	}
}

// nack delivers a generic NACK for ssrc asking for seqs through the RTCP reader.
func (h *harness) nack(t testing.TB, ssrc uint32, seqs ...uint16) {
	t.Helper()
	b, err := (&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	h.deliver(t, b)
}

// deliver passes raw RTCP through the reader.
func (h *harness) deliver(t testing.TB, b []byte) {
	t.Helper()
	h.rtcp <- b
	buf := make([]byte, 1500)
	if _, _, err := h.read.Read(buf, nil); err != nil {
		t.Fatal(err)
	}
}

// osnOf returns the original sequence numbers in RTX packets' payloads, or the
// sequence numbers of in-stream packets.
func osnOf(pkts []rtp.Packet) []uint16 {
	out := make([]uint16, len(pkts))
	for i, p := range pkts {
		if p.SSRC == rtxSSRC {
			out[i] = binary.BigEndian.Uint16(p.Payload)
		} else {
			out[i] = p.SequenceNumber
		}
	}
	return out
}

// TestRTXPacketBytes checks an RTX packet byte by byte against RFC 4588 §4: the RTX
// SSRC, payload type and sequence number; the original timestamp, marker and CSRC;
// the OSN, then the original payload without its padding.
func TestRTXPacketBytes(t *testing.T) {
	h := newHarness(t, ResponderConfig{}, videoInfo(true))
	orig := rtp.Packet{
		Header: rtp.Header{
			Version: 2, Padding: true, PaddingSize: 3, Marker: true, PayloadType: ptVP8,
			SequenceNumber: 0xABCD, Timestamp: 0x01020304, SSRC: mediaSSRC, CSRC: []uint32{0x0A0B0C0D},
		},
		Payload: []byte{0xDE, 0xAD, 0xBE, 0xEF, 0x42},
	}
	if _, err := h.w.Write(&orig.Header, orig.Payload, nil); err != nil {
		t.Fatal(err)
	}
	h.down.take(t)
	h.nack(t, mediaSSRC, 0xABCD)
	h.down.mu.Lock()
	if len(h.down.raw) != 1 {
		t.Fatalf("%d packets resent, want 1", len(h.down.raw))
	}
	got := h.down.raw[0]
	h.down.mu.Unlock()
	rtxSeq := binary.BigEndian.Uint16(got[2:4])
	want := []byte{
		0x81,                            // V=2, P=0, X=0, CC=1
		0x80 | ptRTX,                    // M=1, PT=97
		byte(rtxSeq >> 8), byte(rtxSeq), // the RTX stream's own sequence number
		0x01, 0x02, 0x03, 0x04, // original timestamp
		0x22, 0x22, 0x22, 0x22, // RTX SSRC
		0x0A, 0x0B, 0x0C, 0x0D, // original CSRC
		0xAB, 0xCD, // OSN
		0xDE, 0xAD, 0xBE, 0xEF, 0x42, // original payload, no padding
	}
	if !bytes.Equal(got, want) {
		t.Errorf("RTX packet\n% x\nwant\n% x", got, want)
	}
	if st := h.r.Stats(); st != (ResponderStats{NACKed: 1, Resent: 1, ResentRTX: 1}) {
		t.Errorf("stats %+v", st)
	}
}

// TestRTXHeaderExtensions: an RTX packet keeps the original's header extensions, with
// rtp-stream-id turned into repaired-rtp-stream-id (RFC 8852 §3.2).
func TestRTXHeaderExtensions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		info     *interceptor.StreamInfo
		wantRRID bool
	}{
		{"rrid negotiated", videoInfo(true), true},
		{"no rrid", func() *interceptor.StreamInfo {
			i := videoInfo(true)
			i.RTPHeaderExtensions = i.RTPHeaderExtensions[:2]
			return i
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, ResponderConfig{}, tc.info)
			hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SequenceNumber: 7, SSRC: mediaSSRC}
			_ = hdr.SetExtension(extMid, []byte("0"))
			_ = hdr.SetExtension(extRID, []byte("hi"))
			if _, err := h.w.Write(&hdr, []byte{1, 2, 3}, nil); err != nil {
				t.Fatal(err)
			}
			h.down.take(t)
			h.nack(t, mediaSSRC, 7)
			pkts := h.down.take(t)
			if len(pkts) != 1 {
				t.Fatalf("%d packets resent", len(pkts))
			}
			p := pkts[0]
			if got := string(p.GetExtension(extMid)); got != "0" {
				t.Errorf("mid %q, want 0", got)
			}
			if got := p.GetExtension(extRID); got != nil {
				t.Errorf("rid %q on an RTX packet", got)
			}
			if got := string(p.GetExtension(extRRID)); tc.wantRRID && got != "hi" || !tc.wantRRID && got != "" {
				t.Errorf("rrid %q", got)
			}
			if !slices.Equal(p.Payload, []byte{0, 7, 1, 2, 3}) {
				t.Errorf("payload % x", p.Payload)
			}
		})
	}
}

// TestInStreamResendIsTheOriginal: without RTX the resent packet is the original,
// padding included.
func TestInStreamResendIsTheOriginal(t *testing.T) {
	h := newHarness(t, ResponderConfig{}, videoInfo(false))
	orig := rtp.Packet{
		Header:  rtp.Header{Version: 2, Padding: true, PaddingSize: 4, PayloadType: ptVP8, SequenceNumber: 9, Timestamp: 99, SSRC: mediaSSRC, CSRC: []uint32{5}},
		Payload: []byte{9, 8, 7},
	}
	_ = orig.Header.SetExtension(extMid, []byte("v"))
	if _, err := h.w.Write(&orig.Header, orig.Payload, nil); err != nil {
		t.Fatal(err)
	}
	h.down.mu.Lock()
	sent := h.down.raw[0]
	h.down.raw = nil
	h.down.mu.Unlock()
	h.nack(t, mediaSSRC, 9)
	h.down.mu.Lock()
	defer h.down.mu.Unlock()
	if len(h.down.raw) != 1 || !bytes.Equal(h.down.raw[0], sent) {
		t.Fatalf("resent %x, want the original %x", h.down.raw, sent)
	}
	if st := h.r.Stats(); st != (ResponderStats{NACKed: 1, Resent: 1}) {
		t.Errorf("stats %+v", st)
	}
}

// TestResponderNacks: which packets are resent, in which order, with which counters.
func TestResponderNacks(t *testing.T) {
	type step struct {
		advance time.Duration
		nack    []uint16
		ssrc    uint32 // mediaSSRC when 0
		want    []uint16
	}
	tests := []struct {
		name  string
		rtx   bool
		size  int
		sent  []uint16
		steps []step
		want  ResponderStats
	}{
		{
			name: "in stream",
			sent: span(1, 20),
			steps: []step{
				{nack: []uint16{3, 5, 19}, want: []uint16{3, 5, 19}},
			},
			want: ResponderStats{NACKed: 3, Resent: 3},
		},
		{
			name: "over RTX",
			rtx:  true,
			sent: span(1, 20),
			steps: []step{
				{nack: []uint16{3, 5, 19}, want: []uint16{3, 5, 19}},
			},
			want: ResponderStats{NACKed: 3, Resent: 3, ResentRTX: 3},
		},
		{
			name: "wrap-around in one item",
			rtx:  true,
			sent: cat(span(65530, 65535), span(0, 5)),
			steps: []step{
				{nack: []uint16{65534, 65535, 0, 1, 4}, want: []uint16{65534, 65535, 0, 1, 4}},
			},
			want: ResponderStats{NACKed: 5, Resent: 5, ResentRTX: 5},
		},
		{
			name: "overwritten and never sent",
			size: 16,
			sent: span(0, 40),
			steps: []step{
				{nack: []uint16{5, 24, 25, 40, 41, 1000}, want: []uint16{25, 40}},
			},
			want: ResponderStats{NACKed: 6, Resent: 2, NotInBuffer: 4},
		},
		{
			name: "duplicate NACKs within the interval are suppressed",
			rtx:  true,
			sent: span(1, 20),
			steps: []step{
				{nack: []uint16{4, 6}, want: []uint16{4, 6}},
				{advance: 9 * time.Millisecond, nack: []uint16{4, 6, 7}, want: []uint16{7}},
				{advance: time.Millisecond, nack: []uint16{4}, want: []uint16{4}},
				{advance: 5 * time.Millisecond, nack: []uint16{6, 7}, want: []uint16{6}},
			},
			want: ResponderStats{NACKed: 8, Resent: 5, ResentRTX: 5, Suppressed: 3},
		},
		{
			name: "another SSRC (not buffered, or the RTX one) is ignored",
			rtx:  true,
			sent: span(1, 5),
			steps: []step{
				{ssrc: rtxSSRC, nack: []uint16{2}},
				{ssrc: 0x33333333, nack: []uint16{2}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, ResponderConfig{VideoBufferSize: tc.size}, videoInfo(tc.rtx))
			for _, s := range tc.sent {
				h.send(t, s)
			}
			h.down.take(t)
			var rtxSeqs []uint16
			for i, st := range tc.steps {
				h.clock.advance(st.advance)
				ssrc := st.ssrc
				if ssrc == 0 {
					ssrc = mediaSSRC
				}
				h.nack(t, ssrc, st.nack...)
				pkts := h.down.take(t)
				if got := osnOf(pkts); !slices.Equal(got, st.want) && len(got)+len(st.want) > 0 {
					t.Fatalf("step %d: resent %v, want %v", i, got, st.want)
				}
				for _, p := range pkts {
					wantSSRC, wantPT := uint32(mediaSSRC), uint8(ptVP8)
					if tc.rtx {
						wantSSRC, wantPT = rtxSSRC, ptRTX
						rtxSeqs = append(rtxSeqs, p.SequenceNumber)
					}
					if p.SSRC != wantSSRC || p.PayloadType != wantPT {
						t.Fatalf("resent on SSRC %x PT %d, want %x %d", p.SSRC, p.PayloadType, wantSSRC, wantPT)
					}
				}
			}
			for i := 1; i < len(rtxSeqs); i++ {
				if rtxSeqs[i] != rtxSeqs[i-1]+1 {
					t.Errorf("RTX sequence numbers %v are not contiguous", rtxSeqs)
				}
			}
			if st := h.r.Stats(); st != tc.want {
				t.Errorf("stats %+v, want %+v", st, tc.want)
			}
		})
	}
}

// TestRTXSequenceSkipsFailedWrites: a resend the writer fails does not use up an RTX
// sequence number.
func TestRTXSequenceSkipsFailedWrites(t *testing.T) {
	h := newHarness(t, ResponderConfig{}, videoInfo(true))
	for s := range uint16(10) {
		h.send(t, s)
	}
	h.down.take(t)
	h.nack(t, mediaSSRC, 1)
	h.down.fail.Store(true)
	h.nack(t, mediaSSRC, 2)
	h.down.fail.Store(false)
	h.nack(t, mediaSSRC, 3)
	pkts := h.down.take(t)
	if len(pkts) != 2 || pkts[1].SequenceNumber != pkts[0].SequenceNumber+1 {
		t.Fatalf("RTX packets %v, want two with consecutive sequence numbers", osnOf(pkts))
	}
	if st := h.r.Stats(); st.WriteErrors != 1 || st.ResentRTX != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestResponderSkipsStreamsWithoutNack: a stream without "nack" feedback is not
// buffered (its writer is returned as it is).
func TestResponderSkipsStreamsWithoutNack(t *testing.T) {
	r, _ := newClockedResponder(t, ResponderConfig{})
	i, _ := r.NewInterceptor("")
	ri := i.(*ResponderInterceptor)
	down := &recorder{}
	info := &interceptor.StreamInfo{SSRC: 5, MimeType: "audio/opus", RTCPFeedback: []interceptor.RTCPFeedback{{Type: "transport-cc"}, {Type: "nack", Parameter: "pli"}}}
	if w := ri.BindLocalStream(info, down); w != interceptor.RTPWriter(down) {
		t.Error("a stream without nack feedback got a wrapped writer")
	}
	if ri.stream(5) != nil {
		t.Error("a stream without nack feedback is buffered")
	}
	info.RTCPFeedback = append(info.RTCPFeedback, interceptor.RTCPFeedback{Type: "nack"})
	ri.BindLocalStream(info, down)
	if s := ri.stream(5); s == nil || len(s.slots) != DefaultAudioBufferSize || s.slotSize != audioSlotSize {
		t.Error("an audio stream with nack feedback has no audio-sized buffer")
	}
	ri.UnbindLocalStream(info)
	if ri.stream(5) != nil {
		t.Error("an unbound stream is still buffered")
	}
	_ = ri.Close()
}

// TestResponderLargePacket: a packet larger than a slot is buffered in full.
func TestResponderLargePacket(t *testing.T) {
	h := newHarness(t, ResponderConfig{VideoBufferSize: 16}, videoInfo(false))
	big := bytes.Repeat([]byte{0x5A}, 3000)
	hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SequenceNumber: 1, SSRC: mediaSSRC}
	if _, err := h.w.Write(&hdr, big, nil); err != nil {
		t.Fatal(err)
	}
	h.send(t, 17) // the same slot in a 16-slot ring: reuses the big buffer
	h.down.take(t)
	h.nack(t, mediaSSRC, 1, 17)
	pkts := h.down.take(t)
	if len(pkts) != 1 || pkts[0].SequenceNumber != 17 || len(pkts[0].Payload) != 20 {
		t.Fatalf("resent %v", osnOf(pkts))
	}
	h2 := newHarness(t, ResponderConfig{}, videoInfo(false))
	if _, err := h2.w.Write(&hdr, big, nil); err != nil {
		t.Fatal(err)
	}
	h2.down.take(t)
	h2.nack(t, mediaSSRC, 1)
	if pkts := h2.down.take(t); len(pkts) != 1 || !bytes.Equal(pkts[0].Payload, big) {
		t.Fatal("a 3000-byte packet was not resent in full")
	}
}

// TestResponderConcurrent: one goroutine writes while another answers NACKs (run with
// -race); RTX sequence numbers stay contiguous.
func TestResponderConcurrent(t *testing.T) {
	h := newHarness(t, ResponderConfig{VideoBufferSize: 64}, videoInfo(true))
	h.clock.advance(time.Second)
	const n = 20_000
	var sent atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		payload := make([]byte, 200)
		for s := range n {
			hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SequenceNumber: uint16(s), SSRC: mediaSSRC}
			_, _ = h.w.Write(&hdr, payload, nil)
			sent.Store(int32(s))
		}
	}()
	buf := make([]byte, 1500)
	read := h.ri.BindRTCPReader(interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		last := uint16(sent.Load())
		raw, _ := (&rtcp.TransportLayerNack{MediaSSRC: mediaSSRC, Nacks: []rtcp.NackPair{{PacketID: last - 20, LostPackets: 0xA5A5}}}).Marshal()
		return copy(b, raw), a, nil
	}))
	for i := 0; i < 100_000 && (i < 1000 || sent.Load() < n-1); i++ {
		h.clock.advance(11 * time.Millisecond)
		if _, _, err := read.Read(buf, nil); err != nil {
			t.Fatal(err)
		}
		_ = h.r.Stats()
	}
	wg.Wait()
	var prev uint16
	var resent int
	for i, p := range h.down.take(t) {
		if p.SSRC != rtxSSRC {
			continue
		}
		if resent > 0 && p.SequenceNumber != prev+1 {
			t.Fatalf("packet %d: RTX sequence number %d after %d", i, p.SequenceNumber, prev)
		}
		prev = p.SequenceNumber
		resent++
	}
	st := h.r.Stats()
	if resent == 0 || uint64(resent) != st.ResentRTX || st.NACKed != st.Resent+st.NotInBuffer+st.Suppressed {
		t.Errorf("%d RTX packets seen; stats %+v", resent, st)
	}
}

// TestResponderAllocations: writing a packet and answering a NACK of 17 packets
// allocate nothing once the buffer is warm.
func TestResponderAllocations(t *testing.T) {
	for _, rtx := range []bool{false, true} {
		r, c := newClockedResponder(t, ResponderConfig{})
		i, _ := r.NewInterceptor("")
		ri := i.(*ResponderInterceptor)
		w := ri.BindLocalStream(videoInfo(rtx), discard{})
		hdr := rtp.Header{Version: 2, PayloadType: ptVP8, SSRC: mediaSSRC}
		_ = hdr.SetExtension(extMid, []byte("0"))
		_ = hdr.SetExtension(extRID, []byte("h"))
		payload := make([]byte, 1100)
		var seq uint16
		write := func() {
			seq++
			hdr.SequenceNumber = seq
			_, _ = w.Write(&hdr, payload, nil)
		}
		for range 2048 {
			write()
		}
		if a := testing.AllocsPerRun(1000, write); a != 0 {
			t.Errorf("rtx %v: %.1f allocations per written packet, want 0", rtx, a)
		}
		raw, _ := (&rtcp.TransportLayerNack{MediaSSRC: mediaSSRC, Nacks: []rtcp.NackPair{{PacketID: seq - 100, LostPackets: 0xffff}}}).Marshal()
		nack := func() {
			c.advance(20 * time.Millisecond)
			ri.handleRTCP(raw)
		}
		if a := testing.AllocsPerRun(1000, nack); a != 0 {
			t.Errorf("rtx %v: %.1f allocations per NACK of 17, want 0", rtx, a)
		}
		if st := r.Stats(); st.Resent != 17*1001 {
			t.Errorf("rtx %v: %d resent, want %d", rtx, st.Resent, 17*1001)
		}
	}
}

// discard is a downstream writer that drops everything.
type discard struct{}

func (discard) Write(_ *rtp.Header, p []byte, _ interceptor.Attributes) (int, error) {
	return len(p), nil
}

func TestResponderConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  ResponderConfig
		want error
	}{
		{ResponderConfig{VideoBufferSize: 1000}, ErrNotPowerOfTwo},
		{ResponderConfig{AudioBufferSize: 8}, ErrNotPowerOfTwo},
		{ResponderConfig{VideoBufferSize: 1 << 16}, ErrNotPowerOfTwo},
		{ResponderConfig{ResendInterval: -time.Millisecond}, ErrInvalidConfig},
		{ResponderConfig{VideoBufferSize: 1 << 15, AudioBufferSize: 16}, nil},
	} {
		if _, err := NewResponder(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("NewResponder(%+v) = %v, want %v", tc.cfg, err, tc.want)
		}
	}
}

// TestPadResendsTheNewestPacketsOverRTX: probe traffic is the newest packets again, as
// RTX with contiguous RTX sequence numbers, until the bytes asked for are sent; a
// stream without RTX or unknown sends nothing.
func TestPadResendsTheNewestPacketsOverRTX(t *testing.T) {
	h := newHarness(t, ResponderConfig{}, videoInfo(true))
	var learned *ResponderInterceptor
	h.r.OnNewInterceptor(func(i *ResponderInterceptor) { learned = i })
	if _, err := h.r.NewInterceptor("pc2"); err != nil || learned == nil {
		t.Fatalf("OnNewInterceptor did not learn the new interceptor (%v)", err)
	}
	for seq := uint16(65530); seq != 4; seq++ { // across the wrap
		h.send(t, seq)
	}
	h.down.take(t)
	sent := h.ri.Pad(mediaSSRC, 100)
	pkts := h.down.take(t)
	if sent < 100 || len(pkts) == 0 {
		t.Fatalf("Pad sent %d bytes in %d packets, want at least 100", sent, len(pkts))
	}
	want := uint16(3) // newest first
	for i, p := range pkts {
		if p.SSRC != rtxSSRC || p.PayloadType != ptRTX {
			t.Fatalf("packet %d: SSRC %x PT %d, want the RTX stream", i, p.SSRC, p.PayloadType)
		}
		if osn := binary.BigEndian.Uint16(p.Payload); osn != want {
			t.Errorf("packet %d repeats %d, want %d", i, osn, want)
		}
		if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Errorf("RTX sequence numbers %d then %d", pkts[i-1].SequenceNumber, p.SequenceNumber)
		}
		want--
	}
	if st := h.r.Stats(); st.PaddingPackets != uint64(len(pkts)) || st.PaddingBytes != uint64(sent) || st.Resent != 0 {
		t.Errorf("stats %+v", st)
	}
	if n := h.ri.Pad(0xdead, 1000); n != 0 {
		t.Errorf("an unknown stream padded %d bytes", n)
	}
	plain := newHarness(t, ResponderConfig{}, videoInfo(false))
	plain.send(t, 1)
	if n := plain.ri.Pad(mediaSSRC, 1000); n != 0 {
		t.Errorf("a stream without RTX padded %d bytes", n)
	}
}
