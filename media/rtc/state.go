package rtc

import (
	"context"

	"github.com/jishitong/jishitong/internal/live"
	"github.com/jishitong/jishitong/media/signal"
)

// StateEncoder encodes a live meeting update for the `state` message's patch:
// graph.LiveUpdateJSON, the shape of the GraphQL meetingState subscription.
type StateEncoder func(live.Update) ([]byte, error)

// SetStateEncoder makes every participant receive the meeting's live state over /rtc:
// a full state right after joining (and resuming), then every event, as `state`
// messages. Guests, who have no account for GraphQL, depend on it. Call it before
// Start.
func (s *Server) SetStateEncoder(enc StateEncoder) { s.encodeState = enc }

// sendFullState sends p the meeting's full live state. Called after p entered the
// room, so the room's watcher forwards every later event to p: the client ignores
// events at or below the full state's seq.
func (s *Server) sendFullState(p *participant) {
	if s.encodeState == nil || p.live == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	st, err := p.live.Snapshot(ctx)
	if err != nil || st.Seq == 0 {
		return
	}
	b, err := s.encodeState(live.Update{Full: &st})
	if err != nil {
		p.log.Warn("rtc: encode the meeting state", "err", err)
		return
	}
	p.send(signal.Message{Data: &signal.State{Seq: st.Seq, Patch: b}})
}

// forwardState sends one live update to everyone in the room. Watch goroutine.
func (r *Room) forwardState(enc StateEncoder, u live.Update) {
	seq := u.Seq()
	if enc == nil || seq == 0 {
		return
	}
	b, err := enc(u)
	if err != nil {
		return
	}
	m := signal.Message{Data: &signal.State{Seq: seq, Patch: b}}
	for _, p := range r.snapshot() {
		p.send(m)
	}
}
