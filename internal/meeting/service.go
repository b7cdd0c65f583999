package meeting

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/identity"
)

// Bookings is what the coordinator needs of the bookings; *conference.Service
// implements it. None of its methods is on the path of a control but Access, which
// reads the meeting (cached by the bookings), never the runs.
type Bookings interface {
	// Access returns whether p moderates the meeting (its host or an admin of its
	// enterprise). A meeting p may not see answers NOT_FOUND, like one that does not
	// exist.
	Access(ctx context.Context, p *identity.Principal, meetingID string) (moderator bool, err error)
	// RunsInProgress returns the run in progress of every meeting that has one, by
	// meeting ID. The coordinator reads it once, at start.
	RunsInProgress(ctx context.Context) (map[string]string, error)
	// RunSettings returns what a new owner of the run starts from.
	RunSettings(ctx context.Context, runID string) (Settings, error)
	// SaveSwitches records the run's lock and switches (nil fields stay as they are),
	// so that a new owner of the run (after a restart) keeps the host's choices.
	SaveSwitches(ctx context.Context, runID string, sw Switches) error
	// Redeem exchanges a join token for its grant, once; an unknown, used or expired
	// token answers UNAUTHENTICATED.
	Redeem(ctx context.Context, token string) (*Grant, error)
	// Confirm checks that a redeemed grant still admits its holder.
	Confirm(ctx context.Context, g *Grant) error
	// Joined and Left record presence in a run (its count and the meeting log).
	Joined(ctx context.Context, e Presence) error
	Left(ctx context.Context, e Presence) error
	// EndRun ends a run in progress for everyone (by: the moderator's user ID); the
	// bookings then end its owner through the registry.
	EndRun(ctx context.Context, runID, by string) error
	// CallAbsent calls the run's invited members who are not among present (user IDs),
	// for p, a moderator.
	CallAbsent(ctx context.Context, p *identity.Principal, runID string, present []string) (CallResult, error)
}

// CallResult is who a call of the absent invitees reached, by user ID: Called now, and
// Skipped because they were called moments ago.
type CallResult struct {
	Called, Skipped []string
}

// Settings is what a new owner of a run starts from.
type Settings struct {
	MuteOnEntry, Locked, AllowSelfUnmute bool
}

// Switches are the run's settings a host changes; nil fields are unchanged.
type Switches struct {
	Locked, MuteOnEntry, AllowSelfUnmute *bool
}

// ServiceConfig configures the coordinator.
type ServiceConfig struct {
	Bookings Bookings
	// Registry holds the owners; the bookings tell it of run starts and ends
	// (conference.Config.Runs), so the composition root builds it first. Nil: a new one.
	Registry *Registry
	// Log receives every event of every run (the meeting log, the chat store). It runs
	// on the owner goroutines and must not block.
	Log func(runID string, e Event)
	// Owner is the base configuration of every owner (Clock, AllowDirectUnmute); the
	// coordinator sets RunID, Log and the run's settings.
	Owner  Config
	Logger *slog.Logger
}

// Service is the one coordinator of running meetings: every edge (GraphQL, /rtc, and
// later SIP, devices and the compositor) acts on a running meeting through it, in one
// call. It authorizes the caller with the bookings, finds the run from its registry
// (meeting → run, kept from run starts and ends, never read per call), writes the
// switches that outlive an owner, and applies the command on the run's owner in one
// round trip. Safe for concurrent use.
type Service struct {
	cfg ServiceConfig
	reg *Registry
	// tokenKey signs state tokens (claim.go).
	tokenKey []byte
}

// settingsTimeout bounds the read of a new owner's settings.
const settingsTimeout = 5 * time.Second

// NewService builds the coordinator and loads the runs in progress from the bookings.
func NewService(ctx context.Context, cfg ServiceConfig) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, reg: cfg.Registry, tokenKey: newTokenKey()}
	if s.reg == nil {
		s.reg = NewRegistry(nil)
	}
	runs, err := cfg.Bookings.RunsInProgress(ctx)
	if err != nil {
		return nil, fmt.Errorf("meeting: list the runs in progress: %w", err)
	}
	for meetingID, runID := range runs {
		s.reg.Started(meetingID, runID)
	}
	return s, nil
}

// ownerConfig is the configuration of a new owner of runID: the base, the meeting
// log, and the run's settings from the bookings. Called without the registry's lock.
func (s *Service) ownerConfig(runID string) Config {
	cfg := s.cfg.Owner
	if log := s.cfg.Log; log != nil {
		cfg.Log = func(e Event) { log(runID, e) }
	}
	ctx, cancel := context.WithTimeout(context.Background(), settingsTimeout)
	defer cancel()
	if st, err := s.cfg.Bookings.RunSettings(ctx, runID); err == nil {
		cfg.MuteOnEntry, cfg.Locked, cfg.AllowSelfUnmuteDefault = st.MuteOnEntry, st.Locked, st.AllowSelfUnmute
	} else {
		s.cfg.Logger.Warn("reading a running meeting's settings", "run", runID, "err", err)
	}
	return cfg
}

// Registry returns the owners of the runs: the media plane's view until it takes its
// own interfaces (docs/architecture.md).
func (s *Service) Registry() *Registry { return s.reg }

