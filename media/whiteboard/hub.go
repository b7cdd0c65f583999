package whiteboard

import (
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Default per-peer queue bounds (Config.QueueFrames, Config.QueueBytes).
const (
	DefaultQueueFrames = 512
	DefaultQueueBytes  = 4 << 20
)

// Config configures a Hub. The zero value is ready to use.
type Config struct {
	// Now is the clock of the rate limiters; nil means time.Now.
	Now func() time.Time
	// QueueFrames and QueueBytes bound each peer's queue of messages not yet
	// handed to its send function. Past either bound the queue is dropped and
	// the peer gets a fresh snapshot instead. Zero means the default.
	QueueFrames int
	QueueBytes  int
	// Logger receives peer failures and resyncs; nil means slog.Default().
	Logger *slog.Logger
	// OnPeerFailed, if set, is called from the peer's goroutine after its send
	// function returned an error (or panicked). The Hub sends that peer
	// nothing more until it is attached again; the caller should close the
	// data channel. It may call Detach, but not Close.
	OnPeerFailed func(ParticipantID, error)
}

// Hub is the whiteboard of one meeting: it applies the participants' messages
// to the board and delivers the board's changes to every attached peer, in
// one total order. Each peer has a bounded queue drained by its own goroutine,
// so a slow or failing peer never delays the others. All methods are safe for
// concurrent use.
type Hub struct {
	now         func() time.Time
	log         *slog.Logger
	onFailed    func(ParticipantID, error)
	queueFrames int
	queueBytes  int

	mu     sync.Mutex
	board  *board
	peers  map[ParticipantID]*peer
	limits map[ParticipantID]*limiter // kept after Detach; one per participant of the meeting
	saved  uint64                     // board seq last saved or loaded
	closed bool

	wg sync.WaitGroup
}

// NewHub returns an empty board with no peers.
func NewHub(cfg Config) *Hub {
	h := &Hub{
		now:         cfg.Now,
		log:         cfg.Logger,
		onFailed:    cfg.OnPeerFailed,
		queueFrames: cfg.QueueFrames,
		queueBytes:  cfg.QueueBytes,
		board:       newBoard(),
		peers:       map[ParticipantID]*peer{},
		limits:      map[ParticipantID]*limiter{},
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.queueFrames <= 0 {
		h.queueFrames = DefaultQueueFrames
	}
	if h.queueBytes <= 0 {
		h.queueBytes = DefaultQueueBytes
	}
	return h
}

// Attach adds a peer whose whiteboard data channel is open. The peer first
// gets a snapshot of the board and then every later change in order. send is
// called from the peer's own goroutine, one message at a time; it must not
// keep or modify the slice after returning, and should return within a
// bounded time (Detach and Close wait for it). Attaching an id that is
// attached replaces the old peer.
func (h *Hub) Attach(id ParticipantID, send func([]byte) error) error {
	if !validParticipantID(string(id)) {
		return ErrInvalidParticipant
	}
	if send == nil {
		return errors.New("whiteboard: Attach with a nil send function")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	if old := h.peers[id]; old != nil {
		old.stop()
	}
	lim := h.limits[id]
	if lim == nil {
		lim = newLimiter(h.now())
		h.limits[id] = lim
	}
	p := &peer{id: id, send: send, lim: lim, wake: make(chan struct{}, 1), done: make(chan struct{}), needSnapshot: true}
	h.peers[id] = p
	h.wg.Add(1)
	go h.run(p)
	p.signal()
	return nil
}

// Detach removes a peer whose data channel closed. It does not wait for the
// peer's goroutine, which ends after the send in progress, if any.
func (h *Hub) Detach(id ParticipantID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.peers[id]; p != nil {
		delete(h.peers, id)
		p.stop()
	}
}

// Receive handles one data-channel message from an attached participant;
// isModerator says whether it may clear the board. Changes are delivered to
// every peer, refusals as an error message to the sender only. The returned
// error is nil when the message was applied or relayed, an *Error when it was
// refused or dropped (the client has been told, except for silent drops of
// rate-limited messages and pointers), ErrNotAttached or ErrClosed.
func (h *Hub) Receive(from ParticipantID, isModerator bool, data []byte) error {
	msg, derr := decode(data, false)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	p := h.peers[from]
	if p == nil {
		return ErrNotAttached
	}
	now := h.now()
	if derr == nil && msg.Type == TypePointer {
		if !p.lim.pointers.take(now, 1) {
			return Errorf(CodeRateLimited, "pointer dropped")
		}
		f := pointerFrame(from, &msg)
		for _, q := range h.peers {
			if q != p {
				h.enqueue(q, f, framePointer)
			}
		}
		return nil
	}
	if !p.lim.admit(now, min(len(data), MaxMessageBytes)) {
		err := Errorf(CodeRateLimited, "too many messages; slow down")
		err.RefID = msg.ID
		if derr != nil {
			err.RefID = derr.RefID
		}
		if !p.lim.limited {
			p.lim.limited = true
			h.enqueue(p, errorFrame(err), frameReply)
		}
		return err
	}
	p.lim.limited = false
	if derr != nil {
		h.enqueue(p, errorFrame(derr), frameReply)
		return derr
	}
	switch msg.Type {
	case TypeUpdate:
		res, err := h.board.apply(msg.Elements)
		if err != nil {
			err.RefID = msg.ID
			h.enqueue(p, errorFrame(err), frameReply)
			return err
		}
		if len(res.accepted) > 0 {
			f := updateFrame(h.board.seq, from, res.accepted)
			for _, q := range h.peers {
				h.enqueue(q, f, frameBoard)
			}
		}
		if msg.ID != "" {
			h.enqueue(p, ackFrame(msg.ID, h.board.seq, len(res.accepted), res.stale), frameReply)
		}
	case TypeClear:
		if !isModerator {
			err := &Error{Code: CodeForbidden, Message: "only moderators may clear the board", RefID: msg.ID}
			h.enqueue(p, errorFrame(err), frameReply)
			return err
		}
		h.board.clear()
		f := clearedFrame(h.board.seq, from)
		for _, q := range h.peers {
			h.enqueue(q, f, frameBoard)
		}
		if msg.ID != "" {
			h.enqueue(p, ackFrame(msg.ID, h.board.seq, 0, 0), frameReply)
		}
	}
	return nil
}

// Export returns the live elements as an Excalidraw scene file, in z-order,
// and the board seq it reflects (for MarkSaved). It also works after Close.
func (h *Hub) Export() (scene []byte, seq uint64) {
	h.mu.Lock()
	s := h.board.capture()
	h.mu.Unlock()
	return sceneJSON(s), s.seq
}

// Load replaces the board with an Excalidraw scene, as saved by Export, all
// or nothing. The board keeps counting seq, is not Dirty afterwards, and
// every attached peer gets a fresh snapshot. Errors wrap ErrInvalidScene and
// an *Error saying what is wrong.
func (h *Hub) Load(scene []byte) error {
	els, perr := parseScene(scene)
	if perr != nil {
		return sceneError(perr)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.board.reset(els); err != nil {
		return sceneError(err)
	}
	h.saved = h.board.seq
	for _, p := range h.peers {
		h.resync(p)
	}
	return nil
}

// Seq returns the board sequence number: the number of accepted changes.
func (h *Hub) Seq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.board.seq
}

// Len returns the number of live (not deleted) elements.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.board.live
}

// Empty reports whether the board has no live elements.
func (h *Hub) Empty() bool {
	return h.Len() == 0
}

// Dirty reports whether the board changed since Load or the last MarkSaved.
func (h *Hub) Dirty() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.board.seq != h.saved
}

// MarkSaved records that the board as of seq (from Export) is saved.
func (h *Hub) MarkSaved(seq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.saved = max(h.saved, seq)
}

// Close detaches every peer and returns when their goroutines have exited;
// undelivered messages are dropped. The board stays readable (Export, Len).
func (h *Hub) Close() error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		for id, p := range h.peers {
			delete(h.peers, id)
			p.stop()
		}
	}
	h.mu.Unlock()
	h.wg.Wait()
	return nil
}
