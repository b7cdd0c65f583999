package rtc

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// publishedTrack is one track a participant sends: its pion TrackRemote, the sfu.Source
// shared by its down-tracks and the copy-on-write set of subscribers.
type publishedTrack struct {
	id     signal.TrackID
	owner  signal.ParticipantID
	cid    string
	kind   sfu.Kind
	source signal.Source
	codec  webrtc.RTPCodecParameters
	remote *webrtc.TrackRemote

	src       *sfu.Source
	spread    sfu.Spreader
	writeRTCP func([]rtcp.Packet) error // the publisher PeerConnection's
	pliLimit  *sfu.KeyframeLimiter      // for keyframe requests relayed from subscribers

	mu      sync.Mutex                                                 // serializes writers of spread and writers
	writers atomic.Pointer[map[*sfu.DownTrack]webrtc.TrackLocalWriter] // copy-on-write, read per packet
	closed  atomic.Bool
	done    chan struct{} // closed by close()
	pliSent atomic.Uint64
}

func newPublishedTrack(id signal.TrackID, owner signal.ParticipantID, remote *webrtc.TrackRemote, writeRTCP func([]rtcp.Packet) error) *publishedTrack {
	t := &publishedTrack{
		id:        id,
		owner:     owner,
		kind:      sfu.KindAudio,
		source:    signal.SourceMicrophone,
		codec:     remote.Codec(),
		remote:    remote,
		src:       sfu.NewSource(0),
		writeRTCP: writeRTCP,
		pliLimit:  sfu.NewKeyframeLimiter(0),
		done:      make(chan struct{}),
	}
	if remote.Kind() == webrtc.RTPCodecTypeVideo {
		t.kind, t.source = sfu.KindVideo, signal.SourceCamera
	}
	empty := map[*sfu.DownTrack]webrtc.TrackLocalWriter{}
	t.writers.Store(&empty)
	return t
}

// attach adds a bound down-track and the writer of its RTPSender. Any goroutine.
func (t *publishedTrack) attach(d *sfu.DownTrack, w webrtc.TrackLocalWriter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.writers.Load()
	next := make(map[*sfu.DownTrack]webrtc.TrackLocalWriter, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[d] = w
	t.writers.Store(&next)
	t.spread.Add(d)
}

// detach removes a down-track. Any goroutine.
func (t *publishedTrack) detach(d *sfu.DownTrack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spread.Remove(d)
	old := *t.writers.Load()
	if _, ok := old[d]; !ok {
		return
	}
	next := make(map[*sfu.DownTrack]webrtc.TrackLocalWriter, len(old))
	for k, v := range old {
		if k != d {
			next[k] = v
		}
	}
	t.writers.Store(&next)
}

// close stops the keyframe loop; the forwarding loop ends when the publisher's
// PeerConnection closes. Idempotent.
func (t *publishedTrack) close() {
	if t.closed.CompareAndSwap(false, true) {
		close(t.done)
	}
}

// forwarder holds the forwarding goroutine's reusable state, so that a packet costs no
// allocation in this package.
type forwarder struct {
	t   *publishedTrack
	pkt rtp.Packet
	out rtp.Header
	ws  map[*sfu.DownTrack]webrtc.TrackLocalWriter
	in  sfu.PacketMeta
}

// forward runs on the track's forwarding goroutine until the TrackRemote fails (the
// publisher's PeerConnection closed or the transceiver stopped).
func (t *publishedTrack) forward() {
	buf := make([]byte, 1500)
	f := &forwarder{t: t}
	send := f.send // one method value for the whole loop
	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			return
		}
		if f.pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		h := &f.pkt.Header
		f.in = sfu.PacketMeta{SSRC: h.SSRC, Seq: h.SequenceNumber, TS: h.Timestamp, Marker: h.Marker, Arrival: time.Now()}
		if t.kind == sfu.KindVideo {
			f.in.Keyframe = vp8Keyframe(f.pkt.Payload)
		}
		f.ws = *t.writers.Load()
		t.spread.ForEach(send)
	}
}

// send forwards the current packet to one down-track. Forwarding goroutine only.
func (f *forwarder) send(d *sfu.DownTrack) {
	tr, ok := d.Forward(f.in)
	if !ok {
		return
	}
	w := f.ws[d]
	if w == nil {
		return
	}
	f.out = f.pkt.Header
	d.RewriteHeader(&f.out, tr)
	// Payload excludes the padding, so the forwarded packet carries none.
	f.out.Padding, f.out.PaddingSize = false, 0
	_, _ = w.WriteRTP(&f.out, f.pkt.Payload)
}

// keyframes runs on its own goroutine for video tracks: it turns the sfu.Source's
// rate-limited keyframe requests into PLIs (RFC 4585 §6.3.1) to the publisher.
func (t *publishedTrack) keyframes() {
	for {
		select {
		case <-t.done:
			return
		case <-t.src.KeyframeRequests():
			t.sendPLI()
		}
	}
}

// relayKeyframeRequest forwards a subscriber's PLI/FIR to the publisher, at most one
// per sfu.DefaultKeyframeInterval. Called on subscribers' RTCP goroutines.
func (t *publishedTrack) relayKeyframeRequest() {
	if t.kind == sfu.KindVideo && t.pliLimit.Allow(0, time.Now()) {
		t.sendPLI()
	}
}

func (t *publishedTrack) sendPLI() {
	if t.closed.Load() {
		return
	}
	if t.writeRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.remote.SSRC())}}) == nil {
		t.pliSent.Add(1)
	}
}

// downTrack is the pion TrackLocal one subscriber's RTPSender binds: at Bind it learns
// the negotiated SSRC and payload type, creates the sfu.DownTrack and joins the
// published track's spreader; at Unbind it leaves.
type downTrack struct {
	pt *publishedTrack

	mu sync.Mutex
	dt *sfu.DownTrack
}

var _ webrtc.TrackLocal = (*downTrack)(nil)

// errNoCodec is returned by Bind when the subscriber did not accept the publisher's codec.
var errNoCodec = errors.New("rtc: subscriber does not support the published codec")

// Bind implements webrtc.TrackLocal; pion calls it when the sender starts.
func (d *downTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var codec webrtc.RTPCodecParameters
	found := false
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, d.pt.codec.MimeType) {
			codec, found = c, true
			break
		}
	}
	if !found {
		return webrtc.RTPCodecParameters{}, errNoCodec
	}
	dt := sfu.NewDownTrack(d.pt.src, sfu.DownTrackConfig{
		Kind:        d.pt.kind,
		SSRC:        uint32(ctx.SSRC()),
		PayloadType: uint8(codec.PayloadType),
		ClockRate:   codec.ClockRate,
	})
	if sel := dt.Selector(); sel != nil {
		// Single-layer publishers (no simulcast yet) only ever send layer 0; a higher
		// target would make the selector ask for a layer-2 keyframe every interval.
		sel.SetPane(sfuLayer0Pane())
	}
	d.mu.Lock()
	old := d.dt
	d.dt = dt
	d.mu.Unlock()
	if old != nil {
		d.pt.detach(old)
	}
	d.pt.attach(dt, ctx.WriteStream())
	return codec, nil
}

// sfuLayer0Pane is a pane size that sfu.PaneLayer maps to layer 0.
func sfuLayer0Pane() (int, int) { return 320, 180 }

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
func (d *downTrack) Kind() webrtc.RTPCodecType { return d.pt.remote.Kind() }
