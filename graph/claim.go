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
// its actor: a signed-in member by their session, else (or when the member may not
// see the meeting: one who joined by number and password, not invited) a participant
// by the meeting token of their websocket, who may follow only their own meeting
// while on its roster. UNAUTHENTICATED with neither.
func (r *Resolver) attachMeeting(ctx context.Context, meetingID string) (*meeting.Owner, meeting.Actor, error) {
	c, claimed := claimFrom(ctx)
	if p := caller(ctx); p != nil {
		m, a, err := r.Meetings.Attach(ctx, p, meetingID)
		if err == nil || !claimed || errs.KindOf(err) != errs.KindNotFound {
			return m, a, err
		}
	}
	if claimed {
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
