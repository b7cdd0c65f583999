package rtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/nack"
	"github.com/jishitong/jishitong/media/signal"
)

// fakeAdmission and fakePresence are the test doubles of the interfaces Server needs.
type fakeAdmission struct {
	redeem func(ctx context.Context, token string) (*meeting.Grant, error)
	// confirm is nil for grants that stay valid.
	confirm func(g *meeting.Grant) error
}

func (f fakeAdmission) Redeem(ctx context.Context, token string) (*meeting.Grant, error) {
	return f.redeem(ctx, token)
}

func (f fakeAdmission) Confirm(_ context.Context, g *meeting.Grant) error {
	if f.confirm == nil {
		return nil
	}
	return f.confirm(g)
}

type fakePresence struct {
	joined, left func(e meeting.Presence) error
}

func (f fakePresence) Joined(_ context.Context, e meeting.Presence) error {
	return f.joined(e)
}

func (f fakePresence) Left(_ context.Context, e meeting.Presence) error {
	return f.left(e)
}

// recvStat counts the RTP packets a client receives on one remote track.
type recvStat struct {
	packets atomic.Int64
	first   atomic.Int64 // unix nanos of the first packet
	ended   atomic.Bool  // the track's Read failed: removed by renegotiation or closed
	last    atomic.Int32 // last payload byte of the last packet (simulcast tests mark layers)
	head    atomic.Int32 // first payload byte of the last packet
	lastAt  atomic.Int64 // unix nanos of the last packet

	// Sequence numbers seen (reader goroutine writes, seqMu guards): a retransmission
	// that fills a gap counts once, a duplicate not at all.
	seqMu    sync.Mutex
	seen     map[uint16]bool
	firstSeq uint16
	maxExt   int64 // highest extended sequence number minus the first
}

func (st *recvStat) observeSeq(seq uint16) {
	st.seqMu.Lock()
	defer st.seqMu.Unlock()
	if st.seen == nil {
		st.seen, st.firstSeq = map[uint16]bool{}, seq
	}
	st.seen[seq] = true
	if d := int64(int16(seq - st.firstSeq - uint16(st.maxExt))); d > 0 {
		st.maxExt += d
	}
}

// delivered reports the distinct packets received and the packets sent between the
// first and the highest sequence number seen (wraparound aside: tests are short).
func (st *recvStat) delivered() (got, sent int) {
	st.seqMu.Lock()
	defer st.seqMu.Unlock()
	return len(st.seen), int(st.maxExt) + 1
}

// client is a synthetic participant: a websocket speaking the /rtc protocol and one
// pion PeerConnection on loopback, negotiated as a browser does (it always offers).
type client struct {
	t      *testing.T
	name   string
	ws     *websocket.Conn
	wmu    sync.Mutex
	pc     *webrtc.PeerConnection
	neg    *Negotiator
	id     signal.ParticipantID
	joined chan signal.ParticipantID
	start  time.Time // join sent

	mu         sync.Mutex
	recv       map[string]*recvStat      // streamID/kind
	remotes    []*webrtc.TrackRemote     // every track received, for close
	tracks     map[string]signal.TrackID // participantID/kind -> track id, from trackPublished
	subscribed chan *signal.Subscribed
	pending    []webrtc.ICECandidateInit
	plis       atomic.Int64
	// keyframeWanted makes the video feeder send a keyframe next, as an encoder does on PLI.
	keyframeWanted atomic.Bool
	unpublished    atomic.Int64
	offerRequests  atomic.Int64 // offerRequest messages received
	notices        chan *signal.Notice
	byes           chan *signal.Bye

	api        *webrtc.API
	token      string
	iceServers []signal.ICEServer // from joined (mu)
	// pcConfig, if set before joining, makes the peer connections wait for joined and
	// use the ICE servers it hands out, as a browser does.
	pcConfig    func([]webrtc.ICEServer) webrtc.Configuration
	resumeToken string // mu
	resumed     bool   // mu
	// rewrite, if set before joining, rewrites the server's candidates (to a relay);
	// hideCandidates keeps the client's own from the server.
	rewrite        func(string) string
	hideCandidates atomic.Bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func newClient(t *testing.T, api *webrtc.API, url, name, token string) *client {
	return newClientWith(t, api, url, name, token, nil)
}

// makePeers creates the client's peer connection, configured by pcConfig from the ICE
// servers joined handed out when set. Test goroutine before joining, or the read loop
// on joined.
func (c *client) makePeers(servers []signal.ICEServer) error {
	cfg := webrtc.Configuration{}
	if c.pcConfig != nil {
		var ice []webrtc.ICEServer
		for _, s := range servers {
			ice = append(ice, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
		}
		cfg = c.pcConfig(ice)
	}
	var err error
	if c.pc, err = c.api.NewPeerConnection(cfg); err != nil {
		return err
	}
	c.neg = NewNegotiator(c.pc, func(o *signal.Offer) { c.send(o) }, func(err error) { c.errorf("%s: offer: %v", c.name, err) })
	c.pc.OnICECandidate(c.trickle)
	c.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		st := &recvStat{}
		c.mu.Lock()
		c.recv[tr.StreamID()+"/"+tr.Kind().String()] = st
		c.remotes = append(c.remotes, tr)
		c.mu.Unlock()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			// As a browser does: NACK what the stream lost (repairs over RTX arrive
			// through Read as originals).
			var nacks *nack.Requester
			if hasFeedback(tr.Codec(), "nack", "") {
				nacks, _ = nack.NewRequester(uint32(tr.SSRC()), c.pc.WriteRTCP, 0)
			}
			buf := make([]byte, 1500)
			var pkt rtp.Packet
			for {
				n, _, err := tr.Read(buf)
				if err != nil {
					if nacks != nil {
						nacks.Close()
					}
					st.ended.Store(true)
					return
				}
				if pkt.Unmarshal(buf[:n]) == nil {
					if nacks != nil {
						nacks.Push(pkt.SequenceNumber)
					}
					if len(pkt.Payload) > 0 {
						st.last.Store(int32(pkt.Payload[len(pkt.Payload)-1]))
						st.head.Store(int32(pkt.Payload[0]))
						st.observeSeq(pkt.SequenceNumber)
					}
				}
				now := time.Now().UnixNano()
				st.first.CompareAndSwap(0, now)
				st.lastAt.Store(now)
				st.packets.Add(1)
			}
		}()
	})
	return nil
}

