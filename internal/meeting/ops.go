package meeting

import (
	"context"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
)

// MaxNameLength is the longest display name, in characters.
const MaxNameLength = 64

// MaxPollingSet is the most participants a polling set may name.
const MaxPollingSet = 1000

func forbidden(format string, args ...any) error {
	return errs.New(errs.KindForbidden, format, args...)
}

func onlyModerators(a Actor) error {
	if !a.moderator() {
		return forbidden("only the host and administrators may do this")
	}
	return nil
}

// asSelf returns a acting as participant id when id is a connection of a's account: a
// member who acts on their own connection from an edge that does not hold it (GraphQL)
// acts as themselves (a self mute, not a host mute). Owner goroutine.
func (o *loop) asSelf(a Actor, id ParticipantID) Actor {
	if a.System || a.ParticipantID != "" || a.UserID == "" || id == "" {
		return a
	}
	// A connection's account never changes, so the answer cannot go stale.
	if p, ok := o.st.Participant(id); ok && p.UserID == a.UserID {
		a.ParticipantID = id
	}
	return a
}

// present returns the participant, or NOT_FOUND. Owner goroutine.
func (o *loop) present(id ParticipantID) (Participant, error) {
	p, ok := o.st.Participant(id)
	if !ok {
		return Participant{}, errs.NotFound("participant")
	}
	return p, nil
}

// Join adds p to the roster. The owner sets the mutes, speaking state and join time;
// the caller gives ID, Name, Client, Role (zero means participant; host needs a
// moderator) and the published tracks. A locked meeting refuses all but moderators
// (CONFLICT); a participant hung up cannot rejoin under the same ID (FORBIDDEN).
func (m *Owner) Join(ctx context.Context, a Actor, p Participant) error {
	return m.do(ctx, func(o *loop) error {
		p.Name = strings.TrimSpace(p.Name)
		switch {
		case !a.moderator() && !a.self(p.ID):
			return forbidden("participants may only join as themselves")
		case p.ID == "":
			return errs.Invalid("id", "a participant needs an ID")
		case p.Name == "" || utf8.RuneCountInString(p.Name) > MaxNameLength:
			return errs.Invalid("name", "a name has 1 to %d characters", MaxNameLength)
		case p.Client < ClientBrowser || p.Client > ClientRTSP:
			return errs.Invalid("client", "unknown client kind")
		case p.Role == RoleUnknown:
			p.Role = RoleParticipant
		case p.Role > RoleParticipant:
			return errs.Invalid("role", "unknown role")
		case p.Role == RoleHost && !a.moderator():
			return forbidden("only the host and administrators join as host")
		}
		if _, ok := o.hungUp[p.ID]; ok {
			return forbidden("you were removed from this meeting")
		}
		if o.st.Locked && !a.IsModerator {
			return errs.Conflict("", "the meeting is locked")
		}
		if _, ok := o.st.Participant(p.ID); ok {
			return errs.Conflict("id", "the participant is in the meeting already")
		}
		if p.Screen && o.sharer() != "" {
			return errs.Conflict("screen", "someone else is sharing a screen")
		}
		p.SelfMuted, p.UnmuteRequested, p.Speaking, p.NetworkQuality = false, false, false, 0
		p.HandRaised, p.HandRaisedAt = false, time.Time{}
		p.MutedByHost = o.st.MuteOnEntry && !a.IsModerator && p.Role != RoleHost
		p.JoinedAt = o.cfg.Clock.Now()
		o.emit(KindJoined, a, p.ID, ParticipantDelta{p})
		return nil
	})
}

// sharer returns who shares a screen, "" for nobody. Owner goroutine.
func (o *loop) sharer() ParticipantID {
	for _, p := range o.st.Participants {
		if p.Screen {
			return p.ID
		}
	}
	return ""
}

// Leave removes a participant who left (or whose connection the server dropped).
func (m *Owner) Leave(ctx context.Context, a Actor, id ParticipantID) error {
	return m.do(ctx, func(o *loop) error {
		if !a.selfOrSystem(id) {
			return forbidden("participants may only leave themselves; moderators hang up others")
		}
		if _, err := o.present(id); err != nil {
			return err
		}
		o.emit(KindLeft, a, id, RemovedDelta{ID: id})
		return nil
	})
}

