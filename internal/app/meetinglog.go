package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/live"
)

// MeetingLogger writes conference.Service.Log.
type MeetingLogger interface {
	Log(ctx context.Context, runID string, e conference.LogEntry)
}

// logAppender writes the live owners' control events to the meeting log on its own
// goroutine, so that an owner never waits for the database: Append drops an event
// (and counts it) when the queue is full.
type logAppender struct {
	dst     MeetingLogger
	log     *slog.Logger
	queue   chan logItem
	dropped atomic.Uint64
	wg      sync.WaitGroup
}

type logItem struct {
	runID string
	e     live.Event
}

// logTimeout bounds one write of the meeting log.
const logTimeout = 5 * time.Second

func newLogAppender(dst MeetingLogger, log *slog.Logger) *logAppender {
	a := &logAppender{dst: dst, log: log, queue: make(chan logItem, 1024)}
	a.wg.Add(1)
	go a.run()
	return a
}

// Append queues a run's event without blocking. Any goroutine (the owners').
func (a *logAppender) Append(runID string, e live.Event) {
	switch e.Kind {
	case live.KindJoined, live.KindLeft, live.KindSpeaking, live.KindNetwork, live.KindMedia, live.KindLayout:
		return // presence is logged by the media plane; the rest is not a control
	}
	select {
	case a.queue <- logItem{runID, e}:
	default:
		if a.dropped.Add(1)%100 == 1 {
			a.log.Warn("meeting log queue full, events dropped", "dropped", a.dropped.Load())
		}
	}
}

// run is the appender goroutine; it ends when Close closes the queue.
func (a *logAppender) run() {
	defer a.wg.Done()
	for it := range a.queue {
		ctx, cancel := context.WithTimeout(context.Background(), logTimeout)
		a.dst.Log(ctx, it.runID, conference.LogEntry{
			At: it.e.At.UTC(), Kind: "control", ActorID: it.e.Actor.UserID,
			SubjectID: string(it.e.Subject), Detail: string(it.e.Kind),
		})
		cancel()
	}
}

// Close writes what is queued and returns when the goroutine has exited. Call it
// after the owners are closed.
func (a *logAppender) Close() {
	close(a.queue)
	a.wg.Wait()
}