// newClientWith is newClient with a function that adjusts the client before it joins.
func newClientWith(t *testing.T, api *webrtc.API, url, name, token string, setup func(*client)) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	ws.SetReadLimit(signal.MaxServerFrameBytes)
	c := &client{t: t, name: name, ws: ws, joined: make(chan signal.ParticipantID, 1),
		recv: map[string]*recvStat{}, tracks: map[string]signal.TrackID{}, subscribed: make(chan *signal.Subscribed, 8), notices: make(chan *signal.Notice, 64), byes: make(chan *signal.Bye, 1), stop: make(chan struct{})}
	c.token, c.api = token, api
	if setup != nil {
		setup(c)
	}
	if c.pcConfig == nil {
		// Peer connections before joining; with pcConfig they wait for joined's ICE servers.
		if err := c.makePeers(nil); err != nil {
			t.Fatal(err)
		}
	}
	c.wg.Add(1)
	go func() { defer c.wg.Done(); c.readLoop(ws) }()
	c.start = time.Now()
	c.send(&signal.Join{Token: token, Device: &signal.Device{Client: "test"}})
	select {
	case c.id = <-c.joined:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no joined", name)
	}
	return c
}

func (c *client) send(p signal.Payload) {
	if c.hideCandidates.Load() {
		// A description made after gathering carries the candidates too.
		switch d := p.(type) {
		case *signal.Offer:
			d.SDP = stripCandidates(d.SDP)
		}
	}
	b, err := signal.Encode(signal.Message{Data: p})
	if err != nil {
		c.t.Errorf("%s: encode %T: %v", c.name, p, err)
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, b)
}

func (c *client) trickle(ic *webrtc.ICECandidate) {
	if c.hideCandidates.Load() {
		return // the server must reach this client through the relay only
	}
	if ic == nil {
		c.send(&signal.Candidate{})
		return
	}
	init := ic.ToJSON()
	if !strings.Contains(init.Candidate, " 127.0.0.1 ") {
		c.t.Errorf("%s: non-loopback client candidate %q", c.name, init.Candidate)
	}
	c.send(&signal.Candidate{Candidate: &init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex})
}

func (c *client) flush() {
	for _, ic := range c.pending {
		if err := c.pc.AddICECandidate(ic); err != nil {
			c.t.Errorf("%s: add candidate: %v", c.name, err)
		}
	}
	c.pending = nil
}

// stripCandidates removes the candidate lines of a description.
func stripCandidates(sdp string) string {
	lines := strings.Split(sdp, "\r\n")
	out := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, "a=candidate:") && l != "a=end-of-candidates" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\r\n")
}

