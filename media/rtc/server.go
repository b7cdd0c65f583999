package rtc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/nack"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/udpsend"
)

// Admission redeems the single-use join token a client presents at /rtc. The
// coordinator of running meetings (*meeting.Service) implements it.
type Admission interface {
	Redeem(ctx context.Context, token string) (*meeting.Grant, error)
	// Confirm checks, once the participant is on the roster, that the grant still
	// admits them (their account was not disabled or changed since the token was
	// issued); an error refuses the join.
	Confirm(ctx context.Context, g *meeting.Grant) error
}

// Presence records who is in a run in progress (*meeting.Service).
type Presence interface {
	Joined(ctx context.Context, e meeting.Presence) error
	Left(ctx context.Context, e meeting.Presence) error
}

// Meetings gives the owner of a run, whose roster the participants join and whose
// controls (host mutes, hangups, the end) the rooms apply (*meeting.Service).
type Meetings interface {
	Ensure(runID string) (*meeting.Owner, error)
}

// StateTokens issues the token with which a participant follows the meeting's state
// over GraphQL (*meeting.Service).
type StateTokens interface {
	StateToken(runID string, id meeting.ParticipantID) string
}

// Deps are what the media plane uses of the other planes, each through a small
// interface it declares here, so that it imports neither the bookings nor GraphQL
// nor the store.
type Deps struct {
	// Admission is required.
	Admission Admission
	// Presence may be nil: presence is not recorded.
	Presence Presence
	// Meetings may be nil: no roster, no controls.
	Meetings Meetings
	// Whiteboards may be nil: whiteboards are not kept.
	Whiteboards WhiteboardStore
	// StateTokens may be nil: joined carries no state token.
	StateTokens StateTokens
}

// presenceTimeout bounds one presence call, which is a database write.
const presenceTimeout = 5 * time.Second

// Server serves /rtc: it upgrades the websocket, runs a signal.Conn per participant and
// owns the Rooms of the runs in progress.
type Server struct {
	cfg       RTCConfig
	admission Admission
	presence  Presence // may be nil
	meetings  Meetings // may be nil: no roster, no controls
	log       *slog.Logger

	api     *webrtc.API
	udpConn net.PacketConn               // single-port mode only
	udpFast atomic.Pointer[udpsend.Conn] // udpConn when it sends from its own socket (read by Collect)
	udpMux  ice.UDPMux
	tcpMux  ice.TCPMux // ICE-TCP listener, when TCPPort > 0

	stats    stats
	nextID   atomic.Uint64
	wg       sync.WaitGroup // ServeHTTP calls past the upgrade
	watchers sync.WaitGroup // Room.watch goroutines

	boards WhiteboardStore // may be nil: whiteboards are not kept
	tokens StateTokens     // may be nil: no state tokens
	saving atomic.Bool     // a background save round is running
	saves  sync.WaitGroup  // background whiteboard saves

	stopAlloc chan struct{} // closed by Close: ends allocLoop and probeLoop
	// probing is every participant in a room, for probeLoop (allocLoop refreshes it).
	probing   atomic.Pointer[[]*participant]
	stopOnce  sync.Once
	allocDone sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	rooms    map[string]*Room
	sessions map[*session]struct{}
	// resumes maps live resume tokens to their participants; suspended holds those
	// whose connection dropped, until they resume or their window ends.
	resumes   map[string]*participant
	suspended map[*participant]struct{}
	teardowns sync.WaitGroup // participants being taken out
}

// NewServer returns a Server; call Start before serving.
func NewServer(cfg RTCConfig, d Deps) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Signal.Logger == nil {
		cfg.Signal.Logger = cfg.Logger
	}
	cfg.estimators = &estimators{}
	// The defaults are valid, so this cannot fail.
	cfg.responder, _ = nack.NewResponder(nack.ResponderConfig{})
	if cfg.ResumeWindow <= 0 {
		cfg.ResumeWindow = DefaultResumeWindow
	}
	return &Server{
		cfg:       cfg,
		admission: d.Admission,
		presence:  d.Presence,
		meetings:  d.Meetings,
		boards:    d.Whiteboards,
		tokens:    d.StateTokens,
		log:       cfg.Logger,
		rooms:     map[string]*Room{},
		sessions:  map[*session]struct{}{},
		resumes:   map[string]*participant{},
		suspended: map[*participant]struct{}{},
		stopAlloc: make(chan struct{}),
	}
}

