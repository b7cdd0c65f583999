package rtc

import (
	"strings"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/sfu"
	"go.uber.org/goleak"
)

// h264Frame is one H.264 frame in RFC 6184 single NAL unit packets: an IDR slice
// (type 5) for keyframes, a non-IDR slice (type 1) otherwise.
func h264Frame(key bool) [][]byte {
	first := make([]byte, 600)
	first[0] = 0x41
	if key {
		first[0] = 0x65
	}
	return [][]byte{first}
}

// redPacket is an RFC 2198 RED payload with only its primary block: an 80-byte Opus
// frame starting with 0xAB.
func redPacket(int) [][]byte {
	p := make([]byte, 81)
	p[0] = ptOpus // F=0: the last (primary) block
	for i := 1; i < len(p); i++ {
		p[i] = 0xAB
	}
	return [][]byte{p}
}

// apiWith builds a client API that negotiates only the given codecs.
func apiWith(t *testing.T, regs ...codecReg) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	for _, r := range regs {
		if err := m.RegisterCodec(r.p, r.typ); err != nil {
			t.Fatal(err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	RestrictToLoopback(&se)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

// TestH264AndREDReachASubscriberWithoutRED: alice publishes H.264 video and RED audio;
// bob, who negotiated H.264 and Opus but not RED, gets the video and the primary Opus
// blocks of the audio.
func TestH264AndREDReachASubscriberWithoutRED(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	_, url, _, done := startTestServer(t, "run-codecs")
	defer done()
	var opus, red, h264 codecReg
	for _, c := range codecList() {
		switch c.p.PayloadType {
		case ptOpus:
			opus = c
		case ptRED:
			red = c
		case ptH264:
			h264 = c
		}
	}
	alice := newClient(t, apiWith(t, red, opus, h264), url, "alice", "jjt_alice")
	defer alice.close()
	alice.publishWith(red.p.RTPCodecCapability, redPacket, h264.p.RTPCodecCapability, h264Frame)
	bob := newClient(t, apiWith(t, opus, h264), url, "bob", "jjt_bob")
	defer bob.close()

	eventually(t, 10*time.Second, "bob receives alice's H.264 video and Opus audio", func() bool {
		a, v := bob.stat(alice, "audio"), bob.stat(alice, "video")
		return a != nil && v != nil && a.packets.Load() > 10 && v.packets.Load() > 10
	})
	if h := bob.stat(alice, "audio").head.Load(); h != 0xAB {
		t.Errorf("bob's audio payload starts with %#x, want the primary Opus block (0xab)", h)
	}
	if h := bob.stat(alice, "video").head.Load(); h&0x1f != 5 && h&0x1f != 1 {
		t.Errorf("bob's video payload starts with %#x, not an H.264 slice", h)
	}
}

// lossyVideo has alice publish to bob with one of them behind a relay, drops 10% of the
// packets towards bob (downlink) or from alice (uplink) for 4 s, and fails the test if
// more than 1% of alice's video stays missing; closeAll tears the three down.
func lossyVideo(t *testing.T, url string, api *webrtc.API, uplink bool) (alice, bob *client, closeAll func()) {
	t.Helper()
	relay := newUDPRelay(t)
	aliceVia, bobVia, loss := func(*client) {}, through(relay), &relay.loss
	if uplink {
		aliceVia, bobVia, loss = through(relay), func(*client) {}, &relay.upLoss
	}
	alice = newClientWith(t, api, url, "alice", "jjt_alice", aliceVia)
	alice.publish()
	bob = newClientWith(t, api, url, "bob", "jjt_bob", bobVia)
	closeAll = func() { bob.close(); alice.close(); relay.close() }
	eventually(t, 10*time.Second, "bob receives alice's video", func() bool {
		st := bob.stat(alice, "video")
		return st != nil && st.packets.Load() > 30
	})
	loss.Store(10)
	time.Sleep(4 * time.Second)
	loss.Store(0)
	time.Sleep(500 * time.Millisecond) // the last repairs
	got, sent := bob.stat(alice, "video").delivered()
	missing := float64(sent-got) / float64(sent)
	t.Logf("video: %d of %d packets reached bob with 10%% loss for 4 s on the %s (%.1f%% missing)", got, sent, map[bool]string{false: "downlink", true: "uplink"}[uplink], missing*100)
	if missing > 0.01 {
		t.Errorf("%.1f%% of the video is missing: retransmission did not repair the loss", missing*100)
	}
	return alice, bob, closeAll
}

// TestRetransmissionRepairsALossyDownlink: a subscriber whose downlink loses 10% of
// packets asks for them again (NACK); the server resends them from its buffer over RTX
// (RFC 4588), so (nearly) none are missing in the end.
func TestRetransmissionRepairsALossyDownlink(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-rtx")
	defer done()
	_, bob, closeAll := lossyVideo(t, url, api, false)
	defer closeAll()
	rs := srv.cfg.responder.Stats()
	t.Logf("%d packets NACKed, %d resent over RTX, %d in the stream, %d no longer buffered",
		srv.stats.nackedPackets.Load(), rs.ResentRTX, rs.Resent-rs.ResentRTX, rs.NotInBuffer)
	if rs.ResentRTX == 0 || rs.Resent != rs.ResentRTX {
		t.Errorf("resent %d packets, %d over RTX: want all over RTX", rs.Resent, rs.ResentRTX)
	}
	if sdp := bob.pc.CurrentRemoteDescription().SDP; !strings.Contains(sdp, "rtx/90000") || !strings.Contains(sdp, "a=ssrc-group:FID") {
		t.Errorf("the server's answer negotiates no RTX:\n%s", sdp)
	}
}

// TestRetransmissionRepairsALossyUplink: a publisher whose uplink loses 10% of its
// packets is asked for them again by the server (nack.Generator in the forwarding
// loop, repairs over RTX included), so a subscriber on a clean link misses (nearly)
// none.
func TestRetransmissionRepairsALossyUplink(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-uplink")
	defer done()
	alice, _, closeAll := lossyVideo(t, url, api, true)
	defer closeAll()
	var repaired, lost uint64
	for _, x := range srv.Room("run-uplink").participant(alice.id).published {
		for l := range sfu.NumLayers {
			if g := x.nacks[l].Load(); g != nil {
				repaired, lost = repaired+g.Stats().Repaired, lost+g.Stats().Lost
			}
		}
	}
	t.Logf("the server asked for %d packets again: %d repaired, %d lost", srv.stats.uplinkNACKs.Load(), repaired, lost)
	if repaired == 0 {
		t.Error("no repairs counted")
	}
}
