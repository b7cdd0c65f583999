package rtc

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/turn"
)

// iceClient is a participant whose ICE is constrained (TCP only, relay only). Unlike
// room_test's client it reads joined before it creates its PeerConnections, as a
// browser does, so that they use the ICE servers the server hands out.
type iceClient struct {
	t          *testing.T
	name       string
	ws         *websocket.Conn
	wmu        sync.Mutex
	id         signal.ParticipantID
	iceServers []signal.ICEServer
	pub, sub   *webrtc.PeerConnection

	mu       sync.Mutex
	pending  map[signal.Target][]webrtc.ICECandidateInit
	received map[string]*atomic.Int64 // participantID/kind → RTP packets

	stop chan struct{}
	wg   sync.WaitGroup
}

// joinICE joins as name with token; pcConfig turns the joined ICE servers into the
// PeerConnections' configuration.
func joinICE(t *testing.T, api *webrtc.API, url, name, token string, pcConfig func([]webrtc.ICEServer) webrtc.Configuration) *iceClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	ws.SetReadLimit(signal.MaxServerFrameBytes)
	c := &iceClient{t: t, name: name, ws: ws, pending: map[signal.Target][]webrtc.ICECandidateInit{},
		received: map[string]*atomic.Int64{}, stop: make(chan struct{})}
	c.send(&signal.Join{Token: token, Device: &signal.Device{Client: "test"}})
	for c.id == "" {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("%s: no joined: %v", name, err)
		}
		m, err := signal.Decode(b)
		if err != nil {
			t.Fatalf("%s: decode %s: %v", name, b, err)
		}
		if j, ok := m.Data.(*signal.Joined); ok {
			c.id, c.iceServers = j.ParticipantID, j.ICEServers
		}
	}
	var servers []webrtc.ICEServer
	for _, s := range c.iceServers {
		servers = append(servers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	cfg := pcConfig(servers)
	if c.pub, err = api.NewPeerConnection(cfg); err != nil {
		t.Fatal(err)
	}
	if c.sub, err = api.NewPeerConnection(cfg); err != nil {
		t.Fatal(err)
	}
	c.pub.OnICECandidate(func(ic *webrtc.ICECandidate) { c.trickle(signal.TargetPublisher, ic) })
	c.sub.OnICECandidate(func(ic *webrtc.ICECandidate) { c.trickle(signal.TargetSubscriber, ic) })
	c.sub.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		n := &atomic.Int64{}
		c.mu.Lock()
		c.received[tr.StreamID()+"/"+tr.Kind().String()] = n
		c.mu.Unlock()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			buf := make([]byte, 1500)
			for {
				if _, _, err := tr.Read(buf); err != nil {
					return
				}
				n.Add(1)
			}
		}()
	})
	c.wg.Add(1)
	go func() { defer c.wg.Done(); c.readLoop() }()
	t.Cleanup(c.close)
	return c
}

func (c *iceClient) send(p signal.Payload) {
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

func (c *iceClient) trickle(target signal.Target, ic *webrtc.ICECandidate) {
	if ic == nil {
		c.send(&signal.Candidate{Target: target})
		return
	}
	init := ic.ToJSON()
	if !strings.Contains(init.Candidate, " 127.0.0.1 ") {
		c.t.Errorf("%s: non-loopback client candidate %q", c.name, init.Candidate)
	}
	c.send(&signal.Candidate{Target: target, Candidate: &init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex})
}

func (c *iceClient) pc(t signal.Target) *webrtc.PeerConnection {
	if t == signal.TargetSubscriber {
		return c.sub
	}
	return c.pub
}

// readLoop applies the server's messages in order until the socket closes.
func (c *iceClient) readLoop() {
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		select {
		case <-c.stop:
			continue
		default:
		}
		m, err := signal.Decode(b)
		if err != nil {
			c.errorf("%s: decode %s: %v", c.name, b, err)
			continue
		}
		switch d := m.Data.(type) {
		case *signal.Answer:
			if err := c.pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP}); err != nil {
				c.errorf("%s: publisher answer: %v", c.name, err)
			}
			c.flush(signal.TargetPublisher)
		case *signal.Offer:
			if err := c.sub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: d.SDP}); err != nil {
				c.errorf("%s: subscriber offer: %v", c.name, err)
				continue
			}
			c.flush(signal.TargetSubscriber)
			answer, err := c.sub.CreateAnswer(nil)
			if err == nil {
				err = c.sub.SetLocalDescription(answer)
			}
			if err != nil {
				c.errorf("%s: subscriber answer: %v", c.name, err)
				continue
			}
			c.send(&signal.Answer{Target: signal.TargetSubscriber, SDP: answer.SDP})
		case *signal.Candidate:
			if d.EndOfCandidates() {
				continue
			}
			if !strings.Contains(*d.Candidate, " 127.0.0.1 ") {
				c.errorf("%s: non-loopback server candidate %q", c.name, *d.Candidate)
			}
			ic := webrtc.ICECandidateInit{Candidate: *d.Candidate, SDPMid: d.SDPMid, SDPMLineIndex: d.SDPMLineIndex}
			if c.pc(d.Target).RemoteDescription() == nil {
				c.pending[d.Target] = append(c.pending[d.Target], ic)
			} else if err := c.pc(d.Target).AddICECandidate(ic); err != nil {
				c.errorf("%s: add candidate: %v", c.name, err)
			}
		case *signal.ErrorMessage:
			c.errorf("%s: server error: %+v", c.name, d)
		}
	}
}

