package rtc

import (
	"errors"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/audiolevel"
	"github.com/jishitong/jishitong/media/nack"
	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// publishedTrack is one track a participant sends: its pion TrackRemotes (one per
// simulcast layer), the sfu.Source shared by its down-tracks and the copy-on-write set
// of subscribers.
type publishedTrack struct {
	id       signal.TrackID
	owner    signal.ParticipantID
	from     *participant // the publisher; nil for tracks built outside a participant
	cid      string
	kind     sfu.Kind
	source   signal.Source
	codec    webrtc.RTPCodecParameters
	keyframe func(payload []byte) bool // nil: the codec cannot be inspected
	red      bool                      // RFC 2198 audio: subscribers without RED get the primary block
	// level measures an audio track's RFC 6464 levels for the active-speaker detector
	// (levelExt is the negotiated extension ID, 0 when absent: silent).
	level    *audiolevel.Meter
	levelExt uint8
	// layers are the simulcast layers the publisher announced (nil without simulcast),
	// repeated in trackPublished.
	layers []signal.Layer
	// layerOf maps a RID to a layer, from the client's publish message (dense by quality)
	// or sfu.LayerFromRID; nil without simulcast.
	layerOf map[string]sfu.Layer

	stats     *stats // the server's counters; nil in benchmarks
	src       *sfu.Source
	spread    sfu.Spreader
	writeRTCP func([]rtcp.Packet) error // the publisher PeerConnection's

	remotes [sfu.NumLayers]atomic.Pointer[webrtc.TrackRemote] // by layer; for PLIs and rates
	// nacks find each video layer's losses (repairs included: pion hands RTX packets to
	// the layer's reader as originals) for the NACKs sendNACKs asks the publisher with.
	nacks      [sfu.NumLayers]atomic.Pointer[nack.Generator]
	maxLayer   atomic.Int32                 // highest layer announced or seen
	layerBytes [sfu.NumLayers]atomic.Uint64 // received payload bytes per layer
	// seqExpected and seqReceived count, over all layers, the packets the publisher sent
	// and those that arrived (flushed in batches by the forwarding goroutines).
	seqExpected, seqReceived atomic.Uint64
	rates                    rateSampler // allocator goroutine only

	// fwd serializes the layers' forwarding goroutines around the down-tracks, whose
	// hot path is single-threaded. Control code never takes it.
	fwd sync.Mutex

	mu      sync.Mutex                              // serializes writers of spread and sinks
	sinks   atomic.Pointer[map[*sfu.DownTrack]sink] // copy-on-write, read per packet
	closed  atomic.Bool
	muted   atomic.Bool   // the publisher's own mute (signal mute)
	done    chan struct{} // closed by close()
	pliSent atomic.Uint64
}

// sink is where one down-track's packets go.
type sink struct {
	w webrtc.TrackLocalWriter
	// redToOpus strips RED to its primary Opus block for a subscriber without RED.
	redToOpus bool
}

func newPublishedTrack(id signal.TrackID, owner signal.ParticipantID, remote *webrtc.TrackRemote, writeRTCP func([]rtcp.Packet) error) *publishedTrack {
	t := &publishedTrack{
		id:        id,
		owner:     owner,
		kind:      sfu.KindAudio,
		source:    signal.SourceMicrophone,
		codec:     remote.Codec(),
		src:       sfu.NewSource(0),
		writeRTCP: writeRTCP,
		done:      make(chan struct{}),
	}
	if remote.Kind() == webrtc.RTPCodecTypeVideo {
		t.kind, t.source = sfu.KindVideo, signal.SourceCamera
		t.keyframe = keyframeFunc(t.codec.MimeType)
	} else {
		t.red = strings.EqualFold(t.codec.MimeType, mimeTypeRED)
		t.level = audiolevel.NewMeter(audiolevel.MeterConfig{ClockRate: t.codec.ClockRate})
	}
	empty := map[*sfu.DownTrack]sink{}
	t.sinks.Store(&empty)
	return t
}

// setLayers records the simulcast layers the client announced: RIDs ordered by quality
// become layers 0, 1, 2. Before the track is shared.
func (t *publishedTrack) setLayers(ls []signal.Layer) {
	if len(ls) == 0 {
		return
	}
	sorted := slices.Clone(ls)
	slices.SortFunc(sorted, func(a, b signal.Layer) int { return int(a.Quality) - int(b.Quality) })
	t.layerOf = make(map[string]sfu.Layer, len(sorted))
	for i, l := range sorted {
		t.layerOf[l.RID] = sfu.Layer(min(i, sfu.NumLayers-1))
	}
	t.maxLayer.Store(int32(min(len(sorted), sfu.NumLayers) - 1))
}

// layerFor maps a TrackRemote's RID to its layer; "" (no simulcast) is layer 0.
func (t *publishedTrack) layerFor(rid string) sfu.Layer {
	if rid == "" {
		return 0
	}
	if l, ok := t.layerOf[rid]; ok {
		return l
	}
	return sfu.LayerFromRID(rid)
}

// addLayer makes remote the source of layer l and tells every down-track how many
// layers exist. It reports false when the layer is invalid or already taken.
func (t *publishedTrack) addLayer(l sfu.Layer, remote *webrtc.TrackRemote) bool {
	if l < 0 || l >= sfu.NumLayers || !t.remotes[l].CompareAndSwap(nil, remote) {
		return false
	}
	if t.kind == sfu.KindVideo && hasFeedback(t.codec, "nack", "") {
		if g, err := nack.NewGenerator(nack.GeneratorConfig{}); err == nil {
			t.nacks[l].Store(g)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if int32(l) > t.maxLayer.Load() {
		t.maxLayer.Store(int32(l))
		for d := range *t.sinks.Load() {
			if sel := d.Selector(); sel != nil {
				sel.SetMaxLayer(l)
			}
		}
	}
	return true
}

// attach adds a bound down-track and where its packets go. Any goroutine.
func (t *publishedTrack) attach(d *sfu.DownTrack, s sink) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sel := d.Selector(); sel != nil {
		sel.SetMaxLayer(sfu.Layer(t.maxLayer.Load()))
	}
	old := *t.sinks.Load()
	next := make(map[*sfu.DownTrack]sink, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[d] = s
	t.sinks.Store(&next)
	t.spread.Add(d)
}

// detach removes a down-track. Any goroutine.
func (t *publishedTrack) detach(d *sfu.DownTrack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spread.Remove(d)
	old := *t.sinks.Load()
	if _, ok := old[d]; !ok {
		return
	}
	next := make(map[*sfu.DownTrack]sink, len(old))
	for k, v := range old {
		if k != d {
			next[k] = v
		}
	}
	t.sinks.Store(&next)
}

// close stops the keyframe loop; the forwarding loops end when the publisher's
// PeerConnection closes. Idempotent.
func (t *publishedTrack) close() {
	if t.closed.CompareAndSwap(false, true) {
		close(t.done)
	}
}

// forwarder holds one forwarding goroutine's reusable state, so that a packet costs no
// allocation in this package.
type forwarder struct {
	t      *publishedTrack
	nacks  *nack.Generator // nil: the layer's losses are not asked for
	counts localCounts
	layer  sfu.Layer
	pkt    rtp.Packet
	out    rtp.Header
	sinks  map[*sfu.DownTrack]sink
	in     sfu.PacketMeta
}

// forward runs on one layer's forwarding goroutine until the TrackRemote fails (the
// publisher's PeerConnection closed or the transceiver stopped).
func (t *publishedTrack) forward(remote *webrtc.TrackRemote, layer sfu.Layer) {
	buf := make([]byte, 1500)
	f := &forwarder{t: t, layer: layer, nacks: t.nacks[layer].Load()}
	send := f.send // one method value for the whole loop
	for {
		n, _, err := remote.Read(buf)
		if err != nil {
			f.counts.flush(t.stats, t)
			return
		}
		f.handle(buf[:n], time.Now(), send)
		if f.counts.received >= flushEvery {
			f.counts.flush(t.stats, t)
		}
	}
}

// handle forwards one received packet to every down-track. Forwarding goroutine.
func (f *forwarder) handle(b []byte, now time.Time, send func(*sfu.DownTrack)) {
	if f.pkt.Unmarshal(b) != nil {
		return
	}
	t := f.t
	h := &f.pkt.Header
	f.counts.observeSeq(h.SequenceNumber, now.UnixNano())
	if f.nacks != nil {
		f.nacks.Push(h.SequenceNumber, now)
	}
	f.in = sfu.PacketMeta{SSRC: h.SSRC, Layer: f.layer, Seq: h.SequenceNumber, TS: h.Timestamp, Marker: h.Marker, Arrival: now}
	if t.kind == sfu.KindVideo {
		f.in.Keyframe = t.keyframe == nil || t.keyframe(f.pkt.Payload)
		if f.in.Keyframe && t.keyframe != nil {
			t.src.KeyframeArrived(f.layer, now)
		}
		t.layerBytes[f.layer].Add(uint64(len(f.pkt.Payload)))
	} else {
		t.level.ObserveRTP(h, t.levelExt, now)
	}
	t.fwd.Lock()
	f.sinks = *t.sinks.Load()
	t.spread.ForEach(send)
	t.fwd.Unlock()
}

// send forwards the current packet to one down-track. Forwarding goroutine only.
func (f *forwarder) send(d *sfu.DownTrack) {
	tr, ok := d.Forward(f.in)
	if !ok {
		return
	}
	s, ok := f.sinks[d]
	if !ok {
		return
	}
	payload := f.pkt.Payload
	if s.redToOpus {
		if payload, ok = redPrimary(payload); !ok {
			return
		}
	}
	f.out = f.pkt.Header
	d.RewriteHeader(&f.out, tr)
	// Payload excludes the padding, so the forwarded packet carries none.
	f.out.Padding, f.out.PaddingSize = false, 0
	if _, err := s.w.WriteRTP(&f.out, payload); err == nil {
		f.counts.forwarded++
		f.counts.bytes += uint64(len(payload))
	}
}

// nackInterval is how often a video track's losses are asked for again: often enough
// that a repair arrives before a jitter buffer gives up on the frame, while each missing
// packet is asked at most once per RTT (nack.Generator spaces the repeats).
const nackInterval = 20 * time.Millisecond

// keyframes runs on its own goroutine for video tracks: it turns the sfu.Source's
// rate-limited keyframe requests into PLIs (RFC 4585 §6.3.1) to the publisher, and
// every nackInterval asks for the packets the layers lost (generic NACK, §6.2.1).
func (t *publishedTrack) keyframes() {
	tick := time.NewTicker(nackInterval)
	defer tick.Stop()
	n := &nackSender{pkt: &rtcp.TransportLayerNack{}}
	n.pkts = []rtcp.Packet{n.pkt}
	for {
		select {
		case <-t.done:
			t.countRepairs(n)
			return
		case l := <-t.src.KeyframeRequests():
			t.sendPLI(l)
		case now := <-tick.C:
			t.sendNACKs(n, now)
			if n.ticks++; n.ticks%50 == 0 {
				t.countRepairs(n)
			}
		}
	}
}

// nackSender is the storage sendNACKs reuses (pion marshals the packet before
// WriteRTCP returns).
type nackSender struct {
	pairs []rtcp.NackPair
	pkt   *rtcp.TransportLayerNack
	pkts  []rtcp.Packet
	ticks int
	// counted is what countRepairs added to the server's counters so far.
	counted [3]uint64
}

// sendNACKs asks the publisher for each layer's missing packets that are due.
func (t *publishedTrack) sendNACKs(n *nackSender, now time.Time) {
	for l := range sfu.NumLayers {
		g, remote := t.nacks[l].Load(), t.remotes[l].Load()
		if g == nil || remote == nil {
			continue
		}
		n.pairs = g.AppendNacks(n.pairs[:0], now)
		if len(n.pairs) == 0 {
			continue
		}
		n.pkt.MediaSSRC, n.pkt.Nacks = uint32(remote.SSRC()), n.pairs
		if t.writeRTCP(n.pkts) == nil && t.stats != nil {
			t.stats.uplinkNACKs.Add(uint64(nackedCount(n.pairs)))
		}
	}
}

// nackedCount returns how many packets NACK pairs ask for.
func nackedCount(pairs []rtcp.NackPair) int {
	n := 0
	for _, p := range pairs {
		n += 1 + bits.OnesCount16(uint16(p.LostPackets))
	}
	return n
}

// countRepairs adds what the layers' generators counted since the last call (packets
// found missing, repaired after a NACK, given up on) to the server's counters.
func (t *publishedTrack) countRepairs(n *nackSender) {
	var now [3]uint64
	for l := range sfu.NumLayers {
		if g := t.nacks[l].Load(); g != nil {
			st := g.Stats()
			now[0], now[1], now[2] = now[0]+st.Missing, now[1]+st.Repaired, now[2]+st.Lost
		}
	}
	if t.stats != nil {
		t.stats.uplinkMissing.Add(now[0] - n.counted[0])
		t.stats.uplinkRepaired.Add(now[1] - n.counted[1])
		t.stats.uplinkLost.Add(now[2] - n.counted[2])
	}
	n.counted = now
}

// hasFeedback reports whether codec negotiated the RTCP feedback typ with parameter.
func hasFeedback(codec webrtc.RTPCodecParameters, typ, parameter string) bool {
	for _, fb := range codec.RTCPFeedback {
		if fb.Type == typ && fb.Parameter == parameter {
			return true
		}
	}
	return false
}

// sendPLI asks the publisher for a keyframe of layer l (of the lowest layer it sends
// when l has no stream).
func (t *publishedTrack) sendPLI(l sfu.Layer) {
	if t.closed.Load() {
		return
	}
	var remote *webrtc.TrackRemote
	if l >= 0 && l < sfu.NumLayers {
		remote = t.remotes[l].Load()
	}
	for i := 0; remote == nil && i < sfu.NumLayers; i++ {
		remote = t.remotes[i].Load()
	}
	if remote == nil {
		return
	}
	if t.writeRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(remote.SSRC())}}) == nil {
		t.pliSent.Add(1)
	}
}

