package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// waitBye returns the bye c received, failing after 5 seconds.
func waitBye(t *testing.T, c *client) *signal.Bye {
	t.Helper()
	select {
	case b := <-c.byes:
		return b
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no bye", c.name)
		return nil
	}
}

// TestRevokedAccessEndsConnection checks with real pion peers that a member whose
// access the server revokes is ended with the matching bye while the others stay: when
// they are in the room (the watcher), when the revocation lands between their roster
// join and their entering the room (the Removed check), and when Confirm refuses
// their grant (their join fails and they never stay on the roster).
func TestRevokedAccessEndsConnection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	reg := meeting.NewRegistry(nil)
	defer reg.Close()
	var alice *client // set before carol's join calls confirm
	srv := NewServer(RTCConfig{LoopbackOnly: true, Logger: testLogger()}, Deps{Admission: fakeAdmission{
		redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
			name, ok := strings.CutPrefix(token, "jjt_")
			if !ok {
				return nil, errors.New("bad token")
			}
			return &meeting.Grant{RunID: "run-1", MeetingID: "m-1", UserID: "u-" + name, Name: name, Role: meeting.RoleParticipant}, nil
		},
		confirm: func(g *meeting.Grant) error {
			switch g.UserID {
			case "u-carol":
				// Her role changes while she joins: the watcher has handled the event
				// (alice heard it) before she enters the room.
				reg.RevokeAccess(ctx, []string{"u-carol"}, meeting.AccessRoleChanged, nil)
				eventually(t, 5*time.Second, "carol off the roster", func() bool {
					lm := reg.Get("run-1")
					st, err := lm.Snapshot(ctx)
					return err == nil && !slices.ContainsFunc(st.Participants, func(p meeting.Participant) bool { return p.UserID == "u-carol" })
				})
			case "u-dave": // frozen before the check
				return errs.New(errs.KindForbidden, "your account is disabled")
			}
			return nil
		},
	}})
	srv.meetings = reg
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	api, err := newAPI(RTCConfig{LoopbackOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice = newClient(t, api, url, "alice", "jjt_alice")
	alice.publish()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer func() {
		alice.close()
		bob.close()
		_ = srv.Close()
		hs.Close()
	}()
	eventually(t, 10*time.Second, "bob receives alice", func() bool {
		a := bob.stat(alice, "audio")
		return a != nil && a.packets.Load() > 10
	})
	lm := reg.Get("run-1")
	roster := func() []meeting.ParticipantID {
		st, err := lm.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []meeting.ParticipantID
		for _, p := range st.Participants {
			ids = append(ids, p.ID)
		}
		return ids
	}

	start := time.Now()
	if n := reg.RevokeAccess(ctx, []string{"u-bob"}, meeting.AccessDisabled, nil); n != 1 {
		t.Fatalf("removed %d, want 1", n)
	}
	if b := waitBye(t, bob); b.Reason != signal.ByeAccountDisabled {
		t.Fatalf("bob: bye %s, want accountDisabled", b.Reason)
	}
	t.Logf("revocation to bye: %v", time.Since(start).Round(time.Microsecond))
	eventually(t, 5*time.Second, "bob out of the room", func() bool { return srv.Room("run-1").Len() == 1 })

	carol := newClient(t, api, url, "carol", "jjt_carol")
	defer carol.close()
	if b := waitBye(t, carol); b.Reason != signal.ByeRoleChanged {
		t.Fatalf("carol: bye %s, want roleChanged", b.Reason)
	}
	eventually(t, 5*time.Second, "carol out of the room", func() bool { return srv.Room("run-1").Len() == 1 })

	// Dave's join is refused after his roster join, which is undone.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(wctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	join, _ := json.Marshal(map[string]any{"v": signal.Version, "id": "1", "type": "join", "data": map[string]any{"token": "jjt_dave"}})
	if err := ws.Write(wctx, websocket.MessageText, join); err != nil {
		t.Fatal(err)
	}
	var code websocket.StatusCode
	for {
		_, b, err := ws.Read(wctx)
		if err != nil {
			code = websocket.CloseStatus(err)
			break
		}
		if m, _ := signal.Decode(b); m.Type() == signal.TypeJoined {
			t.Fatal("dave joined")
		}
	}
	if code != signal.CloseForbidden {
		t.Fatalf("dave: closed %d, want %d", code, signal.CloseForbidden)
	}
	if ids := roster(); len(ids) != 1 || ids[0] != meeting.ParticipantID(alice.id) {
		t.Fatalf("roster %v, want only alice", ids)
	}
}
