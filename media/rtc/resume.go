package rtc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
)

// DefaultResumeWindow is how long a participant whose connection dropped stays in the
// meeting, waiting to resume (docs/rtc-protocol.md §9).
const DefaultResumeWindow = 30 * time.Second

// errResumeExpired is the leave reason of a participant who did not come back in time.
var errResumeExpired = errors.New("rtc: resume window expired")

// resumable reports whether a connection that closed for reason may be resumed: the
// network or the client failed (the socket died without a close frame, went silent,
// stopped reading or flooded), as opposed to a leave, a client that closed the socket
// itself (a closed tab sends 1001), a removal, the meeting's end, a replacement or the
// server's shutdown.
func resumable(reason error) bool {
	if errors.Is(reason, signal.ErrPeerClosed) {
		code := websocket.CloseStatus(reason)
		return code == -1 || code == signal.CloseReconnecting
	}
	return errors.Is(reason, signal.ErrIdle) || errors.Is(reason, signal.ErrSlowConsumer) || errors.Is(reason, signal.ErrFlood)
}

// send queues a message on the participant's current connection; while suspended the
// message is dropped (the resumed connection gets a fresh picture instead).
func (p *participant) send(m signal.Message) { _ = p.sendErr(m) }

func (p *participant) sendErr(m signal.Message) error { return p.conn.Load().Send(m) }

// end closes the participant's connection for good with reason; a suspended
// participant is removed at once.
func (p *participant) end(reason signal.ByeReason, message string) {
	s := p.server
	s.mu.Lock()
	suspended := p.suspended
	s.mu.Unlock()
	// A connection still open (its packets stopped, or it resumed meanwhile) gets the
	// bye first; ending a closed one does nothing.
	p.conn.Load().End(reason, message)
	if suspended {
		s.expire(p, errors.New("rtc: ended while disconnected: "+reason.String()))
	}
}

// register makes p resumable with the join token it presented; it returns the first
// resume token. Called once, before joined is sent.
func (s *Server) register(p *participant, ss *session, joinToken string) string {
	p.tokenHash = sha256.Sum256([]byte(joinToken))
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	p.session, p.resumeToken = ss, tok
	s.resumes[tok] = p
	return tok
}

// suspendLocked starts p's resume window; s.mu is held. When it ends, p is removed.
func (s *Server) suspendLocked(p *participant) {
	p.suspended = true
	p.timer = time.AfterFunc(s.cfg.ResumeWindow, func() { s.expire(p, errResumeExpired) })
	s.suspended[p] = struct{}{}
}

// announceSuspended tells the others that p is reconnecting (and for how long it may),
// and records its network quality as 1 while it is away. s.mu is not held.
func (s *Server) announceSuspended(p *participant) {
	p.room.notice(p.id, s.reconnectWindow(p))
	p.post(func() { p.recordNetwork(1) })
}

// reconnectWindow is the notice that p is reconnecting within the resume window.
func (s *Server) reconnectWindow(p *participant) *signal.Notice {
	return &signal.Notice{Kind: signal.NoticeReconnectWindow, ParticipantID: p.id, Seconds: int(s.cfg.ResumeWindow / time.Second)}
}

// closedSession handles the end of ss's connection: a participant whose network
// failed is suspended for the resume window; otherwise, unless a newer connection took
// over, it leaves.
func (s *Server) closedSession(ss *session, reason error) {
	p := ss.p
	s.mu.Lock()
	if p.session != ss || p.gone {
		s.mu.Unlock()
		return // replaced by a resumed connection, or already removed
	}
	// A participant not yet in its room (the socket died during the join) just leaves.
	if !s.closed && resumable(reason) && p.room != nil {
		if p.suspended {
			// Its packets had stopped already (linkLost): the window runs since then.
			p.linkLost = false
			s.mu.Unlock()
			p.log.Info("rtc: participant disconnected; already waiting for resume", "reason", reason)
			return
		}
		s.suspendLocked(p)
		s.mu.Unlock()
		p.log.Info("rtc: participant disconnected; waiting for resume", "reason", reason, "window", s.cfg.ResumeWindow)
		s.announceSuspended(p)
		return
	}
	p.gone = true
	if p.suspended { // since its packets stopped; now it left
		p.suspended, p.linkLost = false, false
		p.timer.Stop()
		delete(s.suspended, p)
	}
	delete(s.resumes, p.resumeToken)
	s.teardowns.Add(1)
	s.mu.Unlock()
	defer s.teardowns.Done()
	s.teardown(p, reason)
}

// expire removes a suspended participant (window over, removed by the host, meeting
// ended or server closing). Any goroutine.
func (s *Server) expire(p *participant, reason error) {
	s.mu.Lock()
	if !p.suspended || p.gone {
		s.mu.Unlock()
		return
	}
	open := p.linkLost // its websocket is still open
	p.suspended, p.gone, p.linkLost = false, true, false
	if p.timer != nil {
		p.timer.Stop()
	}
	delete(s.suspended, p)
	delete(s.resumes, p.resumeToken)
	s.teardowns.Add(1)
	s.mu.Unlock()
	defer s.teardowns.Done()
	s.teardown(p, reason)
	if open {
		p.conn.Load().End(signal.ByeLeft, "no packets arrived within the resume window")
	}
}