// downTrack is the pion TrackLocal one subscriber's RTPSender binds: at Bind it learns
// the negotiated SSRC and payload type, creates the sfu.DownTrack and joins the
// published track's spreader; at Unbind it leaves. It keeps the subscriber's preference
// (on/off, pane size, quality cap) and the bandwidth the allocator grants, and applies
// them to every sfu.DownTrack it creates.
type downTrack struct {
	pt *publishedTrack

	mu   sync.Mutex
	dt   *sfu.DownTrack
	pref preference
}

// preference is a subscriber's wish for one track (signal.TrackPreference, with the
// defaults of a track never mentioned).
type preference struct {
	enabled    bool
	width      int // pane size in CSS pixels; 0 = unknown
	height     int
	maxQuality signal.Quality // QualityUnknown = no cap
}

// defaultPane is the pane size assumed for a video track until the subscriber says
// where it shows it: the middle layer, a fair start for any tile.
const defaultPaneW, defaultPaneH = 640, 360

func newDownTrack(t *publishedTrack) *downTrack {
	return &downTrack{pt: t, pref: preference{enabled: true}}
}

var _ webrtc.TrackLocal = (*downTrack)(nil)

// errNoCodec is returned by Bind when the subscriber did not accept the publisher's codec.
var errNoCodec = errors.New("rtc: subscriber does not support the published codec")

