package rtc

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// publishSimulcast offers one VP8 camera track in three RID layers (q, h, f) and feeds
// each at 30 frames/s with sizes that grow with the layer; the last payload byte of
// every packet is the layer number plus one, so receivers can tell which layer they get.
// A PLI for a layer's SSRC makes that layer send a keyframe next.
func (c *client) publishSimulcast() { c.publishSimulcastWith(layerFrame) }

// publishSimulcastWith is publishSimulcast with frames (a frame's payloads, by layer)
// from frame.
func (c *client) publishSimulcastWith(frame func(layer int, key bool) [][]byte) {
	rids := []string{"q", "h", "f"}
	tracks := make([]*webrtc.TrackLocalStaticRTP, len(rids))
	for i, rid := range rids {
		tr, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "cam", c.name, webrtc.WithRTPStreamID(rid))
		if err != nil {
			c.t.Fatal(err)
		}
		tracks[i] = tr
	}
	x, err := c.pc.AddTransceiverFromTrack(tracks[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		c.t.Fatal(err)
	}
	sender := x.Sender()
	for _, tr := range tracks[1:] {
		if err := sender.AddEncoding(tr); err != nil {
			c.t.Fatal(err)
		}
	}
	// Each layer's RTCP is read on its own (pion keeps one reader per encoding).
	var want [3]atomic.Bool
	for i, rid := range rids {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				pkts, _, err := sender.ReadSimulcastRTCP(rid)
				if err != nil {
					return
				}
				for _, p := range pkts {
					if _, ok := p.(*rtcp.PictureLossIndication); ok {
						c.plis.Add(1)
						want[i].Store(true)
					}
				}
			}
		}()
	}
	c.neg.Offer(false, func() {
		c.send(&signal.Publish{CID: "cam-1", MID: x.Mid(), Kind: signal.KindVideo, Source: signal.SourceCamera, Layers: []signal.Layer{
			{RID: "q", Quality: signal.QualityLow, MaxWidth: 320, MaxHeight: 180},
			{RID: "h", Quality: signal.QualityMedium, MaxWidth: 640, MaxHeight: 360},
			{RID: "f", Quality: signal.QualityHigh, MaxWidth: 1280, MaxHeight: 720},
		}})
	})

	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		// The mid and rid header extensions identify the layer (RFC 8852); pion leaves
		// setting them to the application.
		var midID, ridID uint8
		eventually(c.t, 5*time.Second, "negotiated header extensions", func() bool {
			for _, e := range sender.GetParameters().HeaderExtensions {
				switch e.URI {
				case sdp.SDESMidURI:
					midID = uint8(e.ID)
				case sdp.SDESRTPStreamIDURI:
					ridID = uint8(e.ID)
				}
			}
			return midID != 0 && ridID != 0
		})
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		var seq [3]uint16
		for n := 0; ; n++ {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			for l, tr := range tracks {
				key := n%90 == 0 || want[l].Swap(false)
				ps := frame(l, key)
				for i, p := range ps {
					seq[l]++
					h := rtp.Header{Version: 2, SequenceNumber: seq[l], Timestamp: uint32(n * 3000), Marker: i == len(ps)-1}
					_ = h.SetExtension(midID, []byte(x.Mid()))
					_ = h.SetExtension(ridID, []byte(rids[l]))
					_ = tr.WriteRTP(&rtp.Packet{Header: h, Payload: p})
				}
			}
		}
	}()
}

// layerFrame is videoFrame with sizes growing by layer and the layer marked in the last
// payload byte of both packets.
func layerFrame(layer int, key bool) [][]byte {
	f := videoFrame(key)
	size := []int{150, 500, 1100}[layer]
	first := make([]byte, size+1)
	copy(first, f[0][:min(len(f[0]), size)])
	first[size] = byte(layer + 1)
	f[0] = first
	f[1] = append(make([]byte, size/2), byte(layer+1))
	return f
}

