package rtc

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// waitNotice waits for a notice of the given kind, skipping others.
func waitNotice(t *testing.T, c *client, kind signal.NoticeKind) *signal.Notice {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-c.notices:
			if n.Kind == kind {
				return n
			}
		case <-deadline:
			t.Fatalf("%s: no notice %v", c.name, kind)
			return nil
		}
	}
}

// TestHostMuteStopsForwardingAudio checks the control path into the media plane with
// real pion peers: joins reach the live roster, a moderator's mute stops the muted
// participant's audio (not their video) at the others, lifting it resumes it, and a
// hangup closes the connection and empties the roster.
func TestHostMuteStopsForwardingAudio(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	reg := meeting.NewRegistry(nil)
	defer reg.Close()
	srv := NewServer(RTCConfig{LoopbackOnly: true, Logger: testLogger()},
		Deps{Admission: fakeAdmission{redeem: func(_ context.Context, token string) (*meeting.Grant, error) {
			name, ok := strings.CutPrefix(token, "jjt_")
			if !ok {
				return nil, errors.New("bad token")
			}
			return &meeting.Grant{RunID: "run-1", MeetingID: "m-1", UserID: "u-" + name, Name: name, Role: meeting.RoleParticipant}, nil
		}}})
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
	alice := newClient(t, api, url, "alice", "jjt_alice")
	alice.publish()
	bob := newClient(t, api, url, "bob", "jjt_bob")
	defer func() {
		alice.close()
		bob.close()
		_ = srv.Close()
		hs.Close()
	}()
	ctx := context.Background()
	lm := reg.Get("run-1")
	if lm == nil {
		t.Fatal("no meeting owner for the run")
	}
	eventually(t, 5*time.Second, "both in the roster", func() bool {
		st, err := lm.Snapshot(ctx)
		return err == nil && len(st.Participants) == 2
	})
	eventually(t, 10*time.Second, "bob receives alice", func() bool {
		a, v := bob.stat(alice, "audio"), bob.stat(alice, "video")
		return a != nil && v != nil && a.packets.Load() > 10 && v.packets.Load() > 10
	})

	host := meeting.Actor{UserID: "u-host", IsModerator: true}
	muteAt := time.Now()
	if err := lm.Mute(ctx, host, meeting.ParticipantID(alice.id)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // packets in flight
	audio, video := bob.stat(alice, "audio").packets.Load(), bob.stat(alice, "video").packets.Load()
	time.Sleep(400 * time.Millisecond)
	if n := bob.stat(alice, "audio").packets.Load(); n != audio {
		t.Errorf("bob still receives alice's host-muted audio: %d -> %d", audio, n)
	}
	// Audio packets come every 20 ms: the last one bob got after the mute shows how long
	// forwarding went on.
	t.Logf("mute to silence: last audio packet %v after the mute", time.Duration(bob.stat(alice, "audio").lastAt.Load()-muteAt.UnixNano()).Round(time.Millisecond))
	if n := bob.stat(alice, "video").packets.Load(); n <= video {
		t.Errorf("alice's video stopped with her audio: %d -> %d", video, n)
	}

	if err := lm.Lock(ctx, host); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{alice, bob} {
		waitNotice(t, c, signal.NoticeLocked)
	}

	if err := lm.Unmute(ctx, meeting.System, meeting.ParticipantID(alice.id)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "alice's audio forwarded again", func() bool { return bob.stat(alice, "audio").packets.Load() > audio+5 })

	if err := lm.Hangup(ctx, host, meeting.ParticipantID(bob.id)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "bob out of the room", func() bool { return srv.Room("run-1").Len() == 1 })
	st, err := lm.Snapshot(ctx)
	if err != nil || len(st.Participants) != 1 || st.Participants[0].ID != meeting.ParticipantID(alice.id) {
		t.Fatalf("roster after the hangup: %+v %v", st.Participants, err)
	}
}
