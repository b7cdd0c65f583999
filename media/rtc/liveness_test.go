package rtc

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// silentCutRoom starts a server with a live roster and the resume window given, alice
// behind a relay and bob direct, both publishing and receiving each other.
func silentCutRoom(t *testing.T, window time.Duration, runID string) (srv *Server, lm *meeting.Owner, relay *udpRelay, alice, bob *client, done func()) {
	t.Helper()
	reg := meeting.NewRegistry(nil)
	srv, url, api, stop := startServerWith(t, RTCConfig{ResumeWindow: window}, runID, func(s *Server) { s.meetings = reg })
	relay = newUDPRelay(t)
	alice = newClientWith(t, api, url, "alice", "jjt_alice", through(relay))
	alice.publish()
	bob = newClient(t, api, url, "bob", "jjt_bob")
	bob.publish()
	done = func() {
		alice.close()
		bob.close()
		relay.close()
		stop()
		reg.Close()
	}
	eventually(t, 10*time.Second, "media both ways", func() bool {
		a, b := bob.stat(alice, "video"), alice.stat(bob, "video")
		return a != nil && b != nil && a.packets.Load() > 10 && b.packets.Load() > 10
	})
	if lm = reg.Get(runID); lm == nil {
		t.Fatal("no meeting owner for the run")
	}
	return srv, lm, relay, alice, bob, done
}

// quality reads a participant's network quality on the roster.
func quality(t *testing.T, lm *meeting.Owner, c *client) int {
	t.Helper()
	st, err := lm.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := st.Participant(meeting.ParticipantID(c.id))
	if !ok {
		return -1
	}
	return p.NetworkQuality
}

// waitNoticeFor waits up to d for a notice of kind about c, skipping others; it returns
// false on timeout.
func waitNoticeFor(to *client, kind signal.NoticeKind, about *client, d time.Duration) bool {
	deadline := time.After(d)
	for {
		select {
		case n := <-to.notices:
			if n.Kind == kind && n.ParticipantID == about.id {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// TestSilentCutIsNoticedAndRemoved cuts every packet of alice's media path without a
// reset, her websocket left open and quiet (as when a network goes away under a
// browser): bob must be told she is reconnecting within 5 s, her roster quality must
// read 1 (not 5) while she is away, and the resume window must run from that moment.
func TestSilentCutIsNoticedAndRemoved(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const window = 4 * time.Second
	srv, lm, relay, alice, bob, done := silentCutRoom(t, window, "run-silent")
	defer done()
	eventually(t, 5*time.Second, "alice rated excellent", func() bool { return quality(t, lm, alice) == 5 })

	relay.cut.Store(true)
	cut := time.Now()
	if !waitNoticeFor(bob, signal.NoticeReconnectWindow, alice, 20*time.Second) {
		t.Fatalf("bob was not told alice is reconnecting within 20 s of the cut")
	}
	noticed := time.Since(cut)
	t.Logf("reconnecting noticed %v after the cut", noticed.Round(time.Millisecond))
	if noticed > 5*time.Second {
		t.Errorf("reconnecting noticed %v after the cut, want within 5 s", noticed.Round(time.Millisecond))
	}
	// Two network assessments (every 2 s) pass while she is away: she stays at 1.
	eventually(t, time.Second, "alice rated 1 while away", func() bool { return quality(t, lm, alice) == 1 })
	for end := time.Now().Add(window - time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if q := quality(t, lm, alice); q != 1 {
			t.Fatalf("alice's quality read %d %v after the cut, while she is away", q, time.Since(cut).Round(time.Millisecond))
		}
	}

	eventually(t, 5*time.Second, "alice removed", func() bool {
		return srv.Room("run-silent").Len() == 1 && bob.unpublished.Load() == 2
	})
	removed := time.Since(cut)
	t.Logf("removed %v after the cut (window %v)", removed.Round(time.Millisecond), window)
	if removed > noticed+window+2*time.Second {
		t.Errorf("alice removed %v after the cut: the window did not start when she was noticed (%v)", removed, noticed)
	}
}

// TestSilentCutRecovers brings alice's network back before her window ends, her
// websocket never having closed: bob is told she is back, and her quality recovers
// without the outage being counted as loss on her link or on bob's.
func TestSilentCutRecovers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, lm, relay, alice, bob, done := silentCutRoom(t, 30*time.Second, "run-back")
	defer done()

	relay.cut.Store(true)
	cut := time.Now()
	if !waitNoticeFor(bob, signal.NoticeReconnectWindow, alice, 20*time.Second) {
		t.Fatalf("bob was not told alice is reconnecting within 20 s of the cut")
	}
	t.Logf("reconnecting noticed %v after the cut", time.Since(cut).Round(time.Millisecond))
	time.Sleep(time.Second)
	relay.cut.Store(false)
	back := time.Now()
	if !waitNoticeFor(bob, signal.NoticeReconnected, alice, 10*time.Second) {
		t.Fatal("bob was not told alice is back")
	}
	t.Logf("reconnected %v after the network returned", time.Since(back).Round(time.Millisecond))
	eventually(t, 10*time.Second, "alice's video reaches bob again", func() bool {
		st := bob.stat(alice, "video")
		n := st.packets.Load()
		time.Sleep(300 * time.Millisecond)
		return st.packets.Load() > n
	})
	// The packets alice sent into the dead link are not loss on the one that came back:
	// over the next two assessments (every 2 s) she does not read 1.
	for end := time.Now().Add(4500 * time.Millisecond); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if q := quality(t, lm, alice); q == 1 {
			t.Fatalf("alice's quality read 1 %v after she was back", time.Since(back).Round(time.Millisecond))
		}
		// Bob's link never failed: the gap in alice's stream is not loss on it.
		if q := quality(t, lm, bob); q == 1 {
			t.Fatalf("bob's quality read 1 %v after alice was back", time.Since(back).Round(time.Millisecond))
		}
	}
	if q := quality(t, lm, alice); q < 4 {
		t.Errorf("alice's quality is %d on a clean link", q)
	}
	if srv.Room("run-back").Len() != 2 {
		t.Error("alice left the room")
	}
}