// Hangup removes a participant, who may not rejoin under the same ID. Moderators only.
type Hangup struct{ ID ParticipantID }

func (c Hangup) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	if a.self(c.ID) {
		return errs.Invalid("id", "leave instead of hanging up yourself")
	}
	if _, err := o.present(c.ID); err != nil {
		return err
	}
	d := RemovedDelta{ID: c.ID, HungUp: true}
	o.hungUp[c.ID] = d
	o.emit(KindHungUp, a, c.ID, d)
	return nil
}

// Hangup applies the Hangup command.
func (m *Owner) Hangup(ctx context.Context, a Actor, id ParticipantID) error {
	return m.run(ctx, a, Hangup{ID: id})
}

// Mute mutes a participant: their own mute when they ask, a host mute (enforced by the
// media plane) when a moderator mutes someone else. Muting oneself declines a pending
// unmute request.
type Mute struct{ ID ParticipantID }

func (c Mute) apply(o *loop, a Actor) error {
	a = o.asSelf(a, c.ID)
	if !a.moderator() && !a.self(c.ID) {
		return forbidden("participants may only mute themselves")
	}
	p, err := o.present(c.ID)
	if err != nil {
		return err
	}
	was := p
	if a.self(c.ID) {
		p.SelfMuted, p.UnmuteRequested = true, false
	} else {
		p.MutedByHost, p.UnmuteRequested = true, false
	}
	if p != was {
		o.emit(KindMuted, a, c.ID, ParticipantDelta{p})
	}
	return nil
}

// Mute applies the Mute command.
func (m *Owner) Mute(ctx context.Context, a Actor, id ParticipantID) error {
	return m.run(ctx, a, Mute{ID: id})
}

// Unmute lifts a participant's mutes. Participants unmute themselves; a host mute only
// when self-unmute is allowed or a moderator asked them (else FORBIDDEN). A moderator
// unmuting someone else asks them (unmute_requested), unless Config.AllowDirectUnmute.
type Unmute struct{ ID ParticipantID }

func (c Unmute) apply(o *loop, a Actor) error {
	a = o.asSelf(a, c.ID)
	if !a.moderator() && !a.self(c.ID) {
		return forbidden("participants may only unmute themselves")
	}
	p, err := o.present(c.ID)
	if err != nil {
		return err
	}
	was := p
	kind := KindUnmuted
	switch {
	case a.self(c.ID) || a.System || o.cfg.AllowDirectUnmute:
		if p.MutedByHost && !o.st.AllowSelfUnmute && !p.UnmuteRequested && !a.moderator() {
			return forbidden("the host muted you; ask the host to unmute you")
		}
		p.SelfMuted, p.MutedByHost, p.UnmuteRequested = false, false, false
	case p.SelfMuted || p.MutedByHost:
		kind = KindUnmuteRequested
		p.UnmuteRequested = true
	}
	if p != was {
		o.emit(kind, a, c.ID, ParticipantDelta{p})
	}
	return nil
}

// Unmute applies the Unmute command.
func (m *Owner) Unmute(ctx context.Context, a Actor, id ParticipantID) error {
	return m.run(ctx, a, Unmute{ID: id})
}

// MuteAll host-mutes everyone but the actor and the host, and sets whether they may
// unmute themselves. Moderators only.
type MuteAll struct{ AllowSelfUnmute bool }

func (c MuteAll) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	var ids []ParticipantID
	for _, p := range o.st.Participants {
		if !a.self(p.ID) && p.Role != RoleHost && (!p.MutedByHost || p.UnmuteRequested) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) > 0 || c.AllowSelfUnmute != o.st.AllowSelfUnmute {
		o.emit(KindMutedAll, a, "", MuteAllDelta{Muted: ids, AllowSelfUnmute: c.AllowSelfUnmute})
	}
	return nil
}

