package rtc

import "sync"

// worker runs functions one at a time, in the order they were posted, on its own
// goroutine. Posting never blocks, so pion callbacks, the signaling reader and other
// participants' workers may post freely; the queue is unbounded but each entry is a
// control-plane event (a message, a track coming or going), never a packet.
type worker struct {
	mu     sync.Mutex
	ops    []func()
	closed bool
	wake   chan struct{}
	done   chan struct{}
}

func newWorker() *worker {
	w := &worker{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.run()
	return w
}

// post queues fn and reports whether the worker will run it. Any goroutine may call it,
// also while holding other locks: it only appends and does a non-blocking wake-up.
func (w *worker) post(fn func()) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	w.ops = append(w.ops, fn)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return true
}

// stop discards queued functions, waits for the running one and for the goroutine to
// exit. Must not be called from the worker itself.
func (w *worker) stop() {
	w.mu.Lock()
	w.closed = true
	w.ops = nil
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
}

func (w *worker) run() {
	defer close(w.done)
	for range w.wake {
		for {
			w.mu.Lock()
			if w.closed {
				w.mu.Unlock()
				return
			}
			if len(w.ops) == 0 {
				w.mu.Unlock()
				break
			}
			fn := w.ops[0]
			w.ops[0] = nil
			w.ops = w.ops[1:]
			w.mu.Unlock()
			fn()
		}
	}
}