// Bind implements webrtc.TrackLocal; pion calls it when the sender starts.
func (d *downTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, redToOpus, ok := d.pickCodec(ctx.CodecParameters())
	if !ok {
		return webrtc.RTPCodecParameters{}, errNoCodec
	}
	dt := sfu.NewDownTrack(d.pt.src, sfu.DownTrackConfig{
		Kind:        d.pt.kind,
		SSRC:        uint32(ctx.SSRC()),
		PayloadType: uint8(codec.PayloadType),
		ClockRate:   codec.ClockRate,
	})
	d.mu.Lock()
	old := d.dt
	d.dt = dt
	d.applyLocked()
	d.mu.Unlock()
	if old != nil {
		d.pt.detach(old)
	}
	d.pt.attach(dt, sink{w: ctx.WriteStream(), redToOpus: redToOpus})
	return codec, nil
}

// pickCodec chooses, among the codecs negotiated with the subscriber, the one the
// publisher's packets can be forwarded in: the same codec, or Opus for RED audio (the
// primary block is sent).
func (d *downTrack) pickCodec(cs []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool, bool) {
	for _, c := range cs {
		if sameCodec(d.pt.codec, c) {
			return c, false, true
		}
	}
	if d.pt.red {
		for _, c := range cs {
			if strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus) {
				return c, true, true
			}
		}
	}
	return webrtc.RTPCodecParameters{}, false, false
}

