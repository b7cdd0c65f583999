package rtc

import (
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/signal"
)

// ICE liveness (docs/rtc-protocol.md §9). Every packet from the client (media, RTCP,
// STUN) keeps its ICE pair alive; the server's agent asks for a STUN answer after
// iceKeepalive without one, and reports the pair disconnected after iceDisconnected
// without any. That is how a network that went away silently (no reset, the
// websocket left open) is noticed in seconds rather than by the websocket keepalive
// (45 s).
const (
	iceDisconnected = 3 * time.Second
	iceFailed       = 25 * time.Second // pion's default
	iceKeepalive    = time.Second
	// linkSettle is how long after a link comes back the subscriber's receiver reports
	// are not taken as loss: the first ones cover the outage (RTCP report intervals
	// reach 5 s).
	linkSettle = 5 * time.Second
)

// onICEState follows the participant's ICE connection: losing it makes the
// participant reconnecting for everyone; getting it back ends that. pion's goroutine.
func (p *participant) onICEState(st webrtc.ICEConnectionState) {
	switch st {
	case webrtc.ICEConnectionStateDisconnected, webrtc.ICEConnectionStateFailed:
		p.linkDown.Store(true)
		p.server.linkLost(p, st)
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		if p.linkDown.Swap(false) {
			p.linkUpAt.Store(time.Now().UnixNano())
		}
		p.server.linkBack(p)
	}
}

// linkLost suspends a participant whose packets stopped, its websocket possibly still
// open: the others get notice reconnectWindow now and the resume window starts now,
// as when its websocket drops (closedSession). Any goroutine.
func (s *Server) linkLost(p *participant, st webrtc.ICEConnectionState) {
	s.mu.Lock()
	if s.closed || p.gone || p.suspended || p.room == nil {
		s.mu.Unlock()
		return
	}
	p.linkLost = true
	s.suspendLocked(p)
	s.mu.Unlock()
	p.log.Info("rtc: participant's packets stopped; waiting for it to return", "ice", st, "window", s.cfg.ResumeWindow)
	s.announceSuspended(p)
}

// linkBack ends the suspension linkLost began when the participant's packets arrive
// again on the same websocket connection. A participant whose websocket closed
// meanwhile stays suspended until it resumes. Any goroutine.
func (s *Server) linkBack(p *participant) {
	s.mu.Lock()
	if !p.linkLost || !p.suspended || p.gone {
		s.mu.Unlock()
		return
	}
	p.suspended, p.linkLost = false, false
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	delete(s.suspended, p)
	s.mu.Unlock()
	p.log.Info("rtc: participant's packets arrive again")
	p.room.notice(p.id, &signal.Notice{Kind: signal.NoticeReconnected, ParticipantID: p.id})
	p.post(func() { p.recordNetwork(0) })
}

// away reports whether the participant's link is down or its connection is waiting
// for a resume: its network is rated 1 then, whatever its counters say. Worker.
func (p *participant) away() bool {
	if p.linkDown.Load() {
		return true
	}
	p.server.mu.Lock()
	defer p.server.mu.Unlock()
	return p.suspended
}

// settling reports whether the participant's link is down or came back less than
// linkSettle ago: receiver reports about its streams then cover the outage, not the
// link they come over. Any goroutine.
func (p *participant) settling() bool {
	if p.linkDown.Load() {
		return true
	}
	up := p.linkUpAt.Load()
	return up != 0 && time.Now().UnixNano()-up < int64(linkSettle)
}