func (c *iceClient) flush(t signal.Target) {
	for _, ic := range c.pending[t] {
		if err := c.pc(t).AddICECandidate(ic); err != nil {
			c.errorf("%s: add candidate: %v", c.name, err)
		}
	}
	delete(c.pending, t)
}

// publish offers an Opus and a VP8 track and feeds them: 50 audio packets/s, 30 video
// frames/s of 1,000 bytes (large enough to be split by TCP framing and TURN channels),
// every tenth a keyframe (RFC 7741 payload descriptor S=1, frame tag P=0).
func (c *iceClient) publish() {
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", string(c.id))
	if err != nil {
		c.t.Fatal(err)
	}
	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "cam", string(c.id))
	if err != nil {
		c.t.Fatal(err)
	}
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		x, err := c.pub.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			c.t.Fatal(err)
		}
		c.wg.Add(1)
		go func() { // pion's interceptors need RTCP read
			defer c.wg.Done()
			for {
				if _, _, err := x.Sender().ReadRTCP(); err != nil {
					return
				}
			}
		}()
	}
	offer, err := c.pub.CreateOffer(nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.pub.SetLocalDescription(offer); err != nil {
		c.t.Fatal(err)
	}
	xs := c.pub.GetTransceivers()
	c.send(&signal.Publish{CID: "mic-1", MID: xs[0].Mid(), Kind: signal.KindAudio, Source: signal.SourceMicrophone})
	c.send(&signal.Publish{CID: "cam-1", MID: xs[1].Mid(), Kind: signal.KindVideo, Source: signal.SourceCamera})
	c.send(&signal.Offer{Target: signal.TargetPublisher, SDP: offer.SDP})

	c.wg.Add(2)
	go func() {
		defer c.wg.Done()
		c.feed(audio, 20*time.Millisecond, 960, func(int) []byte { return make([]byte, 80) })
	}()
	go func() {
		defer c.wg.Done()
		c.feed(video, time.Second/30, 3000, func(n int) []byte {
			p := make([]byte, 1000)
			p[0] = 0x10 // S=1, partition 0
			if n%10 == 0 {
				copy(p[1:], []byte{0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a}) // keyframe tag and start code
			} else {
				p[1] = 0x01 // P=1: interframe
			}
			return p
		})
	}()
}

func (c *iceClient) feed(tr *webrtc.TrackLocalStaticRTP, every time.Duration, tsStep uint32, payload func(int) []byte) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		_ = tr.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: uint32(n) * tsStep, Marker: true}, Payload: payload(n)})
	}
}

// packets returns how many RTP packets of kind c received from o.
func (c *iceClient) packets(o *iceClient, kind string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.received[string(o.id)+"/"+kind]; n != nil {
		return n.Load()
	}
	return 0
}

// selectedPairs returns the nominated candidate pair of both PeerConnections.
func (c *iceClient) selectedPairs() []*webrtc.ICECandidatePair {
	var out []*webrtc.ICECandidatePair
	for _, pc := range []*webrtc.PeerConnection{c.pub, c.sub} {
		pair, err := pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil || pair == nil {
			c.t.Fatalf("%s: no selected candidate pair: %v", c.name, err)
		}
		out = append(out, pair)
	}
	return out
}

// errorf fails the test unless the client is closing, when its PeerConnections may
// already be closed under a message being applied.
func (c *iceClient) errorf(format string, args ...any) {
	select {
	case <-c.stop:
	default:
		c.t.Errorf(format, args...)
	}
}

