package rtc

import (
	"slices"

	"github.com/pion/webrtc/v4"
)

// slots keeps the m-lines that carry the tracks a participant receives over its one
// PeerConnection. The server never offers: it asks the client for receive-only m-lines
// (signal.OfferRequest), the client adds them and offers, and the server puts waiting
// subscriptions on them before answering. When a subscription ends, its m-line goes
// inactive with the next answer and is free again for the next track of its kind, so
// the SDP grows with the number of tracks received at the same time, not with churn.
// Worker only.
type slots struct {
	known     map[*webrtc.RTPTransceiver]struct{} // every m-line ever adopted
	free      [2][]*webrtc.RTPTransceiver         // negotiated and carrying nothing (audio, video)
	releasing [2][]*webrtc.RTPTransceiver         // stopped carrying a track; free after the next answer
	asked     [2]int                              // receive-only m-lines asked for and not offered yet
	pending   []*subscription                     // subscriptions waiting for an m-line, in order

	offerAsked  bool // an OfferRequest went out and no offer came since
	flushPosted bool // requestOffer's flush is queued on the worker
}

func (s *slots) init() { s.known = map[*webrtc.RTPTransceiver]struct{}{} }

func kindIndex(k webrtc.RTPCodecType) int {
	if k == webrtc.RTPCodecTypeVideo {
		return 1
	}
	return 0
}

// adopt takes the receive-only m-lines a client offer added: pion made each a
// transceiver that would send but has no sender yet. Call after applying an offer.
func (s *slots) adopt(trs []*webrtc.RTPTransceiver) {
	s.offerAsked = false
	for _, tr := range trs {
		if _, ok := s.known[tr]; ok {
			continue
		}
		if tr.Mid() == "" || tr.Sender() != nil || tr.Direction() != webrtc.RTPTransceiverDirectionSendonly {
			continue // not a new receive-only m-line of the client (e.g. one it sends on)
		}
		k := tr.Kind()
		if k != webrtc.RTPCodecTypeAudio && k != webrtc.RTPCodecTypeVideo {
			continue
		}
		s.known[tr] = struct{}{}
		i := kindIndex(k)
		s.free[i] = append(s.free[i], tr)
		if s.asked[i] > 0 {
			s.asked[i]--
		}
	}
}

// hasFree reports whether a free m-line of kind k waits.
func (s *slots) hasFree(k webrtc.RTPCodecType) bool { return len(s.free[kindIndex(k)]) > 0 }

// taken removes tr, which pion just gave a track, from the free m-lines; false if it
// was not one of them.
func (s *slots) taken(tr *webrtc.RTPTransceiver) bool {
	i := kindIndex(tr.Kind())
	j := slices.Index(s.free[i], tr)
	if j < 0 {
		return false
	}
	s.free[i] = slices.Delete(s.free[i], j, j+1)
	return true
}

// release marks tr as no longer carrying a track: free once an answer made it inactive.
func (s *slots) release(tr *webrtc.RTPTransceiver) {
	i := kindIndex(tr.Kind())
	s.releasing[i] = append(s.releasing[i], tr)
}

// negotiated is called after an answer was set: released m-lines are inactive now.
func (s *slots) negotiated() {
	for i := range s.releasing {
		s.free[i] = append(s.free[i], s.releasing[i]...)
		s.releasing[i] = nil
	}
}

// need returns how many receive-only m-lines of each kind to ask for: what waiting
// subscriptions need beyond the free and already requested ones, and counts them as
// requested.
func (s *slots) need() (audio, video int) {
	var waiting [2]int
	for _, sub := range s.pending {
		waiting[kindIndex(sub.track.Kind())]++
	}
	var n [2]int
	for i := range n {
		n[i] = max(0, waiting[i]-len(s.free[i])-s.asked[i])
		s.asked[i] += n[i]
	}
	return n[0], n[1]
}

// requested counts receive-only m-lines asked for outside an OfferRequest message (in
// joined): the client's next offer brings them.
func (s *slots) requested(audio, video int) {
	s.asked[0] += audio
	s.asked[1] += video
	s.offerAsked = true
}

// bindable reports whether a waiting subscription has a free m-line of its kind, so
// that the client's next offer would carry it.
func (s *slots) bindable() bool {
	for _, sub := range s.pending {
		if len(s.free[kindIndex(sub.track.Kind())]) > 0 {
			return true
		}
	}
	return false
}

// releasingAny reports whether an m-line waits for an answer to go inactive.
func (s *slots) releasingAny() bool { return len(s.releasing[0])+len(s.releasing[1]) > 0 }

// dropPending forgets a subscription that ended before it got an m-line.
func (s *slots) dropPending(sub *subscription) {
	if i := slices.Index(s.pending, sub); i >= 0 {
		s.pending = slices.Delete(s.pending, i, i+1)
	}
}

// resumed forgets requests made to the client's old connection: they may not have
// arrived.
func (s *slots) resumed() {
	s.asked = [2]int{}
	s.offerAsked = false
}

// size reports the m-lines carrying nothing and waiting to (for tests and stats).
func (s *slots) size() (known, free int) {
	return len(s.known), len(s.free[0]) + len(s.free[1])
}