// rewriteSDP applies rewrite to the candidates a description carries (a re-offer made
// after gathering includes them).
func (c *client) rewriteSDP(sdp string) string {
	if c.rewrite == nil {
		return sdp
	}
	lines := strings.Split(sdp, "\r\n")
	for i, l := range lines {
		if cand, ok := strings.CutPrefix(l, "a="); ok && strings.HasPrefix(cand, "candidate:") {
			lines[i] = "a=" + c.rewrite(cand)
		}
	}
	return strings.Join(lines, "\r\n")
}

// readLoop applies server messages in order until the socket closes.
func (c *client) readLoop(ws *websocket.Conn) {
	for {
		_, b, err := ws.Read(context.Background())
		if err != nil {
			return
		}
		select {
		case <-c.stop: // closing: the PeerConnections may already be closed
			continue
		default:
		}
		m, err := signal.Decode(b)
		if err != nil {
			c.errorf("%s: decode %s: %v", c.name, b, err)
			continue
		}
		switch d := m.Data.(type) {
		case *signal.Joined:
			c.mu.Lock()
			c.resumeToken, c.resumed, c.iceServers = d.ResumeToken, d.Resumed, d.ICEServers
			c.mu.Unlock()
			if c.pc == nil {
				if err := c.makePeers(d.ICEServers); err != nil {
					c.errorf("%s: peer connection: %v", c.name, err)
					return
				}
			}
			if d.Resumed {
				c.neg.Resumed()
			}
			if d.OfferRequest != nil {
				c.offerRequests.Add(1)
				c.neg.Request(d.OfferRequest)
			}
			c.joined <- d.ParticipantID
		case *signal.Answer:
			if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: c.rewriteSDP(d.SDP)}); err != nil {
				c.errorf("%s: answer: %v", c.name, err)
			}
			c.flush()
			c.neg.Answered()
		case *signal.OfferRequest:
			c.offerRequests.Add(1)
			c.neg.Request(d)
		case *signal.Candidate:
			if d.EndOfCandidates() {
				continue
			}
			if !strings.Contains(*d.Candidate, " 127.0.0.1 ") {
				c.errorf("%s: non-loopback server candidate %q", c.name, *d.Candidate)
			}
			cand := *d.Candidate
			if c.rewrite != nil {
				cand = c.rewrite(cand)
			}
			ic := webrtc.ICECandidateInit{Candidate: cand, SDPMid: d.SDPMid, SDPMLineIndex: d.SDPMLineIndex}
			if c.pc.RemoteDescription() == nil {
				c.pending = append(c.pending, ic)
			} else if err := c.pc.AddICECandidate(ic); err != nil {
				c.errorf("%s: add candidate: %v", c.name, err)
			}
		case *signal.TrackPublished:
			c.mu.Lock()
			c.tracks[string(d.ParticipantID)+"/"+d.Kind.String()] = d.TrackID
			c.mu.Unlock()
		case *signal.Subscribed:
			select {
			case c.subscribed <- d:
			default:
			}
		case *signal.Notice:
			select {
			case c.notices <- d:
			default:
			}
		case *signal.Bye:
			select {
			case c.byes <- d:
			default:
			}
		case *signal.TrackUnpublished:
			c.unpublished.Add(1)
		case *signal.ErrorMessage:
			c.errorf("%s: server error: %+v", c.name, d)
		}
	}
}

// publish offers an Opus and a VP8 track and starts feeding them at realistic rates:
// 50 audio packets/s and 30 video frames/s of two packets, a keyframe every second.
func (c *client) publish() {
	c.publishWith(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, audioPacket,
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, videoFrame)
}

