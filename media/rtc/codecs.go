package rtc

import (
	"errors"
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/nack"
)

// Codecs the SFU negotiates, in order of preference. Payload types follow Chrome's, so
// SDP diffs stay readable.
//
// The SFU forwards what a publisher sends unchanged, so a subscriber receives a track
// only in a codec it also negotiated; browsers all decode VP8, H.264 and Opus, which is
// why clients publish in those unless everyone in the meeting can decode more.
const (
	ptOpus  = 111
	ptRED   = 63
	ptVP8   = 96
	ptVP9   = 98
	ptH264  = 102 // constrained baseline 42e01f, packetization-mode 1
	ptH264B = 104 // baseline 42001f, packetization-mode 1
	ptAV1   = 35
)

// audioLevelURI is the RFC 6464 client-to-mixer audio level extension.
const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

var videoFeedback = []webrtc.RTCPFeedback{
	{Type: "goog-remb"}, {Type: webrtc.TypeRTCPFBTransportCC}, {Type: "ccm", Parameter: "fir"},
	{Type: "nack"}, {Type: "nack", Parameter: "pli"},
}

// codecReg is one codec to register.
type codecReg struct {
	p   webrtc.RTPCodecParameters
	typ webrtc.RTPCodecType
}

func codecList() []codecReg {
	audio := func(pt uint8, mime, fmtp string, ch uint16, fb []webrtc.RTCPFeedback) codecReg {
		return codecReg{webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(pt), RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: mime, ClockRate: 48000, Channels: ch, SDPFmtpLine: fmtp, RTCPFeedback: fb}}, webrtc.RTPCodecTypeAudio}
	}
	video := func(pt uint8, mime, fmtp string, fb []webrtc.RTCPFeedback) codecReg {
		return codecReg{webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(pt), RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: mime, ClockRate: 90000, SDPFmtpLine: fmtp, RTCPFeedback: fb}}, webrtc.RTPCodecTypeVideo}
	}
	// Each video codec gets an RTX codec (RFC 4588) at its payload type + 1 in
	// newMediaEngine; retransmissions are media/nack's (pion's interceptors repaired
	// only about half of a 10% loss over RTX: see docs/architecture.md).
	audioFB := []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBTransportCC}}
	return []codecReg{
		// usedtx: a silent participant sends almost nothing (RFC 7587 §6.1).
		audio(ptOpus, webrtc.MimeTypeOpus, "minptime=10;useinbandfec=1;usedtx=1", 2, audioFB),
		// RED (RFC 2198) carrying Opus: redundancy against loss, used where offered.
		audio(ptRED, mimeTypeRED, "111/111", 2, nil),
		video(ptVP8, webrtc.MimeTypeVP8, "", videoFeedback),
		video(ptH264, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", videoFeedback),
		video(ptH264B, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", videoFeedback),
		video(ptVP9, webrtc.MimeTypeVP9, "profile-id=0", videoFeedback),
		video(ptAV1, webrtc.MimeTypeAV1, "", videoFeedback),
	}
}

// mimeTypeRED is RFC 2198 redundant audio.
const mimeTypeRED = "audio/red"

// newMediaEngine registers the codecs and header extensions the SFU negotiates.
func newMediaEngine() (*webrtc.MediaEngine, error) {
	m := &webrtc.MediaEngine{}
	var params []webrtc.RTPCodecParameters
	for _, c := range codecList() {
		if err := m.RegisterCodec(c.p, c.typ); err != nil {
			return nil, err
		}
		params = append(params, c.p)
	}
	if err := nack.RegisterRTX(m, params); err != nil {
		return nil, err
	}
	exts := []struct {
		uri string
		typ webrtc.RTPCodecType
	}{
		{sdp.SDESMidURI, webrtc.RTPCodecTypeAudio},
		{sdp.SDESMidURI, webrtc.RTPCodecTypeVideo},
		{sdp.SDESRTPStreamIDURI, webrtc.RTPCodecTypeVideo},
		{sdp.SDESRepairRTPStreamIDURI, webrtc.RTPCodecTypeVideo},
		{sdp.TransportCCURI, webrtc.RTPCodecTypeAudio},
		{sdp.TransportCCURI, webrtc.RTPCodecTypeVideo},
		{audioLevelURI, webrtc.RTPCodecTypeAudio},
	}
	for _, e := range exts {
		if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: e.uri}, e.typ); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// estimators hands each new PeerConnection's send-side bandwidth estimator and NACK
// responder (which also sends its probe traffic) to the code that created it. pion
// creates both inside API.NewPeerConnection, on the calling goroutine, so
// newPeerConnection holds mu across the call.
type estimators struct {
	mu       sync.Mutex
	last     cc.BandwidthEstimator
	lastResp *nack.ResponderInterceptor
}

// newPeerConnection creates a PeerConnection and returns its bandwidth estimator and
// NACK responder (either nil if the API has none).
func (e *estimators) newPeerConnection(api *webrtc.API, cfg webrtc.Configuration) (*webrtc.PeerConnection, cc.BandwidthEstimator, *nack.ResponderInterceptor, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last, e.lastResp = nil, nil
	pc, err := api.NewPeerConnection(cfg)
	bwe, resp := e.last, e.lastResp
	e.last, e.lastResp = nil, nil
	return pc, bwe, resp, err
}

// Bandwidth estimation bounds for one subscriber connection, in bits per second. The
// initial estimate admits the middle layer of one camera plus audio; GCC ramps it up
// within seconds on a good link.
const (
	bweInitial = 1_000_000
	bweMin     = 100_000
	bweMax     = 20_000_000
)

// newInterceptors registers the interceptors: media/nack's responder (answering
// subscribers' NACKs over RTX, or in the stream without it; NACKs towards publishers
// come from the forwarding loops' nack.Generators), RTCP sender/receiver reports, TWCC
// feedback for publishers' streams, the TWCC sequence number on everything the SFU
// sends, and Google Congestion Control estimating each subscriber's downlink from that
// feedback (without pacing: the SFU forwards at the publishers' pace).
func newInterceptors(m *webrtc.MediaEngine, est *estimators, resp *nack.Responder) (*interceptor.Registry, error) {
	// Order matters: pion wraps local streams so that the interceptor added first sees a
	// packet last. The estimator must see the TWCC sequence number the header-extension
	// interceptor adds, and the NACK responder's retransmissions must pass both.
	ir := &interceptor.Registry{}
	ccf, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(bweInitial),
			gcc.SendSideBWEMinBitrate(bweMin),
			gcc.SendSideBWEMaxBitrate(bweMax),
			gcc.SendSideBWEPacer(newDirectPacer()),
		)
	})
	if err != nil {
		return nil, err
	}
	if est != nil {
		ccf.OnNewPeerConnection(func(_ string, b cc.BandwidthEstimator) { est.last = b })
		resp.OnNewInterceptor(func(i *nack.ResponderInterceptor) { est.lastResp = i })
	}
	ir.Add(ccf)
	ext, err := twcc.NewHeaderExtensionInterceptor()
	if err != nil {
		return nil, err
	}
	ir.Add(ext)
	ir.Add(resp)
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(m, ir); err != nil {
		return nil, err
	}
	return ir, nil
}

