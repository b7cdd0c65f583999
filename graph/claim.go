package graph

import (
	"context"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// claimKey carries the meeting claim of a websocket opened with a meetingToken.
type claimKey struct{}

// withClaim returns ctx carrying c.
func withClaim(ctx context.Context, c meeting.Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// claimFrom returns the meeting claim of the request's websocket, if any.
func claimFrom(ctx context.Context) (meeting.Claim, bool) {
	c, ok := ctx.Value(claimKey{}).(meeting.Claim)
	return c, ok
}

// attachMeeting returns the owner of meetingID's running meeting and the caller as
// its actor: a signed-in member by their session, else a participant by the meeting
// token of their websocket (a guest, who may follow only their own meeting while on
// its roster). UNAUTHENTICATED with neither.
func (r *Resolver) attachMeeting(ctx context.Context, meetingID string) (*meeting.Owner, meeting.Actor, error) {
	if p := caller(ctx); p != nil {
		return r.Meetings.Attach(ctx, p, meetingID)
	}
	if c, ok := claimFrom(ctx); ok {
		return r.Meetings.AttachClaim(ctx, c, meetingID)
	}
	return nil, meeting.Actor{}, errs.ErrUnauthenticated
}

// visibleTo reports whether a may read chat message m: a member by their account, a
// guest by their participant.
func visibleTo(a meeting.Actor, m meeting.ChatMessage) bool {
	if a.UserID == "" && a.ParticipantID != "" {
		return m.VisibleTo(a.ParticipantID, false)
	}
	return m.VisibleToMember(a.UserID, a.IsModerator)
}