// publishWith is publish with other codecs: audio packets from audioFn, video frames
// (keyframe or not) from frameFn.
func (c *client) publishWith(audioCap webrtc.RTPCodecCapability, audioFn func(int) [][]byte, videoCap webrtc.RTPCodecCapability, frameFn func(bool) [][]byte) {
	audio, err := webrtc.NewTrackLocalStaticRTP(audioCap, "mic", c.name)
	if err != nil {
		c.t.Fatal(err)
	}
	video, err := webrtc.NewTrackLocalStaticRTP(videoCap, "cam", c.name)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		x, err := c.pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			c.t.Fatal(err)
		}
		sender := x.Sender()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				pkts, _, err := sender.ReadRTCP()
				if err != nil {
					return
				}
				for _, p := range pkts {
					if _, ok := p.(*rtcp.PictureLossIndication); ok {
						c.plis.Add(1)
						c.keyframeWanted.Store(true)
					}
				}
			}
		}()
	}
	c.neg.Offer(false, func() {
		c.send(&signal.Publish{CID: "mic-1", MID: c.midOf(audio), Kind: signal.KindAudio, Source: signal.SourceMicrophone})
		c.send(&signal.Publish{CID: "cam-1", MID: c.midOf(video), Kind: signal.KindVideo, Source: signal.SourceCamera})
	})

	c.wg.Add(2)
	go func() { defer c.wg.Done(); c.feed(audio, 20*time.Millisecond, 960, audioFn) }()
	go func() {
		defer c.wg.Done()
		c.feed(video, time.Second/30, 3000, func(n int) [][]byte {
			return frameFn(n%30 == 0 || c.keyframeWanted.Swap(false))
		})
	}()
}

// midOf returns the mid of the transceiver sending tr ("" before an offer set it).
func (c *client) midOf(tr webrtc.TrackLocal) string {
	for _, x := range c.pc.GetTransceivers() {
		if x.Sender() != nil && x.Sender().Track() == tr {
			return x.Mid()
		}
	}
	return ""
}

func audioPacket(int) [][]byte { return [][]byte{make([]byte, 80)} }

// videoFrame returns the RTP payloads of one frame: a VP8 payload descriptor (RFC 7741)
// with S=1 on the first packet, and a frame tag whose P bit marks keyframes.
func videoFrame(key bool) [][]byte {
	first := make([]byte, 600)
	first[0] = 0x10 // S=1, PID=0
	if !key {
		first[1] = 0x01 // P=1: interframe
	} else {
		copy(first[1:], []byte{0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a})
	}
	second := make([]byte, 400) // continuation: S=0
	return [][]byte{first, second}
}

func (c *client) feed(tr *webrtc.TrackLocalStaticRTP, every time.Duration, tsStep uint32, frame func(int) [][]byte) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var seq uint16
	var ts uint32
	for n := 0; ; n++ {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		ts += tsStep
		payloads := frame(n)
		for i, p := range payloads {
			seq++
			_ = tr.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts, Marker: i == len(payloads)-1}, Payload: p})
		}
	}
}

func (c *client) stat(from *client, kind string) *recvStat {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recv[string(from.id)+"/"+kind]
}

// close leaves (a `leave` first, as a client quitting does: without it a socket that
// dies before its close handshake completes reads as a network drop, which the server
// holds open for a resume) and tears the client down.
func (c *client) close() {
	select {
	case <-c.stop:
	default:
		c.send(&signal.Leave{})
		close(c.stop)
	}
	if c.pc != nil {
		_ = c.pc.Close()
		// A received stream can have two readers: the track's goroutine above and pion's
		// probe of an SSRC that arrived before the answer declaring it (the server sends
		// on a reused m-line at once). Closing the stream wakes only one of them
		// (pion/srtp's ReadStreamSRTP keeps a single wake-up token), and closing it again
		// wakes none, so the other read would block for ever: a read deadline in the
		// past wakes them all.
		c.mu.Lock()
		for _, tr := range c.remotes {
			_ = tr.SetReadDeadline(time.Now())
		}
		c.mu.Unlock()
	}
	_ = c.ws.Close(websocket.StatusNormalClosure, "")
	c.wg.Wait()
}

