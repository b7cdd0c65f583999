package meeting

import (
	"context"
	"sync/atomic"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/layout"
)

// Defaults of Config.
const (
	DefaultHistory   = 1024
	DefaultQueueSize = 64
)

// ErrEnded is returned by every method of a meeting that has ended or been closed.
var ErrEnded = errs.Conflict("", "the meeting has ended")

// Config is what a running meeting needs from the conference service.
type Config struct {
	RunID string
	// MuteOnEntry host-mutes joiners who are not moderators (changeable with
	// SetMuteOnEntry).
	MuteOnEntry bool
	// Locked starts the meeting locked (a run locked before its owner restarted).
	Locked bool
	// AllowSelfUnmuteDefault lets host-muted participants unmute themselves until a
	// MuteAll says otherwise.
	AllowSelfUnmuteDefault bool
	// AllowDirectUnmute lets a moderator's Unmute open someone else's microphone
	// instead of asking them.
	AllowDirectUnmute bool
	// Mode is the initial layout; zero means layout.OnePlus7.
	Mode  layout.Mode
	Clock Clock // nil means SystemClock
	// Log receives every event, on the owner goroutine: it must not block (hand the
	// event to a buffered writer of the meeting log). Nil discards.
	Log func(Event)
	// OnMute is told, on the owner goroutine, when a present participant's MutedByHost
	// changes; it must not block. Nil is fine: MutedByHost can be read at any time.
	OnMute func(id ParticipantID, muted bool)
	// History is how many recent events a resuming subscriber can replay
	// (DefaultHistory when 0); QueueSize bounds each subscriber's queue
	// (DefaultQueueSize when 0).
	History, QueueSize int
}

// Owner is the owner of one running meeting's state. Its methods may be called from
// any goroutine.
type Owner struct {
	runID  string
	reqs   chan func(*loop)
	tick   chan struct{}
	done   chan struct{}
	cancel context.CancelFunc
	// muted is the set of host-muted participants, replaced (never modified) by the
	// owner.
	muted atomic.Pointer[map[ParticipantID]struct{}]
}

// Start runs the owner goroutine of a meeting until ctx is done, End or Close.
func Start(ctx context.Context, cfg Config) *Owner {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.History <= 0 {
		cfg.History = DefaultHistory
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if !cfg.Mode.Valid() {
		cfg.Mode = layout.OnePlus7
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &Owner{
		runID:  cfg.RunID,
		reqs:   make(chan func(*loop)),
		tick:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		cancel: cancel,
	}
	empty := map[ParticipantID]struct{}{}
	m.muted.Store(&empty)
	o := newLoop(m, cfg)
	go o.run(ctx)
	return m
}

// RunID returns the run the owner holds (Config.RunID).
func (m *Owner) RunID() string { return m.runID }

// Close stops the owner goroutine and returns when it has exited. Subscriptions end.
func (m *Owner) Close() {
	m.cancel()
	<-m.done
}

// Done is closed when the owner goroutine has exited (End, Close or Start's context).
func (m *Owner) Done() <-chan struct{} { return m.done }

// MutedByHost reports whether a moderator muted the participant. It does not wait for
// the owner, takes no lock and does not allocate: the media plane may call it per
// packet.
func (m *Owner) MutedByHost(id ParticipantID) bool {
	_, ok := (*m.muted.Load())[id]
	return ok
}

// call runs f on the owner goroutine and returns its result. It gives up when ctx is
// done (f may still run) or when the owner has exited.
func call[T any](ctx context.Context, m *Owner, f func(*loop) (T, error)) (T, error) {
	var zero T
	type result struct {
		v   T
		err error
	}
	reply := make(chan result, 1) // the owner never waits for the caller
	req := func(o *loop) {
		v, err := f(o)
		reply <- result{v, err}
	}
	select {
	case m.reqs <- req:
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-m.done:
		return zero, ErrEnded
	}
	select {
	case r := <-reply:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-m.done:
		select { // the owner may have replied just before exiting
		case r := <-reply:
			return r.v, r.err
		default:
			return zero, ErrEnded
		}
	}
}

// do is call for operations without a result.
func (m *Owner) do(ctx context.Context, f func(*loop) error) error {
	_, err := call(ctx, m, func(o *loop) (struct{}, error) { return struct{}{}, f(o) })
	return err
}

// Snapshot returns a copy of the current state.
func (m *Owner) Snapshot(ctx context.Context) (State, error) {
	return call(ctx, m, func(o *loop) (State, error) { return o.st.Clone(), nil })
}

// Command is one control of a running meeting (Mute, SetLocked, Pin, …), applied by
// the owner goroutine as one step: authorization, the change and its event.
type Command interface {
	// apply checks that a may do it and applies it. Owner goroutine.
	apply(o *loop, a Actor) error
}

// run applies c for a.
func (m *Owner) run(ctx context.Context, a Actor, c Command) error {
	return m.do(ctx, func(o *loop) error { return c.apply(o, a) })
}

// Apply applies c for a and returns the state after it, in one round trip to the
// owner goroutine.
func (m *Owner) Apply(ctx context.Context, a Actor, c Command) (State, error) {
	return call(ctx, m, func(o *loop) (State, error) {
		if err := c.apply(o, a); err != nil {
			return State{}, err
		}
		return o.st.Clone(), nil
	})
}
