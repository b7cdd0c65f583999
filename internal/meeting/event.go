package meeting

import (
	"maps"
	"slices"
	"time"

	"github.com/jishitong/jishitong/internal/layout"
)

// Kind names what an event changed; it is also the meeting log's kind.
type Kind string

// Event kinds.
const (
	KindJoined          Kind = "joined"
	KindLeft            Kind = "left"
	KindHungUp          Kind = "hung_up"
	KindAccessRevoked   Kind = "access_revoked" // a member's account was disabled or changed
	KindMuted           Kind = "muted"
	KindUnmuted         Kind = "unmuted"
	KindUnmuteRequested Kind = "unmute_requested"
	KindMutedAll        Kind = "muted_all"
	KindMuteOnEntry     Kind = "mute_on_entry"
	KindSelfUnmute      Kind = "self_unmute" // the meeting-wide self-unmute switch
	KindRole            Kind = "role"
	KindMedia           Kind = "media"
	KindSpeaking        Kind = "speaking"
	KindNetwork         Kind = "network"
	KindLocked          Kind = "locked"
	KindUnlocked        Kind = "unlocked"
	KindLayoutMode      Kind = "layout_mode"
	KindPinned          Kind = "pinned"
	KindUnpinned        Kind = "unpinned"
	KindPolling         Kind = "polling"
	KindLayout          Kind = "layout" // a polling step changed the panes
	KindLive            Kind = "live"
	KindRecording       Kind = "recording"
	KindWhiteboard      Kind = "whiteboard"
	KindHandRaised      Kind = "hand_raised"
	KindHandLowered     Kind = "hand_lowered"
	KindHandsLowered    Kind = "hands_lowered" // a moderator lowered every raised hand
	KindChat            Kind = "chat"
	KindEnded           Kind = "ended"
)

// Actor is who asks for a change.
type Actor struct {
	// ParticipantID is the actor's participant in this meeting, "" for an admin who is
	// not in it.
	ParticipantID ParticipantID
	UserID        string
	// IsModerator marks the host and admins, as the edge established.
	IsModerator bool
	// System marks the server's own planes (media, active-speaker detector, live,
	// recording).
	System bool
}

// System is the actor of changes the server's planes report.
var System = Actor{System: true}

func (a Actor) moderator() bool                    { return a.IsModerator || a.System }
func (a Actor) self(id ParticipantID) bool         { return a.ParticipantID != "" && a.ParticipantID == id }
func (a Actor) selfOrSystem(id ParticipantID) bool { return a.System || a.self(id) }

// Event is one change of a meeting's state. Receivers share it and must not modify it.
type Event struct {
	// Seq numbers the events of a meeting 1, 2, 3, ... without gaps.
	Seq   uint64
	At    time.Time
	Kind  Kind
	Actor Actor
	// Subject is the participant the change concerns, "" for meeting-wide changes.
	Subject ParticipantID
	// Delta is the change; nil for a polling step, which changes only Assignment.
	Delta Delta
	// Assignment is the new pane assignment when the change altered it, else nil.
	Assignment *Assignment
}

// Delta is the typed payload of an event: one of ParticipantDelta, RemovedDelta,
// SpeakingDelta, MuteAllDelta, SettingDelta, LayoutDelta, HandsDelta, ChatDelta and
// EndedDelta.
type Delta interface {
	apply(*State)
}

// ParticipantDelta is a participant's new record: a join (appended to the roster) or a
// change of one participant.
type ParticipantDelta struct{ Participant Participant }

func (d ParticipantDelta) apply(s *State) {
	if i := s.index(d.Participant.ID); i >= 0 {
		s.Participants[i] = d.Participant
	} else {
		s.Participants = append(s.Participants, d.Participant)
	}
}

// RemovedDelta is a participant leaving, being hung up or losing their access.
type RemovedDelta struct {
	ID     ParticipantID
	HungUp bool
	// Access says why a member lost their access (KindAccessRevoked); AccessUnknown
	// otherwise.
	Access AccessReason
}

