package nack

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"
)

// End-to-end: two pion PeerConnections in this process, the sender's media reaching
// the receiver only through a UDP relay on 127.0.0.1 that drops 10 % of what the
// sender sends. The receiver's read loop feeds a Generator and sends its NACKs; the
// sender answers with a Responder, over RTX or in the stream.

const (
	e2ePacketsPerTick = 3                     // 300 packets/s with a 10 ms tick
	e2eTick           = 10 * time.Millisecond //
	e2eLossPercent    = 10
	e2eLossFor        = 3 * time.Second
	e2eTail           = 600 * time.Millisecond // sending on, without loss, for the last repairs
	e2eFirstSeq       = 65000                  // wraps during the test
)

func TestEndToEndRTX(t *testing.T) { testEndToEnd(t, true) }

func TestEndToEndInStream(t *testing.T) { testEndToEnd(t, false) }

func testEndToEnd(t *testing.T, withRTX bool) {
	if testing.Short() {
		t.Skip("end-to-end media test")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	senderAPI, responder := e2eAPI(t, withRTX, true)
	receiverAPI, _ := e2eAPI(t, withRTX, false)
	snd, err := senderAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snd.Close() }()
	rcv, err := receiverAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rcv.Close() }()

	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "e2e")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := snd.AddTrack(track)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer func() { _ = snd.Close(); wg.Wait() }() // ends the RTCP reader
	wg.Add(1)
	go func() { // the sender's RTCP reader: the Responder answers NACKs in it
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	}()

	rx := newE2EReceiver(t, rcv)
	defer rx.stop()

	relay := newLossyRelay(t)
	defer relay.close()
	offer := signal(t, snd, rcv, relay)
	for _, line := range []string{"a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=ssrc-group:FID "} {
		if got := strings.Contains(offer, line); got != withRTX {
			t.Errorf("offer has %q: %v, want %v", line, got, withRTX)
		}
	}
	relay.rtxSSRC.Store(fidRTX(offer))
	relay.twccID.Store(uint32(extmapID(offer, sdp.TransportCCURI)))
	if withRTX && relay.rtxSSRC.Load() == 0 {
		t.Fatal("no RTX SSRC in the offer")
	}

	// Send a VP8-like stream at 300 packets/s until told to stop.
	var nextSeq atomic.Uint32
	nextSeq.Store(e2eFirstSeq)
	stopSending := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		sendVideo(track, &nextSeq, stopSending)
	}()
	defer func() {
		select {
		case <-stopSending:
		default:
			close(stopSending)
		}
	}()

	deadline := time.Now().Add(10 * time.Second)
	for rx.count() < 30 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if rx.count() < 30 {
		t.Fatalf("the receiver got %d packets in 10 s", rx.count())
	}

	from := uint16(nextSeq.Load())
	relay.loss.Store(e2eLossPercent)
	time.Sleep(e2eLossFor)
	relay.loss.Store(0)
	to := uint16(nextSeq.Load())
	time.Sleep(e2eTail)
	close(stopSending)

	sent := int(to - from)
	got := rx.delivered(from, to)
	gs, rs, ws := rx.gen.Stats(), responder.Stats(), relay.stats()
	t.Logf("RTX %v: %d of %d packets sent under %d%% loss delivered (%.2f%%); relay dropped %d of %d media and %d of %d RTX packets",
		withRTX, got, sent, e2eLossPercent, 100*float64(got)/float64(sent), ws.mediaDropped, ws.media, ws.rtxDropped, ws.rtx)
	t.Logf("generator %+v", gs)
	t.Logf("responder %+v", rs)
	if float64(got) < 0.98*float64(sent) {
		t.Errorf("%d of %d packets delivered, want at least 98%%", got, sent)
	}
	if bad := rx.badPayloads.Load(); bad != 0 {
		t.Errorf("%d packets arrived with another packet's payload", bad)
	}
	if ws.mediaDropped == 0 || gs.Repaired == 0 || rs.Resent == 0 {
		t.Errorf("nothing was lost or repaired: relay %+v", ws)
	}
	if !ws.twccContiguous {
		t.Error("transport-wide sequence numbers on the wire have gaps: resends did not pass the TWCC interceptor")
	}
	if !withRTX {
		if rs.ResentRTX != 0 || ws.rtx != 0 || rx.rtxSeqs() != nil {
			t.Errorf("RTX used without being negotiated: responder %+v, relay saw %d", rs, ws.rtx)
		}
		if ws.mediaDuplicates == 0 {
			t.Error("the relay saw no media sequence number twice: nothing was resent in the stream")
		}
		return
	}
	if rs.ResentRTX != rs.Resent || ws.rtx == 0 {
		t.Errorf("not every resend went over RTX: responder %+v, relay saw %d", rs, ws.rtx)
	}
	if !ws.rtxContiguous {
		t.Error("RTX sequence numbers on the wire are not contiguous")
	}
	// What the receiver got over RTX (pion reports the RTX sequence number of each
	// repaired packet it returns) is what the relay let through, in order.
	seqs := rx.rtxSeqs()
	for i := 1; i < len(seqs); i++ {
		if int16(seqs[i]-seqs[i-1]) <= 0 {
			t.Fatalf("received RTX sequence numbers go back: %d after %d", seqs[i], seqs[i-1])
		}
	}
	if len(seqs) != ws.rtx-ws.rtxDropped {
		t.Errorf("the receiver read %d RTX packets, the relay forwarded %d", len(seqs), ws.rtx-ws.rtxDropped)
	}
}

