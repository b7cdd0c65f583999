package rtc

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// onWorker runs fn on the worker of c's participant on srv and returns its results.
func onWorker(t *testing.T, srv *Server, c *client, fn func(*participant) (int, int)) (int, int) {
	t.Helper()
	srv.mu.Lock()
	var p *participant
	for _, x := range srv.resumes {
		if x.id == c.id {
			p = x
		}
	}
	srv.mu.Unlock()
	if p == nil {
		t.Fatalf("%s is not a participant", c.name)
	}
	type pair struct{ a, b int }
	ch := make(chan pair, 1)
	if !p.w.post(func() { a, b := fn(p); ch <- pair{a, b} }) {
		t.Fatalf("%s's participant is gone", c.name)
	}
	select {
	case r := <-ch:
		return r.a, r.b
	case <-time.After(5 * time.Second):
		t.Fatalf("%s's worker is stuck", c.name)
	}
	return 0, 0
}

// mLines counts the media sections of a description by kind.
func mLines(sdp string) (audio, video int) {
	for _, l := range strings.Split(sdp, "\r\n") {
		switch {
		case strings.HasPrefix(l, "m=audio "):
			audio++
		case strings.HasPrefix(l, "m=video "):
			video++
		}
	}
	return audio, video
}

// TestOnePeerConnectionReusesMLines: bob sends and receives over one PeerConnection
// while five publishers come and go one after another. Each newcomer's audio and video
// reach him on the m-lines the previous one left (inactive in between), so his
// description stays at his own two m-lines plus one audio and one video, however long
// the meeting runs.
func TestOnePeerConnectionReusesMLines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-reuse")
	defer done()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer bob.close()
	bob.publish()

	for i, name := range []string{"alice", "carol", "dave", "erin", "frank"} {
		c := newClient(t, api, url, name, "jjt_"+name)
		c.publish()
		eventually(t, 10*time.Second, "bob receives "+name+"'s audio and video", func() bool {
			a, v := bob.stat(c, "audio"), bob.stat(c, "video")
			return a != nil && v != nil && a.packets.Load() > 10 && v.packets.Load() > 10
		})
		eventually(t, 10*time.Second, name+" receives bob", func() bool {
			a, v := c.stat(bob, "audio"), c.stat(bob, "video")
			return a != nil && v != nil && a.packets.Load() > 10 && v.packets.Load() > 10
		})
		c.close()
		// The server asks bob for an offer that turns the m-lines inactive.
		eventually(t, 5*time.Second, "bob's m-lines for "+name+" released", func() bool {
			_, free := onWorker(t, srv, bob, func(p *participant) (int, int) { return p.slots.size() })
			return free == 2
		})
		a, v := mLines(bob.pc.CurrentLocalDescription().SDP)
		t.Logf("after %s (%d): bob's offer has %d audio and %d video m-lines; %d offers sent, %d offer requests", name, i+1, a, v, bob.neg.Offers(), bob.offerRequests.Load())
		if a > 2 || v > 2 {
			t.Fatalf("bob's description grew to %d audio and %d video m-lines after %d publishers: m-lines are not reused", a, v, i+1)
		}
	}
	if n := len(bob.pc.GetTransceivers()); n != 4 {
		t.Errorf("bob has %d transceivers, want 4 (his two, one audio and one video received)", n)
	}
}
