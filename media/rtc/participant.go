package rtc

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/nack"
	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// participant is one joined /rtc connection. Fields marked "worker" are touched only by
// functions running on w.
type participant struct {
	id     signal.ParticipantID
	grant  *meeting.Grant
	room   *Room
	server *Server
	conn   atomic.Pointer[signal.Conn] // replaced when the participant resumes
	log    *slog.Logger
	w      *worker
	wg     sync.WaitGroup // forwarding, keyframe and RTCP goroutines
	// present is set once Presence.Joined succeeded.
	present atomic.Bool
	// meeting is the run's owner, nil without Server.Meetings; hostMuted is the host
	// mute last applied (Room.watch goroutine).
	meeting   *meeting.Owner
	hostMuted atomic.Bool

	// pc is the participant's one PeerConnection, both directions: the client always
	// offers (its tracks, receive-only m-lines the server asked for, ICE restarts) and
	// the server always answers, so offers never collide (docs/rtc-protocol.md §1).
	pc *webrtc.PeerConnection
	// bwe estimates the participant's downlink from TWCC feedback (nil if pion did not
	// create one); bandwidth is its last value, for stats.
	bwe       cc.BandwidthEstimator
	bandwidth atomic.Int64
	// resp answers the participant's NACKs and sends the probe traffic the allocator
	// asks for (probe; nil if pion did not create one).
	resp  *nack.ResponderInterceptor
	probe prober

	// trickleMu orders local candidates after the answer that started their gathering.
	trickleMu    sync.Mutex
	trickleHeld  bool
	trickleQueue []*signal.Candidate

	// board is the participant's open whiteboard data channel, or nil; boardMu guards
	// the bucket limiting how often it may be opened.
	board       atomic.Pointer[webrtc.DataChannel]
	boardMu     sync.Mutex
	boardTokens int
	boardRefill time.Time
	// downLoss is the worst fraction lost (0..255) the subscriber reported since the
	// last network assessment.
	downLoss atomic.Uint32
	// linkDown is set while the participant's ICE connection is disconnected or failed
	// (liveness.go).
	linkDown atomic.Bool
	// linkUpAt is when the ICE connection last came back after being down (Unix
	// nanoseconds, 0 if never).
	linkUpAt atomic.Int64

	// Server.mu: the resume state.
	session     *session // the connection the participant uses now
	resumeToken string
	tokenHash   [32]byte // SHA-256 of the join token, which a resume must present again
	suspended   bool     // the connection dropped; waiting for a resume
	linkLost    bool     // suspended because its packets stopped, its websocket still open
	gone        bool     // left for good
	timer       *time.Timer

	// worker
	candidates  []webrtc.ICECandidateInit // arrived before the remote description
	publishes   []*signal.Publish
	subs        map[signal.TrackID]*subscription
	slots       slots // the m-lines that carry subs
	published   []*publishedTrack
	byReceiver  map[*webrtc.RTPReceiver]*publishedTrack // simulcast layers join their track
	prefs       map[signal.TrackID]preference           // wishes for tracks not (yet) subscribed
	netSeen     map[*publishedTrack]netCounters         // sequence counters at the last assessment
	netQuality  int                                     // last rating recorded on the roster
	constrained bool                                    // the last allocation held some video below its pane's layer
}

// subscription is one remote track sent to this participant: waiting for an m-line
// (sender nil, in slots.pending) or carried by one. Worker only.
type subscription struct {
	track  *downTrack
	sender *webrtc.RTPSender
	tr     *webrtc.RTPTransceiver
}

func newParticipant(s *Server, id signal.ParticipantID, g *meeting.Grant, conn *signal.Conn) (*participant, error) {
	pcfg := webrtc.Configuration{ICEServers: s.cfg.iceServers(), SDPSemantics: webrtc.SDPSemanticsUnifiedPlan}
	pc, bwe, resp, err := s.cfg.estimators.newPeerConnection(s.api, pcfg)
	if err != nil {
		return nil, err
	}
	p := &participant{
		id:     id,
		grant:  g,
		server: s,
		log:    s.log.With("participant", id, "run", g.RunID),
		pc:     pc,
		bwe:    bwe,
		resp:   resp,
		subs:   map[signal.TrackID]*subscription{},
		w:      newWorker(),

		byReceiver: map[*webrtc.RTPReceiver]*publishedTrack{},
		prefs:      map[signal.TrackID]preference{},
		netSeen:    map[*publishedTrack]netCounters{},
	}
	p.conn.Store(conn)
	p.slots.init()
	pc.OnICECandidate(p.trickle)
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) { p.log.Debug("rtc: connection", "state", st) })
	pc.OnICEConnectionStateChange(p.onICEState)
	pc.OnDataChannel(p.onDataChannel)
	pc.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		p.post(func() { p.onTrack(remote, recv) })
	})
	return p, nil
}

