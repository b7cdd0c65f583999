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

// sendFullState sends p the meeting's full live state and from then on every event
// (p.stateReady). It holds the room's stateMu, as the watcher does around forwarding
// an update, so p gets no event before its full state, and none goes missing: an event
// the watcher forwarded before is in the snapshot, one it forwards after reaches p
// (the client ignores those at or below the full state's seq). Called after p entered
// the room, and on resume after joined.
func (s *Server) sendFullState(p *participant) {
	r := p.roomOf()
	if s.encodeState == nil || p.live == nil || r == nil {
		return
	}
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
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
	p.stateReady.Store(true)
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
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	for _, p := range r.snapshot() {
		if p.stateReady.Load() {
			p.send(m)
		}
	}
}