func TestSimulcastLayerFollowsPaneSize(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-sim")
	defer done()

	alice := newClient(t, api, url, "alice", "jjt_alice")
	defer alice.close()
	alice.publishSimulcast()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer bob.close()

	track := receivingVideo(t, bob, alice)
	if track == "" {
		t.Fatal("no trackPublished for alice's video")
	}
	layerSeen := func() int { return int(bob.stat(alice, "video").last.Load()) - 1 }
	// Until bob says where he shows it, the track gets the middle layer.
	eventually(t, 5*time.Second, "default middle layer", func() bool { return layerSeen() == 1 })

	for _, step := range []struct {
		w, h    int
		layer   int
		quality signal.Quality
	}{
		{1280, 720, 2, signal.QualityHigh},
		{160, 90, 0, signal.QualityLow},
		{640, 360, 1, signal.QualityMedium},
	} {
		start := time.Now()
		bob.send(&signal.Subscribe{Tracks: []signal.TrackPreference{{TrackID: track, Enabled: true, Width: step.w, Height: step.h}}})
		select {
		case s := <-bob.subscribed:
			if len(s.Tracks) != 1 || !s.Tracks[0].Enabled || s.Tracks[0].TrackID != track {
				t.Errorf("%dx%d: subscribed %+v", step.w, step.h, s.Tracks)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no subscribed answer")
		}
		eventually(t, 5*time.Second, "layer switch", func() bool { return layerSeen() == step.layer })
		t.Logf("pane %dx%d: layer %d after %v (downlink estimate %d kbps, PLIs %d)", step.w, step.h, step.layer,
			time.Since(start).Round(time.Millisecond), srv.Room("run-sim").participant(bob.id).bandwidth.Load()/1000, alice.plis.Load())
	}

	// A quality cap wins over a large pane; disabling stops the track.
	bob.send(&signal.Subscribe{Tracks: []signal.TrackPreference{{TrackID: track, Enabled: true, Width: 1920, Height: 1080, MaxQuality: signal.QualityLow}}})
	<-bob.subscribed
	eventually(t, 5*time.Second, "capped to the low layer", func() bool { return layerSeen() == 0 })
	bob.send(&signal.Subscribe{Tracks: []signal.TrackPreference{{TrackID: track, Enabled: false}}})
	if s := <-bob.subscribed; s.Tracks[0].Enabled {
		t.Errorf("disabled track reported enabled: %+v", s.Tracks)
	}
	time.Sleep(200 * time.Millisecond)
	before := bob.stat(alice, "video").packets.Load()
	time.Sleep(500 * time.Millisecond)
	if after := bob.stat(alice, "video").packets.Load(); after != before {
		t.Errorf("disabled track still flows: %d -> %d packets", before, after)
	}
	if srv.Room("run-sim").Len() != 2 {
		t.Error("room size")
	}
}

// startTestServer starts a Server on loopback whose join tokens are "jjt_<name>", and
// returns it with its websocket URL, a client API and a cleanup.
func startTestServer(t *testing.T, runID string) (*Server, string, *webrtc.API, func()) {
	t.Helper()
	return startServerWith(t, RTCConfig{}, runID, nil)
}

// startServerWith is startTestServer with a configuration (loopback-only and the test
// logger are added) and a setup that runs before Start (owners, stores).
func startServerWith(t *testing.T, cfg RTCConfig, runID string, setup func(*Server)) (*Server, string, *webrtc.API, func()) {
	t.Helper()
	cfg.LoopbackOnly, cfg.Logger = true, testLogger()
	srv := NewServer(cfg, Deps{Admission: tokenAdmission(runID)})
	if setup != nil {
		setup(srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	api, err := newAPI(RTCConfig{LoopbackOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, "ws" + strings.TrimPrefix(hs.URL, "http"), api, func() {
		_ = srv.Close()
		hs.Close()
	}
}

// through makes a client reach the server's media only through relay: the server's
// candidates are rewritten to the relay's ports and the client's own are not sent.
func through(relay *udpRelay) func(*client) {
	return func(c *client) {
		c.rewrite = relay.rewrite
		c.hideCandidates.Store(true)
	}
}

// tokenAdmission admits "jjt_<name>" as participant <name> of runID.
func tokenAdmission(runID string) fakeAdmission {
	return fakeAdmission{redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
		name, ok := strings.CutPrefix(token, "jjt_")
		if !ok {
			return nil, errors.New("bad token")
		}
		return &meeting.Grant{RunID: runID, MeetingID: "m-" + runID, UserID: "u-" + name, Name: name, Role: meeting.RoleParticipant}, nil
	}}
}

// TestNarrowDownlinkGetsALowerLayer: a subscriber whose downlink carries 300 kbps asks
// for a large pane; the bandwidth estimate falls below the top layer's rate and the
// server sends the middle layer instead.
func TestNarrowDownlinkGetsALowerLayer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := newBigPaneRig(t, "run-bwe", layerFrame)
	defer r.close()
	relay, layerSeen, estimate := r.relay, r.layer, r.estimate
	eventually(t, 10*time.Second, "the top layer on an open link", func() bool { return layerSeen() == 2 })

	relay.rateBps.Store(300_000) // below the top layer (~400 kbps), above the middle one (~190 kbps)
	start := time.Now()
	lastLog := time.Now()
	eventually(t, 20*time.Second, "the middle layer on a narrow link", func() bool {
		if time.Since(lastLog) > time.Second {
			lastLog = time.Now()
			t.Logf("layer %d, estimate %d kbps", layerSeen(), estimate()/1000)
		}
		return layerSeen() == 1 && estimate() < 400_000
	})
	t.Logf("down to the middle layer %v after the link narrowed (estimate %d kbps)", time.Since(start).Round(100*time.Millisecond), estimate()/1000)
}

// receivingVideo waits until c receives from's video and returns its track id.
func receivingVideo(t *testing.T, c, from *client) signal.TrackID {
	t.Helper()
	eventually(t, 10*time.Second, c.name+" receives "+from.name+"'s video", func() bool {
		st := c.stat(from, "video")
		return st != nil && st.packets.Load() > 20
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tracks[string(from.id)+"/video"]
}

// bigPaneRig is alice publishing simulcast (frames from frame) to bob, who shows it in
// a 1280×720 pane and reaches the server only through relay.
type bigPaneRig struct {
	srv        *Server
	relay      *udpRelay
	alice, bob *client
	runID      string
	done       func()
}

func newBigPaneRig(t *testing.T, runID string, frame func(layer int, key bool) [][]byte) *bigPaneRig {
	t.Helper()
	srv, url, api, done := startTestServer(t, runID)
	r := &bigPaneRig{srv: srv, relay: newUDPRelay(t), runID: runID, done: done}
	r.alice = newClient(t, api, url, "alice", "jjt_alice")
	r.alice.publishSimulcastWith(frame)
	r.bob = newClientWith(t, api, url, "bob", "jjt_bob", through(r.relay))
	track := receivingVideo(t, r.bob, r.alice)
	r.bob.send(&signal.Subscribe{Tracks: []signal.TrackPreference{{TrackID: track, Enabled: true, Width: 1280, Height: 720}}})
	<-r.bob.subscribed
	return r
}

// layer is the simulcast layer bob receives now.
func (r *bigPaneRig) layer() int { return int(r.bob.stat(r.alice, "video").last.Load()) - 1 }

// estimate is the server's downlink estimate for bob.
func (r *bigPaneRig) estimate() int64 {
	return r.srv.Room(r.runID).participant(r.bob.id).bandwidth.Load()
}

func (r *bigPaneRig) close() {
	r.bob.close()
	r.alice.close()
	r.relay.close()
	r.done()
}
