package rtc

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/live"
	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// participant is one joined /rtc connection. Fields marked "worker" are touched only by
// functions running on w.
type participant struct {
	id     signal.ParticipantID
	grant  *conference.Grant
	room   *Room
	server *Server
	conn   *signal.Conn
	log    *slog.Logger
	w      *worker
	wg     sync.WaitGroup // forwarding, keyframe and RTCP goroutines
	// present is set once Presence.Joined succeeded.
	present atomic.Bool
	// live is the run's live owner, nil without Server.Meetings; hostMuted is the host
	// mute last applied (Room.watch goroutine).
	live      *live.Meeting
	hostMuted atomic.Bool

	pub *webrtc.PeerConnection // client offers; carries the client's tracks
	sub *webrtc.PeerConnection // server offers; carries the other participants' tracks

	// worker
	pubCandidates []webrtc.ICECandidateInit // arrived before the remote description
	subCandidates []webrtc.ICECandidateInit
	negotiating   bool // a subscriber offer awaits its answer
	renegotiate   bool // something changed meanwhile: offer again after the answer
	publishes     []*signal.Publish
	subs          map[signal.TrackID]*subscription
	published     []*publishedTrack
}

// subscription is one remote track sent to this participant. Worker only.
type subscription struct {
	track  *downTrack
	sender *webrtc.RTPSender
}

func newParticipant(s *Server, id signal.ParticipantID, g *conference.Grant, conn *signal.Conn) (*participant, error) {
	pcfg := webrtc.Configuration{ICEServers: s.cfg.iceServers(), SDPSemantics: webrtc.SDPSemanticsUnifiedPlan}
	pub, err := s.api.NewPeerConnection(pcfg)
	if err != nil {
		return nil, err
	}
	sub, err := s.api.NewPeerConnection(pcfg)
	if err != nil {
		_ = pub.Close()
		return nil, err
	}
	p := &participant{
		id:     id,
		grant:  g,
		server: s,
		conn:   conn,
		log:    s.log.With("participant", id, "run", g.RunID),
		pub:    pub,
		sub:    sub,
		subs:   map[signal.TrackID]*subscription{},
		w:      newWorker(),
	}
	pub.OnICECandidate(func(c *webrtc.ICECandidate) { p.trickle(signal.TargetPublisher, c) })
	sub.OnICECandidate(func(c *webrtc.ICECandidate) { p.trickle(signal.TargetSubscriber, c) })
	pub.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		p.post(func() { p.onTrack(remote, recv) })
	})
	return p, nil
}

// post runs fn on the participant's worker unless the participant is gone.
func (p *participant) post(fn func()) { p.w.post(fn) }

// trickle sends one local candidate (RFC 8838); a nil candidate ends gathering. Called on
// pion's goroutines; Conn.Send never blocks.
func (p *participant) trickle(target signal.Target, c *webrtc.ICECandidate) {
	if c == nil {
		_ = p.conn.Send(signal.Message{Data: &signal.Candidate{Target: target}})
		return
	}
	init := c.ToJSON()
	_ = p.conn.Send(signal.Message{Data: &signal.Candidate{
		Target:           target,
		Candidate:        &init.Candidate,
		SDPMid:           init.SDPMid,
		SDPMLineIndex:    init.SDPMLineIndex,
		UsernameFragment: derefString(init.UsernameFragment),
	}})
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// handle applies one client message. Worker.
func (p *participant) handle(m signal.Message) {
	var err error
	switch d := m.Data.(type) {
	case *signal.Offer:
		err = p.onOffer(d)
	case *signal.Answer:
		err = p.onAnswer(d)
	case *signal.Candidate:
		err = p.onCandidate(d)
	case *signal.Publish:
		p.publishes = append(p.publishes, d)
	}
	if err != nil {
		p.log.Info("rtc: client message failed", "type", m.Type(), "err", err)
		em := &signal.ErrorMessage{Code: signal.CodeInvalidField, Message: truncate(err.Error(), 500)}
		if m.ID != "" {
			em.RefID = m.ID
		}
		_ = p.conn.Send(signal.Message{Data: em})
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// onOffer answers the client's publisher offer (initial or ICE restart). Worker.
func (p *participant) onOffer(o *signal.Offer) error {
	if err := p.pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: o.SDP}); err != nil {
		return err
	}
	p.flushCandidates(p.pub, &p.pubCandidates)
	answer, err := p.pub.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err := p.pub.SetLocalDescription(answer); err != nil {
		return err
	}
	return p.conn.Send(signal.Message{Data: &signal.Answer{Target: signal.TargetPublisher, SDP: answer.SDP}})
}

// onAnswer applies the client's answer to the server's subscriber offer and sends the
// next offer if tracks changed meanwhile. Worker.
func (p *participant) onAnswer(a *signal.Answer) error {
	if !p.negotiating {
		return signal.Errorf(signal.CodeInvalidField, "no subscriber offer is pending")
	}
	p.negotiating = false
	err := p.sub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: a.SDP})
	if err == nil {
		p.flushCandidates(p.sub, &p.subCandidates)
	}
	if p.renegotiate {
		p.renegotiate = false
		p.negotiate()
	}
	return err
}

// onCandidate adds a remote candidate, or keeps it until the remote description is set.
// Worker.
func (p *participant) onCandidate(c *signal.Candidate) error {
	if c.EndOfCandidates() {
		return nil
	}
	init := webrtc.ICECandidateInit{Candidate: *c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex}
	if c.UsernameFragment != "" {
		init.UsernameFragment = &c.UsernameFragment
	}
	pc, pending := p.pub, &p.pubCandidates
	if c.Target == signal.TargetSubscriber {
		pc, pending = p.sub, &p.subCandidates
	}
	if pc.RemoteDescription() == nil {
		if len(*pending) < 64 {
			*pending = append(*pending, init)
		}
		return nil
	}
	return pc.AddICECandidate(init)
}

