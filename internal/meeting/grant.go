package meeting

import (
	"context"
	"time"
)

// Grant is what a join token admits: one participant into one run in progress. The
// bookings issue and redeem it; the edges (the media plane, later SIP and devices)
// join its holder through the coordinator.
type Grant struct {
	RunID, MeetingID string
	// UserID is the member's account; empty for guests.
	UserID string
	Name   string
	Role   Role
	// Moderator marks the meeting's host and the enterprise's admins, who may control
	// the meeting and enter it while it is locked.
	Moderator bool
	// Source is the client's address, for the meeting log.
	Source string
	// AccountRole is the member's account role when the token was issued: the
	// bookings refuse a join after a role change (Confirm).
	AccountRole string
}

// Presence is one participant entering or leaving a run, for the run's presence
// count (an empty meeting ends) and the meeting log.
type Presence struct {
	RunID string
	At    time.Time
	// UserID and Name are the participant's account (empty for guests) and name.
	UserID, Name string
	Participant  ParticipantID
	Client       ClientKind
	Address      string
}

// PresenceOf is the presence entry of g's holder as participant id, now.
func PresenceOf(g *Grant, id ParticipantID, client ClientKind) Presence {
	return Presence{RunID: g.RunID, At: time.Now().UTC(), UserID: g.UserID, Name: g.Name, Participant: id, Client: client, Address: g.Source}
}

// Redeem exchanges a join token for its grant, once (the media plane's admission).
func (s *Service) Redeem(ctx context.Context, token string) (*Grant, error) {
	return s.cfg.Bookings.Redeem(ctx, token)
}

// Confirm checks that a redeemed grant still admits its holder (their account was not
// disabled or changed since the token was issued). Edges call it once the participant
// is on the roster, so that a revocation racing with the join cannot slip through.
func (s *Service) Confirm(ctx context.Context, g *Grant) error {
	return s.cfg.Bookings.Confirm(ctx, g)
}

// Joined records that a participant entered a run (presence count, meeting log).
func (s *Service) Joined(ctx context.Context, e Presence) error { return s.cfg.Bookings.Joined(ctx, e) }

// Left records that a participant left a run.
func (s *Service) Left(ctx context.Context, e Presence) error { return s.cfg.Bookings.Left(ctx, e) }

// Ensure returns the owner of a run in progress, starting it if needed (ErrEnded once
// the run ended).
func (s *Service) Ensure(runID string) (*Owner, error) { return s.reg.EnsureWith(runID, s.ownerConfig) }