// e2eAPI builds an API for VP8 (with RTX when withRTX) and transport-wide CC on
// 127.0.0.1 only. The sender's interceptors are the TWCC header extension, then the
// Responder; the receiver has none (its NACKs come from a Generator).
func e2eAPI(t *testing.T, withRTX, sender bool) (*webrtc.API, *Responder) {
	t.Helper()
	m := &webrtc.MediaEngine{}
	vp8 := webrtc.RTPCodecParameters{PayloadType: 96, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: webrtc.TypeRTCPFBTransportCC}},
	}}
	if err := m.RegisterCodec(vp8, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	if withRTX {
		if err := RegisterRTX(m, []webrtc.RTPCodecParameters{vp8}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.TransportCCURI}, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	var r *Responder
	if sender {
		ext, err := twcc.NewHeaderExtensionInterceptor()
		if err != nil {
			t.Fatal(err)
		}
		ir.Add(ext)
		if r, err = Configure(nil, ir, ResponderConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	// As media/rtc.RestrictToLoopback: IPv4 UDP on 127.0.0.1 only.
	loopback := func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil }
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(loopback)
	se.SetRemoteIPFilter(loopback)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), r
}

// signal exchanges offer and answer without trickle: the sender's candidates point at
// the relay, and the receiver's are withheld, so the sender learns the receiver's
// address only from the checks that come through the relay. It returns the offer.
func signal(t *testing.T, snd, rcv *webrtc.PeerConnection, relay *lossyRelay) string {
	t.Helper()
	offer, err := snd.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(snd)
	if err := snd.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	o := *snd.LocalDescription()
	o.SDP = rewriteLines(o.SDP, func(l string) string {
		if strings.HasPrefix(l, "a=candidate:") {
			return relay.rewrite(l)
		}
		return l
	})
	if err := rcv.SetRemoteDescription(o); err != nil {
		t.Fatal(err)
	}
	answer, err := rcv.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered = webrtc.GatheringCompletePromise(rcv)
	if err := rcv.SetLocalDescription(answer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	a := *rcv.LocalDescription()
	a.SDP = rewriteLines(a.SDP, func(l string) string {
		if strings.HasPrefix(l, "a=candidate:") {
			return ""
		}
		return l
	})
	if err := snd.SetRemoteDescription(a); err != nil {
		t.Fatal(err)
	}
	return o.SDP
}

// rewriteLines applies f to each SDP line, dropping those it maps to "".
func rewriteLines(s string, f func(string) string) string {
	var out []string
	for _, l := range strings.Split(s, "\r\n") {
		if l = f(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\r\n") + "\r\n"
}

// fidRTX returns the RTX SSRC of the first a=ssrc-group:FID line, or 0.
func fidRTX(s string) uint32 {
	for _, l := range strings.Split(s, "\r\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "a=ssrc-group:FID ")); strings.HasPrefix(l, "a=ssrc-group:FID ") && len(f) == 2 {
			v, _ := strconv.ParseUint(f[1], 10, 32)
			return uint32(v)
		}
	}
	return 0
}

// extmapID returns the ID of the header extension uri in the SDP, or 0.
func extmapID(s, uri string) int {
	for _, l := range strings.Split(s, "\r\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "a=extmap:")); strings.HasPrefix(l, "a=extmap:") && len(f) == 2 && f[1] == uri {
			id, _ := strconv.Atoi(f[0])
			return id
		}
	}
	return 0
}

// sendVideo writes 3 packets every 10 ms until stop: ~1000-byte VP8 payloads (a
// payload descriptor, then the packet's own sequence number, so the receiver can
// check that a repaired packet carries the right payload).
func sendVideo(track *webrtc.TrackLocalStaticRTP, next *atomic.Uint32, stop <-chan struct{}) {
	tick := time.NewTicker(e2eTick)
	defer tick.Stop()
	payload := make([]byte, 1000)
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96}}
	for ts := uint32(0); ; ts += 900 {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		for i := range e2ePacketsPerTick {
			seq := uint16(next.Load())
			payload[0] = 0
			if i == 0 {
				payload[0] = 0x10 // S: start of a VP8 partition
			}
			binary.BigEndian.PutUint16(payload[1:], seq)
			pkt.SequenceNumber, pkt.Timestamp, pkt.Marker, pkt.Payload = seq, ts, i == e2ePacketsPerTick-1, payload
			if err := track.WriteRTP(pkt); err != nil {
				return
			}
			next.Add(1)
		}
	}
}

