package meeting

import (
	"context"
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
)

// TestAuthorization runs every control as a moderator (the host, an admin outside the
// meeting), as a participant on someone else and as a participant on themselves.
func TestAuthorization(t *testing.T) {
	type op func(ctx context.Context, m *Owner, a Actor, target ParticipantID) error
	ops := []struct {
		name string
		op   op
		// self is the result of a participant acting on themselves; a participant
		// acting on someone else is always FORBIDDEN, a moderator always allowed.
		self errs.Kind
		// setup, when set, makes the operation a change.
		setup op
	}{
		{"mute", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error { return m.Mute(ctx, a, id) }, 0, nil},
		{"unmute", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error { return m.Unmute(ctx, a, id) }, 0,
			func(ctx context.Context, m *Owner, _ Actor, id ParticipantID) error { return m.Mute(ctx, as(id), id) }},
		{"mute all", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error { return m.MuteAll(ctx, a, false) }, errs.KindForbidden, nil},
		{"mute on entry", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error {
			return m.SetMuteOnEntry(ctx, a, true)
		}, errs.KindForbidden, nil},
		{"hangup", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error { return m.Hangup(ctx, a, id) }, errs.KindForbidden, nil},
		{"presenter", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error {
			return m.SetRole(ctx, a, id, RolePresenter)
		}, errs.KindForbidden, nil},
		{"lock", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error { return m.Lock(ctx, a) }, errs.KindForbidden, nil},
		{"unlock", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error { return m.Unlock(ctx, a) }, errs.KindForbidden,
			func(ctx context.Context, m *Owner, _ Actor, _ ParticipantID) error { return m.Lock(ctx, host) }},
		{"layout", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error {
			return m.SetLayout(ctx, a, layout.Grid2x2)
		}, errs.KindForbidden, nil},
		{"pin", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error { return m.Pin(ctx, a, 0, id) }, errs.KindForbidden, nil},
		{"polling", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error {
			return m.SetPolling(ctx, a, layout.Polling{Enabled: true, Panes: []int{7}, Interval: layout.MinInterval})
		}, errs.KindForbidden, nil},
		{"live", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error { return m.SetLive(ctx, a, true) }, errs.KindForbidden, nil},
		{"recording", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error {
			return m.SetRecording(ctx, a, true)
		}, errs.KindForbidden, nil},
		{"whiteboard", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error {
			return m.SetWhiteboard(ctx, a, true)
		}, errs.KindForbidden, nil},
		{"end", func(ctx context.Context, m *Owner, a Actor, _ ParticipantID) error { return m.End(ctx, a) }, errs.KindForbidden, nil},
		{"media", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error {
			return m.SetMedia(ctx, a, id, Media{Video: true})
		}, 0, nil},
		{"network", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error {
			return m.SetNetworkQuality(ctx, a, id, 3)
		}, 0, nil},
		{"leave", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error { return m.Leave(ctx, a, id) }, 0, nil},
		{"speaking", func(ctx context.Context, m *Owner, a Actor, id ParticipantID) error {
			return m.SetSpeaking(ctx, a, id, true)
		}, errs.KindForbidden, nil},
	}
	// Controls a moderator may not use on others (they are the participant's or the
	// media plane's), and so are forbidden for them too.
	notModerator := map[string]bool{"media": true, "network": true, "leave": true, "speaking": true}
	for _, o := range ops {
		cases := []struct {
			who    string
			actor  Actor
			target ParticipantID
			want   errs.Kind
		}{
			{"host", host, "a", 0},
			{"admin", admin, "a", 0},
			{"participant on other", as("b"), "a", errs.KindForbidden},
			{"participant on self", as("a"), "a", o.self},
			{"system", System, "a", 0},
		}
		for _, c := range cases {
			if notModerator[o.name] && c.actor.IsModerator {
				c.want = errs.KindForbidden
			}
			t.Run(o.name+"/"+c.who, func(t *testing.T) {
				f := start(t, Config{})
				f.join(t, "h", "a", "b")
				if o.setup != nil {
					if err := o.setup(context.Background(), f.m, c.actor, c.target); err != nil {
						t.Fatal(err)
					}
				}
				before := len(f.rec.all())
				err := o.op(context.Background(), f.m, c.actor, c.target)
				checkErr(t, err, c.want)
				if n := len(f.rec.all()) - before; (err == nil) != (n == 1) {
					t.Fatalf("err %v with %d events", err, n)
				}
			})
		}
	}
}

