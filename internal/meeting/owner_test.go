package meeting

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
)

// step is one operation of a script, with the error kind (KindUnknown: none) and the
// event kind ("" for none) it must produce.
type step struct {
	name  string
	do    func(ctx context.Context, m *Owner) error
	err   errs.Kind
	event Kind
	check func(t *testing.T, f *fixture)
}

// runScript runs steps on a fresh meeting and checks that each change emits exactly one
// event, of the expected kind, numbered after the previous one.
func runScript(t *testing.T, cfg Config, steps []step) *fixture {
	t.Helper()
	f := start(t, cfg)
	ctx := context.Background()
	for _, s := range steps {
		before := len(f.rec.all())
		err := s.do(ctx, f.m)
		checkErr(t, err, s.err)
		got := f.rec.all()
		checkSeqs(t, got)
		switch {
		case s.event == "" && len(got) != before:
			t.Fatalf("%s: emitted %s, want no event", s.name, got[len(got)-1].Kind)
		case s.event != "" && len(got) != before+1:
			t.Fatalf("%s: emitted %d events, want one %s", s.name, len(got)-before, s.event)
		case s.event != "" && got[before].Kind != s.event:
			t.Fatalf("%s: emitted %s, want %s", s.name, got[before].Kind, s.event)
		}
		if s.check != nil {
			s.check(t, f)
		}
	}
	if st, err := f.m.Snapshot(ctx); err == nil && st.Seq != uint64(len(f.rec.all())) {
		t.Fatalf("state at seq %d after %d events", st.Seq, len(f.rec.all()))
	}
	return f
}

func joinStep(a Actor, p Participant, err errs.Kind) step {
	ev := KindJoined
	if err != errs.KindUnknown {
		ev = ""
	}
	return step{name: "join " + string(p.ID), err: err, event: ev, do: func(ctx context.Context, m *Owner) error { return m.Join(ctx, a, p) }}
}

func hostP() Participant { p := person("h"); p.Role = RoleHost; return p }

func TestSequenceMixedOperations(t *testing.T) {
	f := runScript(t, Config{}, []step{
		joinStep(host, hostP(), 0),
		joinStep(as("a"), person("a"), 0),
		joinStep(as("a"), person("a"), errs.KindConflict), // already in
		joinStep(as("b"), Participant{ID: "b", Client: ClientSIP}, errs.KindInvalid),
		joinStep(as("b"), person("c"), errs.KindForbidden), // as someone else
		joinStep(as("b"), person("b"), 0),
		{name: "lock", do: func(ctx context.Context, m *Owner) error { return m.Lock(ctx, host) }, event: KindLocked},
		{name: "lock again", do: func(ctx context.Context, m *Owner) error { return m.Lock(ctx, host) }},
		{name: "speaking", do: func(ctx context.Context, m *Owner) error { return m.SetSpeaking(ctx, System, "b", true) }, event: KindSpeaking},
		{name: "speaking forged", do: func(ctx context.Context, m *Owner) error { return m.SetSpeaking(ctx, as("b"), "b", true) }, err: errs.KindForbidden},
		{name: "quality", do: func(ctx context.Context, m *Owner) error { return m.SetNetworkQuality(ctx, as("a"), "a", 4) }, event: KindNetwork},
		{name: "quality range", do: func(ctx context.Context, m *Owner) error { return m.SetNetworkQuality(ctx, as("a"), "a", 6) }, err: errs.KindInvalid},
		{name: "layout", do: func(ctx context.Context, m *Owner) error { return m.SetLayout(ctx, host, layout.Grid2x2) }, event: KindLayoutMode},
		{name: "bad layout", do: func(ctx context.Context, m *Owner) error { return m.SetLayout(ctx, host, layout.ModeUnknown) }, err: errs.KindInvalid},
		{name: "pin", do: func(ctx context.Context, m *Owner) error { return m.Pin(ctx, host, 3, "a") }, event: KindPinned},
		{name: "pin outside", do: func(ctx context.Context, m *Owner) error { return m.Pin(ctx, host, 9, "a") }, err: errs.KindInvalid},
		{name: "pin absent", do: func(ctx context.Context, m *Owner) error { return m.Pin(ctx, host, 1, "zz") }, err: errs.KindNotFound},
		{name: "unpin", do: func(ctx context.Context, m *Owner) error { return m.Unpin(ctx, host, 3) }, event: KindUnpinned},
		{name: "unpin empty", do: func(ctx context.Context, m *Owner) error { return m.Unpin(ctx, host, 3) }, err: errs.KindNotFound},
		{name: "bad polling", do: func(ctx context.Context, m *Owner) error {
			return m.SetPolling(ctx, host, layout.Polling{Enabled: true, Panes: []int{3}, Interval: time.Second})
		}, err: errs.KindInvalid},
		{name: "polling set too big", do: func(ctx context.Context, m *Owner) error {
			set := make([]ParticipantID, MaxPollingSet+1)
			for i := range set {
				set[i] = ParticipantID(fmt.Sprint("p", i))
			}
			return m.SetPolling(ctx, host, layout.Polling{Enabled: true, Panes: []int{3}, Interval: layout.MinInterval, Set: set})
		}, err: errs.KindInvalid},
		{name: "polling off already", do: func(ctx context.Context, m *Owner) error { return m.SetPolling(ctx, host, layout.Polling{}) }},
		{name: "live", do: func(ctx context.Context, m *Owner) error { return m.SetLive(ctx, System, true) }, event: KindLive},
		{name: "recording", do: func(ctx context.Context, m *Owner) error { return m.SetRecording(ctx, host, true) }, event: KindRecording},
		{name: "role", do: func(ctx context.Context, m *Owner) error { return m.SetRole(ctx, host, "a", RolePresenter) }, event: KindRole},
		{name: "role host", do: func(ctx context.Context, m *Owner) error { return m.SetRole(ctx, host, "a", RoleHost) }, err: errs.KindInvalid},
		{name: "whiteboard by presenter", do: func(ctx context.Context, m *Owner) error { return m.SetWhiteboard(ctx, as("a"), true) }, event: KindWhiteboard},
		{name: "media", do: func(ctx context.Context, m *Owner) error {
			return m.SetMedia(ctx, as("b"), "b", Media{Audio: true, Screen: true})
		}, event: KindMedia},
		{name: "second screen", do: func(ctx context.Context, m *Owner) error { return m.SetMedia(ctx, as("a"), "a", Media{Screen: true}) }, err: errs.KindConflict},
		{name: "leave", do: func(ctx context.Context, m *Owner) error { return m.Leave(ctx, as("b"), "b") }, event: KindLeft},
		{name: "leave twice", do: func(ctx context.Context, m *Owner) error { return m.Leave(ctx, as("b"), "b") }, err: errs.KindNotFound},
		{name: "end by participant", do: func(ctx context.Context, m *Owner) error { return m.End(ctx, as("a")) }, err: errs.KindForbidden},
		{name: "end", do: func(ctx context.Context, m *Owner) error { return m.End(ctx, host) }, event: KindEnded},
	})
	select {
	case <-f.m.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the owner did not exit after End")
	}
	if err := f.m.Lock(context.Background(), host); !errors.Is(err, ErrEnded) {
		t.Fatalf("after End: %v, want ErrEnded", err)
	}
	// The log replays into the final state.
	var st State
	for _, e := range f.rec.all() {
		if err := st.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	if !st.Ended || st.Live != true || len(st.Participants) != 2 {
		t.Fatalf("replayed state %+v", st)
	}
}
