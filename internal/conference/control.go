package conference

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// OnRun sets a function told synchronously, after the bus event, when a run becomes
// live or ends; the composition root uses it to start and stop the run's meeting owner.
// It must not block. Call it before serving.
func (s *Service) OnRun(f func(RunEvent)) { s.onRun = f }

// notifyRun tells the OnRun hook, if any.
func (s *Service) notifyRun(e RunEvent) {
	if s.onRun != nil {
		s.onRun(e)
	}
}

// Control returns the run in progress of a meeting the caller may see and whether the caller
// moderates it (its host or an admin of its enterprise). Meetings the caller may not
// see, and meetings not live, answer NOT_FOUND; what a non-moderator may do is the
// meeting owner's decision.
func (s *Service) Control(ctx context.Context, p *auth.Principal, meetingID string) (*Run, bool, error) {
	m, err := s.meetingFor(ctx, p, meetingID)
	if err != nil {
		return nil, false, err
	}
	for _, r := range s.runsInProgress(ctx) {
		if r.MeetingID == m.ID {
			return r, canControl(p, m), nil
		}
	}
	return nil, false, errs.NotFound("running meeting")
}

// Lock locks or unlocks the run in progress of a meeting: joinMeeting refuses everyone but
// the host and admins while it is locked. Host and admins only.
func (s *Service) Lock(ctx context.Context, p *auth.Principal, meetingID string, locked bool) (*Run, error) {
	r, moderator, err := s.Control(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	if !moderator {
		return nil, errs.New(errs.KindForbidden, "only the host and administrators may lock this meeting")
	}
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, r.ID, bson.M{"$set": bson.M{"locked": locked}}); err != nil {
		return nil, fmt.Errorf("conference: lock run: %w", err)
	}
	r.Locked = locked
	return r, nil
}

// RunSwitch is a host's switch that belongs to the run rather than to the booking, so
// that a new meeting owner of the run (after a restart) keeps the host's choice.
type RunSwitch string

// The run's switches.
const (
	// SwitchMuteOnEntry host-mutes joiners who are not moderators (the booking's
	// option until the host changes it).
	SwitchMuteOnEntry RunSwitch = "muteOnEntry"
	// SwitchAllowSelfUnmute lets host-muted participants unmute themselves (off until
	// the host turns it on, alone or with mute all).
	SwitchAllowSelfUnmute RunSwitch = "allowSelfUnmute"
)

// SetRunSwitch records a host's switch on the run in progress of a meeting. Host and admins
// only.
func (s *Service) SetRunSwitch(ctx context.Context, p *auth.Principal, meetingID string, sw RunSwitch, on bool) (*Run, error) {
	if sw != SwitchMuteOnEntry && sw != SwitchAllowSelfUnmute {
		return nil, errs.Invalid("switch", "unknown switch")
	}
	r, moderator, err := s.Control(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	if !moderator {
		return nil, errs.New(errs.KindForbidden, "only the host and administrators may change this meeting")
	}
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, r.ID, bson.M{"$set": bson.M{string(sw): on}}); err != nil {
		return nil, fmt.Errorf("conference: set %s: %w", sw, err)
	}
	if sw == SwitchMuteOnEntry {
		r.MuteOnEntry = &on
	} else {
		r.AllowSelfUnmute = &on
	}
	return r, nil
}

// RunSettings is what a new meeting owner of a run starts from.
type RunSettings struct {
	// Options are the meeting's, with the run's own mute on entry when the host
	// changed it.
	Options Options
	// Locked: the lock outlives the owner.
	Locked bool
	// AllowSelfUnmute is the host's self-unmute switch.
	AllowSelfUnmute bool
}

// RunSettings returns what a new meeting owner of the run (after a restart) starts from.
func (s *Service) RunSettings(ctx context.Context, runID string) (RunSettings, error) {
	r, err := s.run(ctx, runID)
	if err != nil {
		return RunSettings{}, err
	}
	m, err := s.loadMeeting(ctx, r.MeetingID)
	if err != nil {
		return RunSettings{}, err
	}
	rs := RunSettings{Options: m.Options, Locked: r.Locked}
	if r.MuteOnEntry != nil {
		rs.Options.MuteOnEntry = *r.MuteOnEntry
	}
	if r.AllowSelfUnmute != nil {
		rs.AllowSelfUnmute = *r.AllowSelfUnmute
	}
	return rs, nil
}
