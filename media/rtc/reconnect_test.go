package rtc

import (
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/media/signal"
)

// udpRelay stands between a client and the server's ICE ports on loopback: for every
// server candidate the client learns, it opens a local port that forwards both ways.
// Cutting it drops every packet, as a dead network does.
type udpRelay struct {
	t   *testing.T
	cut atomic.Bool
	// loss is the percentage of packets from the server to the client dropped at random;
	// upLoss the same from the client to the server.
	loss, upLoss atomic.Int32
	// rateBps, when > 0, polices the server-to-client direction to this many bits per
	// second (a token bucket of 100 ms): a narrow downlink.
	rateBps atomic.Int64

	mu    sync.Mutex
	ports map[int]int // server port -> relay port
	conns []*net.UDPConn
	wg    sync.WaitGroup
}

func newUDPRelay(t *testing.T) *udpRelay {
	return &udpRelay{t: t, ports: map[int]int{}}
}

// rewrite maps a server candidate to the relay's port for it.
func (r *udpRelay) rewrite(cand string) string {
	f := strings.Fields(cand)
	if len(f) < 6 || f[2] != "udp" {
		return cand
	}
	port, err := strconv.Atoi(f[5])
	if err != nil {
		return cand
	}
	f[5] = strconv.Itoa(r.forward(port))
	return strings.Join(f, " ")
}

// forward returns the relay port for a server port, opening it on first use.
func (r *udpRelay) forward(port int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.ports[port]; ok {
		return p
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		r.t.Errorf("relay: %v", err)
		return port
	}
	r.conns = append(r.conns, c)
	target := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	local := c.LocalAddr().(*net.UDPAddr).Port
	r.ports[port] = local
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		buf := make([]byte, 1600)
		var client *net.UDPAddr
		var tokens float64
		last := time.Now()
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if r.cut.Load() {
				continue
			}
			if from.Port == port {
				if l := r.loss.Load(); l > 0 && rand.IntN(100) < int(l) {
					continue
				}
				if rate := float64(r.rateBps.Load()); rate > 0 {
					now := time.Now()
					tokens = min(tokens+now.Sub(last).Seconds()*rate, rate/10)
					last = now
					if bits := float64(n * 8); tokens < bits {
						continue
					} else {
						tokens -= bits
					}
				}
				if client != nil {
					_, _ = c.WriteToUDP(buf[:n], client)
				}
				continue
			}
			client = from
			if l := r.upLoss.Load(); l > 0 && rand.IntN(100) < int(l) {
				continue
			}
			_, _ = c.WriteToUDP(buf[:n], target)
		}
	}()
	return local
}

func (r *udpRelay) close() {
	r.mu.Lock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// dropSignal abandons the client's websocket at once, as a dead network would.
func (c *client) dropSignal() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.CloseNow()
}

// resume reconnects the signaling with the resume token and restarts ICE on the
// publisher connection (the server restarts the subscriber's with its offer).
func (c *client) resume(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	ws.SetReadLimit(signal.MaxServerFrameBytes)
	c.wmu.Lock()
	c.ws = ws
	c.wmu.Unlock()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); c.readLoop(ws) }()
	c.mu.Lock()
	rt := c.resumeToken
	c.mu.Unlock()
	c.send(&signal.Join{Token: c.token, ResumeToken: rt})
	select {
	case id := <-c.joined:
		if id != c.id {
			c.t.Errorf("%s resumed as %s, want %s", c.name, id, c.id)
		}
	case <-time.After(5 * time.Second):
		c.t.Fatalf("%s: no joined after resume", c.name)
	}
	c.neg.Offer(true, nil)
	return nil
}