func TestMute(t *testing.T) {
	mute := func(a Actor, id ParticipantID) func(context.Context, *Owner) error {
		return func(ctx context.Context, m *Owner) error { return m.Mute(ctx, a, id) }
	}
	unmute := func(a Actor, id ParticipantID) func(context.Context, *Owner) error {
		return func(ctx context.Context, m *Owner) error { return m.Unmute(ctx, a, id) }
	}
	muteAll := func(allow bool) func(context.Context, *Owner) error {
		return func(ctx context.Context, m *Owner) error { return m.MuteAll(ctx, host, allow) }
	}
	want := func(id ParticipantID, self, byHost, requested bool) func(*testing.T, *fixture) {
		return func(t *testing.T, f *fixture) {
			t.Helper()
			p := f.participant(t, id)
			if p.SelfMuted != self || p.MutedByHost != byHost || p.UnmuteRequested != requested {
				t.Fatalf("%s: self %v host %v requested %v, want %v %v %v", id, p.SelfMuted, p.MutedByHost, p.UnmuteRequested, self, byHost, requested)
			}
			if f.m.MutedByHost(id) != byHost {
				t.Fatalf("MutedByHost(%s) = %v", id, !byHost)
			}
		}
	}
	joins := []step{joinStep(host, hostP(), 0), joinStep(as("a"), person("a"), 0), joinStep(as("b"), person("b"), 0)}
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"self mute and unmute", Config{}, []step{
			{name: "mute self", do: mute(as("a"), "a"), event: KindMuted, check: want("a", true, false, false)},
			{name: "again", do: mute(as("a"), "a")},
			{name: "unmute self", do: unmute(as("a"), "a"), event: KindUnmuted, check: want("a", false, false, false)},
			{name: "unmute unmuted", do: unmute(as("a"), "a")},
		}},
		{"host mute without self-unmute, then request", Config{}, []step{
			{name: "host mutes", do: mute(host, "a"), event: KindMuted, check: want("a", false, true, false)},
			{name: "self unmute refused", do: unmute(as("a"), "a"), err: errs.KindForbidden, check: want("a", false, true, false)},
			{name: "host asks", do: unmute(host, "a"), event: KindUnmuteRequested, check: want("a", false, true, true)},
			{name: "host asks again", do: unmute(host, "a")},
			{name: "participant accepts", do: unmute(as("a"), "a"), event: KindUnmuted, check: want("a", false, false, false)},
		}},
		{"declining a request", Config{}, []step{
			{name: "host mutes", do: mute(host, "a"), event: KindMuted},
			{name: "host asks", do: unmute(host, "a"), event: KindUnmuteRequested},
			{name: "participant declines", do: mute(as("a"), "a"), event: KindMuted, check: want("a", true, true, false)},
			{name: "self unmute refused", do: unmute(as("a"), "a"), err: errs.KindForbidden},
		}},
		{"host mute with self-unmute allowed", Config{AllowSelfUnmuteDefault: true}, []step{
			{name: "host mutes", do: mute(host, "a"), event: KindMuted},
			{name: "self unmute", do: unmute(as("a"), "a"), event: KindUnmuted, check: want("a", false, false, false)},
		}},
		{"direct unmute", Config{AllowDirectUnmute: true}, []step{
			{name: "host mutes", do: mute(host, "a"), event: KindMuted},
			{name: "host unmutes", do: unmute(host, "a"), event: KindUnmuted, check: want("a", false, false, false)},
		}},
		{"mute all without self-unmute", Config{AllowSelfUnmuteDefault: true}, []step{
			{name: "mute all", do: muteAll(false), event: KindMutedAll, check: func(t *testing.T, f *fixture) {
				want("a", false, true, false)(t, f)
				want("b", false, true, false)(t, f)
				want("h", false, false, false)(t, f)
				if f.state(t).AllowSelfUnmute {
					t.Fatal("self-unmute still allowed")
				}
			}},
			{name: "again", do: muteAll(false)},
			{name: "self unmute refused", do: unmute(as("b"), "b"), err: errs.KindForbidden},
			{name: "participant mutes all", do: func(ctx context.Context, m *Owner) error { return m.MuteAll(ctx, as("a"), false) }, err: errs.KindForbidden},
		}},
		{"mute all with self-unmute", Config{}, []step{
			{name: "mute all", do: muteAll(true), event: KindMutedAll, check: want("b", false, true, false)},
			{name: "self unmute", do: unmute(as("b"), "b"), event: KindUnmuted, check: want("b", false, false, false)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runScript(t, tt.cfg, append(append([]step(nil), joins...), tt.steps...))
		})
	}
}

