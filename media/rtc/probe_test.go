package rtc

import (
	"testing"
	"time"

	"go.uber.org/goleak"
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
				t.Logf("  layer %d, estimate %d kbps", layerSeen(), estimate()/1000)
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
