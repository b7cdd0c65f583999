package meeting

import "context"

// SpeechChange is one participant's speaking flag flipping, as the media plane's
// active-speaker detector reports it.
type SpeechChange struct {
	ID       ParticipantID
	Speaking bool
}

// SetSpeech applies one tick of the active-speaker detector: the speaking flags that
// flipped and, when activeChanged, the new active speaker ("" for none). Unlike
// SetSpeaking, speaking alone never moves the active speaker: the detector decides that
// with its own resistance to flapping. Changes for participants no longer present are
// skipped. The media plane only (a system actor).
func (m *Owner) SetSpeech(ctx context.Context, a Actor, changes []SpeechChange, active ParticipantID, activeChanged bool) error {
	return m.do(ctx, func(o *loop) error {
		if !a.System {
			return forbidden("only the active-speaker detector reports speaking")
		}
		for _, c := range changes {
			p, err := o.present(c.ID)
			if err != nil || p.Speaking == c.Speaking {
				continue
			}
			o.emit(KindSpeaking, a, c.ID, SpeakingDelta{ID: c.ID, Speaking: c.Speaking, ActiveSpeaker: o.st.ActiveSpeaker})
		}
		if !activeChanged || active == o.st.ActiveSpeaker {
			return nil
		}
		if active == "" {
			if cur := o.st.ActiveSpeaker; cur != "" {
				if p, err := o.present(cur); err == nil {
					o.emit(KindSpeaking, a, cur, SpeakingDelta{ID: cur, Speaking: p.Speaking})
				}
			}
			return nil
		}
		p, err := o.present(active)
		if err != nil {
			return nil
		}
		o.emit(KindSpeaking, a, active, SpeakingDelta{ID: active, Speaking: p.Speaking, ActiveSpeaker: active})
		return nil
	})
}