func (c *iceClient) close() {
	select {
	case <-c.stop:
		return
	default:
		close(c.stop)
	}
	_ = c.pub.Close()
	_ = c.sub.Close()
	_ = c.ws.Close(websocket.StatusNormalClosure, "")
	c.wg.Wait()
}

// constrainedAPI is a client API on loopback allowing only the given network types.
func constrainedAPI(t *testing.T, types ...webrtc.NetworkType) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	RestrictToLoopback(&se)
	se.SetNetworkTypes(types)
	// A controlling agent waits 2 s for better pairs before nominating a relayed one;
	// here relayed is all there is.
	se.SetRelayAcceptanceMinWait(0)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

// startICEServer starts a Server on loopback with cfg whose tokens are "jjt_<name>",
// and its /rtc endpoint.
func startICEServer(t *testing.T, cfg RTCConfig) (*Server, string) {
	t.Helper()
	cfg.LoopbackOnly, cfg.Logger = true, testLogger()
	srv := NewServer(cfg, fakeAdmission{redeem: func(_ context.Context, token string) (*conference.Grant, error) {
		name, ok := strings.CutPrefix(token, "jjt_")
		if !ok {
			return nil, errors.New("bad token")
		}
		return &conference.Grant{RunID: "run-ice", MeetingID: "m-ice", UserID: "u-" + name, Name: name, Role: conference.RoleParticipant}, nil
	}}, nil)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		hs.Close()
	})
	return srv, "ws" + strings.TrimPrefix(hs.URL, "http")
}

// verifyNoLeaks checks, after every cleanup of the test, that no goroutine it started
// is left.
func verifyNoLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// freePort returns a port that was free for UDP and TCP on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		_ = u.Close()
		if err == nil {
			_ = ln.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// exchangeMedia publishes from every client and waits until each receives audio and
// video from each other.
func exchangeMedia(t *testing.T, clients ...*iceClient) {
	t.Helper()
	for _, c := range clients {
		c.publish()
	}
	eventually(t, 15*time.Second, "media from every other participant", func() bool {
		for _, c := range clients {
			for _, o := range clients {
				if c != o && (c.packets(o, "audio") < 10 || c.packets(o, "video") < 10) {
					return false
				}
			}
		}
		return true
	})
}

// TestICETCPOnlyClientsExchangeMedia: two clients that may use TCP only and one on UDP
// share a room; media flows between all of them, over the ICE-TCP listener and the
// UDP mux on the same port number.
func TestICETCPOnlyClientsExchangeMedia(t *testing.T) {
	verifyNoLeaks(t)
	port := freePort(t)
	_, url := startICEServer(t, RTCConfig{UDPPort: port, TCPPort: port})
	tcpOnly := constrainedAPI(t, webrtc.NetworkTypeTCP4)
	udpOnly := constrainedAPI(t, webrtc.NetworkTypeUDP4)
	noServers := func([]webrtc.ICEServer) webrtc.Configuration { return webrtc.Configuration{} }
	alice := joinICE(t, tcpOnly, url, "alice", "jjt_alice", noServers)
	bob := joinICE(t, tcpOnly, url, "bob", "jjt_bob", noServers)
	carol := joinICE(t, udpOnly, url, "carol", "jjt_carol", noServers)
	exchangeMedia(t, alice, bob, carol)
	for _, c := range []*iceClient{alice, bob, carol} {
		want := webrtc.ICEProtocolTCP
		if c == carol {
			want = webrtc.ICEProtocolUDP
		}
		for _, pair := range c.selectedPairs() {
			if pair.Local.Protocol != want || pair.Remote.Protocol != want || pair.Remote.Port != uint16(port) ||
				want == webrtc.ICEProtocolTCP && pair.Remote.TCPType != "passive" {
				t.Errorf("%s: selected pair %s, want %s to the server's port %d", c.name, pair, want, port)
			}
		}
	}
}

func TestICETCPListenerErrors(t *testing.T) {
	verifyNoLeaks(t)
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	srv := NewServer(RTCConfig{LoopbackOnly: true, TCPPort: busy.Addr().(*net.TCPAddr).Port, UDPPort: freePort(t), Logger: testLogger()}, fakeAdmission{}, nil)
	err = srv.Start()
	if err == nil || !strings.Contains(err.Error(), "rtc: listen tcp") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("port in use: %v", err)
	}
	_ = srv.Close() // Start already released the UDP socket it had opened
}

