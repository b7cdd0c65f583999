package meeting

import (
	"context"
	"time"
)

// RaiseHand raises a participant's hand (举手). Only the participant themselves.
func (m *Owner) RaiseHand(ctx context.Context, a Actor, id ParticipantID) error {
	return m.do(ctx, func(o *loop) error {
		if !a.self(id) {
			return forbidden("participants may only raise their own hand")
		}
		p, err := o.present(id)
		if err != nil {
			return err
		}
		if !p.HandRaised {
			p.HandRaised, p.HandRaisedAt = true, o.cfg.Clock.Now()
			o.emit(KindHandRaised, a, id, ParticipantDelta{p})
		}
		return nil
	})
}

// LowerHand lowers a participant's raised hand: the participant themselves, or a
// moderator (the host answered them).
func (m *Owner) LowerHand(ctx context.Context, a Actor, id ParticipantID) error {
	return m.do(ctx, func(o *loop) error {
		if !a.moderator() && !a.self(id) {
			return forbidden("participants may only lower their own hand")
		}
		p, err := o.present(id)
		if err != nil {
			return err
		}
		if p.HandRaised {
			p.HandRaised, p.HandRaisedAt = false, time.Time{}
			o.emit(KindHandLowered, a, id, ParticipantDelta{p})
		}
		return nil
	})
}

// LowerAllHands lowers every raised hand. Moderators only.
func (m *Owner) LowerAllHands(ctx context.Context, a Actor) error {
	return m.do(ctx, func(o *loop) error {
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
	})
}