// MuteAll applies the MuteAll command.
func (m *Owner) MuteAll(ctx context.Context, a Actor, allowSelfUnmute bool) error {
	return m.run(ctx, a, MuteAll{AllowSelfUnmute: allowSelfUnmute})
}

// setting is the body of every switch operation. Owner goroutine.
func (o *loop) setting(a Actor, kind Kind, s Setting, on, cur bool) error {
	if on != cur {
		o.emit(kind, a, "", SettingDelta{Setting: s, On: on})
	}
	return nil
}

// SetMuteOnEntry switches host-muting joiners. Moderators only.
type SetMuteOnEntry struct{ On bool }

func (c SetMuteOnEntry) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	return o.setting(a, KindMuteOnEntry, SettingMuteOnEntry, c.On, o.st.MuteOnEntry)
}

// SetMuteOnEntry applies the SetMuteOnEntry command.
func (m *Owner) SetMuteOnEntry(ctx context.Context, a Actor, on bool) error {
	return m.run(ctx, a, SetMuteOnEntry{On: on})
}

// SetAllowSelfUnmute turns the meeting-wide self-unmute switch on or off: while it
// is on, participants may lift a host mute themselves, whether it came from Mute,
// MuteAll or mute on entry. It mutes nobody. Moderators only.
type SetAllowSelfUnmute struct{ On bool }

func (c SetAllowSelfUnmute) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	return o.setting(a, KindSelfUnmute, SettingAllowSelfUnmute, c.On, o.st.AllowSelfUnmute)
}

// SetAllowSelfUnmute applies the SetAllowSelfUnmute command.
func (m *Owner) SetAllowSelfUnmute(ctx context.Context, a Actor, on bool) error {
	return m.run(ctx, a, SetAllowSelfUnmute{On: on})
}

// SetLocked locks the meeting (On), refusing further joins by anyone but moderators,
// or unlocks it. Moderators only.
type SetLocked struct{ On bool }

func (c SetLocked) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	kind := KindUnlocked
	if c.On {
		kind = KindLocked
	}
	return o.setting(a, kind, SettingLocked, c.On, o.st.Locked)
}

// Lock applies SetLocked{On: true}.
func (m *Owner) Lock(ctx context.Context, a Actor) error { return m.run(ctx, a, SetLocked{On: true}) }

// Unlock applies SetLocked{On: false}.
func (m *Owner) Unlock(ctx context.Context, a Actor) error {
	return m.run(ctx, a, SetLocked{On: false})
}

// SetLive records that the live stream started or stopped. Moderators and the system.
type SetLive struct{ On bool }

func (c SetLive) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	return o.setting(a, KindLive, SettingLive, c.On, o.st.Live)
}

// SetLive applies the SetLive command.
func (m *Owner) SetLive(ctx context.Context, a Actor, on bool) error {
	return m.run(ctx, a, SetLive{On: on})
}

// SetRecording records that the recording started or stopped. Moderators and the
// system.
type SetRecording struct{ On bool }

func (c SetRecording) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	return o.setting(a, KindRecording, SettingRecording, c.On, o.st.Recording)
}

// SetRecording applies the SetRecording command.
func (m *Owner) SetRecording(ctx context.Context, a Actor, on bool) error {
	return m.run(ctx, a, SetRecording{On: on})
}

// SetWhiteboard shows the whiteboard to everyone, in a pane of the layout, or stops.
// Moderators and presenters.
type SetWhiteboard struct{ On bool }

func (c SetWhiteboard) apply(o *loop, a Actor) error {
	if !a.moderator() && a.ParticipantID == "" && a.UserID != "" {
		// A presenter acting from an edge that holds no connection (GraphQL) acts
		// through the one of theirs that presents.
		for _, p := range o.st.Participants {
			if p.UserID == a.UserID && p.Role == RolePresenter {
				a.ParticipantID = p.ID
				break
			}
		}
	}
	if !a.moderator() {
		if p, ok := o.st.Participant(a.ParticipantID); !ok || p.Role != RolePresenter {
			return forbidden("only the host, administrators and presenters may do this")
		}
	}
	return o.setting(a, KindWhiteboard, SettingWhiteboard, c.On, o.st.Whiteboard)
}