// post runs fn on the participant's worker unless the participant is gone.
func (p *participant) post(fn func()) { p.w.post(fn) }

// trickle sends one local candidate (RFC 8838); a nil candidate ends gathering. While
// the answer that starts a gathering is not sent yet (hold), candidates wait, so that
// the client never gets a candidate of an ICE generation before its description (it
// would drop it: unknown ufrag). Called on pion's goroutines; Conn.Send never blocks.
func (p *participant) trickle(c *webrtc.ICECandidate) {
	m := &signal.Candidate{}
	if c != nil {
		init := c.ToJSON()
		m.Candidate, m.SDPMid, m.SDPMLineIndex, m.UsernameFragment = &init.Candidate, init.SDPMid, init.SDPMLineIndex, derefString(init.UsernameFragment)
	}
	p.trickleMu.Lock()
	defer p.trickleMu.Unlock()
	if p.trickleHeld {
		if len(p.trickleQueue) < 256 {
			p.trickleQueue = append(p.trickleQueue, m)
		}
		return
	}
	p.send(signal.Message{Data: m})
}

// holdCandidates makes trickle queue candidates until sendHeld.
func (p *participant) holdCandidates() {
	p.trickleMu.Lock()
	p.trickleHeld = true
	p.trickleMu.Unlock()
}

// sendHeld sends desc (if not nil) and then the candidates queued meanwhile, in order,
// and stops holding. It returns desc's send error.
func (p *participant) sendHeld(desc signal.Payload) error {
	p.trickleMu.Lock()
	defer p.trickleMu.Unlock()
	var err error
	if desc != nil {
		err = p.sendErr(signal.Message{Data: desc})
	}
	for _, m := range p.trickleQueue {
		p.send(signal.Message{Data: m})
	}
	p.trickleQueue, p.trickleHeld = nil, false
	return err
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
	case *signal.Candidate:
		err = p.onCandidate(d)
	case *signal.Publish:
		if len(p.publishes) >= maxPendingPublishes {
			err = signal.Errorf(signal.CodeInvalidField, "too many publish messages without a track")
			break
		}
		p.publishes = append(p.publishes, d)
	case *signal.Subscribe:
		p.onSubscribe(d)
	case *signal.Mute:
		err = p.onMute(d)
	case *signal.Unpublish:
		err = p.onUnpublish(d)
	case *signal.RaiseHand:
		err = p.onRaiseHand(d)
	case *signal.SendChat:
		err = p.onSendChat(d)
	}
	if err != nil {
		p.log.Info("rtc: client message failed", "type", m.Type(), "err", err)
		code, msg := signal.CodeInvalidField, err.Error()
		if se, ok := err.(*signal.Error); ok && se.Code != "" {
			code, msg = se.Code, se.Message
		}
		em := &signal.ErrorMessage{Code: code, Message: truncate(msg, 500)}
		if m.ID != "" {
			em.RefID = m.ID
		}
		p.send(signal.Message{Data: em})
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// onOffer answers the client's offer (the first, a change, or an ICE restart): new
// receive-only m-lines become slots, waiting subscriptions are put on free slots, and
// the answer carries them. Worker.
func (p *participant) onOffer(o *signal.Offer) error {
	// An ICE restart may start gathering as soon as the offer is applied.
	p.holdCandidates()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: o.SDP}); err != nil {
		_ = p.sendHeld(nil)
		return err
	}
	p.flushCandidates()
	p.slots.adopt(p.pc.GetTransceivers())
	p.bindPending()
	answer, err := p.pc.CreateAnswer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(answer)
	}
	if err != nil {
		_ = p.sendHeld(nil)
		return err
	}
	p.slots.negotiated()
	err = p.sendHeld(&signal.Answer{SDP: answer.SDP})
	if len(p.slots.pending) > 0 {
		// Tracks still wait: for m-lines that became free with this answer, or beyond
		// those asked for (m-lines asked for and not offered yet come with the offer
		// the client owes).
		p.requestOffer()
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
	if p.pc.RemoteDescription() == nil {
		if len(p.candidates) < 64 {
			p.candidates = append(p.candidates, init)
		}
		return nil
	}
	return p.pc.AddICECandidate(init)
}

