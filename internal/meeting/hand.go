package meeting

import (
	"context"
	"time"
)

// RaiseHand raises a participant's hand (举手). Only the participant themselves.
type RaiseHand struct{ ID ParticipantID }

func (c RaiseHand) apply(o *loop, a Actor) error {
	a = o.asSelf(a, c.ID)
	if !a.self(c.ID) {
		return forbidden("participants may only raise their own hand")
	}
	p, err := o.present(c.ID)
	if err != nil {
		return err
	}
	if !p.HandRaised {
		p.HandRaised, p.HandRaisedAt = true, o.cfg.Clock.Now()
		o.emit(KindHandRaised, a, c.ID, ParticipantDelta{p})
	}
	return nil
}

// RaiseHand applies the RaiseHand command.
func (m *Owner) RaiseHand(ctx context.Context, a Actor, id ParticipantID) error {
	return m.run(ctx, a, RaiseHand{ID: id})
}

// LowerHand lowers a participant's raised hand: the participant themselves, or a
// moderator (the host answered them).
type LowerHand struct{ ID ParticipantID }

func (c LowerHand) apply(o *loop, a Actor) error {
	a = o.asSelf(a, c.ID)
	if !a.moderator() && !a.self(c.ID) {
		return forbidden("participants may only lower their own hand")
	}
	p, err := o.present(c.ID)
	if err != nil {
		return err
	}
	if p.HandRaised {
		p.HandRaised, p.HandRaisedAt = false, time.Time{}
		o.emit(KindHandLowered, a, c.ID, ParticipantDelta{p})
	}
	return nil
}

// LowerHand applies the LowerHand command.
func (m *Owner) LowerHand(ctx context.Context, a Actor, id ParticipantID) error {
	return m.run(ctx, a, LowerHand{ID: id})
}

// LowerAllHands lowers every raised hand. Moderators only.
type LowerAllHands struct{}

func (c LowerAllHands) apply(o *loop, a Actor) error {
	if err := onlyModerators(a); err != nil {
		return err
	}
	var ids []ParticipantID
	for _, p := range o.st.Participants {
		if p.HandRaised {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) > 0 {
		o.emit(KindHandsLowered, a, "", HandsDelta{Lowered: ids})
	}
	return nil
}

// LowerAllHands applies the LowerAllHands command.
func (m *Owner) LowerAllHands(ctx context.Context, a Actor) error {
	return m.run(ctx, a, LowerAllHands{})
}