// SetWhiteboard applies the SetWhiteboard command.
func (m *Owner) SetWhiteboard(ctx context.Context, a Actor, on bool) error {
	return m.run(ctx, a, SetWhiteboard{On: on})
}

// SetRole makes a participant a presenter or a participant. Moderators only; the host's
// role does not change.
type SetRole struct {
	ID   ParticipantID
	Role Role
}

func (c SetRole) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	if c.Role != RolePresenter && c.Role != RoleParticipant {
		return errs.Invalid("role", "make a participant a presenter or a participant")
	}
	p, err := o.present(c.ID)
	if err != nil {
		return err
	}
	if p.Role == RoleHost {
		return errs.Conflict("role", "the host's role cannot change")
	}
	if p.Role != c.Role {
		p.Role = c.Role
		o.emit(KindRole, a, c.ID, ParticipantDelta{p})
	}
	return nil
}

// SetRole applies the SetRole command.
func (m *Owner) SetRole(ctx context.Context, a Actor, id ParticipantID, r Role) error {
	return m.run(ctx, a, SetRole{ID: id, Role: r})
}

// Media is the tracks a participant publishes.
type Media struct{ Audio, Video, Screen bool }

// SetMedia records the tracks a participant publishes. The participant or the media
// plane; one screen share at a time (CONFLICT).
func (m *Owner) SetMedia(ctx context.Context, a Actor, id ParticipantID, md Media) error {
	return m.do(ctx, func(o *loop) error {
		if !a.selfOrSystem(id) {
			return forbidden("participants may only change their own media")
		}
		p, err := o.present(id)
		if err != nil {
			return err
		}
		if s := o.sharer(); md.Screen && s != "" && s != id {
			return errs.Conflict("screen", "someone else is sharing a screen")
		}
		was := p
		p.Audio, p.Video, p.Screen = md.Audio, md.Video, md.Screen
		if p != was {
			o.emit(KindMedia, a, id, ParticipantDelta{p})
		}
		return nil
	})
}

// SetSpeaking records the active-speaker detector's report. The system only.
func (m *Owner) SetSpeaking(ctx context.Context, a Actor, id ParticipantID, speaking bool) error {
	return m.do(ctx, func(o *loop) error {
		if !a.System {
			return forbidden("only the active-speaker detector reports speaking")
		}
		p, err := o.present(id)
		if err != nil {
			return err
		}
		active := o.st.ActiveSpeaker
		if speaking {
			active = id
		}
		if p.Speaking != speaking || active != o.st.ActiveSpeaker {
			o.emit(KindSpeaking, a, id, SpeakingDelta{ID: id, Speaking: speaking, ActiveSpeaker: active})
		}
		return nil
	})
}

// SetNetworkQuality records a participant's network quality, 0 (unknown) to
// MaxNetworkQuality. The participant or the media plane.
func (m *Owner) SetNetworkQuality(ctx context.Context, a Actor, id ParticipantID, q int) error {
	return m.do(ctx, func(o *loop) error {
		if !a.selfOrSystem(id) {
			return forbidden("participants may only report their own network quality")
		}
		if q < 0 || q > MaxNetworkQuality {
			return errs.Invalid("quality", "network quality is 0 to %d", MaxNetworkQuality)
		}
		p, err := o.present(id)
		if err != nil {
			return err
		}
		if p.NetworkQuality != q {
			p.NetworkQuality = q
			o.emit(KindNetwork, a, id, ParticipantDelta{p})
		}
		return nil
	})
}

// layoutChange emits the layout settings (mode, pins, polling) as one event. Owner
// goroutine.
func (o *loop) layoutChange(a Actor, kind Kind, subject ParticipantID, mode layout.Mode, pins map[int]ParticipantID, p layout.Polling) {
	o.emit(kind, a, subject, LayoutDelta{Mode: mode, Pins: pins, Polling: p})
}

// SetLayout changes the layout mode. Pins and polling that do not fit the new layout
// are dropped. Moderators only.
type SetLayout struct{ Mode layout.Mode }