func TestRelayOnlyClientsThroughEmbeddedTURN(t *testing.T) {
	verifyNoLeaks(t)
	secretKey := turn.GenerateSecret()
	secret, err := turn.NewSharedSecret(secretKey, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ts := turn.NewServer(turn.Config{ListenIP: "127.0.0.1", Realm: "jishitong.test", Secret: secret, UserQuota: 8, Logger: testLogger()})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ts.Close(); err != nil {
			t.Error(err)
		}
	})
	srv, url := startICEServer(t, RTCConfig{
		ICEServers:       []signal.ICEServer{{URLs: []string{"stun:stun.example.com:3478"}}},
		MintedICEServers: []MintedICEServer{{URLs: ts.URLs(), Minter: secret}},
	})
	if got := srv.ICEServers("PA_x"); len(got) != 2 || got[1].Username == "" || !strings.HasSuffix(got[1].Username, ":PA_x") {
		t.Fatalf("ICEServers: %+v", got)
	}
	api := constrainedAPI(t, webrtc.NetworkTypeUDP4)

	for _, transport := range []string{"udp", "tcp"} {
		t.Run("turn over "+transport, func(t *testing.T) {
			// Only this transport's URL, relay candidates only.
			relayOnly := func(servers []webrtc.ICEServer) webrtc.Configuration {
				var kept []webrtc.ICEServer
				for _, s := range servers {
					s.URLs = slices.DeleteFunc(slices.Clone(s.URLs), func(u string) bool { return !strings.HasSuffix(u, "?transport="+transport) })
					if len(s.URLs) > 0 {
						kept = append(kept, s)
					}
				}
				return webrtc.Configuration{ICEServers: kept, ICETransportPolicy: webrtc.ICETransportPolicyRelay}
			}
			alice := joinICE(t, api, url, "alice", "jjt_alice", relayOnly)
			bob := joinICE(t, api, url, "bob", "jjt_bob", relayOnly)
			for _, c := range []*iceClient{alice, bob} {
				if len(c.iceServers) != 2 || !slices.Equal(c.iceServers[1].URLs, ts.URLs()) ||
					!strings.HasSuffix(c.iceServers[1].Username, ":"+string(c.id)) || c.iceServers[1].Credential == "" {
					t.Fatalf("%s: joined iceServers %+v", c.name, c.iceServers)
				}
			}
			exchangeMedia(t, alice, bob)
			for _, c := range []*iceClient{alice, bob} {
				for _, pair := range c.selectedPairs() {
					if pair.Local.Typ != webrtc.ICECandidateTypeRelay {
						t.Errorf("%s: selected pair %s, want a relayed local candidate", c.name, pair)
					}
				}
			}
			if n := ts.Allocations(); n < 4 {
				t.Errorf("TURN server holds %d allocations, want one per PeerConnection (4)", n)
			}
		})
	}

	// The same gathering with the minted credential, a wrong one and one signed
	// correctly but expired (TURN REST API: base64(HMAC-SHA1(secret, username))):
	// only the first yields a relay candidate.
	minted := srv.ICEServers("PA_y")[1]
	expiredUser := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10) + ":PA_y"
	mac := hmac.New(sha1.New, []byte(secretKey))
	mac.Write([]byte(expiredUser))
	expiredCred := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, tc := range []struct {
		name, user, cred string
		wantRelay        bool
	}{
		{"minted credential", minted.Username, minted.Credential, true},
		{"wrong credential", minted.Username, minted.Credential + "x", false},
		{"expired credential", expiredUser, expiredCred, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc, err := api.NewPeerConnection(webrtc.Configuration{ICETransportPolicy: webrtc.ICETransportPolicyRelay,
				ICEServers: []webrtc.ICEServer{{URLs: minted.URLs, Username: tc.user, Credential: tc.cred}}})
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
				t.Fatal(err)
			}
			offer, err := pc.CreateOffer(nil)
			if err != nil {
				t.Fatal(err)
			}
			gathered := webrtc.GatheringCompletePromise(pc)
			if err := pc.SetLocalDescription(offer); err != nil {
				t.Fatal(err)
			}
			select {
			case <-gathered:
			case <-time.After(10 * time.Second):
				t.Fatal("gathering did not complete")
			}
			if got := strings.Contains(pc.LocalDescription().SDP, "typ relay"); got != tc.wantRelay {
				t.Errorf("relay candidate gathered: %v, want %v", got, tc.wantRelay)
			}
		})
	}
}
