package graph

import (
	"testing"
	"time"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/layout"
	"github.com/jishitong/jishitong/internal/live"
)

func TestLayoutModesRoundTrip(t *testing.T) {
	for _, m := range layout.Modes() {
		g, ok := layoutModes[m]
		if !ok || !g.IsValid() {
			t.Fatalf("mode %v has no GraphQL name", m)
		}
		if back := layoutMode(g); back != m {
			t.Errorf("%v -> %v -> %v", m, g, back)
		}
	}
	if layoutMode("NOPE") != layout.ModeUnknown {
		t.Error("an unknown GraphQL mode maps to a layout")
	}
}

func TestMeetingEventDeltas(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	on := true
	cases := []struct {
		name  string
		e     live.Event
		check func(*model.MeetingEvent) bool
	}{
		{"participant", live.Event{Kind: live.KindMuted, Subject: "p", Delta: live.ParticipantDelta{Participant: live.Participant{ID: "p", Name: "P", Role: live.RoleHost, MutedByHost: true}}},
			func(e *model.MeetingEvent) bool {
				return e.Participant != nil && e.Participant.MutedByHost && e.Participant.Role == model.ParticipantRoleHost && *e.SubjectID == "p"
			}},
		{"removed", live.Event{Kind: live.KindHungUp, Delta: live.RemovedDelta{ID: "p", HungUp: true}},
			func(e *model.MeetingEvent) bool {
				return e.RemovedID != nil && *e.RemovedID == "p" && e.SubjectID == nil
			}},
		{"setting", live.Event{Kind: live.KindLocked, Delta: live.SettingDelta{Setting: live.SettingLocked, On: true}},
			func(e *model.MeetingEvent) bool { return *e.Setting == "locked" && *e.On == on }},
		{"mute all", live.Event{Kind: live.KindMutedAll, Delta: live.MuteAllDelta{Muted: []live.ParticipantID{"a", "b"}}},
			func(e *model.MeetingEvent) bool { return len(e.MutedIds) == 2 && !*e.AllowSelfUnmute }},
		{"speaking", live.Event{Kind: live.KindSpeaking, Subject: "a", Delta: live.SpeakingDelta{ID: "a", Speaking: true, ActiveSpeaker: "a"}},
			func(e *model.MeetingEvent) bool { return *e.Speaking && *e.ActiveSpeakerID == "a" }},
		{"layout", live.Event{Kind: live.KindLayoutMode, Delta: live.LayoutDelta{Mode: layout.Single, Pins: map[int]live.ParticipantID{0: "a"}},
			Assignment: &live.Assignment{Panes: []layout.Assignment{{Pane: 0, Participant: "a", Source: layout.SourceCamera}}, Hidden: 1}},
			func(e *model.MeetingEvent) bool {
				return *e.Mode == model.LayoutModeSingle && len(e.Pins) == 1 && len(e.Panes) == 1 && *e.Panes[0].ParticipantID == "a" &&
					e.Panes[0].Source == "camera" && *e.Hidden == 1
			}},
		{"polling step", live.Event{Kind: live.KindLayout, Assignment: &live.Assignment{Panes: []layout.Assignment{{Pane: 0}}}},
			func(e *model.MeetingEvent) bool {
				return len(e.Panes) == 1 && e.Panes[0].ParticipantID == nil && e.Mode == nil
			}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Seq, c.e.At = uint64(i+1), at
			u := meetingStateUpdate(live.Update{Event: &c.e})
			if u.Seq != i+1 || u.Full != nil || u.Event == nil || u.Event.Kind != string(c.e.Kind) || !c.check(u.Event) {
				t.Fatalf("%+v", u.Event)
			}
		})
	}
}
