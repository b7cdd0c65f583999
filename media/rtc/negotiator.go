package rtc

import (
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/signal"
)

// Negotiator is the client side of /rtc negotiation for a pion PeerConnection (the
// load tool and tests; the web app does the same in TypeScript). The client always
// offers and the server always answers (docs/rtc-protocol.md §1): one offer is in
// flight at a time; asking for another meanwhile makes exactly one more once the
// answer is applied; an offerRequest adds the receive-only transceivers it asks for
// and offers.
type Negotiator struct {
	pc      *webrtc.PeerConnection
	send    func(*signal.Offer)
	onError func(error)

	mu       sync.Mutex
	inFlight bool
	again    bool
	restart  bool
	before   []func()

	offers atomic.Int64
}

// NewNegotiator negotiates pc, sending offers with send and reporting failures to
// onError. Both are called on the goroutine that called Offer, Answered or Request.
func NewNegotiator(pc *webrtc.PeerConnection, send func(*signal.Offer), onError func(error)) *Negotiator {
	return &Negotiator{pc: pc, send: send, onError: onError}
}

// Offer sends an offer now, or once the one in flight is answered; restart asks for an
// ICE restart. before, if not nil, runs after the offer is set locally (transceivers
// have their mids) and before it is sent: the place for publish messages.
func (n *Negotiator) Offer(restart bool, before func()) {
	n.mu.Lock()
	if before != nil {
		n.before = append(n.before, before)
	}
	n.restart = n.restart || restart
	if n.inFlight {
		n.again = true
		n.mu.Unlock()
		return
	}
	n.inFlight = true
	restart, befores := n.restart, n.before
	n.restart, n.before = false, nil
	n.mu.Unlock()

	var opts *webrtc.OfferOptions
	if restart {
		opts = &webrtc.OfferOptions{ICERestart: true}
	}
	o, err := n.pc.CreateOffer(opts)
	if err == nil {
		err = n.pc.SetLocalDescription(o)
	}
	if err != nil {
		n.mu.Lock()
		n.inFlight = false
		n.mu.Unlock()
		n.onError(err)
		return
	}
	for _, f := range befores {
		f()
	}
	n.offers.Add(1)
	n.send(&signal.Offer{SDP: o.SDP})
}

// Answered ends the negotiation in flight (the caller applied the server's answer) and
// offers again if that was asked meanwhile.
func (n *Negotiator) Answered() {
	n.mu.Lock()
	n.inFlight = false
	again := n.again
	n.again = false
	n.mu.Unlock()
	if again {
		n.Offer(false, nil)
	}
}

// Request handles an offerRequest: it adds the receive-only transceivers asked for and
// offers.
func (n *Negotiator) Request(r *signal.OfferRequest) {
	for i := 0; i < r.Audio+r.Video; i++ {
		kind := webrtc.RTPCodecTypeAudio
		if i >= r.Audio {
			kind = webrtc.RTPCodecTypeVideo
		}
		if _, err := n.pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			n.onError(err)
			return
		}
	}
	n.Offer(false, nil)
}

// Resumed forgets the offer in flight: the server did not keep it across a resume.
func (n *Negotiator) Resumed() {
	n.mu.Lock()
	n.inFlight = false
	n.mu.Unlock()
}

// Offers returns the number of offers sent.
func (n *Negotiator) Offers() int64 { return n.offers.Load() }