func (d RemovedDelta) apply(s *State) {
	if i := s.index(d.ID); i >= 0 {
		s.Participants = slices.Delete(s.Participants, i, i+1)
	}
	if s.ActiveSpeaker == d.ID {
		s.ActiveSpeaker = ""
	}
}

// SpeakingDelta is the active-speaker detector's report about one participant.
type SpeakingDelta struct {
	ID            ParticipantID
	Speaking      bool
	ActiveSpeaker ParticipantID
}

func (d SpeakingDelta) apply(s *State) {
	if i := s.index(d.ID); i >= 0 {
		s.Participants[i].Speaking = d.Speaking
	}
	s.ActiveSpeaker = d.ActiveSpeaker
}

// MuteAllDelta host-mutes the listed participants (clearing their unmute requests) and
// sets whether they may unmute themselves.
type MuteAllDelta struct {
	Muted           []ParticipantID
	AllowSelfUnmute bool
}

func (d MuteAllDelta) apply(s *State) {
	for _, id := range d.Muted {
		if i := s.index(id); i >= 0 {
			s.Participants[i].MutedByHost = true
			s.Participants[i].UnmuteRequested = false
		}
	}
	s.AllowSelfUnmute = d.AllowSelfUnmute
}

// Setting is a meeting-wide switch.
type Setting int

// Settings.
const (
	SettingUnknown Setting = iota
	SettingLocked
	SettingMuteOnEntry
	SettingLive
	SettingRecording
	SettingWhiteboard
	SettingAllowSelfUnmute
)

// String returns the setting's name.
func (s Setting) String() string {
	switch s {
	case SettingLocked:
		return "locked"
	case SettingMuteOnEntry:
		return "muteOnEntry"
	case SettingLive:
		return "live"
	case SettingRecording:
		return "recording"
	case SettingWhiteboard:
		return "whiteboard"
	case SettingAllowSelfUnmute:
		return "allowSelfUnmute"
	}
	return "unknown"
}

// SettingDelta turns a meeting-wide switch on or off.
type SettingDelta struct {
	Setting Setting
	On      bool
}

func (d SettingDelta) apply(s *State) {
	switch d.Setting {
	case SettingLocked:
		s.Locked = d.On
	case SettingMuteOnEntry:
		s.MuteOnEntry = d.On
	case SettingLive:
		s.Live = d.On
	case SettingRecording:
		s.Recording = d.On
	case SettingWhiteboard:
		s.Whiteboard = d.On
	case SettingAllowSelfUnmute:
		s.AllowSelfUnmute = d.On
	}
}

// LayoutDelta is the new layout settings: mode, pins and polling.
type LayoutDelta struct {
	Mode    layout.Mode
	Pins    map[int]ParticipantID
	Polling layout.Polling
}

func (d LayoutDelta) apply(s *State) {
	s.Mode = d.Mode
	s.Pins = maps.Clone(d.Pins)
	s.Polling = clonePolling(d.Polling)
}

// HandsDelta lowers the raised hands of the listed participants.
type HandsDelta struct{ Lowered []ParticipantID }

func (d HandsDelta) apply(s *State) {
	for _, id := range d.Lowered {
		if i := s.index(id); i >= 0 {
			s.Participants[i].HandRaised = false
			s.Participants[i].HandRaisedAt = time.Time{}
		}
	}
}

// ChatDelta is one chat message. It changes no State: the owner keeps the chat apart
// (Owner.Chat), and a private message reaches only those it is for (ChatMessage.VisibleTo).
type ChatDelta struct{ Message ChatMessage }

func (ChatDelta) apply(*State) {}

// EndedDelta ends the meeting for everyone.
type EndedDelta struct{}

func (EndedDelta) apply(s *State) { s.Ended = true }