func TestNetworkCutResumesAsSameParticipant(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-cut")
	defer done()
	relay := newUDPRelay(t)
	defer relay.close()

	alice := newClientWith(t, api, url, "alice", "jjt_alice", through(relay))
	defer alice.close()
	alice.publish()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer bob.close()
	bob.publish()

	flowing := func(c, from *client, kind string) func() bool {
		return func() bool {
			st := c.stat(from, kind)
			if st == nil {
				return false
			}
			n := st.packets.Load()
			time.Sleep(300 * time.Millisecond)
			return st.packets.Load() > n
		}
	}
	eventually(t, 10*time.Second, "media both ways", func() bool {
		return flowing(bob, alice, "video")() && flowing(alice, bob, "video")()
	})

	// The network goes away for 10 s: no UDP through the relay, the websocket dies.
	relay.cut.Store(true)
	alice.dropSignal()
	select {
	case n := <-bob.notices:
		if n.Kind != signal.NoticeReconnectWindow || n.ParticipantID != alice.id || n.Seconds != 30 {
			t.Errorf("bob's notice: %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("bob got no reconnectWindow notice")
	}
	time.Sleep(10 * time.Second)
	if srv.Room("run-cut").Len() != 2 {
		t.Fatal("alice left the room during the cut")
	}
	if flowing(bob, alice, "video")() {
		t.Fatal("media flowed through a cut network")
	}

	relay.cut.Store(false)
	start := time.Now()
	if err := alice.resume(url); err != nil {
		t.Fatal(err)
	}
	alice.mu.Lock()
	resumed := alice.resumed
	alice.mu.Unlock()
	if !resumed {
		t.Error("joined.resumed is false")
	}
	eventually(t, 10*time.Second, "media both ways after the resume", func() bool {
		return flowing(bob, alice, "video")() && flowing(alice, bob, "video")() && flowing(bob, alice, "audio")()
	})
	t.Logf("media back %v after the network returned", time.Since(start).Round(time.Millisecond))
	if n := bob.unpublished.Load(); n != 0 {
		t.Errorf("bob saw %d tracks unpublished: alice left and came back", n)
	}
	select {
	case n := <-bob.notices:
		if n.Kind != signal.NoticeReconnected || n.ParticipantID != alice.id {
			t.Errorf("bob's notice: %+v", n)
		}
	case <-time.After(2 * time.Second):
		t.Error("bob got no reconnected notice")
	}
}

func TestResumeWindowExpires(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startServerWith(t, RTCConfig{ResumeWindow: time.Second}, "run-exp", nil)
	defer done()
	alice := newClient(t, api, url, "alice", "jjt_alice")
	defer alice.close()
	alice.publish()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer bob.close()
	eventually(t, 10*time.Second, "bob receives alice", func() bool {
		st := bob.stat(alice, "video")
		return st != nil && st.packets.Load() > 5
	})
	alice.dropSignal()
	eventually(t, 5*time.Second, "alice removed after the window", func() bool {
		return srv.Room("run-exp").Len() == 1 && bob.unpublished.Load() == 2
	})

	// Her resume token died with her.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice.mu.Lock()
	rt := alice.resumeToken
	alice.mu.Unlock()
	b, _ := signal.Encode(signal.Message{Data: &signal.Join{Token: "jjt_alice", ResumeToken: rt}})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, err = ws.Read(ctx); err != nil {
			break
		}
	}
	if got := websocket.CloseStatus(err); got != signal.CloseUnauthorized {
		t.Errorf("expired resume: close %d (%v), want %d", got, err, signal.CloseUnauthorized)
	}
}

// TestResumeBeforeTheDropIsSeen: a client that gave up on its socket resumes on a new
// one before the server processed the old one's close (a browser reconnects at once
// after closing with 4100; under load its join can overtake that close). The others
// hear of the drop and of the return, in that order, as when the close came first; the
// old socket gets bye replaced.
func TestResumeBeforeTheDropIsSeen(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, url, api, done := startTestServer(t, "run-early")
	defer done()
	alice := newClient(t, api, url, "alice", "jjt_alice")
	defer alice.close()
	alice.publish()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer bob.close()
	eventually(t, 10*time.Second, "bob receives alice", func() bool {
		st := bob.stat(alice, "video")
		return st != nil && st.packets.Load() > 5
	})

	// The old socket stays open: the server has not seen it go when the resume comes.
	if err := alice.resume(url); err != nil {
		t.Fatal(err)
	}
	var kinds []signal.NoticeKind
	for len(kinds) < 2 {
		select {
		case n := <-bob.notices:
			if n.ParticipantID == alice.id {
				kinds = append(kinds, n.Kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("bob's notices about alice: %v, want reconnectWindow then reconnected", kinds)
		}
	}
	if kinds[0] != signal.NoticeReconnectWindow || kinds[1] != signal.NoticeReconnected {
		t.Errorf("bob's notices about alice: %v, want reconnectWindow then reconnected", kinds)
	}
	select {
	case b := <-alice.byes:
		if b.Reason != signal.ByeReplaced {
			t.Errorf("alice's old socket: bye %s, want replaced", b.Reason)
		}
	case <-time.After(5 * time.Second):
		t.Error("alice's old socket got no bye")
	}
	if srv.Room("run-early").Len() != 2 {
		t.Error("alice left the room")
	}
}