func (p *participant) flushCandidates() {
	for _, c := range p.candidates {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Debug("rtc: queued candidate rejected", "err", err)
		}
	}
	p.candidates = nil
}

// maxPendingPublishes bounds publish messages kept until their track arrives.
const maxPendingPublishes = 16

// onTrack publishes a track the client started sending, or adds a simulcast layer to
// the track of the same transceiver. Worker.
func (p *participant) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	if t := p.byReceiver[recv]; t != nil {
		l := t.layerFor(remote.RID())
		if !t.addLayer(l, remote) {
			p.log.Info("rtc: ignoring a simulcast stream", "track", t.id, "rid", remote.RID())
			return
		}
		p.startForwarding(t, remote, l)
		return
	}
	t := newPublishedTrack(p.server.newTrackID(), p.id, remote, p.pc.WriteRTCP)
	t.from = p
	t.stats = &p.server.stats
	mid := ""
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Receiver() == recv {
			mid = tr.Mid()
			break
		}
	}
	// Match the client's publish message: by mid, else the first of the same kind.
	var layers []signal.Layer
	muted := false
	for i, pm := range p.publishes {
		if (pm.MID != "" && pm.MID == mid) || (pm.MID == "" && pm.Kind.String() == t.kind.String()) {
			t.cid, t.source, layers, muted = pm.CID, pm.Source, pm.Layers, pm.Muted
			p.publishes = append(p.publishes[:i], p.publishes[i+1:]...)
			break
		}
	}
	t.layers = layers
	t.muted.Store(muted)
	if t.kind == sfu.KindVideo {
		t.setLayers(layers)
	} else {
		t.levelExt = audioLevelExtension(recv)
	}
	l := t.layerFor(remote.RID())
	if !t.addLayer(l, remote) {
		p.log.Info("rtc: ignoring a track with an unknown rid", "rid", remote.RID())
		return
	}
	if !p.room.publish(p, t) {
		t.close()
		return
	}
	p.byReceiver[recv] = t
	p.published = append(p.published, t)
	if t.kind == sfu.KindVideo {
		p.wg.Add(1)
		go func() { defer p.wg.Done(); t.keyframes() }()
	}
	p.startForwarding(t, remote, l)
	if muted && t.source == signal.SourceMicrophone {
		// Published muted: the participant's self mute on the roster, as with `mute`.
		if err := p.onMute(&signal.Mute{TrackID: t.id, Muted: true}); err != nil {
			p.log.Debug("rtc: mute on publish", "err", err)
		}
	} else {
		p.syncMedia()
	}
	p.send(signal.Message{Data: &signal.TrackPublished{
		ParticipantID: p.id, TrackID: t.id, CID: t.cid, Kind: kindOf(t), Source: t.source, Muted: muted, Layers: layers,
	}})
	p.log.Debug("rtc: track published", "track", t.id, "kind", t.kind, "mid", mid, "rid", remote.RID(), "codec", t.codec.MimeType, "audio_level_ext", t.levelExt)
}

// startForwarding runs the forwarding goroutine of one layer and asks for a keyframe so
// that subscribers can start decoding. Worker.
func (p *participant) startForwarding(t *publishedTrack, remote *webrtc.TrackRemote, l sfu.Layer) {
	p.wg.Add(1)
	go func() { defer p.wg.Done(); t.forward(remote, l) }()
	if t.kind == sfu.KindVideo {
		t.sendPLI(l)
	}
}

func kindOf(t *publishedTrack) signal.Kind {
	if t.kind == sfu.KindVideo {
		return signal.KindVideo
	}
	return signal.KindAudio
}

// subscribe sends t to this participant: announced at once, carried from the answer
// to the client's next offer that brings a free m-line. Worker.
func (p *participant) subscribe(t *publishedTrack) {
	if t.closed.Load() || p.subs[t.id] != nil {
		return
	}
	d := newDownTrack(t)
	if pref, ok := p.prefs[t.id]; ok {
		d.pref = pref
		delete(p.prefs, t.id)
	}
	s := &subscription{track: d}
	p.subs[t.id] = s
	p.slots.pending = append(p.slots.pending, s)
	p.send(signal.Message{Data: &signal.TrackPublished{
		ParticipantID: t.owner, TrackID: t.id, Kind: kindOf(t), Source: t.source, Muted: t.muted.Load(), Layers: t.layers,
	}})
	p.requestOffer()
}