// Start opens the shared UDP socket (single-port mode) and the ICE-TCP listener (when
// TCPPort is set) and builds the WebRTC API.
func (s *Server) Start() error {
	if s.cfg.UDPPort > 0 {
		host := ""
		if s.cfg.LoopbackOnly {
			host = "127.0.0.1"
		}
		var conn net.PacketConn
		var err error
		if s.cfg.DisableFastSend {
			conn, err = net.ListenPacket("udp4", net.JoinHostPort(host, strconv.Itoa(s.cfg.UDPPort)))
		} else {
			// Forwarding goroutines write every packet through pion's mux to this
			// socket; it sends them from a second socket that the netpoller does not
			// watch, so sent packets wake no idle thread (media/udpsend).
			var f *udpsend.Conn
			if f, err = udpsend.Listen("udp4", &net.UDPAddr{IP: net.ParseIP(host), Port: s.cfg.UDPPort}); err == nil {
				s.udpFast.Store(f)
				conn = f
				if why := f.Fallback(); why != nil {
					s.log.Warn("rtc: media is sent through Go's socket (more CPU per packet)", "reason", why)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("rtc: listen udp: %w", err)
		}
		s.udpConn = conn
		s.udpMux = webrtc.NewICEUDPMux(logging.NewDefaultLoggerFactory().NewLogger("rtc-mux"), conn)
	}
	if s.cfg.TCPPort > 0 {
		mux, err := listenICETCP(s.cfg)
		if err != nil {
			s.closeMux()
			return err
		}
		s.tcpMux = mux
	}
	api, err := newAPIWith(s.cfg, s.udpMux, s.tcpMux)
	if err != nil {
		s.closeMux()
		return err
	}
	s.api = api
	s.allocDone.Add(3)
	go func() { defer s.allocDone.Done(); s.allocLoop(s.stopAlloc) }()
	go func() { defer s.allocDone.Done(); s.probeLoop(s.stopAlloc) }()
	go func() { defer s.allocDone.Done(); s.speechLoop(s.stopAlloc) }()
	return nil
}

func (s *Server) closeMux() {
	if s.udpMux != nil {
		_ = s.udpMux.Close()
	}
	if s.udpConn != nil {
		_ = s.udpConn.Close()
	}
	if s.tcpMux != nil {
		_ = s.tcpMux.Close() // closes the listener and waits for its goroutines
	}
}

// Close ends every connection with bye "shutdown" and returns when all of them, their
// PeerConnections and goroutines are gone.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.conn.End(signal.ByeShutdown, "")
	}
	s.wg.Wait()
	s.mu.Lock()
	waiting := make([]*participant, 0, len(s.suspended))
	for p := range s.suspended {
		waiting = append(waiting, p)
	}
	s.mu.Unlock()
	for _, p := range waiting {
		s.expire(p, ErrServerClosed)
	}
	s.teardowns.Wait()
	s.watchers.Wait() // every room is gone with its participants
	s.stopOnce.Do(func() { close(s.stopAlloc) })
	s.allocDone.Wait()
	s.saves.Wait() // the closed rooms' whiteboards are saved
	s.closeMux()
	return nil
}

// Room returns the room of a run in progress, or nil.
func (s *Server) Room(runID string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[runID]
}

func (s *Server) newTrackID() signal.TrackID {
	return signal.TrackID("TR_" + strconv.FormatUint(s.nextID.Add(1), 36))
}

