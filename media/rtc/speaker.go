package rtc

import (
	"context"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/audiolevel"
	"github.com/jishitong/jishitong/media/signal"
)

// speechInterval is how often each room's active-speaker detector runs.
const speechInterval = audiolevel.DefaultTickInterval

// audioLevelExtension returns the negotiated ID of the RFC 6464 audio level extension
// on a publisher's receiver, 0 when not negotiated (the track then reads as silent).
func audioLevelExtension(recv *webrtc.RTPReceiver) uint8 {
	for _, e := range recv.GetParameters().HeaderExtensions {
		if e.URI == audiolevel.URI {
			return uint8(e.ID)
		}
	}
	return 0
}

// speechLoop runs every room's active-speaker detector every speechInterval until
// stop. Own goroutine.
func (s *Server) speechLoop(stop <-chan struct{}) {
	tick := time.NewTicker(speechInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			for _, r := range s.roomList() {
				r.tickSpeech(now)
			}
		}
	}
}

// tickSpeech runs the detector once and reports what changed to the meeting owner.
// Speech loop goroutine only.
func (r *Room) tickSpeech(now time.Time) {
	u := r.speech.Tick(now, r.speechBuf[:0])
	r.speechBuf = u.Changes
	if r.meeting == nil || (len(u.Changes) == 0 && !u.ActiveChanged) {
		return
	}
	changes := make([]meeting.SpeechChange, len(u.Changes))
	for i, c := range u.Changes {
		changes[i] = meeting.SpeechChange{ID: c.ID, Speaking: c.Speaking}
	}
	active := meeting.ParticipantID("")
	if u.HasActive {
		active = u.Active
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	_ = r.meeting.SetSpeech(ctx, meeting.System, changes, active, u.ActiveChanged)
}

// newSpeechDetector returns a room's detector, keyed by participant: one microphone each.
func newSpeechDetector() *audiolevel.Detector[signal.ParticipantID] {
	return audiolevel.NewDetector[signal.ParticipantID](audiolevel.DetectorConfig{})
}
