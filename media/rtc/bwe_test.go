package rtc

import (
	"testing"
	"time"

	"github.com/jishitong/jishitong/media/sfu"
)

// TestLayerRatesAreMeasuredOverAWindow: a publisher's packets that arrive in bursts
// (here a layer of 1 Mbps whose bytes are counted in alternating intervals of a quarter
// and seven quarters of their share) measure at their real rate once the window is
// full, not at half or double it; a layer that pauses keeps its last rate, and one that
// comes back is measured from when it came back, not over its silence.
func TestLayerRatesAreMeasuredOverAWindow(t *testing.T) {
	var tr publishedTrack
	start := time.Now()
	const perInterval = 1_000_000 / 8 / 2 // bytes of 1 Mbps in 500 ms
	at := func(n int) time.Time { return start.Add(time.Duration(n) * allocateInterval) }
	tr.sampleRates(at(0))
	var got int64
	for n := 1; n <= 12; n++ {
		share := perInterval / 4
		if n%2 == 0 {
			share = perInterval * 7 / 4
		}
		tr.layerBytes[2].Add(uint64(share))
		tr.layerBytes[0].Add(perInterval / 10) // 100 kbps, steady
		got = tr.sampleRates(at(n))[2]
		if n >= rateWindow && (got < 1_000_000 || got > 1_100_000) { // +5% overhead
			t.Fatalf("interval %d: a bursty 1 Mbps layer measured %d bps", n, got)
		}
	}
	// The top layer pauses: it keeps its rate; the low one goes on.
	for n := 13; n <= 16; n++ {
		tr.layerBytes[0].Add(perInterval / 10)
		if r := tr.sampleRates(at(n)); r[2] != got {
			t.Fatalf("interval %d: a paused layer's rate went from %d to %d", n, got, r[2])
		}
	}
	// It comes back at 2 Mbps: the silent intervals are not averaged in.
	tr.layerBytes[2].Add(2 * perInterval)
	if r := tr.sampleRates(at(17))[2]; r < 2_000_000 || r > 2_200_000 {
		t.Errorf("a layer back at 2 Mbps measured %d bps", r)
	}
}

// TestTheLowestLayerIsNeverPaused: on an estimate below even the lowest layer, a track
// keeps that layer (a paused track would starve the estimator) while the layer's
// measured rate wobbles up and down from one allocation to the next, and comes back to
// it after a pause.
func TestTheLowestLayerIsNeverPaused(t *testing.T) {
	sel := sfu.NewSelector(sfu.SelectorConfig{}, nil)
	sel.SetPane(1280, 720)
	const estimate = 100_000
	for i, low := range []int64{148_000, 151_000, 147_000, 160_000, 152_000} {
		// The allocator's order: the measured rates first, then the bandwidth.
		sel.SetLayerBitrates([sfu.NumLayers]int64{low, 500_000, 1_500_000})
		sel.SetBandwidth(trackBandwidth(estimate, sel))
		if got := sel.Target(); got != 0 {
			t.Fatalf("allocation %d (lowest layer at %d bps, estimate %d): target %v, want the lowest layer", i, low, estimate, got)
		}
	}
	// Paused by a hidden pane, shown again: back on the lowest layer.
	sel.SetPane(0, 0)
	sel.SetBandwidth(trackBandwidth(estimate, sel))
	sel.SetPane(1280, 720)
	sel.SetBandwidth(trackBandwidth(estimate, sel))
	if got := sel.Target(); got != 0 {
		t.Errorf("after a pause: target %v, want the lowest layer", got)
	}
}
