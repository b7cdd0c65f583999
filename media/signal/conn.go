package signal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// WebSocket close codes (docs/rtc-protocol.md §8). 4000-4999 are private use
// (RFC 6455 §7.4.2); ours mirror HTTP statuses.
const (
	CloseNormal       websocket.StatusCode = 1000 // after leave or bye
	CloseGoingAway    websocket.StatusCode = 1001 // server shutting down; resume elsewhere
	CloseInternal     websocket.StatusCode = 1011 // the room failed the join
	CloseBadFrame     websocket.StatusCode = 4400 // frame above the size limit
	CloseUnauthorized websocket.StatusCode = 4401 // token or resume token rejected
	CloseForbidden    websocket.StatusCode = 4403 // removed, account disabled or changed, locked, or meeting ended at join
	CloseTimeout      websocket.StatusCode = 4408 // no join in time, or keepalive timeout
	CloseReplaced     websocket.StatusCode = 4409 // a newer connection resumed this participant
	CloseMeetingEnded websocket.StatusCode = 4410 // the meeting ended
	CloseRateLimited  websocket.StatusCode = 4429 // flood: kept sending while rate-limited
	CloseSlowConsumer websocket.StatusCode = 4504 // the client did not read fast enough
	// CloseReconnecting is sent by a client dropping a socket it believes dead in order
	// to resume on a new one: unlike its other closes, the participant stays for the
	// resume window.
	CloseReconnecting websocket.StatusCode = 4100
)