func (c SetLayout) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	if !c.Mode.Valid() {
		return errs.Invalid("mode", "unknown layout")
	}
	if c.Mode == o.st.Mode {
		return nil
	}
	l := layout.Of(c.Mode)
	pins := make(map[int]ParticipantID, len(o.st.Pins))
	for i, id := range o.st.Pins {
		if i < len(l.Panes) {
			pins[i] = id
		}
	}
	p := clonePolling(o.st.Polling)
	if layout.ValidatePolling(p, l) != nil {
		p = layout.Polling{}
	}
	o.layoutChange(a, KindLayoutMode, "", c.Mode, pins, p)
	return nil
}

// SetLayout applies the SetLayout command.
func (m *Owner) SetLayout(ctx context.Context, a Actor, mode layout.Mode) error {
	return m.run(ctx, a, SetLayout{Mode: mode})
}

// Pin keeps a present participant in a pane (moving an earlier pin of theirs).
// Moderators only.
type Pin struct {
	Pane int
	ID   ParticipantID
}

func (c Pin) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	if _, err := o.present(c.ID); err != nil {
		return err
	}
	if o.st.Pins[c.Pane] == c.ID {
		return nil
	}
	pins := make(map[int]ParticipantID, len(o.st.Pins)+1)
	for i, p := range o.st.Pins {
		if p != c.ID {
			pins[i] = p
		}
	}
	pins[c.Pane] = c.ID
	if err := layout.ValidatePins(pins, layout.Of(o.st.Mode)); err != nil {
		return err
	}
	o.layoutChange(a, KindPinned, c.ID, o.st.Mode, pins, o.st.Polling)
	return nil
}

// Pin applies the Pin command.
func (m *Owner) Pin(ctx context.Context, a Actor, pane int, id ParticipantID) error {
	return m.run(ctx, a, Pin{Pane: pane, ID: id})
}

// Unpin frees a pinned pane (NOT_FOUND when it holds no pin). Moderators only.
type Unpin struct{ Pane int }

func (c Unpin) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	id, ok := o.st.Pins[c.Pane]
	if !ok {
		return errs.NotFound("pin")
	}
	pins := maps.Clone(o.st.Pins)
	delete(pins, c.Pane)
	o.layoutChange(a, KindUnpinned, id, o.st.Mode, pins, o.st.Polling)
	return nil
}

// Unpin applies the Unpin command.
func (m *Owner) Unpin(ctx context.Context, a Actor, pane int) error {
	return m.run(ctx, a, Unpin{Pane: pane})
}

// SetPolling sets polling (轮询). The owner sets Epoch to now, so the first step lasts
// a whole interval. Participants of the set who are not present are skipped until they
// are (see layout.Polling). Invalid settings (layout.ValidatePolling, a set of more than
// MaxPollingSet) are KindInvalid errors that change nothing. Moderators only.
type SetPolling struct{ Polling layout.Polling }

func (c SetPolling) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	if c.Polling.Enabled && len(c.Polling.Set) > MaxPollingSet {
		return errs.Invalid("set", "a polling set names at most %d participants", MaxPollingSet)
	}
	c.Polling = clonePolling(c.Polling)
	if c.Polling.Enabled {
		c.Polling.Epoch = o.cfg.Clock.Now()
	} else if !o.st.Polling.Enabled {
		return nil
	} else {
		c.Polling = layout.Polling{}
	}
	if err := layout.ValidatePolling(c.Polling, layout.Of(o.st.Mode)); err != nil {
		return err
	}
	o.layoutChange(a, KindPolling, "", o.st.Mode, o.st.Pins, c.Polling)
	return nil
}

// SetPolling applies the SetPolling command.
func (m *Owner) SetPolling(ctx context.Context, a Actor, p layout.Polling) error {
	return m.run(ctx, a, SetPolling{Polling: p})
}

// End ends the meeting for everyone: one ended event, then subscriptions close and the
// owner exits. Moderators and the system.
type End struct{}

func (c End) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	o.emit(KindEnded, a, "", EndedDelta{})
	return nil
}

// End applies the End command.
func (m *Owner) End(ctx context.Context, a Actor) error {
	return m.run(ctx, a, End{})
}
