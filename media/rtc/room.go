package rtc

import (
	"context"
	"slices"
	"sync"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/audiolevel"
	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/whiteboard"
)

// Room is the media side of one run in progress: its participants and published tracks.
// Its lock is held only to update or snapshot those sets; work on a participant's
// PeerConnections is posted to that participant's worker (posting never blocks).
type Room struct {
	// RunID is the run in progress this room serves.
	RunID string
	// meeting is the run's owner (nil without Server.Meetings); stopWatch ends the watch
	// goroutine. Both are set once, when the room is created.
	meeting   *meeting.Owner
	stopWatch context.CancelFunc

	// speech decides who speaks from the microphones' audio levels; speechBuf is reused
	// by the speech loop.
	speech    *audiolevel.Detector[signal.ParticipantID]
	speechBuf []audiolevel.Change[signal.ParticipantID]
	// board is the meeting's whiteboard. Whether it is shown to everyone is the live
	// meeting's setting (meeting.State.Whiteboard), not whether it holds a drawing.
	board        *whiteboard.Hub
	mu           sync.Mutex
	participants map[signal.ParticipantID]*participant
	tracks       []*publishedTrack
}

func newRoom(runID string) *Room {
	return &Room{RunID: runID, participants: map[signal.ParticipantID]*participant{}, stopWatch: func() {}, speech: newSpeechDetector()}
}

// Len returns the number of participants.
func (r *Room) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.participants)
}

// trackCounts returns how many audio and video tracks the room of runID forwards.
func (s *Server) trackCounts(runID string) (audio, video int) {
	s.mu.Lock()
	r := s.rooms[runID]
	s.mu.Unlock()
	if r == nil {
		return 0, 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tracks {
		if t.kind == sfu.KindVideo {
			video++
		} else {
			audio++
		}
	}
	return audio, video
}

// add makes p visible and subscribes it to every published track. The subscriptions
// are posted under the lock so that a later removal of a track, also posted under the
// lock, reaches p's worker after them.
func (r *Room) add(p *participant) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.participants[p.id] = p
	for _, t := range r.tracks {
		p.post(func() { p.subscribe(t) })
	}
}

// publish adds t and subscribes every other participant. It reports false if the owner
// already left the room (t is then not forwarded anywhere).
func (r *Room) publish(owner *participant, t *publishedTrack) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.participants[owner.id] != owner {
		return false
	}
	if r.meeting != nil && t.kind == sfu.KindAudio {
		// Set under the lock, so that setHostMuted either sees t or runs before this.
		muted := r.meeting.MutedByHost(owner.id)
		t.src.SetHostMuted(muted)
		t.level.SetMuted(muted || t.muted.Load())
	}
	if t.source == signal.SourceMicrophone {
		_ = r.speech.Add(owner.id, t.level) // a second microphone of the same participant is not measured
	}
	r.tracks = append(r.tracks, t)
	for _, p := range r.participants {
		if p == owner {
			continue
		}
		p.post(func() { p.subscribe(t) })
	}
	return true
}

// remove takes p and its tracks out of the room, unsubscribes the others from them and
// reports whether the room is now empty.
func (r *Room) remove(p *participant) (empty bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.participants[p.id] == p {
		delete(r.participants, p.id)
		r.board.Detach(p.id)
	}
	var gone []*publishedTrack
	r.tracks = slices.DeleteFunc(r.tracks, func(t *publishedTrack) bool {
		if t.owner == p.id {
			gone = append(gone, t)
			return true
		}
		return false
	})
	for _, t := range gone {
		r.forgetSpeech(t)
		t.close()
		for _, o := range r.participants {
			o.post(func() { o.unsubscribe(t) })
		}
	}
	return len(r.participants) == 0
}

// unpublish takes one track out of the room and unsubscribes everyone from it.
func (r *Room) unpublish(t *publishedTrack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tracks = slices.DeleteFunc(r.tracks, func(x *publishedTrack) bool { return x == t })
	r.forgetSpeech(t)
	t.close()
	for _, o := range r.participants {
		o.post(func() { o.unsubscribe(t) })
	}
}

// forgetSpeech stops measuring t if it is the microphone the detector measures for its
// owner. Caller holds r.mu.
func (r *Room) forgetSpeech(t *publishedTrack) {
	if t.source != signal.SourceMicrophone {
		return
	}
	for _, x := range r.tracks {
		if x != t && x.owner == t.owner && x.source == signal.SourceMicrophone {
			return // another microphone of the owner is still here (only the first is measured)
		}
	}
	r.speech.Remove(t.owner)
}
