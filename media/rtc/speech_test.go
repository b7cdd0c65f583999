package rtc

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/audiolevel"
	"github.com/jishitong/jishitong/media/signal"
)

// publishVoice offers one Opus track whose packets carry the RFC 6464 audio level
// *level (0 loudest, 127 silence), 50 packets a second.
func (c *client) publishVoice(level *atomic.Int32) {
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", c.name)
	if err != nil {
		c.t.Fatal(err)
	}
	x, err := c.pc.AddTransceiverFromTrack(audio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		c.t.Fatal(err)
	}
	c.neg.Offer(false, func() {
		c.send(&signal.Publish{CID: "mic-1", MID: x.Mid(), Kind: signal.KindAudio, Source: signal.SourceMicrophone})
	})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		var id uint8
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			if id == 0 {
				for _, e := range x.Sender().GetParameters().HeaderExtensions {
					if e.URI == audiolevel.URI {
						id = uint8(e.ID)
					}
				}
			}
			h := rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: uint32(n * 960)}
			if id != 0 {
				l := level.Load()
				if n%10 == 0 { // speech dips between syllables; the detector learns the noise floor from them
					l = min(127, l+40)
				}
				_ = h.SetExtension(id, []byte{0x80 | byte(l)})
			}
			_ = audio.WriteRTP(&rtp.Packet{Header: h, Payload: make([]byte, 80)})
		}
	}()
}

// TestSpeechAndNetworkQualityReachTheRoster: the audio levels publishers send make the
// loud one speaking and active speaker, and the turn passes when the other talks; a
// subscriber whose downlink loses a fifth of its packets is rated bad, the others
// excellent.
func TestSpeechAndNetworkQualityReachTheRoster(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	reg := meeting.NewRegistry(nil)
	defer reg.Close()
	_, url, api, done := startServerWith(t, RTCConfig{}, "run-speech", func(s *Server) { s.meetings = reg })
	relay := newUDPRelay(t)
	var aliceLevel, bobLevel atomic.Int32
	aliceLevel.Store(20)
	bobLevel.Store(127)
	alice := newClient(t, api, url, "alice", "jjt_alice")
	alice.publishVoice(&aliceLevel)
	bob := newClient(t, api, url, "bob", "jjt_bob")
	bob.publishVoice(&bobLevel)
	// Carol's media comes through a relay that loses 20% of what the server sends her.
	carol := newClientWith(t, api, url, "carol", "jjt_carol", through(relay))
	relay.loss.Store(int32(20))
	defer func() {
		for _, c := range []*client{alice, bob, carol} {
			c.close()
		}
		relay.close()
		done()
	}()
	lm := reg.Get("run-speech")
	if lm == nil {
		t.Fatal("no meeting owner")
	}
	state := func() meeting.State {
		st, err := lm.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	speaking := func(c *client) bool {
		p, ok := state().Participant(meeting.ParticipantID(c.id))
		return ok && p.Speaking
	}
	eventually(t, 10*time.Second, "alice speaks and is the active speaker", func() bool {
		return speaking(alice) && !speaking(bob) && state().ActiveSpeaker == meeting.ParticipantID(alice.id)
	})
	aliceLevel.Store(127)
	bobLevel.Store(25)
	start := time.Now()
	eventually(t, 10*time.Second, "the turn passes to bob", func() bool {
		return speaking(bob) && !speaking(alice) && state().ActiveSpeaker == meeting.ParticipantID(bob.id)
	})
	t.Logf("active speaker moved to bob %v after he started", time.Since(start).Round(10*time.Millisecond))

	quality := func(c *client) int {
		p, _ := state().Participant(meeting.ParticipantID(c.id))
		return p.NetworkQuality
	}
	// Alice and bob are on clean loopback (a busy test machine may still drop a packet
	// now and then: good, not necessarily excellent).
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, a, b := quality(carol), quality(alice), quality(bob)
		if c > 0 && c <= 2 && a >= 4 && b >= 4 {
			t.Logf("network quality: carol %d, alice %d, bob %d", c, a, b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("network quality: carol %d (want 1..2), alice %d, bob %d (want 4..5)", c, a, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