// e2eReceiver reads the received track, feeds the Generator and sends its NACKs.
type e2eReceiver struct {
	pc   *webrtc.PeerConnection
	gen  *Generator
	done chan struct{}
	wg   sync.WaitGroup

	packets     atomic.Int64
	badPayloads atomic.Int64
	mu          sync.Mutex
	seen        [1 << 16]bool
	rtx         []uint16 // RTX sequence numbers of repaired packets, as read
}

func newE2EReceiver(t *testing.T, pc *webrtc.PeerConnection) *e2eReceiver {
	gen, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r := &e2eReceiver{pc: pc, gen: gen, done: make(chan struct{})}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		r.wg.Add(2)
		go func() { defer r.wg.Done(); r.read(track) }()
		go func() { defer r.wg.Done(); r.nack(track) }()
	})
	return r
}

// read is the receiver's read loop.
func (r *e2eReceiver) read(track *webrtc.TrackRemote) {
	for {
		pkt, attr, err := track.ReadRTP()
		if err != nil {
			return
		}
		r.gen.Push(pkt.SequenceNumber, time.Now())
		r.packets.Add(1)
		if len(pkt.Payload) < 3 || binary.BigEndian.Uint16(pkt.Payload[1:]) != pkt.SequenceNumber {
			r.badPayloads.Add(1)
		}
		r.mu.Lock()
		r.seen[pkt.SequenceNumber] = true
		if v, ok := attr.Get(webrtc.AttributeRtxSequenceNumber).(uint16); ok {
			r.rtx = append(r.rtx, v)
		}
		r.mu.Unlock()
	}
}

// nack is the receiver's NACK ticker.
func (r *e2eReceiver) nack(track *webrtc.TrackRemote) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var pairs []rtcp.NackPair
	for {
		select {
		case <-r.done:
			return
		case now := <-tick.C:
			if pairs = r.gen.AppendNacks(pairs[:0], now); len(pairs) == 0 {
				continue
			}
			err := r.pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: uint32(track.SSRC()), Nacks: pairs}})
			if err != nil {
				return
			}
		}
	}
}

func (r *e2eReceiver) count() int64 { return r.packets.Load() }