// Close closes every owner.
func (s *Service) Close() { s.reg.Close() }

// Attach returns the owner of meetingID's run in progress and p as its actor:
// NOT_FOUND when p may not see the meeting or it is not running.
func (s *Service) Attach(ctx context.Context, p *identity.Principal, meetingID string) (*Owner, Actor, error) {
	moderator, err := s.cfg.Bookings.Access(ctx, p, meetingID)
	if err != nil {
		return nil, Actor{}, err
	}
	runID, ok := s.reg.RunOf(meetingID)
	if !ok {
		return nil, Actor{}, errs.NotFound("running meeting")
	}
	m, err := s.Ensure(runID)
	if err != nil {
		return nil, Actor{}, errs.NotFound("running meeting")
	}
	return m, Actor{UserID: p.UserID, IsModerator: moderator}, nil
}

// Control applies c to meetingID's running meeting for p and returns the state after
// it. A command that changes a switch of the run (SetLocked, SetMuteOnEntry,
// SetAllowSelfUnmute, MuteAll) is recorded with the run first, so the owner and the
// run never disagree after a restart; only moderators get that far.
func (s *Service) Control(ctx context.Context, p *identity.Principal, meetingID string, c Command) (State, error) {
	m, a, err := s.Attach(ctx, p, meetingID)
	if err != nil {
		return State{}, err
	}
	if sw, ok := switchesOf(c); ok {
		if err := onlyModerators(a); err != nil {
			return State{}, err
		}
		if err := s.cfg.Bookings.SaveSwitches(ctx, m.RunID(), sw); err != nil {
			return State{}, err
		}
	}
	return m.Apply(ctx, a, c)
}

// End ends meetingID's running meeting for everyone and returns its run's ID. The
// host and admins only; the run ends in the bookings first (its reserved capacity is
// freed at once), which end its owner: one ended event to every subscriber.
func (s *Service) End(ctx context.Context, p *identity.Principal, meetingID string) (string, error) {
	runID, err := s.moderatedRun(ctx, p, meetingID, "only the host and administrators may end this meeting")
	if err != nil {
		return "", err
	}
	if err := s.cfg.Bookings.EndRun(ctx, runID, p.UserID); err != nil {
		return "", err
	}
	return runID, nil
}

// CallAbsent calls the invited members who are not in meetingID's running meeting (an
// in-app "join now" notice, and a dial-out where one is set up). The host and admins
// only; who is present comes from the meeting's owner.
func (s *Service) CallAbsent(ctx context.Context, p *identity.Principal, meetingID string) (CallResult, error) {
	runID, err := s.moderatedRun(ctx, p, meetingID, "only the host and administrators may call participants")
	if err != nil {
		return CallResult{}, err
	}
	present, err := s.PresentMembers(ctx, runID)
	if err != nil {
		return CallResult{}, err
	}
	return s.cfg.Bookings.CallAbsent(ctx, p, runID, present)
}

// moderatedRun returns meetingID's run in progress for p, a moderator of it: NOT_FOUND
// when p may not see the meeting, FORBIDDEN (with refusal) when p does not moderate
// it, NOT_FOUND when it is not running.
func (s *Service) moderatedRun(ctx context.Context, p *identity.Principal, meetingID, refusal string) (string, error) {
	moderator, err := s.cfg.Bookings.Access(ctx, p, meetingID)
	if err != nil {
		return "", err
	}
	if !moderator {
		return "", forbidden("%s", refusal)
	}
	runID, ok := s.reg.RunOf(meetingID)
	if !ok {
		return "", errs.NotFound("running meeting")
	}
	return runID, nil
}

// SendChat sends a chat message for p as the participant in.From (which must be a
// connection of p's) in meetingID's running meeting.
func (s *Service) SendChat(ctx context.Context, p *identity.Principal, meetingID string, in ChatInput) (ChatMessage, error) {
	if err := CheckChatText(in.Text); err != nil {
		return ChatMessage{}, err // before any other work
	}
	m, a, err := s.Attach(ctx, p, meetingID)
	if err != nil {
		return ChatMessage{}, err
	}
	return m.SendChat(ctx, a, in)
}

// switchesOf returns the run switches c changes.
func switchesOf(c Command) (Switches, bool) {
	on := func(v bool) *bool { return &v }
	switch c := c.(type) {
	case SetLocked:
		return Switches{Locked: on(c.On)}, true
	case SetMuteOnEntry:
		return Switches{MuteOnEntry: on(c.On)}, true
	case SetAllowSelfUnmute:
		return Switches{AllowSelfUnmute: on(c.On)}, true
	case MuteAll:
		return Switches{AllowSelfUnmute: on(c.AllowSelfUnmute)}, true
	}
	return Switches{}, false
}

// PresentMembers returns the user IDs of the members in a run (guests have none);
// none when its owner has not started: nobody joined.
func (s *Service) PresentMembers(ctx context.Context, runID string) ([]string, error) {
	m := s.reg.Get(runID)
	if m == nil {
		return nil, nil
	}
	st, err := m.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range st.Participants {
		if p.UserID != "" {
			ids = append(ids, p.UserID)
		}
	}
	return ids, nil
}