// teardown takes the participant out for good: media closed, off the roster, leave
// recorded.
func (s *Server) teardown(p *participant, reason error) {
	p.close()
	s.leaveMeeting(p.meeting, p.id)
	p.log.Info("rtc: participant left", "reason", reason)
	// Left only pairs a recorded Joined, so the run's presence count stays balanced.
	if s.presence != nil && p.present.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
		defer cancel()
		if err := s.presence.Left(ctx, meeting.PresenceOf(p.grant, p.id, meeting.ClientBrowser)); err != nil && !errors.Is(err, context.Canceled) {
			p.log.Warn("rtc: record leave", "err", err)
		}
	}
}

// resume attaches a new connection to the participant a resume token names: the same
// participant id, media and subscriptions; a connection still open is replaced.
func (s *Server) resume(ss *session, j *signal.Join, reply func(*signal.Joined) error) error {
	hash := sha256.Sum256([]byte(j.Token))
	s.mu.Lock()
	p := s.resumes[j.ResumeToken]
	if p == nil || p.gone || subtle.ConstantTimeCompare(hash[:], p.tokenHash[:]) != 1 {
		s.mu.Unlock()
		return signal.Errorf(signal.CodeUnauthorized, "invalid or expired resume token")
	}
	if s.closed {
		s.mu.Unlock()
		return signal.Errorf(signal.CodeForbidden, "server shutting down")
	}
	// unnoticed: the server has not seen the old connection drop (its close is still
	// being processed, or the client gave up on a socket the server thought alive).
	wasSuspended, unnoticed, oldOpen := p.suspended, !p.suspended, !p.suspended || p.linkLost
	p.linkLost = false
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.suspended = false
	delete(s.suspended, p)
	delete(s.resumes, j.ResumeToken)
	tok := randomToken()
	s.resumes[tok] = p
	p.resumeToken, p.session = tok, ss
	s.mu.Unlock()

	// joined goes first on the new connection: nothing is sent there before it.
	ss.p = p
	if err := reply(&signal.Joined{ParticipantID: p.id, ResumeToken: tok, Resumed: true, ICEServers: s.ICEServers(string(p.id)),
		StateToken: s.stateToken(p.grant.RunID, p.id)}); err != nil {
		// The new connection failed at once: its Closed suspends the participant again.
		return err
	}
	old := p.conn.Swap(ss.conn)
	if oldOpen && old != nil {
		old.End(signal.ByeReplaced, "")
	}
	p.log.Info("rtc: participant resumed", "was_disconnected", wasSuspended)
	p.post(p.resumed)
	if r := p.roomOf(); r != nil {
		if unnoticed {
			// A resume means the client's connection dropped: the others hear of the drop
			// whichever the server saw first, the old socket's close or this join.
			r.notice(p.id, s.reconnectWindow(p))
		}
		r.notice(p.id, &signal.Notice{Kind: signal.NoticeReconnected, ParticipantID: p.id})
	}
	p.post(func() { p.recordNetwork(0) })
	return nil
}

// resumed brings a resumed client up to date: the tracks it sends and receives are
// announced again (anything it knew and is not re-announced is gone), a host mute is
// repeated, and tracks still waiting for an m-line are asked for again. The client
// restarts ICE with its next offer. Worker.
func (p *participant) resumed() {
	p.candidates = nil
	p.slots.resumed()
	for _, t := range p.published {
		p.send(signal.Message{Data: &signal.TrackPublished{ParticipantID: p.id, TrackID: t.id, CID: t.cid, Kind: kindOf(t), Source: t.source, Muted: t.muted.Load(), Layers: t.layers}})
	}
	for _, sub := range p.subs {
		t := sub.track.pt
		p.send(signal.Message{Data: &signal.TrackPublished{ParticipantID: t.owner, TrackID: t.id, Kind: kindOf(t), Source: t.source, Muted: t.muted.Load(), Layers: t.layers}})
	}
	if p.hostMuted.Load() {
		p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeMutedByHost, ParticipantID: p.id}})
	}
	if p.meeting != nil {
		ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
		st, err := p.meeting.Snapshot(ctx)
		cancel()
		if me, ok := st.Participant(p.id); err == nil && ok && me.UnmuteRequested {
			p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeUnmuteRequested, ParticipantID: p.id}})
		}
	}
	if len(p.slots.pending) > 0 {
		p.requestOffer()
	}
}

// notice sends n to every participant of the room but from.
func (r *Room) notice(from signal.ParticipantID, n *signal.Notice) {
	for _, o := range r.snapshot() {
		if o.id != from {
			o.send(signal.Message{Data: n})
		}
	}
}

// roomOf returns the participant's room, nil before it entered one.
func (p *participant) roomOf() *Room {
	p.server.mu.Lock()
	defer p.server.mu.Unlock()
	return p.room
}