func TestMuteOnEntry(t *testing.T) {
	var told []ParticipantID
	cfg := Config{MuteOnEntry: true, OnMute: func(id ParticipantID, muted bool) {
		if muted {
			told = append(told, id)
		}
	}}
	f := runScript(t, cfg, []step{
		joinStep(host, hostP(), 0),
		joinStep(as("a"), person("a"), 0),
		{name: "off", do: func(ctx context.Context, m *Owner) error { return m.SetMuteOnEntry(ctx, host, false) }, event: KindMuteOnEntry},
		joinStep(as("b"), person("b"), 0),
	})
	if f.participant(t, "h").MutedByHost || !f.participant(t, "a").MutedByHost || f.participant(t, "b").MutedByHost {
		t.Fatalf("mutes: %+v", f.state(t).Participants)
	}
	if len(told) != 1 || told[0] != "a" { // read after the owner's reply: ordered
		t.Fatalf("OnMute told %v", told)
	}
}

func TestLockAndHangup(t *testing.T) {
	lock := func(ctx context.Context, m *Owner) error { return m.Lock(ctx, host) }
	runScript(t, Config{}, []step{
		joinStep(host, hostP(), 0),
		joinStep(as("a"), person("a"), 0),
		{name: "lock", do: lock, event: KindLocked},
		joinStep(as("b"), person("b"), errs.KindConflict),
		joinStep(admin, person("c"), 0), // a moderator lets someone in
		{name: "unlock", do: func(ctx context.Context, m *Owner) error { return m.Unlock(ctx, host) }, event: KindUnlocked},
		joinStep(as("b"), person("b"), 0),
		{name: "hangup", do: func(ctx context.Context, m *Owner) error { return m.Hangup(ctx, host, "a") }, event: KindHungUp,
			check: func(t *testing.T, f *fixture) {
				if _, ok := f.state(t).Participant("a"); ok {
					t.Fatal("a is still in the meeting")
				}
			}},
		{name: "hangup absent", do: func(ctx context.Context, m *Owner) error { return m.Hangup(ctx, host, "a") }, err: errs.KindNotFound},
		{name: "hangup self", do: func(ctx context.Context, m *Owner) error { return m.Hangup(ctx, host, "h") }, err: errs.KindInvalid},
		joinStep(as("a"), person("a"), errs.KindForbidden),
		joinStep(host, person("a"), errs.KindForbidden),
		{name: "leave", do: func(ctx context.Context, m *Owner) error { return m.Leave(ctx, as("b"), "b") }, event: KindLeft},
		joinStep(as("b"), person("b"), 0), // leaving is not a hangup
	})
}
