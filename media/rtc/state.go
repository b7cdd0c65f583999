package rtc

import (
	"context"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// StateEncoder encodes a running meeting update for the `state` message's patch:
// graph.MeetingUpdateJSON, the shape of the GraphQL meetingState subscription.
type StateEncoder func(meeting.Update) ([]byte, error)

// ChatEncoder encodes chat messages for the `chatHistory` message: a JSON array in the
// shape of GraphQL's ChatMessage (graph.ChatJSON).
type ChatEncoder func([]meeting.ChatMessage) ([]byte, error)

// sendFullState sends p the meeting's full live state and from then on every event
// (p.stateReady). It holds the room's stateMu, as the watcher does around forwarding
// an update, so p gets no event before its full state, and none goes missing: an event
// the watcher forwarded before is in the snapshot, one it forwards after reaches p
// (the client ignores those at or below the full state's seq). Called after p entered
// the room, and on resume after joined.
func (s *Server) sendFullState(p *participant) {
	r := p.roomOf()
	if s.encodeState == nil || p.meeting == nil || r == nil {
		return
	}
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	st, chat, err := p.meeting.View(ctx, p.id, p.moderator())
	if err != nil || st.Seq == 0 {
		return
	}
	b, err := s.encodeState(meeting.Update{Full: &st})
	if err != nil {
		p.log.Warn("rtc: encode the meeting state", "err", err)
		return
	}
	p.send(signal.Message{Data: &signal.State{Seq: st.Seq, Patch: b}})
	s.sendChatHistory(p, st.Seq, chat)
	p.stateReady.Store(true)
}

// sendChatHistory sends p the chat it may read up to seq, signal.MaxChatHistory
// messages per chatHistory message (so that each stays far below the frame limit:
// 40 messages of 2,000 characters are under 0.5 MiB even with every character
// escaped). Called with the room's stateMu held.
func (s *Server) sendChatHistory(p *participant, seq uint64, chat []meeting.ChatMessage) {
	if s.encodeChat == nil {
		return
	}
	for len(chat) > 0 {
		n := min(len(chat), signal.MaxChatHistory)
		b, err := s.encodeChat(chat[:n])
		if err != nil {
			p.log.Warn("rtc: encode the chat", "err", err)
			return
		}
		p.send(signal.Message{Data: &signal.ChatHistory{Seq: seq, Messages: b}})
		chat = chat[n:]
	}
}

// forwardState sends one live update to everyone in the room. Watch goroutine.
func (r *Room) forwardState(enc StateEncoder, u meeting.Update) {
	seq := u.Seq()
	if enc == nil || seq == 0 {
		return
	}
	b, err := enc(u)
	if err != nil {
		return
	}
	m := signal.Message{Data: &signal.State{Seq: seq, Patch: b}}
	// A private chat message reaches its participant and the hosts; everyone else
	// gets the event without it, so that their sequence has no gap.
	var private *meeting.ChatMessage
	hidden := m
	if e := u.Event; e != nil {
		if d, ok := e.Delta.(meeting.ChatDelta); ok && d.Message.Private != "" {
			private = &d.Message
			hb, err := enc(meeting.Update{Event: e.Hidden()})
			if err != nil {
				return
			}
			hidden = signal.Message{Data: &signal.State{Seq: seq, Patch: hb}}
		}
	}
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	for _, p := range r.snapshot() {
		if !p.stateReady.Load() {
			continue
		}
		if private != nil && !private.VisibleTo(p.id, p.moderator()) {
			p.send(hidden)
		} else {
			p.send(m)
		}
	}
}
