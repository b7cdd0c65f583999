package rtc

import (
	"context"
	"sync"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// startWatch runs the goroutine that applies the meeting owner's controls to this room.
// Called once, with the server's lock held, when the room is created.
func (r *Room) startWatch(lm *meeting.Owner, wg *sync.WaitGroup) {
	ctx, cancel := context.WithCancel(context.Background())
	r.meeting, r.stopWatch = lm, cancel
	updates, err := lm.Subscribe(ctx, 0)
	if err != nil {
		cancel()
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.watch(updates)
	}()
}

// watch applies the meeting owner's updates until the room is dropped or the meeting
// ends: host mutes stop the participant's audio at the sfu.Source (read lock-free per
// packet) and notify them, a hangup or the end closes connections. Own goroutine; it
// never blocks the owner, whose queue resyncs a slow watcher with a full state.
func (r *Room) watch(updates <-chan meeting.Update) {
	for u := range updates {
		r.syncHostMutes()
		if u.Full != nil {
			r.dropRemoved()
		}
		if e := u.Event; e != nil {
			switch e.Kind {
			case meeting.KindHungUp:
				if p := r.participant(e.Subject); p != nil {
					p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeRemoved, ParticipantID: p.id}})
					p.end(signal.ByeRemoved, "")
				}
			case meeting.KindAccessRevoked:
				if p := r.participant(e.Subject); p != nil {
					d, _ := e.Delta.(meeting.RemovedDelta)
					p.end(byeOf(d), "")
				}
			case meeting.KindEnded:
				for _, p := range r.snapshot() {
					p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeMeetingEnded}})
					p.end(signal.ByeMeetingEnded, "")
				}
			case meeting.KindUnmuteRequested:
				if p := r.participant(e.Subject); p != nil {
					p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeUnmuteRequested, ParticipantID: p.id}})
				}
			case meeting.KindLocked, meeting.KindUnlocked:
				kind := signal.NoticeLocked
				if e.Kind == meeting.KindUnlocked {
					kind = signal.NoticeUnlocked
				}
				for _, p := range r.snapshot() {
					p.send(signal.Message{Data: &signal.Notice{Kind: kind}})
				}
			}
		}
	}
}

// byeOf returns the bye reason of a participant's removal.
func byeOf(d meeting.RemovedDelta) signal.ByeReason {
	switch d.Access {
	case meeting.AccessDisabled:
		return signal.ByeAccountDisabled
	case meeting.AccessRoleChanged:
		return signal.ByeRoleChanged
	}
	return signal.ByeRemoved
}

// removedMeanwhile ends a participant who was removed from the roster (hung up, or
// their access revoked) between their roster join and their entering the room, when
// the room's watcher could not yet find them, and reports whether it did. Reader
// goroutine, once the participant is in the room: a removal after this check reaches
// the watcher.
func (s *Server) removedMeanwhile(p *participant) bool {
	if p.meeting == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	d, removed, err := p.meeting.Removed(ctx, p.id)
	if err != nil || !removed {
		return false // ended: the ended event or the closed subscription follows
	}
	if d.Access == meeting.AccessUnknown {
		p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeRemoved, ParticipantID: p.id}})
	}
	p.end(byeOf(d), "")
	return true
}

// dropRemoved ends the connections of participants no longer on the roster: a full
// state may replace a hangup or access_revoked event this watcher missed. A participant
// is on the roster from before entering the room until after leaving it, so one in the
// room before a fresh snapshot of the roster and missing from it was removed; the owner
// tells how (Removed), for the bye. (The full state in the queue may be older than the
// room.) Watch goroutine.
func (r *Room) dropRemoved() {
	in := r.snapshot()
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	st, err := r.meeting.Snapshot(ctx)
	if err != nil {
		return // ended: the ended event or the closed subscription follows
	}
	for _, p := range in {
		if _, ok := st.Participant(p.id); !ok {
			d, _, _ := r.meeting.Removed(ctx, p.id)
			p.end(byeOf(d), "")
		}
	}
}

// syncHostMutes applies the owner's host-muted set to every participant whose mute
// changed, and sends notice mutedByHost to those newly muted. Watch goroutine.
func (r *Room) syncHostMutes() {
	for _, p := range r.snapshot() {
		muted := r.meeting.MutedByHost(p.id)
		if p.hostMuted.Swap(muted) == muted {
			continue
		}
		r.setHostMuted(p.id, muted)
		if muted {
			p.send(signal.Message{Data: &signal.Notice{Kind: signal.NoticeMutedByHost, ParticipantID: p.id}})
		}
	}
}

// setHostMuted sets the host mute of the participant's audio tracks. Any goroutine.
func (r *Room) setHostMuted(id signal.ParticipantID, muted bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tracks {
		if t.owner == id && t.kind == sfu.KindAudio {
			t.src.SetHostMuted(muted)
			t.level.SetMuted(muted || t.muted.Load())
		}
	}
}

// participant returns a participant of the room, or nil.
func (r *Room) participant(id signal.ParticipantID) *participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.participants[id]
}

// snapshot returns the room's participants.
func (r *Room) snapshot() []*participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*participant, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, p)
	}
	return out
}