// delivered counts the packets from..to-1 that arrived.
func (r *e2eReceiver) delivered(from, to uint16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for s := from; s != to; s++ {
		if r.seen[s] {
			n++
		}
	}
	return n
}

func (r *e2eReceiver) rtxSeqs() []uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rtx
}

// stop ends the NACK tickers and waits for the read loops (which end when the
// PeerConnection closes).
func (r *e2eReceiver) stop() {
	close(r.done)
	_ = r.pc.Close()
	r.wg.Wait()
}

// lossyRelay stands between the sender's ICE port and the receiver: it forwards both
// ways, drops loss percent of what the sender sends, and watches the RTP headers
// (SRTP leaves them in the clear) of what the sender sends.
type lossyRelay struct {
	t       *testing.T
	loss    atomic.Int32
	rtxSSRC atomic.Uint32
	twccID  atomic.Uint32

	mu      sync.Mutex
	conns   []*net.UDPConn
	wg      sync.WaitGroup
	w       wireStats
	seen    map[uint16]bool // media sequence numbers
	lastRTX int32           // -1 before the first
	lastCC  int32
}

// wireStats is what the relay saw the sender send.
type wireStats struct {
	media, mediaDropped, mediaDuplicates int
	rtx, rtxDropped                      int
	rtxContiguous, twccContiguous        bool
}

func newLossyRelay(t *testing.T) *lossyRelay {
	return &lossyRelay{t: t, seen: map[uint16]bool{}, lastRTX: -1, lastCC: -1, w: wireStats{rtxContiguous: true, twccContiguous: true}}
}

// rewrite points a host candidate line at a relay port for its port.
func (r *lossyRelay) rewrite(cand string) string {
	f := strings.Fields(cand)
	if len(f) < 8 || strings.ToLower(f[2]) != "udp" {
		return cand
	}
	port, err := strconv.Atoi(f[5])
	if err != nil {
		return cand
	}
	f[5] = strconv.Itoa(r.open(port))
	return strings.Join(f, " ")
}

// open starts forwarding a new local port to the sender's port.
func (r *lossyRelay) open(port int) int {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.conns = append(r.conns, c)
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		target := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
		var peer *net.UDPAddr
		buf := make([]byte, 1600)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if from.Port != port {
				peer = from
				_, _ = c.WriteToUDP(buf[:n], target)
				continue
			}
			drop := rand.IntN(100) < int(r.loss.Load())
			r.observe(buf[:n], drop)
			if !drop && peer != nil {
				_, _ = c.WriteToUDP(buf[:n], peer)
			}
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// observe records an RTP packet from the sender (RFC 7983: first byte 128..191, and
// not an RTCP payload type).
func (r *lossyRelay) observe(b []byte, drop bool) {
	if len(b) < 12 || b[0] < 128 || b[0] > 191 || b[1]&0x7f >= 64 && b[1]&0x7f <= 95 {
		return
	}
	var h rtp.Header
	if _, err := h.Unmarshal(b); err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id := uint8(r.twccID.Load()); id != 0 {
		if ext := h.GetExtension(id); len(ext) == 2 {
			cc := int32(binary.BigEndian.Uint16(ext))
			if r.lastCC >= 0 && cc != (r.lastCC+1)&0xffff {
				r.w.twccContiguous = false
			}
			r.lastCC = cc
		}
	}
	if rtx := r.rtxSSRC.Load(); rtx != 0 && h.SSRC == rtx {
		r.w.rtx++
		if drop {
			r.w.rtxDropped++
		}
		if r.lastRTX >= 0 && int32(h.SequenceNumber) != (r.lastRTX+1)&0xffff {
			r.w.rtxContiguous = false
		}
		r.lastRTX = int32(h.SequenceNumber)
		return
	}
	r.w.media++
	if drop {
		r.w.mediaDropped++
	}
	if r.seen[h.SequenceNumber] {
		r.w.mediaDuplicates++
	}
	r.seen[h.SequenceNumber] = true
}

func (r *lossyRelay) stats() wireStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.w
}

func (r *lossyRelay) close() {
	r.mu.Lock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
