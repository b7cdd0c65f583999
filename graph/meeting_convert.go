package graph

import (
	"context"
	"slices"
	"time"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
	"github.com/jishitong/jishitong/internal/meeting"
)

// control applies one command to a running meeting through the coordinator and
// returns the state after it.
func (r *Resolver) control(ctx context.Context, meetingID string, c meeting.Command) (*model.MeetingState, error) {
	st, err := r.Meetings.Control(ctx, caller(ctx), meetingID, c)
	if err != nil {
		return nil, err
	}
	return meetingState(&st), nil
}

var layoutModes = map[layout.Mode]model.LayoutMode{
	layout.Single:    model.LayoutModeSingle,
	layout.Grid2x2:   model.LayoutModeGrid2x2,
	layout.OnePlus7:  model.LayoutModeOnePlusSeven,
	layout.OnePlus21: model.LayoutModeOnePlusTwentyOne,
	layout.TwoPlus21: model.LayoutModeTwoPlusTwentyOne,
}

// LayoutModeOf returns the GraphQL enum value of layout mode m, or "" for an invalid
// mode. The web app's pane geometry (frontend/src/rtc/layout.gen.ts) is generated
// under these names by internal/contracts.
func LayoutModeOf(m layout.Mode) model.LayoutMode { return layoutModes[m] }

func layoutMode(m model.LayoutMode) layout.Mode {
	for k, v := range layoutModes {
		if v == m {
			return k
		}
	}
	return layout.ModeUnknown
}

func participantRole(r meeting.Role) model.ParticipantRole {
	switch r {
	case meeting.RoleHost:
		return model.ParticipantRoleHost
	case meeting.RolePresenter:
		return model.ParticipantRolePresenter
	}
	return model.ParticipantRoleParticipant
}

func optID(id meeting.ParticipantID) *string {
	if id == "" {
		return nil
	}
	s := string(id)
	return &s
}

func participantOf(p meeting.Participant) *model.MeetingParticipant {
	return &model.MeetingParticipant{ID: string(p.ID), Name: p.Name, Client: p.Client.String(), Role: participantRole(p.Role),
		Audio: p.Audio, Video: p.Video, Screen: p.Screen, SelfMuted: p.SelfMuted, MutedByHost: p.MutedByHost,
		UnmuteRequested: p.UnmuteRequested, Speaking: p.Speaking, NetworkQuality: p.NetworkQuality, JoinedAt: p.JoinedAt,
		HandRaised: p.HandRaised, HandRaisedAt: optTime(p.HandRaisedAt)}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func panePins(pins map[int]meeting.ParticipantID) []*model.PanePin {
	out := make([]*model.PanePin, 0, len(pins))
	for pane, id := range pins {
		out = append(out, &model.PanePin{Pane: pane, ParticipantID: string(id)})
	}
	slices.SortFunc(out, func(a, b *model.PanePin) int { return a.Pane - b.Pane })
	return out
}

func layoutPanes(panes []layout.Assignment) []*model.LayoutPane {
	out := make([]*model.LayoutPane, len(panes))
	for i, a := range panes {
		out[i] = &model.LayoutPane{Pane: a.Pane, ParticipantID: optID(a.Participant), Source: a.Source.String(), Polled: a.Polled}
	}
	return out
}

func participantRoleFromModel(r model.ParticipantRole) meeting.Role {
	switch r {
	case model.ParticipantRoleHost:
		return meeting.RoleHost
	case model.ParticipantRolePresenter:
		return meeting.RolePresenter
	case model.ParticipantRoleParticipant:
		return meeting.RoleParticipant
	}
	return meeting.RoleUnknown
}

// pollingFromInput converts setPolling's input; the meeting owner validates the rest
// against the current layout.
func pollingFromInput(in model.PollingInput) (layout.Polling, error) {
	if !in.Enabled {
		return layout.Polling{}, nil
	}
	lo, hi := int(layout.MinInterval/time.Second), int(layout.MaxInterval/time.Second)
	if in.IntervalSeconds == nil || *in.IntervalSeconds < lo || *in.IntervalSeconds > hi {
		return layout.Polling{}, errs.Invalid("intervalSeconds", "the polling interval must be %d to %d seconds", lo, hi)
	}
	p := layout.Polling{Enabled: true, Interval: time.Duration(*in.IntervalSeconds) * time.Second, Panes: in.Panes}
	if len(in.ParticipantIds) > meeting.MaxPollingSet {
		return layout.Polling{}, errs.Invalid("participantIds", "a polling set names at most %d participants", meeting.MaxPollingSet)
	}
	for _, id := range in.ParticipantIds {
		p.Set = append(p.Set, meeting.ParticipantID(id))
	}
	if in.SkipNoVideo != nil {
		p.SkipNoVideo = *in.SkipNoVideo
	}
	return p, nil
}

// pollingFields are the PollingInput fields that the domain's validation errors
// are about.
var pollingFields = map[string]string{"interval": "intervalSeconds", "panes": "panes", "set": "participantIds"}

// pollingError names the PollingInput field an invalid polling setting is about.
func pollingError(err error) error {
	if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
		if f, ok := pollingFields[e.Field]; ok && f != e.Field {
			c := *e
			c.Field = f
			return &c
		}
	}
	return err
}