// ServeHTTP accepts the /rtc websocket and serves it until it closes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept wrote the HTTP error
	}
	ss := &session{server: s, conn: signal.NewConn(s.cfg.Signal)}
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
	}()
	// The connection outlives the request context only by its close handshake.
	_ = ss.conn.Serve(context.WithoutCancel(r.Context()), ws, ss)
}

// enterRoom finds or creates the room of p's run and adds p to it. lm is the run's
// owner (nil without Meetings); a new room watches it.
func (s *Server) enterRoom(p *participant, lm *meeting.Owner, saved []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	room := s.rooms[p.grant.RunID]
	if room == nil {
		room = newRoom(p.grant.RunID)
		room.board = s.newBoard(room)
		if saved != nil {
			if err := room.board.Load(saved); err != nil {
				s.log.Warn("rtc: load the saved whiteboard", "run", room.RunID, "err", err)
			}
		}
		s.rooms[p.grant.RunID] = room
		if lm != nil {
			room.startWatch(lm, &s.watchers)
		}
	}
	p.room = room
	room.add(p)
	return nil
}

// leaveRoom removes p from its room and drops the room when it is empty.
func (s *Server) leaveRoom(p *participant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.room.remove(p) && s.rooms[p.room.RunID] == p.room {
		delete(s.rooms, p.room.RunID)
		p.room.stopWatch()
		s.closeRoom(p.room)
	}
}

// session is the signal.Handler of one connection.
type session struct {
	server *Server
	conn   *signal.Conn
	p      *participant // set by HandleJoin on the reader goroutine; read by Handle and Closed after it
}

// HandleJoin implements signal.Handler: it redeems the token, creates the participant's
// PeerConnections, answers joined and only then makes the participant visible.
func (ss *session) HandleJoin(ctx context.Context, j *signal.Join, reply func(*signal.Joined) error) error {
	s := ss.server
	if j.ResumeToken != "" {
		return s.resume(ss, j, reply)
	}
	g, err := s.admission.Redeem(ctx, j.Token)
	if err != nil || g == nil {
		return signal.Errorf(signal.CodeUnauthorized, "invalid or used join token")
	}
	id := signal.ParticipantID("PA_" + strconv.FormatUint(s.nextID.Add(1), 36))
	lm, err := s.joinLive(ctx, id, g)
	if err != nil {
		return err
	}
	// After the roster join: an account revoked before this check is refused here, one
	// revoked after it finds the participant on the roster (the watcher or the
	// Removed check below ends them).
	if err := s.admission.Confirm(ctx, g); err != nil {
		s.leaveMeeting(lm, id)
		msg := "you may not join this meeting now"
		if e, ok := errs.As(err); ok && e.Kind == errs.KindForbidden {
			msg = e.Message
		}
		return signal.Errorf(signal.CodeForbidden, "%s", msg)
	}
	p, err := newParticipant(s, id, g, ss.conn)
	if err != nil {
		s.leaveMeeting(lm, id)
		return fmt.Errorf("rtc: new participant: %w", err)
	}
	p.meeting = lm
	joined := &signal.Joined{
		ParticipantID: id,
		ResumeToken:   s.register(p, ss, j.Token),
		ICEServers:    s.ICEServers(string(id)),
		StateToken:    s.stateToken(g.RunID, id),
	}
	if audio, video := s.trackCounts(g.RunID); audio+video > 0 {
		// The room's tracks, asked for in joined so that the client's first offer
		// carries their m-lines. Posted before the room's subscriptions reach p.
		joined.OfferRequest = &signal.OfferRequest{Audio: audio, Video: video}
		p.post(func() { p.slots.requested(audio, video) })
	}
	if err := reply(joined); err != nil {
		s.mu.Lock()
		p.gone = true
		delete(s.resumes, p.resumeToken)
		s.mu.Unlock()
		p.w.stop()
		_ = p.pc.Close()
		s.leaveMeeting(lm, id)
		return err
	}
	ss.p = p
	if err := s.enterRoom(p, lm, s.savedBoard(g.RunID)); err != nil {
		return signal.Errorf(signal.CodeForbidden, "server shutting down")
	}
	if s.removedMeanwhile(p) {
		return nil
	}
	if lm != nil && lm.MutedByHost(id) && !p.hostMuted.Swap(true) {
		// Muted on entry: the room's watcher may have applied the join before p was in
		// the room; whichever of the two swaps first tells the participant.
		p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeMutedByHost, ParticipantID: id}})
	}
	if s.presence != nil {
		// Off the worker, which answers the client's first offer meanwhile (the store
		// write took 20-170 ms and held that answer up). p.close waits for it, so a
		// leave is recorded after the join.
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
			defer cancel()
			if err := s.presence.Joined(ctx, meeting.PresenceOf(g, p.id, meeting.ClientBrowser)); err != nil {
				p.log.Warn("rtc: record join", "err", err)
				return
			}
			p.present.Store(true)
		}()
	}
	p.log.Info("rtc: participant joined")
	return nil
}

