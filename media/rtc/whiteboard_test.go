package rtc

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
)

// memBoards is a WhiteboardStore in memory.
type memBoards struct {
	mu     sync.Mutex
	scenes map[string][]byte
	saves  int
}

func (m *memBoards) SaveWhiteboard(_ context.Context, runID string, scene []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scenes[runID] = append([]byte(nil), scene...)
	m.saves++
	return nil
}

func (m *memBoards) SavedWhiteboard(_ context.Context, runID string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.scenes[runID], nil
}

// boardClient is a client's whiteboard data channel and what arrived on it.
type boardClient struct {
	dc   *webrtc.DataChannel
	open chan struct{}
	mu   sync.Mutex
	msgs []map[string]any
}

// openBoard opens a data channel on the client's connection, negotiating
// the SCTP association first if the connection has none (later channels open on it
// without a new offer).
func (c *client) openBoard(label string, init *webrtc.DataChannelInit) *boardClient {
	dc, err := c.pc.CreateDataChannel(label, init)
	if err != nil {
		c.t.Fatal(err)
	}
	b := &boardClient{dc: dc, open: make(chan struct{})}
	dc.OnOpen(func() { close(b.open) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		var v map[string]any
		if json.Unmarshal(m.Data, &v) == nil {
			b.mu.Lock()
			b.msgs = append(b.msgs, v)
			b.mu.Unlock()
		}
	})
	if rd := c.pc.RemoteDescription(); rd != nil && strings.Contains(rd.SDP, "m=application") {
		return b
	}
	c.neg.Offer(false, nil)
	return b
}

// has reports whether a message of type typ mentioning element id arrived.
func (b *boardClient) has(typ, id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.msgs {
		if m["type"] != typ {
			continue
		}
		els, _ := m["elements"].([]any)
		for _, e := range els {
			if em, _ := e.(map[string]any); em["id"] == id {
				return true
			}
		}
	}
	return false
}

const (
	aliceRect = `{"v":1,"type":"update","id":"m1","elements":[{"id":"rect-1","type":"rectangle","x":100,"y":80,"width":240,"height":120,"index":"a0","version":2,"versionNonce":19,"isDeleted":false}]}`
	bobLine   = `{"v":1,"type":"update","id":"m2","elements":[{"id":"line-1","type":"freedraw","x":5,"y":5,"points":[[0,0],[50,10]],"index":"a1","version":1,"versionNonce":3,"isDeleted":false}]}`
)

// TestWhiteboardReachesLateJoinerAndIsSaved: a stroke drawn before bob joins reaches
// him in the snapshot, his stroke reaches alice, the roster shows a whiteboard, the
// board is saved when the room closes, and a reopened room starts from the saved board.
// A data channel with another label, or an unordered one, is refused.
func TestWhiteboardReachesLateJoinerAndIsSaved(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	reg := meeting.NewRegistry(nil)
	defer reg.Close()
	boards := &memBoards{scenes: map[string][]byte{}}
	srv, url, api, done := startServerWith(t, RTCConfig{}, "run-wb", func(s *Server) {
		s.meetings = reg
		s.boards = boards
	})
	defer done()
	waitOpen := func(b *boardClient) {
		t.Helper()
		select {
		case <-b.open:
		case <-time.After(10 * time.Second):
			t.Fatal("whiteboard channel did not open")
		}
	}

	alice := newClient(t, api, url, "alice", "jjt_alice")
	ab := alice.openBoard("whiteboard", nil)
	waitOpen(ab)
	eventually(t, 5*time.Second, "alice's empty snapshot", func() bool {
		ab.mu.Lock()
		defer ab.mu.Unlock()
		return len(ab.msgs) > 0 && ab.msgs[0]["type"] == "snapshot"
	})
	if err := ab.dc.SendText(aliceRect); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "alice's stroke relayed back to her", func() bool { return ab.has("update", "rect-1") })

	bob := newClient(t, api, url, "bob", "jjt_bob")
	bb := bob.openBoard("whiteboard", nil)
	waitOpen(bb)
	eventually(t, 5*time.Second, "the late joiner's snapshot has alice's stroke", func() bool { return bb.has("snapshot", "rect-1") })
	if err := bb.dc.SendText(bobLine); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "bob's stroke reaches alice", func() bool { return ab.has("update", "line-1") })
	// Drawing is not showing: the board goes to everyone's main pane only when a
	// moderator or presenter shows it (meeting.State.Whiteboard).
	if st, err := reg.Get("run-wb").Snapshot(context.Background()); err != nil || st.Whiteboard {
		t.Fatalf("a stroke showed the whiteboard to everyone (%v)", err)
	}

	// Other channels are refused: the server closes them.
	ordered := false
	for _, tc := range []struct {
		label string
		init  *webrtc.DataChannelInit
	}{{"chat", nil}, {"whiteboard", &webrtc.DataChannelInit{Ordered: &ordered}}} {
		x := bob.openBoard(tc.label, tc.init)
		closed := make(chan struct{})
		x.dc.OnClose(func() { close(closed) })
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Errorf("data channel %q (ordered %v) was not refused", tc.label, tc.init == nil)
		}
	}

	alice.close()
	bob.close()
	eventually(t, 5*time.Second, "the room closed and saved its board", func() bool {
		scene, _ := boards.SavedWhiteboard(context.Background(), "run-wb")
		return srv.Room("run-wb") == nil && strings.Contains(string(scene), `"rect-1"`) && strings.Contains(string(scene), `"line-1"`)
	})

	// The meeting goes on: a new room starts from the saved board.
	carol := newClient(t, api, url, "carol", "jjt_carol")
	defer carol.close()
	cb := carol.openBoard("whiteboard", nil)
	waitOpen(cb)
	eventually(t, 5*time.Second, "a reopened room starts from the saved board", func() bool {
		return cb.has("snapshot", "rect-1") && cb.has("snapshot", "line-1")
	})
}

func TestWhiteboardOpensAreLimited(t *testing.T) {
	p := &participant{}
	now := time.Unix(1000, 0)
	for i := range boardOpenBurst {
		if !p.allowBoardOpen(now) {
			t.Fatalf("open %d refused within the burst", i+1)
		}
	}
	if p.allowBoardOpen(now) {
		t.Fatal("open past the burst allowed")
	}
	if p.allowBoardOpen(now.Add(boardOpenEvery - time.Millisecond)) {
		t.Fatal("allowed before a token came back")
	}
	if !p.allowBoardOpen(now.Add(boardOpenEvery)) {
		t.Fatal("refused after a token came back")
	}
	if p.allowBoardOpen(now.Add(boardOpenEvery)) {
		t.Fatal("one token gave two opens")
	}
}