// setPreference records the subscriber's wish and applies it. Any goroutine.
func (d *downTrack) setPreference(p preference) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pref = p
	d.applyLocked()
}

// applyLocked pushes the preference into the bound sfu.DownTrack. Caller holds d.mu.
func (d *downTrack) applyLocked() {
	if d.dt == nil {
		return
	}
	d.dt.SetPaused(!d.pref.enabled)
	if sel := d.dt.Selector(); sel != nil {
		sel.SetPane(d.pref.pane())
	}
}

// pane is the pane size the selector works with: the subscriber's, capped by its
// quality limit; 0×0 when disabled.
func (p preference) pane() (int, int) {
	if !p.enabled {
		return 0, 0
	}
	w, h := p.width, p.height
	if w <= 0 || h <= 0 {
		w, h = defaultPaneW, defaultPaneH
	}
	switch p.maxQuality {
	case signal.QualityLow:
		w, h = min(w, 320), min(h, 180)
	case signal.QualityMedium:
		w, h = min(w, 640), min(h, 360)
	}
	return w, h
}

// sfuTrack returns the bound sfu.DownTrack, or nil.
func (d *downTrack) sfuTrack() *sfu.DownTrack {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dt
}

// quality reports what the subscriber receives now, for the subscribed message.
func (d *downTrack) quality() (enabled bool, q signal.Quality) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.pref.enabled {
		return false, signal.QualityUnknown
	}
	if d.dt == nil || d.dt.Selector() == nil {
		return true, signal.QualityUnknown
	}
	switch d.dt.Selector().Target() {
	case 0:
		return true, signal.QualityLow
	case 1:
		return true, signal.QualityMedium
	case 2:
		return true, signal.QualityHigh
	}
	return true, signal.QualityUnknown
}

// Unbind implements webrtc.TrackLocal; pion calls it when the sender stops.
func (d *downTrack) Unbind(webrtc.TrackLocalContext) error {
	d.unbind()
	return nil
}

func (d *downTrack) unbind() {
	d.mu.Lock()
	dt := d.dt
	d.dt = nil
	d.mu.Unlock()
	if dt != nil {
		d.pt.detach(dt)
	}
}

// ID implements webrtc.TrackLocal: the server's track id.
func (d *downTrack) ID() string { return string(d.pt.id) }

// RID implements webrtc.TrackLocal.
func (d *downTrack) RID() string { return "" }

// StreamID implements webrtc.TrackLocal: the publisher's participant id, so the client
// groups a participant's audio and video into one MediaStream.
func (d *downTrack) StreamID() string { return string(d.pt.owner) }

// Kind implements webrtc.TrackLocal.
func (d *downTrack) Kind() webrtc.RTPCodecType {
	if d.pt.kind == sfu.KindVideo {
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecTypeAudio
}