// eventually polls cond every 20 ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testLogger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("RTC_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func TestRoomForwardsBetweenThreePeers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	var presMu sync.Mutex
	presence := map[string]int{}
	srv := NewServer(RTCConfig{LoopbackOnly: true, Logger: testLogger()},
		Deps{Admission: fakeAdmission{redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
			name, ok := strings.CutPrefix(token, "jjt_")
			if !ok {
				return nil, errors.New("bad token")
			}
			return &meeting.Grant{RunID: "run-1", MeetingID: "m-1", UserID: "u-" + name, Name: name, Role: meeting.RoleParticipant}, nil
		}}, Presence: fakePresence{
			joined: func(e meeting.Presence) error {
				presMu.Lock()
				defer presMu.Unlock()
				presence[e.RunID]++
				return nil
			},
			left: func(e meeting.Presence) error {
				presMu.Lock()
				defer presMu.Unlock()
				presence[e.RunID]--
				return nil
			},
		}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	api, err := newAPI(RTCConfig{LoopbackOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}

	names := []string{"alice", "bob", "carol"}
	clients := make([]*client, len(names))
	for i, n := range names {
		clients[i] = newClient(t, api, url, n, "jjt_"+n)
		clients[i].publish()
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
		_ = srv.Close()
		hs.Close()
	}()

	// Everyone receives both kinds from both others.
	eventually(t, 10*time.Second, "media from every other participant", func() bool {
		for _, c := range clients {
			for _, o := range clients {
				if c == o {
					continue
				}
				for _, k := range []string{"audio", "video"} {
					if st := c.stat(o, k); st == nil || st.packets.Load() < 10 {
						return false
					}
				}
			}
		}
		return true
	})
	for _, c := range clients {
		var firsts []string
		for _, o := range clients {
			if c == o {
				continue
			}
			for _, k := range []string{"audio", "video"} {
				st := c.stat(o, k)
				firsts = append(firsts, fmt.Sprintf("%s/%s %dms", o.name, k, (st.first.Load()-c.start.UnixNano())/1e6))
			}
		}
		t.Logf("%s: join to first packet: %s; PLIs received %d; offers %d", c.name, strings.Join(firsts, ", "), c.plis.Load(), c.neg.Offers())
	}
	if room := srv.Room("run-1"); room == nil || room.Len() != 3 {
		t.Fatalf("room: %+v", room)
	}

	// Carol leaves: the others' carol tracks are removed by renegotiation and stop.
	alice, bob, carol := clients[0], clients[1], clients[2]
	carol.send(&signal.Leave{})
	eventually(t, 5*time.Second, "carol's tracks removed at alice and bob", func() bool {
		for _, c := range []*client{alice, bob} {
			for _, k := range []string{"audio", "video"} {
				if !c.stat(carol, k).ended.Load() {
					return false
				}
			}
		}
		return true
	})
	if alice.unpublished.Load() != 2 || bob.unpublished.Load() != 2 {
		t.Errorf("trackUnpublished: alice %d, bob %d, want 2 each", alice.unpublished.Load(), bob.unpublished.Load())
	}
	carol.close()
	eventually(t, 5*time.Second, "room of two", func() bool { return srv.Room("run-1").Len() == 2 })
	before := alice.stat(carol, "audio").packets.Load()
	ab := alice.stat(bob, "video").packets.Load()
	time.Sleep(300 * time.Millisecond)
	if after := alice.stat(carol, "audio").packets.Load(); after != before {
		t.Errorf("alice still receives carol's audio: %d -> %d", before, after)
	}
	if now := alice.stat(bob, "video").packets.Load(); now <= ab {
		t.Errorf("alice stopped receiving bob's video: %d -> %d", ab, now)
	}

	for _, c := range clients[:2] {
		c.close()
	}
	eventually(t, 5*time.Second, "room dropped", func() bool { return srv.Room("run-1") == nil })
	// Left is recorded after the participant is out of the room.
	eventually(t, 5*time.Second, "presence back to zero", func() bool {
		presMu.Lock()
		defer presMu.Unlock()
		return presence["run-1"] == 0
	})
}

func TestServerRejectsBadTokenAndClosesLiveSessions(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := NewServer(RTCConfig{LoopbackOnly: true, Logger: testLogger()},
		Deps{Admission: fakeAdmission{redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
			if token != "jjt_ok" {
				return nil, errors.New("bad token")
			}
			return &meeting.Grant{RunID: "run-2", Name: "ok"}, nil
		}}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := signal.Encode(signal.Message{Data: &signal.Join{Token: "jjt_bad"}})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, err = ws.Read(ctx); err != nil {
			break
		}
	}
	if got := websocket.CloseStatus(err); got != signal.CloseUnauthorized {
		t.Errorf("bad token: close %d (%v), want %d", got, err, signal.CloseUnauthorized)
	}

	api, err := newAPI(RTCConfig{LoopbackOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, api, url, "ok", "jjt_ok")
	defer c.close()
	if srv.Room("run-2").Len() != 1 {
		t.Fatal("not in the room")
	}
	if err := srv.Close(); err != nil { // returns once the session is torn down
		t.Fatal(err)
	}
	if srv.Room("run-2") != nil {
		t.Error("room survives Close")
	}
}

// errorf fails the test unless the client is closing, when the PeerConnections may
// already be closed under a message being applied.
func (c *client) errorf(format string, args ...any) {
	select {
	case <-c.stop:
	default:
		c.t.Errorf(format, args...)
	}
}
