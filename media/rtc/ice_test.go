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
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/turn"
)

// joinICE joins as name with token like a browser with constrained ICE (TCP only,
// relay only): its peer connections are created after joined, from the ICE servers
// the server hands out, through pcConfig.
func joinICE(t *testing.T, api *webrtc.API, url, name, token string, pcConfig func([]webrtc.ICEServer) webrtc.Configuration) *client {
	t.Helper()
	c := newClientWith(t, api, url, name, token, func(c *client) { c.pcConfig = pcConfig })
	t.Cleanup(c.close)
	return c
}

// packets returns how many RTP packets of kind c received from o.
func (c *client) packets(o *client, kind string) int64 {
	if st := c.stat(o, kind); st != nil {
		return st.packets.Load()
	}
	return 0
}

// selectedPairs returns the nominated candidate pair of the PeerConnection.
func (c *client) selectedPairs() []*webrtc.ICECandidatePair {
	var out []*webrtc.ICECandidatePair
	for _, pc := range []*webrtc.PeerConnection{c.pc} {
		pair, err := pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil || pair == nil {
			c.t.Fatalf("%s: no selected candidate pair: %v", c.name, err)
		}
		out = append(out, pair)
	}
	return out
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
	srv := NewServer(cfg, Deps{Admission: fakeAdmission{redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
		name, ok := strings.CutPrefix(token, "jjt_")
		if !ok {
			return nil, errors.New("bad token")
		}
		return &meeting.Grant{RunID: "run-ice", MeetingID: "m-ice", UserID: "u-" + name, Name: name, Role: meeting.RoleParticipant}, nil
	}}})
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
func exchangeMedia(t *testing.T, clients ...*client) {
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
	for _, c := range []*client{alice, bob, carol} {
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
	srv := NewServer(RTCConfig{LoopbackOnly: true, TCPPort: busy.Addr().(*net.TCPAddr).Port, UDPPort: freePort(t), Logger: testLogger()}, Deps{Admission: fakeAdmission{}})
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
			for _, c := range []*client{alice, bob} {
				if len(c.iceServers) != 2 || !slices.Equal(c.iceServers[1].URLs, ts.URLs()) ||
					!strings.HasSuffix(c.iceServers[1].Username, ":"+string(c.id)) || c.iceServers[1].Credential == "" {
					t.Fatalf("%s: joined iceServers %+v", c.name, c.iceServers)
				}
			}
			exchangeMedia(t, alice, bob)
			for _, c := range []*client{alice, bob} {
				for _, pair := range c.selectedPairs() {
					if pair.Local.Typ != webrtc.ICECandidateTypeRelay {
						t.Errorf("%s: selected pair %s, want a relayed local candidate", c.name, pair)
					}
				}
			}
			if n := ts.Allocations(); n < 2 {
				t.Errorf("TURN server holds %d allocations, want one per PeerConnection (2)", n)
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