// sameCodec reports whether a subscriber's negotiated codec sub can carry a track
// published in pub unchanged.
func sameCodec(pub, sub webrtc.RTPCodecParameters) bool {
	if !strings.EqualFold(pub.MimeType, sub.MimeType) {
		return false
	}
	if strings.EqualFold(pub.MimeType, webrtc.MimeTypeH264) {
		return fmtpValue(pub.SDPFmtpLine, "packetization-mode") == fmtpValue(sub.SDPFmtpLine, "packetization-mode")
	}
	if strings.EqualFold(pub.MimeType, webrtc.MimeTypeVP9) {
		return fmtpValue(pub.SDPFmtpLine, "profile-id") == fmtpValue(sub.SDPFmtpLine, "profile-id")
	}
	return true
}

// fmtpValue returns one parameter of an a=fmtp line ("" when absent; packetization-mode
// absent means 0 per RFC 6184, which callers compare consistently).
func fmtpValue(line, key string) string {
	for _, kv := range strings.Split(line, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// directPacer is the estimator's pacer without pacing (the SFU forwards at the
// publishers' pace) that also carries packets of SSRCs it was not told about. pion's
// NoOpPacer knows only the streams' primary SSRCs and fails every other packet (RTX
// retransmissions, were they negotiated). Any stream's writer reaches the same SRTP
// session, which encrypts by the packet's own SSRC.
type directPacer struct {
	mu      sync.RWMutex
	writers map[uint32]interceptor.RTPWriter
	any     interceptor.RTPWriter // the latest stream's writer, for SSRCs not added
}

var _ gcc.Pacer = (*directPacer)(nil)

func newDirectPacer() *directPacer {
	return &directPacer{writers: map[uint32]interceptor.RTPWriter{}}
}

// AddStream implements gcc.Pacer.
func (p *directPacer) AddStream(ssrc uint32, w interceptor.RTPWriter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writers[ssrc] = w
	p.any = w
}

// SetTargetBitrate implements gcc.Pacer: nothing is paced.
func (p *directPacer) SetTargetBitrate(int) {}

// Write implements gcc.Pacer: at once, on the stream's writer (or, for a
// retransmission's SSRC, any stream's).
func (p *directPacer) Write(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
	p.mu.RLock()
	w := p.writers[h.SSRC]
	if w == nil {
		w = p.any
	}
	p.mu.RUnlock()
	if w == nil {
		return 0, errNoStream
	}
	return w.Write(h, payload, a)
}

// Close implements gcc.Pacer.
func (p *directPacer) Close() error { return nil }

// errNoStream is returned when a packet is written before any stream was bound.
var errNoStream = errors.New("rtc: no stream bound on this connection")