// bindPending puts waiting subscriptions, in order, on free slots of their kind. Called
// between applying an offer and creating the answer. pion's AddTrack takes the first
// transceiver it may reuse (one carrying nothing whose inactive or receive-only state
// was negotiated) — exactly the free slots — and builds the sender with the
// connection's own interceptors (NACK, TWCC, congestion control). Worker.
func (p *participant) bindPending() {
	kept := p.slots.pending[:0]
	for _, s := range p.slots.pending {
		if !p.slots.hasFree(s.track.Kind()) {
			kept = append(kept, s)
			continue
		}
		sender, err := p.pc.AddTrack(s.track)
		if err != nil {
			p.log.Warn("rtc: subscribe failed", "track", s.track.pt.id, "err", err)
			kept = append(kept, s)
			continue
		}
		var tr *webrtc.RTPTransceiver
		for _, x := range p.pc.GetTransceivers() {
			if x.Sender() == sender {
				tr = x
				break
			}
		}
		if tr == nil || tr.Mid() == "" || !p.slots.taken(tr) {
			// pion made a new m-line the answer cannot carry: the slots disagree with
			// pion's. Park it for good (stopped, it is never reused) and wait.
			p.log.Error("rtc: no reusable m-line for a subscription", "track", s.track.pt.id)
			if tr != nil {
				_ = tr.Stop()
			}
			kept = append(kept, s)
			continue
		}
		s.sender, s.tr = sender, tr
		d := s.track
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			readSenderRTCP(sender, func() {
				if dt := d.sfuTrack(); dt != nil {
					dt.RequestKeyframe()
				}
			}, func(f uint8) { p.observeDownlinkLoss(f, d.pt.from) }, &p.server.stats.nackedPackets)
		}()
	}
	clear(p.slots.pending[len(kept):])
	p.slots.pending = kept
}

// requestOffer asks the client, once the worker's queue is drained (a burst of
// subscriptions makes one request), for an offer when it is needed: for receive-only
// m-lines the waiting subscriptions need beyond the free and already requested ones,
// or, if none are missing, when a waiting subscription has a free m-line or a released
// one must go inactive. A request already made and not yet answered by an offer is
// not repeated: the client offers again after it. Worker.
func (p *participant) requestOffer() {
	if p.slots.flushPosted {
		return
	}
	p.slots.flushPosted = true
	p.post(func() {
		p.slots.flushPosted = false
		audio, video := p.slots.need()
		if audio == 0 && video == 0 && (p.slots.offerAsked || !(p.slots.bindable() || p.slots.releasingAny())) {
			return
		}
		p.slots.offerAsked = true
		p.send(signal.Message{Data: &signal.OfferRequest{Audio: audio, Video: video}})
	})
}

// maxPrefs bounds the preferences kept for tracks this participant does not receive
// (yet): a client may state its wish just before the track arrives.
const maxPrefs = 256

// onSubscribe applies the client's preferences and answers with what is forwarded now.
// Worker.
func (p *participant) onSubscribe(m *signal.Subscribe) {
	for _, tp := range m.Tracks {
		pref := preference{enabled: tp.Enabled, width: tp.Width, height: tp.Height, maxQuality: tp.MaxQuality}
		if s := p.subs[tp.TrackID]; s != nil {
			s.track.setPreference(pref)
		} else if _, ok := p.prefs[tp.TrackID]; ok || len(p.prefs) < maxPrefs {
			p.prefs[tp.TrackID] = pref
		}
	}
	p.allocate()
	out := &signal.Subscribed{Tracks: make([]signal.SubscribedTrack, 0, len(m.Tracks))}
	for _, tp := range m.Tracks {
		st := signal.SubscribedTrack{TrackID: tp.TrackID}
		if s := p.subs[tp.TrackID]; s != nil {
			st.Enabled, st.Quality = s.track.quality()
		}
		out.Tracks = append(out.Tracks, st)
	}
	p.send(signal.Message{Data: out})
}