func (p *participant) flushCandidates(pc *webrtc.PeerConnection, pending *[]webrtc.ICECandidateInit) {
	for _, c := range *pending {
		if err := pc.AddICECandidate(c); err != nil {
			p.log.Debug("rtc: queued candidate rejected", "err", err)
		}
	}
	*pending = nil
}

// negotiate sends a subscriber offer, or marks one as needed if an offer is already in
// flight: server-initiated negotiations are serialized per participant. Worker.
func (p *participant) negotiate() {
	if p.negotiating {
		p.renegotiate = true
		return
	}
	offer, err := p.sub.CreateOffer(nil)
	if err == nil {
		err = p.sub.SetLocalDescription(offer)
	}
	if err != nil {
		if p.sub.ConnectionState() == webrtc.PeerConnectionStateClosed {
			// Leaving: others' departures still ask this participant to renegotiate.
			p.log.Debug("rtc: no subscriber offer on a closed connection", "err", err)
			return
		}
		p.log.Warn("rtc: subscriber offer failed", "err", err)
		return
	}
	p.negotiating = true
	_ = p.conn.Send(signal.Message{Data: &signal.Offer{Target: signal.TargetSubscriber, SDP: offer.SDP}})
}

// onTrack publishes a track the client started sending. Worker.
func (p *participant) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	t := newPublishedTrack(p.server.newTrackID(), p.id, remote, p.pub.WriteRTCP)
	mid := ""
	for _, tr := range p.pub.GetTransceivers() {
		if tr.Receiver() == recv {
			mid = tr.Mid()
			break
		}
	}
	// Match the client's publish message: by mid, else the first of the same kind.
	for i, pm := range p.publishes {
		if (pm.MID != "" && pm.MID == mid) || (pm.MID == "" && pm.Kind.String() == t.kind.String()) {
			t.cid, t.source = pm.CID, pm.Source
			p.publishes = append(p.publishes[:i], p.publishes[i+1:]...)
			break
		}
	}
	if !p.room.publish(p, t) {
		t.close()
		return
	}
	p.published = append(p.published, t)
	p.wg.Add(1)
	go func() { defer p.wg.Done(); t.forward() }()
	if t.kind == sfu.KindVideo {
		p.wg.Add(1)
		go func() { defer p.wg.Done(); t.keyframes() }()
		t.sendPLI() // start forwarding from a keyframe
	}
	_ = p.conn.Send(signal.Message{Data: &signal.TrackPublished{
		ParticipantID: p.id, TrackID: t.id, CID: t.cid, Kind: kindOf(t), Source: t.source,
	}})
	p.log.Debug("rtc: track published", "track", t.id, "kind", t.kind, "mid", mid)
}

func kindOf(t *publishedTrack) signal.Kind {
	if t.kind == sfu.KindVideo {
		return signal.KindVideo
	}
	return signal.KindAudio
}

// subscribe sends t to this participant. Worker.
func (p *participant) subscribe(t *publishedTrack) {
	if t.closed.Load() || p.subs[t.id] != nil {
		return
	}
	d := &downTrack{pt: t}
	tr, err := p.sub.AddTransceiverFromTrack(d, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		p.log.Warn("rtc: subscribe failed", "track", t.id, "err", err)
		return
	}
	s := &subscription{track: d, sender: tr.Sender()}
	p.subs[t.id] = s
	p.wg.Add(1)
	go func() { defer p.wg.Done(); ReadKeyframeRequests(s.sender, t.relayKeyframeRequest) }()
	_ = p.conn.Send(signal.Message{Data: &signal.TrackPublished{
		ParticipantID: t.owner, TrackID: t.id, Kind: kindOf(t), Source: t.source,
	}})
	p.negotiate()
}

// unsubscribe stops sending t to this participant. Worker.
func (p *participant) unsubscribe(t *publishedTrack) {
	s := p.subs[t.id]
	if s == nil {
		return
	}
	delete(p.subs, t.id)
	s.track.unbind()
	if err := p.sub.RemoveTrack(s.sender); err != nil {
		p.log.Debug("rtc: remove track", "track", t.id, "err", err)
	}
	_ = p.conn.Send(signal.Message{Data: &signal.TrackUnpublished{ParticipantID: t.owner, TrackID: t.id}})
	p.negotiate()
}

// ReadKeyframeRequests reads a sender's RTCP until it stops (pion's interceptors need
// it read, e.g. for reports and NACK) and calls onRequest for each PLI or FIR. Own
// goroutine.
func ReadKeyframeRequests(s *webrtc.RTPSender, onRequest func()) {
	buf := make([]byte, 1500)
	for {
		n, _, err := s.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				onRequest()
			}
		}
	}
}

// close tears the participant down: no more worker functions, out of the room (the
// others unsubscribe), PeerConnections closed, goroutines waited for. Called once, on
// the connection's Serve goroutine.
func (p *participant) close() {
	p.w.stop()
	if p.room != nil {
		p.server.leaveRoom(p)
	}
	for _, t := range p.published {
		t.close()
	}
	if err := p.pub.Close(); err != nil {
		p.log.Debug("rtc: close publisher", "err", err)
	}
	if err := p.sub.Close(); err != nil {
		p.log.Debug("rtc: close subscriber", "err", err)
	}
	p.wg.Wait()
}
