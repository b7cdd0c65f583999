package rtc

import (
	"sync/atomic"
	"time"
)

// Bandwidth probing. Google Congestion Control (pion's gcc) never raises its estimate
// much above what it sees arrive: after a decrease its rate controller moves towards
// 1.5 times the received rate at most. A subscriber held on the middle layer of a
// camera (~0.5 Mbps) would therefore never be estimated able to take the top layer
// (~1.5 Mbps), even after the congestion that put it there is long gone. So while the
// allocator holds video below what the panes want, the server pads the subscriber's
// downlink up to the current estimate with probe traffic — the newest packets of one
// of its video tracks again, over RTX, which the receiver drops after its
// transport-wide feedback counted them (libwebrtc's payload padding) — and the
// estimate climbs until the better layer fits. When the estimate falls while probing
// (the link really is narrower), probing pauses, for longer after each such failure at
// the same level. A fall from a higher estimate than the last failure's starts the
// pauses again from the shortest: the link carried more than when it last pushed back,
// so it is not the same narrow link (a jittery link or a busy receiver makes GCC fall
// now and then at any level; counted as failures of one narrow link, those falls
// stacked the pause up to a minute while the link had long opened).
const (
	probeInterval   = 20 * time.Millisecond // how often probe traffic is sent
	probeMin        = 30_000                // bits/s not worth probing for
	probeMax        = 4_000_000             // the most probe traffic per subscriber
	probeHoldFirst  = 5 * time.Second       // pause after a failed probe, doubled each time
	probeHoldMax    = time.Minute
	probeFailDecay  = 30 * time.Second // unconstrained this long: failures are forgotten
	probeDropFactor = 0.9              // an estimate below this share of the last one fell
	probeBlame      = 3 * time.Second  // a fall this soon after probing is the probe's failure
	probeHigher     = 1.1              // a fall from above this share of the last failure's estimate is at a new level
)

// prober is one participant's probe state.
type prober struct {
	// Set by the allocator (worker), read by probeLoop.
	bps  atomic.Int64  // probe traffic wanted, bits/s; 0 = none
	ssrc atomic.Uint32 // the subscriber-facing SSRC of the video track to pad

	// Worker only.
	lastEstimate int64
	failures     int
	failedAt     int64 // the estimate the last failure fell from
	holdUntil    time.Time
	freeSince    time.Time // start of the current unconstrained spell; zero while constrained
	probedAt     time.Time // the last plan that asked for probe traffic

	// probeLoop only: bytes owed (negative: sent ahead).
	credit int
}

// plan decides the probe traffic after an allocation: estimate is the downlink estimate,
// sending what the chosen layers and audio take, wanted what the panes would take,
// ssrc the video track to pad (0: none with a pane to grow). Worker.
func (pr *prober) plan(now time.Time, estimate, sending, wanted int64, ssrc uint32) {
	prev := pr.lastEstimate
	fell := prev > 0 && float64(estimate) < probeDropFactor*float64(prev)
	pr.lastEstimate = estimate
	constrained := ssrc != 0 && wanted > sending
	switch {
	case !constrained:
		if pr.freeSince.IsZero() {
			pr.freeSince = now
		} else if now.Sub(pr.freeSince) >= probeFailDecay {
			pr.failures, pr.failedAt = 0, 0
		}
	case fell && now.Sub(pr.probedAt) < probeBlame && now.After(pr.holdUntil):
		// The link pushed back on our probe, or on the upgrade it allowed.
		pr.freeSince = time.Time{}
		if pr.failedAt > 0 && float64(prev) > probeHigher*float64(pr.failedAt) {
			pr.failures = 0 // at a new level: not the link that failed before
		}
		pr.failedAt = prev
		pr.holdUntil = now.Add(min(probeHoldMax, probeHoldFirst<<min(pr.failures, 8)))
		pr.failures++
	default:
		pr.freeSince = time.Time{}
	}
	pad := min(estimate, wanted) - sending
	if !constrained || now.Before(pr.holdUntil) || pad < probeMin {
		pr.bps.Store(0)
		return
	}
	pr.ssrc.Store(ssrc)
	pr.bps.Store(min(pad, probeMax))
	pr.probedAt = now
}

// probeLoop sends every probing participant's probe traffic, every probeInterval until
// stop. Own goroutine.
func (s *Server) probeLoop(stop <-chan struct{}) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			ps := s.probing.Load()
			if ps == nil {
				continue
			}
			for _, p := range *ps {
				p.sendProbe()
			}
		}
	}
}

// sendProbe sends one interval's share of the participant's probe traffic. probeLoop.
func (p *participant) sendProbe() {
	pr := &p.probe
	bps := pr.bps.Load()
	if bps == 0 || p.resp == nil {
		pr.credit = 0
		return
	}
	pr.credit = min(pr.credit+int(bps*int64(probeInterval)/int64(time.Second)/8), int(bps/8)) // at most 1 s owed
	if pr.credit <= 0 {
		return
	}
	pr.credit -= p.resp.Pad(pr.ssrc.Load(), pr.credit)
}