// onMute applies the client's own mute of one of its tracks: a microphone mute is the
// participant's self mute on the roster (unmuting may be refused while host-muted),
// a camera or screen mute shows as that medium off. Worker.
func (p *participant) onMute(m *signal.Mute) error {
	var t *publishedTrack
	for _, x := range p.published {
		if x.id == m.TrackID {
			t = x
		}
	}
	if t == nil {
		return signal.Errorf(signal.CodeInvalidField, "trackId: not one of your tracks")
	}
	if t.kind == sfu.KindAudio && p.meeting != nil {
		ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
		defer cancel()
		self := meeting.Actor{UserID: p.grant.UserID, ParticipantID: p.id}
		var err error
		if m.Muted {
			err = p.meeting.Mute(ctx, self, p.id)
		} else {
			err = p.meeting.Unmute(ctx, self, p.id)
		}
		if err != nil {
			msg := "the host has muted you"
			if e, ok := errs.As(err); ok {
				msg = e.Message
			}
			return signal.Errorf(signal.CodeInvalidField, "%s", msg)
		}
	}
	t.muted.Store(m.Muted)
	if t.level != nil {
		t.level.SetMuted(m.Muted || t.src.HostMuted())
	}
	p.syncMedia()
	return nil
}

// onUnpublish stops forwarding one of the client's tracks. Worker.
func (p *participant) onUnpublish(m *signal.Unpublish) error {
	for i, t := range p.published {
		if t.id != m.TrackID {
			continue
		}
		p.published = append(p.published[:i], p.published[i+1:]...)
		for r, x := range p.byReceiver {
			if x == t {
				delete(p.byReceiver, r)
			}
		}
		p.room.unpublish(t)
		delete(p.netSeen, t)
		p.send(signal.Message{Data: &signal.TrackUnpublished{ParticipantID: p.id, TrackID: t.id}})
		p.syncMedia()
		return nil
	}
	return signal.Errorf(signal.CodeInvalidField, "trackId: not one of your tracks")
}

// syncMedia records on the roster which media the participant sends. Worker.
func (p *participant) syncMedia() {
	if p.meeting == nil {
		return
	}
	var md meeting.Media
	for _, t := range p.published {
		if t.closed.Load() {
			continue
		}
		switch t.source {
		case signal.SourceMicrophone:
			md.Audio = true
		case signal.SourceCamera:
			md.Video = md.Video || !t.muted.Load()
		case signal.SourceScreen:
			md.Screen = md.Screen || !t.muted.Load()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	if err := p.meeting.SetMedia(ctx, meeting.System, p.id, md); err != nil {
		p.log.Debug("rtc: record media", "err", err)
	}
}

// unsubscribe stops sending t to this participant; its m-line goes inactive with the
// client's next offer and is reused after that. Worker.
func (p *participant) unsubscribe(t *publishedTrack) {
	s := p.subs[t.id]
	if s == nil {
		return
	}
	delete(p.subs, t.id)
	p.send(signal.Message{Data: &signal.TrackUnpublished{ParticipantID: t.owner, TrackID: t.id}})
	if s.sender == nil {
		p.slots.dropPending(s)
		return
	}
	s.track.unbind()
	if err := p.pc.RemoveTrack(s.sender); err != nil {
		p.log.Debug("rtc: remove track", "track", t.id, "err", err)
	}
	p.slots.release(s.tr)
	p.requestOffer()
}

// ReadKeyframeRequests reads a sender's RTCP until it stops (pion's interceptors need
// it read, e.g. for reports and NACK) and calls onRequest for each PLI or FIR. Own
// goroutine.
func ReadKeyframeRequests(s *webrtc.RTPSender, onRequest func()) {
	readSenderRTCP(s, onRequest, nil, nil)
}

// readSenderRTCP reads a sender's RTCP until it stops, calling onKeyframe for each
// PLI or FIR, onLoss (if not nil) with the fraction lost (0..255, RFC 3550 §6.4.1) of
// each receiver report block, and counting in nacked (if not nil) the packets asked
// for again (NACK, RFC 4585 §6.2.1). Own goroutine.
func readSenderRTCP(s *webrtc.RTPSender, onKeyframe func(), onLoss func(uint8), nacked *atomic.Uint64) {
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
			switch pkt := pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				onKeyframe()
			case *rtcp.TransportLayerNack:
				if nacked != nil {
					nacked.Add(uint64(nackedCount(pkt.Nacks)))
				}
			case *rtcp.ReceiverReport:
				if onLoss != nil {
					for _, r := range pkt.Reports {
						onLoss(r.FractionLost)
					}
				}
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
	if err := p.pc.Close(); err != nil {
		p.log.Debug("rtc: close peer connection", "err", err)
	}
	p.wg.Wait()
}
