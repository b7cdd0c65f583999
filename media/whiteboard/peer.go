package whiteboard

import (
	"errors"
	"fmt"
	"log/slog"
)

// frameKind says how a queued message may be dropped.
type frameKind uint8

const (
	frameBoard   frameKind = iota // update or cleared: superseded by a snapshot
	framePointer                  // ephemeral: dropped first when the peer lags
	frameReply                    // ack or error for this peer
)

// peer is one attached participant's delivery state.
type peer struct {
	id   ParticipantID
	send func([]byte) error
	lim  *limiter
	wake chan struct{} // capacity 1: work may be waiting
	done chan struct{} // closed by stop

	// Guarded by Hub.mu.
	queue        [][]byte
	queued       int  // bytes in queue
	needSnapshot bool // send a snapshot before the queue
	busy         bool // the goroutine is sending
	failed       bool // send failed; nothing more is queued
	stopped      bool
	resyncs      int // queue overflows, for logs and tests
}

// signal wakes the peer's goroutine; it never blocks.
func (p *peer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// stop ends the peer's goroutine; called with Hub.mu held.
func (p *peer) stop() {
	if !p.stopped {
		p.stopped = true
		close(p.done)
	}
}

func (p *peer) isStopped() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// enqueue adds a message to p's queue; called with h.mu held. While a
// snapshot is due, board changes are skipped (the snapshot will hold them).
// A pointer is skipped when the peer lags. A queue past its bounds is dropped
// in favour of a fresh snapshot.
func (h *Hub) enqueue(p *peer, b []byte, kind frameKind) {
	if p.failed || p.stopped {
		return
	}
	switch kind {
	case frameBoard:
		if p.needSnapshot {
			return
		}
	case framePointer:
		if p.needSnapshot || len(p.queue) >= h.queueFrames/2 || p.queued+len(b) > h.queueBytes/2 {
			return
		}
	}
	if len(p.queue) >= h.queueFrames || p.queued+len(b) > h.queueBytes {
		p.resyncs++
		h.log.Info("whiteboard: peer fell behind; sending a fresh snapshot", slog.String("participant", string(p.id)), slog.Int("resyncs", p.resyncs))
		h.resync(p)
		return
	}
	p.queue = append(p.queue, b)
	p.queued += len(b)
	p.signal()
}

// resync drops p's queue and schedules a snapshot; called with h.mu held.
func (h *Hub) resync(p *peer) {
	clear(p.queue)
	p.queue = p.queue[:0]
	p.queued = 0
	p.needSnapshot = true
	p.signal()
}

// errStopped ends a delivery because the peer was detached.
var errStopped = errors.New("whiteboard: peer stopped")

// run is the peer's goroutine: it hands the queue to send in order, preceded
// by a snapshot when one is due.
func (h *Hub) run(p *peer) {
	defer h.wg.Done()
	defer func() {
		if r := recover(); r != nil { // from OnPeerFailed: the goroutine's root
			h.log.Error("whiteboard: peer goroutine panicked", slog.String("participant", string(p.id)), slog.Any("panic", r))
		}
	}()
	var batch [][]byte
	for {
		select {
		case <-p.done:
			return
		case <-p.wake:
		}
		for {
			h.mu.Lock()
			var snap *snapshot
			if p.needSnapshot && !p.failed {
				snap = h.board.capture()
				p.needSnapshot = false
			}
			if snap == nil && len(p.queue) == 0 {
				p.busy = false
				h.mu.Unlock()
				break
			}
			p.busy = true
			batch, p.queue = p.queue, batch[:0]
			p.queued = 0
			h.mu.Unlock()

			err := h.deliver(p, snap, batch)
			clear(batch)
			if errors.Is(err, errStopped) {
				return
			}
			if err != nil {
				h.fail(p, err)
				return
			}
		}
	}
}

// deliver sends a snapshot (if any) and then batch; called by p's goroutine.
func (h *Hub) deliver(p *peer, snap *snapshot, batch [][]byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("whiteboard: send panicked: %v", r)
		}
	}()
	if snap != nil {
		for i := range snap.numParts() {
			if p.isStopped() {
				return errStopped
			}
			if err := p.send(snap.frame(i)); err != nil {
				return err
			}
		}
	}
	for _, b := range batch {
		if p.isStopped() {
			return errStopped
		}
		if err := p.send(b); err != nil {
			return err
		}
	}
	return nil
}

// fail gives up on p after a send error; called by p's goroutine.
func (h *Hub) fail(p *peer, err error) {
	h.mu.Lock()
	p.failed = true
	p.busy = false
	clear(p.queue)
	p.queue, p.queued = nil, 0
	h.mu.Unlock()
	h.log.Warn("whiteboard: sending to peer failed; it gets nothing more until attached again", slog.String("participant", string(p.id)), slog.Any("error", err))
	if h.onFailed != nil {
		h.onFailed(p.id, err)
	}
}
