package graph

import (
	"context"
	"slices"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
	"github.com/jishitong/jishitong/internal/live"
)

// liveMeeting returns the owner of a meeting's live run and the caller as its actor:
// NOT_FOUND when the caller may not see the meeting or it is not live; what the actor
// may do is the owner's decision (FORBIDDEN for non-moderators).
func (r *Resolver) liveMeeting(ctx context.Context, meetingID string) (*live.Meeting, live.Actor, error) {
	p := caller(ctx)
	run, moderator, err := r.Conference.Control(ctx, p, meetingID)
	if err != nil {
		return nil, live.Actor{}, err
	}
	m, err := r.Meetings.Ensure(run.ID)
	if err != nil {
		return nil, live.Actor{}, errs.NotFound("live meeting")
	}
	return m, live.Actor{UserID: p.UserID, IsModerator: moderator}, nil
}

// control runs one operation on a meeting's live owner and returns the state after it.
func (r *Resolver) control(ctx context.Context, meetingID string, op func(*live.Meeting, live.Actor) error) (*model.MeetingState, error) {
	m, a, err := r.liveMeeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if err := op(m, a); err != nil {
		return nil, err
	}
	st, err := m.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return meetingState(&st), nil
}

// selfControl runs an operation a participant may also do to themselves (mute,
// unmute): a caller acts as the participant when the connection is their own, so
// that muting oneself is a self mute, not a host mute.
func (r *Resolver) selfControl(ctx context.Context, meetingID, participantID string, op func(*live.Meeting, live.Actor) error) (*model.MeetingState, error) {
	return r.control(ctx, meetingID, func(m *live.Meeting, a live.Actor) error {
		if a.UserID != "" {
			st, err := m.Snapshot(ctx)
			if err != nil {
				return err
			}
			// A connection's user never changes, so the check cannot go stale.
			if p, ok := st.Participant(live.ParticipantID(participantID)); ok && p.UserID == a.UserID {
				a.ParticipantID = p.ID
			}
		}
		return op(m, a)
	})
}

var layoutModes = map[layout.Mode]model.LayoutMode{
	layout.Single:    model.LayoutModeSingle,
	layout.Grid2x2:   model.LayoutModeGrid2x2,
	layout.OnePlus7:  model.LayoutModeOnePlusSeven,
	layout.OnePlus21: model.LayoutModeOnePlusTwentyOne,
	layout.TwoPlus21: model.LayoutModeTwoPlusTwentyOne,
}

func layoutMode(m model.LayoutMode) layout.Mode {
	for k, v := range layoutModes {
		if v == m {
			return k
		}
	}
	return layout.ModeUnknown
}

func liveRole(r live.Role) model.ParticipantRole {
	switch r {
	case live.RoleHost:
		return model.ParticipantRoleHost
	case live.RolePresenter:
		return model.ParticipantRolePresenter
	}
	return model.ParticipantRoleParticipant
}

func optID(id live.ParticipantID) *string {
	if id == "" {
		return nil
	}
	s := string(id)
	return &s
}

func liveParticipant(p live.Participant) *model.LiveParticipant {
	return &model.LiveParticipant{ID: string(p.ID), Name: p.Name, Client: p.Client.String(), Role: liveRole(p.Role),
		Audio: p.Audio, Video: p.Video, Screen: p.Screen, SelfMuted: p.SelfMuted, MutedByHost: p.MutedByHost,
		UnmuteRequested: p.UnmuteRequested, Speaking: p.Speaking, NetworkQuality: p.NetworkQuality, JoinedAt: p.JoinedAt}
}

func panePins(pins map[int]live.ParticipantID) []*model.PanePin {
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

func meetingState(s *live.State) *model.MeetingState {
	ps := make([]*model.LiveParticipant, len(s.Participants))
	for i, p := range s.Participants {
		ps[i] = liveParticipant(p)
	}
	return &model.MeetingState{Seq: int(s.Seq), Participants: ps, ActiveSpeakerID: optID(s.ActiveSpeaker),
		Locked: s.Locked, MuteOnEntry: s.MuteOnEntry, AllowSelfUnmute: s.AllowSelfUnmute, Mode: layoutModes[s.Mode],
		Pins: panePins(s.Pins), Panes: layoutPanes(s.Assignment.Panes), Hidden: s.Assignment.Hidden,
		Live: s.Live, Recording: s.Recording, Whiteboard: s.Whiteboard, Ended: s.Ended}
}

func meetingEvent(e *live.Event) *model.MeetingEvent {
	out := &model.MeetingEvent{Seq: int(e.Seq), At: e.At, Kind: string(e.Kind), SubjectID: optID(e.Subject)}
	if e.Actor.UserID != "" {
		out.ActorID = &e.Actor.UserID
	}
	switch d := e.Delta.(type) {
	case live.ParticipantDelta:
		out.Participant = liveParticipant(d.Participant)
	case live.RemovedDelta:
		out.RemovedID = optID(d.ID)
	case live.SpeakingDelta:
		out.Speaking, out.ActiveSpeakerID = &d.Speaking, optID(d.ActiveSpeaker)
	case live.MuteAllDelta:
		out.MutedIds = make([]string, len(d.Muted))
		for i, id := range d.Muted {
			out.MutedIds[i] = string(id)
		}
		out.AllowSelfUnmute = &d.AllowSelfUnmute
	case live.SettingDelta:
		name, on := d.Setting.String(), d.On
		out.Setting, out.On = &name, &on
	case live.LayoutDelta:
		mode := layoutModes[d.Mode]
		out.Mode, out.Pins = &mode, panePins(d.Pins)
	}
	if a := e.Assignment; a != nil {
		hidden := a.Hidden
		out.Panes, out.Hidden = layoutPanes(a.Panes), &hidden
	}
	return out
}

func meetingStateUpdate(u live.Update) *model.MeetingStateUpdate {
	out := &model.MeetingStateUpdate{Seq: int(u.Seq())}
	if u.Full != nil {
		out.Full = meetingState(u.Full)
	} else {
		out.Event = meetingEvent(u.Event)
	}
	return out
}
