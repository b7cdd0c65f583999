package rtc

import (
	"context"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// actor is the participant acting on their own behalf in the running meeting.
func (p *participant) actor() meeting.Actor {
	return meeting.Actor{UserID: p.grant.UserID, ParticipantID: p.id, IsModerator: p.grant.Moderator}
}

// onRaiseHand raises or lowers the participant's own hand. Worker.
func (p *participant) onRaiseHand(m *signal.RaiseHand) error {
	if p.meeting == nil {
		return signal.Errorf(signal.CodeInvalidField, "this meeting has no hands to raise")
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	var err error
	if m.Raised {
		err = p.meeting.RaiseHand(ctx, p.actor(), p.id)
	} else {
		err = p.meeting.LowerHand(ctx, p.actor(), p.id)
	}
	return meetingError(err)
}

// onSendChat sends the participant's chat message; the message reaches everyone
// (or, private, its participant and the hosts) as a chat event of the live state.
// Worker.
func (p *participant) onSendChat(m *signal.SendChat) error {
	if p.meeting == nil {
		return signal.Errorf(signal.CodeInvalidField, "this meeting has no chat")
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	_, err := p.meeting.SendChat(ctx, p.actor(), meeting.ChatInput{Text: m.Text, ToHosts: m.ToHosts, To: m.To})
	return meetingError(err)
}

// meetingError turns a meeting owner's refusal into the error answering the client's
// message: rate_limited when the participant sends too fast, else invalid_field with
// the owner's reason.
func meetingError(err error) error {
	if err == nil {
		return nil
	}
	e, ok := errs.As(err)
	if !ok {
		return signal.Errorf(signal.CodeInternal, "the meeting did not answer")
	}
	if e.Kind == errs.KindRateLimited {
		return signal.Errorf(signal.CodeRateLimited, "%s", e.Message)
	}
	return signal.Errorf(signal.CodeInvalidField, "%s", e.Message)
}
