package app

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/meeting"
)

// MeetingLogger writes conference.Service.Log and the run's chat.
type MeetingLogger interface {
	Log(ctx context.Context, runID string, e conference.LogEntry)
	SaveChat(ctx context.Context, m conference.ChatMessage) error
}

// logAppender writes the meeting owners' control events to the meeting log on its own
// goroutine, so that an owner never waits for the database: Append drops an event
// (and counts it) when the queue is full. Every control row names its actor and its
// subject: the goroutine keeps each run in progress's roster (names and who shares a screen)
// from the joins, media changes and leaves it is handed, and logs a screen share's
// start and stop. Chat messages are no log rows: they are stored as the run's chat.
type logAppender struct {
	dst     MeetingLogger
	log     *slog.Logger
	queue   chan logItem
	dropped atomic.Uint64
	wg      sync.WaitGroup
	// rosters is each run in progress's roster, by participant. Appender goroutine only.
	rosters map[string]map[meeting.ParticipantID]*logged
}

// logged is what the appender knows of a participant.
type logged struct {
	name, userID string
	screen       bool
}

type logItem struct {
	runID string
	e     meeting.Event
}

// logTimeout bounds one write of the meeting log.
const logTimeout = 5 * time.Second

func newLogAppender(dst MeetingLogger, log *slog.Logger) *logAppender {
	a := &logAppender{dst: dst, log: log, queue: make(chan logItem, 1024), rosters: map[string]map[meeting.ParticipantID]*logged{}}
	a.wg.Add(1)
	go a.run()
	return a
}

// Append queues a run's event without blocking. Any goroutine (the owners').
func (a *logAppender) Append(runID string, e meeting.Event) {
	switch e.Kind {
	case meeting.KindSpeaking, meeting.KindNetwork, meeting.KindLayout:
		return // not a control, and no change of the roster
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
		if d, ok := it.e.Delta.(meeting.ChatDelta); ok {
			a.saveChat(it.runID, d.Message)
			continue
		}
		for _, e := range a.entries(it.runID, it.e) {
			ctx, cancel := context.WithTimeout(context.Background(), logTimeout)
			a.dst.Log(ctx, it.runID, e)
			cancel()
		}
	}
}

// saveChat stores one chat message of a run. Appender goroutine.
func (a *logAppender) saveChat(runID string, m meeting.ChatMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), logTimeout)
	defer cancel()
	err := a.dst.SaveChat(ctx, conference.ChatMessage{RunID: runID, Seq: m.Seq, At: m.At.UTC(), From: string(m.From), FromName: m.FromName,
		FromUserID: m.FromUserID, Private: string(m.Private), PrivateName: m.PrivateName, PrivateUserID: m.PrivateUserID, Text: m.Text})
	if err != nil {
		a.log.Warn("storing a chat message", "run", runID, "err", err)
	}
}

// entries updates the run's roster with ev and returns its log rows: none for an
// event that is not logged here (presence is logged by the media plane), a
// screen_stopped before the row of a sharer's removal. Appender goroutine.
func (a *logAppender) entries(runID string, ev meeting.Event) []conference.LogEntry {
	var out []conference.LogEntry
	roster := a.rosters[runID]
	if roster == nil {
		roster = map[meeting.ParticipantID]*logged{}
		a.rosters[runID] = roster
	}
	e := conference.LogEntry{At: ev.At.UTC(), Kind: "control", ActorID: ev.Actor.UserID, Detail: string(ev.Kind), SubjectID: string(ev.Subject)}
	if p, ok := roster[ev.Actor.ParticipantID]; ok && ev.Actor.ParticipantID != "" {
		e.ActorName = p.name
	}
	if p, ok := roster[ev.Subject]; ok {
		e.Subject = p.name
	}
	switch d := ev.Delta.(type) {
	case meeting.ParticipantDelta:
		p := d.Participant
		was, known := roster[p.ID]
		roster[p.ID] = &logged{name: p.Name, userID: p.UserID, screen: p.Screen}
		e.Subject = p.Name
		switch ev.Kind {
		case meeting.KindJoined:
			return out
		case meeting.KindMedia:
			if known && was.screen == p.Screen || !known && !p.Screen {
				return out
			}
			e.Kind, e.Detail, e.SubjectID, e.Subject = "screen_stopped", "", "", ""
			if p.Screen {
				e.Kind = "screen_started"
			}
			e.ActorID, e.ActorName = p.UserID, p.Name
			return append(out, e)
		case meeting.KindRole:
			e.Value = p.Role.String()
		}
	case meeting.RemovedDelta:
		if p, ok := roster[d.ID]; ok && p.screen {
			// The share ends with its sharer's connection.
			out = append(out, conference.LogEntry{At: e.At, Kind: "screen_stopped", ActorID: p.userID, ActorName: p.name})
		}
		delete(roster, d.ID)
		if len(roster) == 0 {
			delete(a.rosters, runID)
		}
		if ev.Kind == meeting.KindLeft {
			return out
		}
	case meeting.MuteAllDelta:
		e.Value = strconv.Itoa(len(d.Muted))
	case meeting.HandsDelta:
		e.Value = strconv.Itoa(len(d.Lowered))
	case meeting.SettingDelta:
		switch ev.Kind {
		case meeting.KindSelfUnmute, meeting.KindMuteOnEntry, meeting.KindLive, meeting.KindRecording, meeting.KindWhiteboard:
			e.Value = "off"
			if d.On {
				e.Value = "on"
			}
		}
	case meeting.LayoutDelta:
		switch ev.Kind {
		case meeting.KindLayoutMode:
			e.Value = d.Mode.String()
		case meeting.KindPinned:
			for pane, id := range d.Pins {
				if id == ev.Subject {
					e.Value = strconv.Itoa(pane + 1)
				}
			}
		case meeting.KindPolling:
			// The interval in seconds while on.
			e.Value = "off"
			if d.Polling.Enabled {
				e.Value = strconv.Itoa(int(d.Polling.Interval / time.Second))
			}
		}
	case meeting.EndedDelta:
		delete(a.rosters, runID)
	}
	switch ev.Kind {
	case meeting.KindMedia, meeting.KindJoined, meeting.KindLeft, meeting.KindEnded:
		return out // the end is conference's ended row, with its actor and reason
	}
	return append(out, e)
}

// Close writes what is queued and returns when the goroutine has exited. Call it
// after the owners are closed.
func (a *logAppender) Close() {
	close(a.queue)
	a.wg.Wait()
}