func pollingModel(p layout.Polling) *model.Polling {
	out := &model.Polling{Panes: []int{}, ParticipantIds: []string{}}
	if !p.Enabled {
		return out
	}
	out.Enabled, out.IntervalSeconds, out.SkipNoVideo = true, int(p.Interval/time.Second), p.SkipNoVideo
	out.Panes = append(out.Panes, p.Panes...)
	for _, id := range p.Set {
		out.ParticipantIds = append(out.ParticipantIds, string(id))
	}
	if !p.Epoch.IsZero() {
		e := p.Epoch
		out.Epoch = &e
	}
	return out
}

func meetingState(s *meeting.State) *model.MeetingState {
	ps := make([]*model.MeetingParticipant, len(s.Participants))
	for i, p := range s.Participants {
		ps[i] = participantOf(p)
	}
	return &model.MeetingState{Seq: int(s.Seq), Participants: ps, ActiveSpeakerID: optID(s.ActiveSpeaker),
		Locked: s.Locked, MuteOnEntry: s.MuteOnEntry, AllowSelfUnmute: s.AllowSelfUnmute, Mode: LayoutModeOf(s.Mode),
		Pins: panePins(s.Pins), Polling: pollingModel(s.Polling), Panes: layoutPanes(s.Assignment.Panes), Hidden: s.Assignment.Hidden,
		Live: s.Live, Recording: s.Recording, Whiteboard: s.Whiteboard, Ended: s.Ended}
}

func meetingEvent(e *meeting.Event) *model.MeetingEvent {
	out := &model.MeetingEvent{Seq: int(e.Seq), At: e.At, Kind: string(e.Kind), SubjectID: optID(e.Subject)}
	if e.Actor.UserID != "" {
		out.ActorID = &e.Actor.UserID
	}
	switch d := e.Delta.(type) {
	case meeting.ParticipantDelta:
		out.Participant = participantOf(d.Participant)
	case meeting.RemovedDelta:
		out.RemovedID = optID(d.ID)
	case meeting.SpeakingDelta:
		out.Speaking, out.ActiveSpeakerID = &d.Speaking, optID(d.ActiveSpeaker)
	case meeting.MuteAllDelta:
		out.MutedIds = make([]string, len(d.Muted))
		for i, id := range d.Muted {
			out.MutedIds[i] = string(id)
		}
		out.AllowSelfUnmute = &d.AllowSelfUnmute
	case meeting.HandsDelta:
		out.LoweredIds = make([]string, len(d.Lowered))
		for i, id := range d.Lowered {
			out.LoweredIds[i] = string(id)
		}
	case meeting.ChatDelta:
		out.Chat = chatMessage(d.Message)
	case meeting.SettingDelta:
		name, on := d.Setting.String(), d.On
		out.Setting, out.On = &name, &on
	case meeting.LayoutDelta:
		mode := LayoutModeOf(d.Mode)
		out.Mode, out.Pins, out.Polling = &mode, panePins(d.Pins), pollingModel(d.Polling)
	}
	if a := e.Assignment; a != nil {
		hidden := a.Hidden
		out.Panes, out.Hidden = layoutPanes(a.Panes), &hidden
	}
	return out
}

func meetingStateUpdate(u meeting.Update) *model.MeetingStateUpdate {
	out := &model.MeetingStateUpdate{Seq: int(u.Seq())}
	if u.Full != nil {
		out.Full = meetingState(u.Full)
	} else {
		out.Event = meetingEvent(u.Event)
	}
	return out
}
