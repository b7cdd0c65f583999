package graph

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
	"github.com/jishitong/jishitong/internal/meeting"
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
		e     meeting.Event
		check func(*model.MeetingEvent) bool
	}{
		{"participant", meeting.Event{Kind: meeting.KindMuted, Subject: "p", Delta: meeting.ParticipantDelta{Participant: meeting.Participant{ID: "p", Name: "P", Role: meeting.RoleHost, MutedByHost: true}}},
			func(e *model.MeetingEvent) bool {
				return e.Participant != nil && e.Participant.MutedByHost && e.Participant.Role == model.ParticipantRoleHost && *e.SubjectID == "p"
			}},
		{"removed", meeting.Event{Kind: meeting.KindHungUp, Delta: meeting.RemovedDelta{ID: "p", HungUp: true}},
			func(e *model.MeetingEvent) bool {
				return e.RemovedID != nil && *e.RemovedID == "p" && e.SubjectID == nil
			}},
		{"setting", meeting.Event{Kind: meeting.KindLocked, Delta: meeting.SettingDelta{Setting: meeting.SettingLocked, On: true}},
			func(e *model.MeetingEvent) bool { return *e.Setting == "locked" && *e.On == on }},
		{"mute all", meeting.Event{Kind: meeting.KindMutedAll, Delta: meeting.MuteAllDelta{Muted: []meeting.ParticipantID{"a", "b"}}},
			func(e *model.MeetingEvent) bool { return len(e.MutedIds) == 2 && !*e.AllowSelfUnmute }},
		{"speaking", meeting.Event{Kind: meeting.KindSpeaking, Subject: "a", Delta: meeting.SpeakingDelta{ID: "a", Speaking: true, ActiveSpeaker: "a"}},
			func(e *model.MeetingEvent) bool { return *e.Speaking && *e.ActiveSpeakerID == "a" }},
		{"layout", meeting.Event{Kind: meeting.KindLayoutMode, Delta: meeting.LayoutDelta{Mode: layout.Single, Pins: map[int]meeting.ParticipantID{0: "a"}},
			Assignment: &meeting.Assignment{Panes: []layout.Assignment{{Pane: 0, Participant: "a", Source: layout.SourceCamera}}, Hidden: 1}},
			func(e *model.MeetingEvent) bool {
				return *e.Mode == model.LayoutModeSingle && len(e.Pins) == 1 && len(e.Panes) == 1 && *e.Panes[0].ParticipantID == "a" &&
					e.Panes[0].Source == "camera" && *e.Hidden == 1 && e.Polling != nil && !e.Polling.Enabled &&
					e.Polling.Panes != nil && e.Polling.ParticipantIds != nil && e.Polling.Epoch == nil
			}},
		{"polling", meeting.Event{Kind: meeting.KindPolling, Delta: meeting.LayoutDelta{Mode: layout.OnePlus7, Polling: layout.Polling{Enabled: true,
			Panes: []int{2, 1}, Set: []meeting.ParticipantID{"b", "a"}, Interval: 30 * time.Second, Epoch: at, SkipNoVideo: true}}},
			func(e *model.MeetingEvent) bool {
				p := e.Polling
				return p != nil && p.Enabled && p.IntervalSeconds == 30 && slices.Equal(p.Panes, []int{2, 1}) &&
					slices.Equal(p.ParticipantIds, []string{"b", "a"}) && p.SkipNoVideo && p.Epoch.Equal(at)
			}},
		{"polling step", meeting.Event{Kind: meeting.KindLayout, Assignment: &meeting.Assignment{Panes: []layout.Assignment{{Pane: 0}}}},
			func(e *model.MeetingEvent) bool {
				return len(e.Panes) == 1 && e.Panes[0].ParticipantID == nil && e.Mode == nil
			}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Seq, c.e.At = uint64(i+1), at
			u := meetingStateUpdate(meeting.Update{Event: &c.e})
			if u.Seq != i+1 || u.Full != nil || u.Event == nil || u.Event.Kind != string(c.e.Kind) || !c.check(u.Event) {
				t.Fatalf("%+v", u.Event)
			}
		})
	}
}

func TestPollingInput(t *testing.T) {
	n := func(v int) *int { return &v }
	many := make([]string, meeting.MaxPollingSet+1)
	for i := range many {
		many[i] = fmt.Sprint("p", i)
	}
	cases := []struct {
		name  string
		in    model.PollingInput
		field string // "" when valid
		want  layout.Polling
	}{
		{"off ignores the rest", model.PollingInput{IntervalSeconds: n(1), Panes: []int{99}}, "", layout.Polling{}},
		{"on", model.PollingInput{Enabled: true, IntervalSeconds: n(5), Panes: []int{1, 2}, ParticipantIds: []string{"a"}},
			"", layout.Polling{Enabled: true, Interval: 5 * time.Second, Panes: []int{1, 2}, Set: []meeting.ParticipantID{"a"}}},
		{"longest", model.PollingInput{Enabled: true, IntervalSeconds: n(300), Panes: []int{0}}, "", layout.Polling{Enabled: true, Interval: 300 * time.Second, Panes: []int{0}}},
		{"no interval", model.PollingInput{Enabled: true, Panes: []int{1}}, "intervalSeconds", layout.Polling{}},
		{"too short", model.PollingInput{Enabled: true, IntervalSeconds: n(4), Panes: []int{1}}, "intervalSeconds", layout.Polling{}},
		{"too long", model.PollingInput{Enabled: true, IntervalSeconds: n(301), Panes: []int{1}}, "intervalSeconds", layout.Polling{}},
		{"huge", model.PollingInput{Enabled: true, IntervalSeconds: n(1 << 40), Panes: []int{1}}, "intervalSeconds", layout.Polling{}},
		{"too many", model.PollingInput{Enabled: true, IntervalSeconds: n(5), Panes: []int{1}, ParticipantIds: many}, "participantIds", layout.Polling{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := pollingFromInput(c.in)
			if c.field != "" {
				if e, ok := errs.As(err); !ok || e.Kind != errs.KindInvalid || e.Field != c.field {
					t.Fatalf("err %v, want invalid %s", err, c.field)
				}
				return
			}
			if err != nil || p.Enabled != c.want.Enabled || p.Interval != c.want.Interval || !slices.Equal(p.Panes, c.want.Panes) || !slices.Equal(p.Set, c.want.Set) {
				t.Fatalf("%+v %v, want %+v", p, err, c.want)
			}
		})
	}
}

func TestPollingErrorNamesInputFields(t *testing.T) {
	l := layout.Of(layout.Grid2x2)
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for field, p := range map[string]layout.Polling{
		"intervalSeconds": {Enabled: true, Interval: time.Second, Epoch: at, Panes: []int{1}},
		"panes":           {Enabled: true, Interval: 5 * time.Second, Epoch: at, Panes: []int{4}},
		"participantIds":  {Enabled: true, Interval: 5 * time.Second, Epoch: at, Panes: []int{1}, Set: []meeting.ParticipantID{"a", "a"}},
	} {
		err := pollingError(layout.ValidatePolling(p, l))
		if e, ok := errs.As(err); !ok || e.Kind != errs.KindInvalid || e.Field != field || e.Message == "" {
			t.Errorf("%s: %#v", field, err)
		}
	}
	other := errs.Invalid("mode", "x")
	if pollingError(other) != other || pollingError(nil) != nil {
		t.Error("errors about other fields change")
	}
}
