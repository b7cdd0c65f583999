package meeting

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jishitong/jishitong/internal/layout"
)

// ParticipantID identifies a participant of a running meeting (one connection of one
// person or terminal).
type ParticipantID = layout.ParticipantID

// ClientKind is how a participant is connected.
type ClientKind int

// Client kinds.
const (
	ClientUnknown ClientKind = iota
	ClientBrowser
	ClientSIP
	ClientRTSP
)

// String returns "browser", "sip", "rtsp" or "unknown", as the meeting log spells them.
func (k ClientKind) String() string {
	switch k {
	case ClientBrowser:
		return "browser"
	case ClientSIP:
		return "sip"
	case ClientRTSP:
		return "rtsp"
	}
	return "unknown"
}

// Role is a participant's part in the meeting.
type Role int

// Roles.
const (
	RoleUnknown Role = iota
	RoleHost
	RolePresenter
	RoleParticipant
)

// String returns "host", "presenter", "participant" or "unknown".
func (r Role) String() string {
	switch r {
	case RoleHost:
		return "host"
	case RolePresenter:
		return "presenter"
	case RoleParticipant:
		return "participant"
	}
	return "unknown"
}

// ParseRole returns the role named s ("host", "presenter", "participant"), or
// RoleUnknown: the one mapping from stored and wire names to roles.
func ParseRole(s string) Role {
	for _, r := range []Role{RoleHost, RolePresenter, RoleParticipant} {
		if r.String() == s {
			return r
		}
	}
	return RoleUnknown
}

// MaxNetworkQuality is the best network quality; 0 means unknown.
const MaxNetworkQuality = 5

// Participant is one member of the roster.
type Participant struct {
	ID   ParticipantID
	Name string
	// UserID is the signed-in member behind the connection, "" for guests and
	// terminals; it lets the edge recognise a member acting on their own connection.
	UserID string
	Client ClientKind
	Role   Role
	// Audio, Video and Screen report the tracks the participant publishes.
	Audio, Video, Screen bool
	// SelfMuted is the participant's own mute; MutedByHost is a moderator's, enforced
	// by the media plane.
	SelfMuted, MutedByHost bool
	// UnmuteRequested reports that a moderator asked the participant to unmute.
	UnmuteRequested bool
	// Speaking is what the active-speaker detector last reported.
	Speaking bool
	// NetworkQuality is 1 (bad) to MaxNetworkQuality (excellent), 0 when unknown.
	NetworkQuality int
	JoinedAt       time.Time
	// HandRaised reports a raised hand (举手), raised at HandRaisedAt (zero when down).
	HandRaised   bool
	HandRaisedAt time.Time
}

// Assignment is what every pane of the current layout shows.
type Assignment struct {
	Panes []layout.Assignment
	// Hidden is the number of participants shown in no pane.
	Hidden int
}

func (a Assignment) equal(b Assignment) bool {
	return a.Hidden == b.Hidden && slices.Equal(a.Panes, b.Panes)
}

// State is the whole live state of a running meeting as of event Seq. Subscribers keep
// one current by Apply.
type State struct {
	// Seq is the sequence number of the last event applied, 0 before any.
	Seq uint64
	// Participants is the roster in join order.
	Participants  []Participant
	ActiveSpeaker ParticipantID
	// Locked refuses joins by anyone but moderators.
	Locked bool
	// MuteOnEntry host-mutes joiners who are not moderators.
	MuteOnEntry bool
	// AllowSelfUnmute lets host-muted participants unmute themselves.
	AllowSelfUnmute bool
	Mode            layout.Mode
	// Pins keeps a participant in a pane (pane index -> participant).
	Pins       map[int]ParticipantID
	Polling    layout.Polling
	Assignment Assignment
	// Live and Recording report the live stream and the recording running.
	Live, Recording bool
	// Whiteboard reports that the whiteboard is shown to everyone: a moderator or a
	// presenter put it in a pane of the layout (the main one unless a pin holds it).
	// Opening the board only for oneself does not set it.
	Whiteboard bool
	// Ended reports that the meeting ended for everyone; no event follows.
	Ended bool
}

// Clone returns a deep copy of s.
func (s *State) Clone() State {
	c := *s
	c.Participants = slices.Clone(s.Participants)
	c.Pins = maps.Clone(s.Pins)
	c.Polling = clonePolling(s.Polling)
	c.Assignment.Panes = slices.Clone(s.Assignment.Panes)
	return c
}

// Participant returns the participant with this ID, if present.
func (s State) Participant(id ParticipantID) (Participant, bool) {
	if i := s.index(id); i >= 0 {
		return s.Participants[i], true
	}
	return Participant{}, false
}

func (s State) index(id ParticipantID) int {
	return slices.IndexFunc(s.Participants, func(p Participant) bool { return p.ID == id })
}

// Apply brings s from event e.Seq-1 to e.Seq. It returns an error, and changes nothing,
// when e is not the next event: the subscriber missed some and should resubscribe.
func (s *State) Apply(e Event) error {
	if e.Seq != s.Seq+1 {
		return fmt.Errorf("live: event %d does not follow %d", e.Seq, s.Seq)
	}
	if e.Delta != nil {
		e.Delta.apply(s)
	}
	if e.Assignment != nil {
		s.Assignment = Assignment{Panes: slices.Clone(e.Assignment.Panes), Hidden: e.Assignment.Hidden}
	}
	s.Seq = e.Seq
	return nil
}

// layoutInput is what layout.Assign needs of s at now.
func (s *State) layoutInput(now time.Time) layout.Input {
	roster := make([]layout.Participant, len(s.Participants))
	for i, p := range s.Participants {
		roster[i] = layout.Participant{ID: p.ID, Video: p.Video, Screen: p.Screen, Presenter: p.Role == RolePresenter}
	}
	return layout.Input{Mode: s.Mode, Roster: roster, ActiveSpeaker: s.ActiveSpeaker, Pins: s.Pins, Polling: s.Polling, Whiteboard: s.Whiteboard, Now: now}
}

func clonePolling(p layout.Polling) layout.Polling {
	p.Panes = slices.Clone(p.Panes)
	p.Set = slices.Clone(p.Set)
	return p
}
