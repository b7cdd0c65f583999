package rtc

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/media/sfu"
)

// cameraFrame is a simulcast frame at a real camera's rates: at 30 frames/s the layers
// carry about 150 kbps, 500 kbps and 1.5 Mbps, in packets of up to 1,200 bytes; the
// layer is marked in the last payload byte of every packet.
func cameraFrame(layer int, key bool) [][]byte {
	size := []int{600, 2000, 6200}[layer]
	f := videoFrame(key)
	var out [][]byte
	for left := size; left > 0; left -= 1200 {
		n := min(left, 1200)
		p := make([]byte, n+1)
		if len(out) == 0 {
			copy(p, f[0][:min(len(f[0]), n)])
		}
		p[n] = byte(layer + 1)
		out = append(out, p)
	}
	return out
}

// TestBandwidthProbingReachesTheTopLayer: a subscriber shows a camera in a large pane
// on an open link. After a decrease GCC estimates at most about 1.5 times what it sees
// arrive, so without probing a subscriber left on the middle layer (~0.5 Mbps) by a
// narrow spell could stay there (seen: ~0.9 Mbps for 30 s): the server pads up to the
// estimate until it admits the top layer (~1.5 Mbps) again.
func TestBandwidthProbingReachesTheTopLayer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := newBigPaneRig(t, "run-probe", cameraFrame)
	defer r.close()
	srv, relay, layerSeen, estimate := r.srv, r.relay, r.layer, r.estimate

	waitLayer := func(what string, layer int, within time.Duration) {
		t.Helper()
		start, lastLog := time.Now(), time.Now()
		eventually(t, within, what, func() bool {
			if time.Since(lastLog) > 2*time.Second {
				lastLog = time.Now()
				t.Logf("  layer %d, estimate %d kbps; %s", layerSeen(), estimate()/1000, r.diag(t))
			}
			return layerSeen() == layer
		})
		t.Logf("%s after %v (estimate %d kbps)", what, time.Since(start).Round(100*time.Millisecond), estimate()/1000)
	}
	waitLayer("the top layer on an open link", 2, 20*time.Second)
	relay.rateBps.Store(700_000)
	waitLayer("the middle layer on a 700 kbps link", 1, 20*time.Second)
	time.Sleep(3 * time.Second) // the estimate settles below the top layer
	if l := layerSeen(); l == 2 {
		t.Fatalf("the top layer on a 700 kbps link (estimate %d kbps)", estimate()/1000)
	}
	padded := srv.cfg.responder.Stats().PaddingBytes
	relay.rateBps.Store(0)
	waitLayer("the top layer again once the link opened", 2, 30*time.Second)
	if srv.cfg.responder.Stats().PaddingBytes == padded {
		t.Error("no probe traffic was sent: the estimate rose on its own")
	}
}

// diag describes bob's estimator, probe and layer state, for the log of a failure.
func (r *bigPaneRig) diag(t *testing.T) string {
	var out string
	onWorker(t, r.srv, r.bob, func(p *participant) (int, int) {
		st := p.bwe.GetStats()
		out = fmt.Sprintf("gcc %v/%v, delay-based %v, loss-based %v, loss %.2f; probing %d kbps, %d failures, paused %v",
			st["state"], st["usage"], st["delayTargetBitrate"], st["lossTargetBitrate"], st["averageLoss"],
			p.probe.bps.Load()/1000, p.probe.failures, max(0, time.Until(p.probe.holdUntil)).Round(100*time.Millisecond))
		for _, sub := range p.subs {
			if dt := sub.track.sfuTrack(); dt != nil && sub.track.pt.kind == sfu.KindVideo {
				sel := dt.Selector()
				out += fmt.Sprintf("; layer rates %d/%d/%d kbps", sel.LayerBitrate(0)/1000, sel.LayerBitrate(1)/1000, sel.LayerBitrate(2)/1000)
			}
		}
		return 0, 0
	})
	return out
}

// TestProbeBackoffFollowsTheLevel: falls at the same level (a narrow link pushing back on
// every probe) pause probing for longer each time; falls from ever higher estimates (a
// link that carries more each time, with GCC falling now and then on jitter) do not
// stack the pause: each is at a new level and pauses for the shortest time.
func TestProbeBackoffFollowsTheLevel(t *testing.T) {
	// failAt probes at estimate level after the current pause, then lets the estimate
	// fall by 30%, and returns the pause that follows.
	failAt := func(pr *prober, now *time.Time, level int64) time.Duration {
		*now = later(*now, pr.holdUntil)
		pr.plan(*now, level, 300_000, 1_600_000, 1)
		if pr.bps.Load() == 0 {
			t.Fatalf("no probe at %d bps", level)
		}
		*now = now.Add(allocateInterval)
		pr.plan(*now, level*7/10, 300_000, 1_600_000, 1)
		return pr.holdUntil.Sub(*now)
	}
	var narrow prober
	now := time.Now()
	var got []time.Duration
	for _, level := range []int64{800_000, 790_000, 810_000} {
		got = append(got, failAt(&narrow, &now, level))
	}
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("a narrow link failing at ~800 kbps: pauses %v, want %v", got, want)
	}
	var opening prober
	got = nil
	for _, level := range []int64{500_000, 650_000, 800_000, 1_000_000} {
		got = append(got, failAt(&opening, &now, level))
	}
	if want := []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("falls from rising estimates: pauses %v, want %v", got, want)
	}
}

// later returns the later of two times, a moment after b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b.Add(time.Millisecond)
	}
	return a
}