// stateToken is the participant's token for the meeting's state over GraphQL, or ""
// without StateTokens.
func (s *Server) stateToken(runID string, id signal.ParticipantID) string {
	if s.tokens == nil {
		return ""
	}
	return s.tokens.StateToken(runID, id)
}

// joinLive adds the participant to the run's roster; nil without Meetings. A refusal
// (the meeting is locked, the participant was hung up) is the client's error.
func (s *Server) joinLive(ctx context.Context, id signal.ParticipantID, g *meeting.Grant) (*meeting.Owner, error) {
	if s.meetings == nil {
		return nil, nil
	}
	lm, err := s.meetings.Ensure(g.RunID)
	if err != nil {
		return nil, signal.Errorf(signal.CodeForbidden, "the meeting has ended")
	}
	role := g.Role
	if role == meeting.RoleUnknown {
		role = meeting.RoleParticipant
	}
	// The grant was checked when the bookings issued it: the media plane joins on its behalf, as
	// a moderator for the host and admins so that a lock does not keep them out.
	a := meeting.Actor{System: true, UserID: g.UserID, IsModerator: g.Moderator || role == meeting.RoleHost}
	err = lm.Join(ctx, a, meeting.Participant{ID: id, Name: g.Name, UserID: g.UserID, Client: meeting.ClientBrowser, Role: role})
	if err != nil {
		msg := "you may not join this meeting now"
		if e, ok := errs.As(err); ok {
			msg = e.Message
		}
		return nil, signal.Errorf(signal.CodeForbidden, "%s", msg)
	}
	return lm, nil
}

// leaveMeeting takes the participant off the run's roster (already off after a hangup).
func (s *Server) leaveMeeting(lm *meeting.Owner, id signal.ParticipantID) {
	if lm == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	if err := lm.Leave(ctx, meeting.System, id); err != nil && errs.KindOf(err) != errs.KindNotFound && !errors.Is(err, meeting.ErrEnded) {
		s.log.Warn("rtc: leave the running meeting", "participant", id, "err", err)
	}
}

// Handle implements signal.Handler: it hands the message to the participant's worker.
func (ss *session) Handle(_ context.Context, m signal.Message) error {
	p := ss.p
	switch m.Data.(type) {
	case *signal.Offer, *signal.Candidate, *signal.Publish, *signal.Subscribe, *signal.Mute, *signal.Unpublish,
		*signal.RaiseHand, *signal.SendChat:
	case *signal.Leave:
		return nil // Conn ends the connection; Closed tears down
	default:
		return signal.Errorf(signal.CodeInvalidField, "%s is not supported yet", m.Type())
	}
	if !p.w.post(func() { p.handle(m) }) {
		return ErrParticipantGone
	}
	return nil
}

// Closed implements signal.Handler: the participant waits for a resume or leaves.
func (ss *session) Closed(reason error) {
	if ss.p == nil {
		return
	}
	ss.server.closedSession(ss, reason)
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "r-" + hex.EncodeToString(b)
}
