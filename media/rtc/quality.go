package rtc

import (
	"context"

	"github.com/jishitong/jishitong/internal/meeting"
)

// assessEvery is how many allocation ticks pass between two network assessments (2 s).
const assessEvery = 4

// observeDownlinkLoss keeps the worst fraction lost a subscriber reports about a
// track from publisher. Reports while the subscriber's or the publisher's link is down
// or settling (liveness.go) are left out: they cover the outage — the away
// participant is rated 1 for it, the other not at all — and each link is rated as it
// is now. RTCP goroutines.
func (p *participant) observeDownlinkLoss(f uint8, publisher *participant) {
	if p.settling() || (publisher != nil && publisher.settling()) {
		return
	}
	for {
		cur := p.downLoss.Load()
		if uint32(f) <= cur || p.downLoss.CompareAndSwap(cur, uint32(f)) {
			return
		}
	}
}

// netCounters is a published track's sequence counters at the last assessment.
// Worker only.
type netCounters struct{ expected, received uint64 }

// assessNetwork rates the participant's network from 1 (bad) to 5 (excellent): the
// worse of the loss on what it sends (sequence gaps the retransmissions did not fill)
// and what it receives (its receiver reports), at most 3 while its downlink estimate
// holds some video below the layer its pane asks for. The roster changes only when the rating does. Worker.
func (p *participant) assessNetwork() {
	var expected, received uint64
	for _, t := range p.published {
		last := p.netSeen[t]
		e, r := t.seqExpected.Load(), t.seqReceived.Load()
		expected += e - last.expected
		received += r - last.received
		p.netSeen[t] = netCounters{e, r}
	}
	up := 0.0
	if expected > 0 && received < expected {
		up = float64(expected-received) / float64(expected)
	}
	down := float64(p.downLoss.Swap(0)) / 256
	q := qualityFor(max(up, down))
	if p.away() {
		// No packets (its counters would read no loss) or no connection: 1 until it is back.
		q = 1
	} else if p.constrained {
		// The downlink estimate kept some video below what its pane asks for.
		q = min(q, 3)
	}
	p.log.Debug("rtc: network assessed", "uplink_loss", up, "downlink_loss", down, "constrained", p.constrained, "quality", q)
	p.recordNetwork(q)
}

// recordNetwork puts the rating on the roster if it changed. Worker.
func (p *participant) recordNetwork(q int) {
	if q == p.netQuality || p.meeting == nil {
		return
	}
	p.netQuality = q
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	if err := p.meeting.SetNetworkQuality(ctx, meeting.System, p.id, q); err != nil {
		p.log.Debug("rtc: record network quality", "err", err)
	}
}

// qualityFor maps a loss fraction to the 1..5 rating.
func qualityFor(loss float64) int {
	switch {
	case loss < 0.01:
		return 5
	case loss < 0.03:
		return 4
	case loss < 0.07:
		return 3
	case loss < 0.15:
		return 2
	}
	return 1
}