// Config tunes a Conn. Zero fields take the documented defaults.
type Config struct {
	MaxFrameBytes int              // client frame limit; default MaxFrameBytes
	Rate          float64          // messages per second; default 50
	Burst         int              // bucket size; default 100
	Overdraft     int              // rejected messages tolerated before closing; default Burst
	QueueSize     int              // outbound frames buffered; default 256
	PingInterval  time.Duration    // WebSocket ping period; default 15 s
	IdleTimeout   time.Duration    // close after this much silence; default 45 s
	JoinTimeout   time.Duration    // close if no join by then; default 10 s
	WriteTimeout  time.Duration    // one frame write; default 10 s
	CloseGrace    time.Duration    // flush + close handshake before a hard close; default 2 s
	Now           func() time.Time // clock for the rate limiter and keepalive
	Logger        *slog.Logger
}

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = MaxFrameBytes
	}
	if c.Rate <= 0 {
		c.Rate = 50
	}
	if c.Burst <= 0 {
		c.Burst = 100
	}
	if c.Overdraft <= 0 {
		c.Overdraft = c.Burst
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	def(&c.PingInterval, 15*time.Second)
	def(&c.IdleTimeout, 45*time.Second)
	def(&c.JoinTimeout, 10*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.CloseGrace, 2*time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Handler is what the room implements for one connection. Conn calls HandleJoin
// and Handle on its reader goroutine, in arrival order; both must return
// quickly (hand the message to the participant's worker) because the reader
// does not read while they run.
type Handler interface {
	// HandleJoin authenticates the join (or resume) and answers it by calling
	// reply exactly once, before the room makes the participant visible to
	// other goroutines, so that joined is the first frame the client gets after
	// it. ErrUnauthorized closes with 4401, ErrForbidden with 4403, any other
	// error with 1011; an *Error chooses the code in the error frame.
	HandleJoin(ctx context.Context, j *Join, reply func(*Joined) error) error
	// Handle receives every later client message except ping. A returned
	// error is sent as an error frame answering the message; the connection stays.
	Handle(ctx context.Context, m Message) error
	// Closed is called once, after the connection's goroutines have exited.
	// reason wraps one of the package's sentinel errors.
	Closed(reason error)
}

// Conn is the WebSocket edge of one participant: a reader that rate-limits,
// decodes and dispatches, a writer that drains a bounded outbound queue, and a
// keepalive pinger.
type Conn struct {
	cfg Config
	log *slog.Logger
	out chan []byte

	closeOnce sync.Once
	closing   chan struct{} // closed when the connection starts closing
	done      chan struct{} // closed when Serve has returned
	started   atomic.Bool

	// Set once under closeOnce, read after closing is closed.
	reason    error
	code      websocket.StatusCode
	closeText string
	flush     bool

	lastSeen atomic.Int64 // unix nanoseconds of the last frame or pong from the client
	joined   atomic.Bool
}

// NewConn returns a Conn ready to Serve. Send may be called before Serve; the
// frames wait in the queue.
func NewConn(cfg Config) *Conn {
	cfg = cfg.withDefaults()
	return &Conn{
		cfg:     cfg,
		log:     cfg.Logger,
		out:     make(chan []byte, cfg.QueueSize),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Send queues m for the client. It never blocks: when the queue is full the
// connection is closed as a slow consumer and ErrSlowConsumer is returned;
// after closing began it returns ErrClosed.
func (c *Conn) Send(m Message) error {
	b, err := Encode(m)
	if err != nil {
		return fmt.Errorf("signal: encode %s: %w", m.Type(), err)
	}
	return c.enqueue(b)
}

func (c *Conn) enqueue(b []byte) error {
	select {
	case <-c.closing:
		return ErrClosed
	default:
	}
	select {
	case c.out <- b:
		return nil
	default:
		c.closeWith(ErrSlowConsumer, CloseSlowConsumer, "slow consumer", false)
		return ErrSlowConsumer
	}
}

// End sends bye with reason and closes the connection with the matching code
// once queued frames are flushed. It does not wait; it is safe from Handler
// callbacks.
func (c *Conn) End(reason ByeReason, message string) {
	code, cause := CloseNormal, ErrLeft
	switch reason {
	case ByeRemoved, ByeAccountDisabled, ByeRoleChanged:
		code, cause = CloseForbidden, ErrForbidden
	case ByeMeetingEnded:
		code, cause = CloseMeetingEnded, ErrForbidden
	case ByeReplaced:
		code, cause = CloseReplaced, ErrClosed
	case ByeShutdown:
		code, cause = CloseGoingAway, ErrClosed
	}
	_ = c.Send(Message{Data: &Bye{Reason: reason, Message: safeText(message)}})
	c.closeWith(fmt.Errorf("%w: bye %s", cause, reason), code, reason.String(), true)
}

// Close ends the connection as a server shutdown and waits until Serve's
// goroutines have exited. Do not call it from Handler callbacks (use End).
func (c *Conn) Close() error {
	c.End(ByeShutdown, "")
	if c.started.Load() {
		<-c.done
	}
	return nil
}

// Done is closed when Serve has returned.
func (c *Conn) Done() <-chan struct{} { return c.done }

// closeWith starts closing once; later calls are no-ops. flush says whether
// queued frames are written before the close frame. Any goroutine may call it.
func (c *Conn) closeWith(reason error, code websocket.StatusCode, text string, flush bool) {
	c.closeOnce.Do(func() {
		c.reason, c.code, c.closeText, c.flush = reason, code, text, flush
		close(c.closing)
	})
}

func (c *Conn) isClosing() bool {
	select {
	case <-c.closing:
		return true
	default:
		return false
	}
}

// Serve runs the connection until it closes and returns the reason. It closes
// ws. ctx cancellation closes gracefully with 1001 and bye "shutdown".
func (c *Conn) Serve(ctx context.Context, ws *websocket.Conn, h Handler) error {
	if !c.started.CompareAndSwap(false, true) {
		return errors.New("signal: Serve called twice")
	}
	defer close(c.done)
	// One byte above our limit so that our own check, not the library's 1009,
	// decides (we read at most MaxFrameBytes+1 bytes of a message).
	ws.SetReadLimit(int64(c.cfg.MaxFrameBytes) + 1)
	c.lastSeen.Store(c.cfg.Now().UnixNano())

	// live is cancelled only at teardown: reads and writes use it, so a
	// cancelled parent ctx still gets a graceful close.
	live, kill := context.WithCancel(context.WithoutCancel(ctx))
	defer kill()

	var wg sync.WaitGroup
	writerDone := make(chan struct{})
	wg.Add(3)
	go func() { defer wg.Done(); c.readLoop(live, ws, h) }()
	go func() { defer wg.Done(); defer close(writerDone); c.writeLoop(live, ws) }()
	go func() { defer wg.Done(); c.keepalive(live, ws) }()

	select {
	case <-c.closing:
	case <-ctx.Done():
		c.End(ByeShutdown, "")
	}
	grace := time.NewTimer(c.cfg.CloseGrace)
	select {
	case <-writerDone:
	case <-grace.C:
	}
	grace.Stop()
	kill() // unblocks a reader, a stuck write, a close handshake
	_ = ws.CloseNow()
	wg.Wait()

	c.log.Debug("rtc signal connection closed", "reason", c.reason, "code", int(c.code))
	h.Closed(c.reason)
	return c.reason
}

// readLoop runs on its own goroutine until the socket fails.
func (c *Conn) readLoop(ctx context.Context, ws *websocket.Conn, h Handler) {
	joinTimer := time.AfterFunc(c.cfg.JoinTimeout, func() {
		if !c.joined.Load() {
			c.closeWith(ErrJoinTimeout, CloseTimeout, "no join", true)
		}
	})
	defer joinTimer.Stop()
	bucket := newTokenBucket(c.cfg.Rate, c.cfg.Burst, c.cfg.Overdraft, c.cfg.Now())
	limited := false
	for {
		typ, r, err := ws.Reader(ctx)
		if err != nil {
			c.closeWith(fmt.Errorf("%w: %w", ErrPeerClosed, err), CloseNormal, "", false)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r, int64(c.cfg.MaxFrameBytes)+1))
		if err != nil {
			c.closeWith(fmt.Errorf("%w: %w", ErrPeerClosed, err), CloseNormal, "", false)
			return
		}
		c.lastSeen.Store(c.cfg.Now().UnixNano())
		if c.isClosing() {
			continue // keep reading so the close handshake completes
		}
		if len(b) > c.cfg.MaxFrameBytes {
			c.sendError(Errorf(CodeTooLarge, "frame above %d bytes", c.cfg.MaxFrameBytes), "")
			c.closeWith(ErrTooLarge, CloseBadFrame, "frame too large", true)
			// The rest of the frame is unread, so the next Reader would parse
			// payload as a header. The close handshake discards it instead.
			<-ctx.Done()
			return
		}
		switch bucket.take(c.cfg.Now()) {
		case flood:
			c.closeWith(ErrFlood, CloseRateLimited, "rate limit exceeded", true)
			continue
		case reject:
			if !limited { // one error per run of rejections: don't amplify a flood
				limited = true
				c.sendError(Errorf(CodeRateLimited, "more than %g messages per second", c.cfg.Rate), "")
			}
			continue
		}
		limited = false
		if typ != websocket.MessageText {
			c.sendError(Errorf(CodeBadMessage, "binary frames are not part of the protocol"), "")
			continue
		}
		m, err := Decode(b)
		if err != nil {
			c.sendError(err, "")
			continue
		}
		c.dispatch(ctx, h, m)
	}
}

// dispatch runs on the reader goroutine.
func (c *Conn) dispatch(ctx context.Context, h Handler, m Message) {
	if !m.Type().FromClient() {
		c.sendError(Errorf(CodeUnexpectedType, "%s is sent by the server only", m.Type()), m.ID)
		return
	}
	switch d := m.Data.(type) {
	case *Ping:
		_ = c.Send(Message{Data: &Pong{TS: d.TS}})
		return
	case *Join:
		if c.joined.Load() {
			c.sendError(Errorf(CodeAlreadyJoined, "already joined"), m.ID)
			return
		}
		replied := false
		reply := func(joined *Joined) error {
			if replied || joined == nil {
				return errors.New("signal: reply called twice or with nil")
			}
			replied = true
			if joined.Protocol == 0 {
				joined.Protocol = Version
			}
			if joined.PingIntervalMS == 0 {
				joined.PingIntervalMS = int(c.cfg.PingInterval / time.Millisecond)
			}
			if err := c.Send(Message{ID: m.ID, Data: joined}); err != nil {
				return err
			}
			c.joined.Store(true)
			return nil
		}
		err := h.HandleJoin(ctx, d, reply)
		if err == nil && !c.joined.Load() {
			err = errors.New("signal: HandleJoin did not reply")
		}
		if err != nil {
			c.sendError(err, m.ID)
			code := CloseInternal
			switch codeOf(err) {
			case CodeUnauthorized:
				code = CloseUnauthorized
			case CodeForbidden:
				code = CloseForbidden
			}
			c.closeWith(fmt.Errorf("join refused: %w", err), code, string(codeOf(err)), true)
		}
		return
	}
	if !c.joined.Load() {
		c.sendError(Errorf(CodeNotJoined, "join first"), m.ID)
		return
	}
	err := h.Handle(ctx, m)
	if m.Type() == TypeLeave {
		c.End(ByeLeft, "")
		return
	}
	if err != nil {
		c.sendError(err, m.ID)
	}
}

// sendError queues an error frame for err; refID defaults to the one in err.
func (c *Conn) sendError(err error, refID string) {
	em := &ErrorMessage{Code: codeOf(err)}
	var pe *Error
	switch {
	case errors.As(err, &pe):
		em.Message = pe.Message
		if refID == "" {
			refID = pe.RefID
		}
	case em.Code == CodeInternal:
		c.log.Warn("rtc signal: handler error", "err", err)
		em.Message = "internal error"
	default:
		em.Message = strings.TrimPrefix(err.Error(), "signal: ")
	}
	em.Message = safeText(em.Message)
	if checkID("refId", refID) == nil {
		em.RefID = refID
	}
	_ = c.Send(Message{Data: em})
}

// safeText cuts s to 512 bytes of valid UTF-8.
func safeText(s string) string {
	if len(s) > 512 {
		s = s[:512]
	}
	return strings.ToValidUTF8(s, "")
}

// writeLoop runs on its own goroutine: it drains the queue, then on closing
// flushes (if asked) and performs the close handshake.
func (c *Conn) writeLoop(ctx context.Context, ws *websocket.Conn) {
	for {
		select {
		case b := <-c.out:
			if err := c.write(ctx, ws, b); err != nil {
				c.closeWith(fmt.Errorf("%w: write: %w", ErrPeerClosed, err), CloseNormal, "", false)
				return
			}
		case <-c.closing:
			if c.flush {
			drain:
				for {
					select {
					case b := <-c.out:
						if c.write(ctx, ws, b) != nil {
							return
						}
					default:
						break drain
					}
				}
			}
			_ = ws.Close(c.code, c.closeText)
			return
		}
	}
}

func (c *Conn) write(ctx context.Context, ws *websocket.Conn, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.WriteTimeout)
	defer cancel()
	return ws.Write(ctx, websocket.MessageText, b)
}

// keepalive runs on its own goroutine: it pings every PingInterval and closes
// the connection after IdleTimeout without a frame or pong from the client.
func (c *Conn) keepalive(ctx context.Context, ws *websocket.Conn) {
	t := time.NewTicker(c.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.closing:
			return
		case <-t.C:
		}
		if c.cfg.Now().Sub(time.Unix(0, c.lastSeen.Load())) > c.cfg.IdleTimeout {
			c.closeWith(ErrIdle, CloseTimeout, "keepalive timeout", false)
			return
		}
		pctx, cancel := context.WithTimeout(ctx, c.cfg.PingInterval)
		if ws.Ping(pctx) == nil {
			c.lastSeen.Store(c.cfg.Now().UnixNano())
		}
		cancel()
	}
}
