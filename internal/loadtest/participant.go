package loadtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/rtc"
	"github.com/jishitong/jishitong/media/signal"
)

// trackStat counts what one participant receives on one remote track. The counters are
// atomics read by Run; seq state belongs to the track's reader goroutine.
type trackStat struct {
	audio    bool
	packets  atomic.Int64
	bytes    atomic.Int64
	first    atomic.Int64 // unix nanos of the first packet
	expected atomic.Int64 // highest extended seq - first seq + 1
}

// participant is one synthetic client: the /rtc websocket and one PeerConnection.
type participant struct {
	r         *runner
	name      string
	publisher bool
	ws        *websocket.Conn
	wmu       sync.Mutex
	pc        *webrtc.PeerConnection
	neg       *rtc.Negotiator
	joinSent  time.Time
	joined    chan error
	confirmed atomic.Int64 // trackPublished echoes of own tracks
	closing   atomic.Bool

	// read loop only
	pending []webrtc.ICECandidateInit

	mu     sync.Mutex
	tracks []*trackStat

	stop chan struct{}
	wg   sync.WaitGroup
}

func (p *participant) trackStats() []*trackStat {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tracks
}

// joinMeeting asks the server for a /rtc token as a guest.
func joinMeeting(ctx context.Context, base, number, password, name string) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($n:String!,$p:String,$d:String){joinMeeting(number:$n,password:$p,displayName:$d){token}}`,
		"variables": map[string]any{"n": number, "p": password, "d": name},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/graphql", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			JoinMeeting struct{ Token string }
		}
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", fmt.Errorf("joinMeeting: status %d: %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return "", fmt.Errorf("joinMeeting: %s", out.Errors[0].Message)
	}
	if out.Data.JoinMeeting.Token == "" {
		return "", errors.New("joinMeeting: no token")
	}
	return out.Data.JoinMeeting.Token, nil
}

// join gets a token, connects /rtc, joins and, for a publisher, starts publishing.
func join(ctx context.Context, r *runner, name string, publisher bool) (*participant, error) {
	token, err := joinMeeting(ctx, r.cfg.URL, r.cfg.Meeting, r.cfg.Password, name)
	if err != nil {
		return nil, err
	}
	wsURL := "ws" + strings.TrimPrefix(strings.TrimRight(r.cfg.URL, "/"), "http") + "/rtc"
	ws, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("dial /rtc: %w", err)
	}
	ws.SetReadLimit(signal.MaxServerFrameBytes)
	p := &participant{r: r, name: name, publisher: publisher, ws: ws, joined: make(chan error, 1), stop: make(chan struct{})}
	if p.pc, err = r.api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		p.close()
		return nil, err
	}
	p.neg = rtc.NewNegotiator(p.pc, func(o *signal.Offer) { p.send(o) }, func(err error) { p.fail("offer: %v", err) })
	p.pc.OnICECandidate(p.trickle)
	p.pc.OnTrack(p.onTrack)
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.readLoop() }()
	p.joinSent = time.Now()
	p.send(&signal.Join{Token: token, Device: &signal.Device{Client: "loadtool"}})
	select {
	case err = <-p.joined:
	case <-ctx.Done():
		err = fmt.Errorf("no joined: %w", ctx.Err())
	}
	if err == nil && publisher {
		err = p.publish()
	}
	if err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *participant) send(d signal.Payload) {
	b, err := signal.Encode(signal.Message{Data: d})
	if err != nil {
		p.r.errorf("%s: encode %T: %v", p.name, d, err)
		return
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.ws.Write(ctx, websocket.MessageText, b); err != nil && !p.closing.Load() {
		p.r.errorf("%s: write %T: %v", p.name, d, err)
	}
}

func (p *participant) trickle(ic *webrtc.ICECandidate) {
	if p.closing.Load() {
		return
	}
	if ic == nil {
		p.send(&signal.Candidate{})
		return
	}
	init := ic.ToJSON()
	p.send(&signal.Candidate{Candidate: &init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex})
}

func (p *participant) fail(format string, args ...any) {
	if !p.closing.Load() {
		p.r.errorf(p.name+": "+format, args...)
	}
}

// readLoop applies server messages in order until the socket closes.
func (p *participant) readLoop() {
	for {
		_, b, err := p.ws.Read(context.Background())
		if err != nil {
			if !p.closing.Load() {
				select {
				case p.joined <- fmt.Errorf("socket: %w", err):
				default:
				}
				p.fail("socket: %v", err)
			}
			return
		}
		if p.closing.Load() {
			continue
		}
		m, err := signal.Decode(b)
		if err != nil {
			p.fail("decode: %v", err)
			continue
		}
		switch d := m.Data.(type) {
		case *signal.Joined:
			if d.OfferRequest != nil {
				p.neg.Request(d.OfferRequest)
			}
			p.joined <- nil
		case *signal.Answer:
			if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP}); err != nil {
				p.fail("answer: %v", err)
			}
			p.flush()
			p.neg.Answered()
		case *signal.OfferRequest:
			p.neg.Request(d)
		case *signal.Candidate:
			if d.EndOfCandidates() {
				continue
			}
			ic := webrtc.ICECandidateInit{Candidate: *d.Candidate, SDPMid: d.SDPMid, SDPMLineIndex: d.SDPMLineIndex}
			if p.pc.RemoteDescription() == nil {
				p.pending = append(p.pending, ic)
			} else if err := p.pc.AddICECandidate(ic); err != nil {
				p.fail("add candidate: %v", err)
			}
		case *signal.TrackPublished:
			if d.CID != "" {
				p.confirmed.Add(1)
			}
		case *signal.ErrorMessage:
			p.fail("server error %s: %s", d.Code, d.Message)
		case *signal.Bye:
			p.fail("bye %s: %s", d.Reason, d.Message)
		}
	}
}

func (p *participant) flush() {
	for _, ic := range p.pending {
		if err := p.pc.AddICECandidate(ic); err != nil {
			p.fail("add candidate: %v", err)
		}
	}
	p.pending = nil
}

// onTrack starts counting a remote track. Pion's goroutine.
func (p *participant) onTrack(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	st := &trackStat{audio: tr.Kind() == webrtc.RTPCodecTypeAudio}
	p.mu.Lock()
	p.tracks = append(grown(p.tracks), st)
	p.mu.Unlock()
	p.wg.Add(1)
	go func() { defer p.wg.Done(); receive(tr, st) }()
}

// grown returns a copy of ts with room for one more, so that readers of the old
// slice (trackStats) never see it change.
func grown(ts []*trackStat) []*trackStat {
	return append(make([]*trackStat, 0, len(ts)+1), ts...)
}

// receive counts the RTP packets of one track until it ends. It reads raw packets into
// one buffer and parses only the sequence number: no allocation per packet here.
func receive(tr *webrtc.TrackRemote, st *trackStat) {
	buf := make([]byte, 1500)
	var seqs seqCounter
	for {
		n, _, err := tr.Read(buf)
		if err != nil {
			return
		}
		if n < 12 { // shorter than an RTP header
			continue
		}
		if seqs.expected() == 0 {
			st.first.Store(time.Now().UnixNano())
		}
		st.expected.Store(seqs.observe(binary.BigEndian.Uint16(buf[2:4])))
		st.bytes.Add(int64(n))
		st.packets.Add(1)
	}
}

// seqCounter extends 16-bit RTP sequence numbers across wrap-around (RFC 3550 §A.1,
// simplified: reordered packets older than the highest are not counted twice) and
// tells how many packets the range seen so far spans.
type seqCounter struct {
	started       bool
	base, highest int64
}

// observe records one sequence number and returns the number of packets expected.
func (c *seqCounter) observe(seq uint16) int64 {
	if !c.started {
		c.started = true
		c.base, c.highest = int64(seq), int64(seq)
	} else if d := int64(int16(seq - uint16(c.highest))); d > 0 {
		c.highest += d
	}
	return c.expected()
}

// expected is highest - first + 1, or 0 before the first packet.
func (c *seqCounter) expected() int64 {
	if !c.started {
		return 0
	}
	return c.highest - c.base + 1
}

// Media shapes: Opus at 50 packets/s of 100 B; VP8 at 30 frames/s cut into packets of
// at most 1,100 B, keyframes (first, every 2 s and on PLI) six times a delta frame.
const (
	audioPayload   = 100
	maxVideoPacket = 1100
	videoFPS       = 30
	keyframeEvery  = 2 * videoFPS
	keyframeFactor = 6
)

// simulcastLayers are the RIDs a publisher sends with simulcast and each layer's share
// of --video-kbps, lowest first (the proportions browsers use for 320/640/1280 wide).
var simulcastLayers = []struct {
	rid     string
	quality signal.Quality
	share   float64
}{{"q", signal.QualityLow, 0.1}, {"h", signal.QualityMedium, 0.3}, {"f", signal.QualityHigh, 1.0}}

// publish adds an Opus track and a VP8 camera track (three simulcast layers unless
// disabled), announces them and offers. Then feeders send media until close.
func (p *participant) publish() error {
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", p.name)
	if err != nil {
		return err
	}
	ax, err := p.pc.AddTransceiverFromTrack(audio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return err
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); rtc.ReadKeyframeRequests(ax.Sender(), func() {}) }()

	layers := simulcastLayers
	if !p.r.cfg.Simulcast {
		layers = layers[2:]
	}
	videos := make([]*webrtc.TrackLocalStaticRTP, len(layers))
	for i, l := range layers {
		var opts []func(*webrtc.TrackLocalStaticRTP)
		if p.r.cfg.Simulcast {
			opts = append(opts, webrtc.WithRTPStreamID(l.rid))
		}
		if videos[i], err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "cam", p.name, opts...); err != nil {
			return err
		}
	}
	vx, err := p.pc.AddTransceiverFromTrack(videos[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return err
	}
	sender := vx.Sender()
	for _, v := range videos[1:] {
		if err := sender.AddEncoding(v); err != nil {
			return err
		}
	}
	wants := make([]*atomic.Bool, len(layers))
	for i, l := range layers {
		wants[i] = &atomic.Bool{}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if !p.r.cfg.Simulcast {
				rtc.ReadKeyframeRequests(sender, func() { wants[i].Store(true) })
				return
			}
			readSimulcastKeyframeRequests(sender, l.rid, func() { wants[i].Store(true) })
		}()
	}
	p.neg.Offer(false, func() {
		pub := &signal.Publish{CID: "cam-1", MID: vx.Mid(), Kind: signal.KindVideo, Source: signal.SourceCamera}
		if p.r.cfg.Simulcast {
			for _, l := range layers {
				pub.Layers = append(pub.Layers, signal.Layer{RID: l.rid, Quality: l.quality, MaxBitrate: int(float64(p.r.cfg.VideoKbps) * 1000 * l.share)})
			}
		}
		p.send(&signal.Publish{CID: "mic-1", MID: ax.Mid(), Kind: signal.KindAudio, Source: signal.SourceMicrophone})
		p.send(pub)
	})
	p.wg.Add(1 + len(layers))
	go func() { defer p.wg.Done(); p.feedAudio(audio) }()
	for i, l := range layers {
		kbps := int(float64(p.r.cfg.VideoKbps) * l.share)
		rid := ""
		if p.r.cfg.Simulcast {
			rid = l.rid
		}
		go func() { defer p.wg.Done(); p.feedVideo(videos[i], vx, rid, kbps, wants[i]) }()
	}
	return nil
}

// readSimulcastKeyframeRequests reads one simulcast layer's RTCP until the sender
// stops and calls onRequest for each PLI or FIR.
func readSimulcastKeyframeRequests(s *webrtc.RTPSender, rid string, onRequest func()) {
	for {
		pkts, _, err := s.ReadSimulcastRTCP(rid)
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				onRequest()
			}
		}
	}
}

func (p *participant) feedAudio(tr *webrtc.TrackLocalStaticRTP) {
	payload := make([]byte, audioPayload)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: true}, Payload: payload}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
		pkt.SequenceNumber++
		pkt.Timestamp += 960
		if tr.WriteRTP(pkt) == nil {
			p.r.sentPackets.Add(1)
		}
	}
}

// feedVideo sends one video layer at kbps until close: VP8-shaped frames at 30 fps,
// a keyframe every two seconds and when asked. A simulcast layer carries the mid and
// rid header extensions (RFC 8852), which pion leaves to the application.
func (p *participant) feedVideo(tr *webrtc.TrackLocalStaticRTP, tx *webrtc.RTPTransceiver, rid string, kbps int, want *atomic.Bool) {
	sender := tx.Sender()
	var midID, ridID uint8
	if rid != "" {
		deadline := time.Now().Add(10 * time.Second)
		for midID == 0 || ridID == 0 {
			for _, e := range sender.GetParameters().HeaderExtensions {
				switch e.URI {
				case sdp.SDESMidURI:
					midID = uint8(e.ID)
				case sdp.SDESRTPStreamIDURI:
					ridID = uint8(e.ID)
				}
			}
			if midID != 0 && ridID != 0 {
				break
			}
			if time.Now().After(deadline) {
				p.fail("simulcast: no mid/rid header extension negotiated")
				return
			}
			select {
			case <-p.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	mid := tx.Mid() // set by the offer that negotiated the extensions
	frameBytes := max(kbps*1000/8/videoFPS, 100)
	buf := make([]byte, maxVideoPacket)
	for i := range buf {
		buf[i] = byte(i * 13)
	}
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2}}
	if rid != "" {
		_ = pkt.Header.SetExtension(midID, []byte(mid))
		_ = pkt.Header.SetExtension(ridID, []byte(rid))
	}
	tick := time.NewTicker(time.Second / videoFPS)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
		key := want.Swap(false) || n%keyframeEvery == 0
		size := frameBytes
		if key {
			size *= keyframeFactor
		}
		pkt.Timestamp += 90000 / videoFPS
		for off := 0; off < size; off += maxVideoPacket - 1 {
			chunk := min(maxVideoPacket-1, size-off)
			// VP8 payload descriptor (RFC 7741 §4.2): S=1, PID=0 on the first packet of
			// the frame, then the frame tag whose P bit is 0 for keyframes (RFC 6386 §9.1).
			payload := buf[:chunk+1]
			payload[0] = 0
			if off == 0 {
				payload[0] = 0x10
				if key {
					copy(payload[1:], []byte{0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a})
				} else {
					payload[1] = 0x01
				}
			}
			pkt.SequenceNumber++
			pkt.Marker = off+chunk >= size
			pkt.Payload = payload
			if tr.WriteRTP(pkt) == nil {
				p.r.sentPackets.Add(1)
			}
		}
	}
}

// close leaves and tears everything down; it returns when the goroutines have exited.
func (p *participant) close() {
	if !p.closing.CompareAndSwap(false, true) {
		return
	}
	close(p.stop)
	if p.ws != nil {
		p.wmu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if b, err := signal.Encode(signal.Message{Data: &signal.Leave{}}); err == nil {
			_ = p.ws.Write(ctx, websocket.MessageText, b)
		}
		cancel()
		p.wmu.Unlock()
	}
	if p.pc != nil {
		_ = p.pc.Close()
	}
	if p.ws != nil {
		_ = p.ws.CloseNow()
	}
	p.wg.Wait()
}
