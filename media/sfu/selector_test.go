package sfu

import (
	"testing"
	"time"
)

func TestPaneLayer(t *testing.T) {
	tests := []struct {
		w, h int
		want Layer
	}{
		{0, 0, LayerOff},
		{320, 0, LayerOff},
		{160, 90, 0},
		{320, 180, 0},
		{180, 320, 0}, // portrait
		{321, 180, 1},
		{640, 360, 1},
		{360, 640, 1},
		{641, 360, 2},
		{1920, 1080, 2},
	}
	for _, tt := range tests {
		if got := PaneLayer(tt.w, tt.h); got != tt.want {
			t.Errorf("PaneLayer(%d, %d) = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestSelectorTarget(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		bps  int64
		want Layer
	}{
		{"big pane, unknown bandwidth", 1280, 720, 0, 2},
		{"big pane, plenty", 1280, 720, 5_000_000, 2},
		{"big pane, capped to h", 1280, 720, 1_000_000, 1},
		{"big pane, capped to q", 1280, 720, 200_000, 0},
		{"big pane, starved", 1280, 720, 100_000, LayerOff},
		{"small pane, plenty", 320, 180, 5_000_000, 0},
		{"medium pane, exactly layer 1", 640, 360, 500_000, 1},
		{"hidden pane", 0, 0, 5_000_000, LayerOff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSelector(SelectorConfig{}, nil)
			s.SetPane(tt.w, tt.h)
			s.SetBandwidth(tt.bps)
			if got := s.Target(); got != tt.want {
				t.Fatalf("target = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSelectorMeasuredBitrates(t *testing.T) {
	s := NewSelector(SelectorConfig{}, nil)
	s.SetBandwidth(1_000_000)
	if got := s.Target(); got != 1 {
		t.Fatalf("target = %v, want 1", got)
	}
	s.SetLayerBitrates([NumLayers]int64{0, 0, 850_000}) // f is cheaper than assumed
	if got := s.Target(); got != 2 {
		t.Fatalf("target = %v, want 2", got)
	}
}

// TestSelectorUpgradeHeadroom: moving up to a layer needs 15 % more bandwidth than its
// bitrate; keeping it needs only the bitrate, so a wobbling estimate does not flap.
func TestSelectorUpgradeHeadroom(t *testing.T) {
	s := NewSelector(SelectorConfig{}, nil)
	s.SetPane(1280, 720)
	s.SetLayerBitrates([NumLayers]int64{150_000, 500_000, 1_000_000})
	for _, step := range []struct {
		bps  int64
		want Layer
	}{
		{600_000, 1},
		{1_100_000, 1}, // above the top layer's rate, but not by 15 %
		{1_150_000, 2},
		{1_010_000, 2}, // still fits: kept
		{990_000, 1},   // no longer fits
		{1_100_000, 1},
	} {
		s.SetBandwidth(step.bps)
		if got := s.Target(); got != step.want {
			t.Fatalf("%d bps: target %v, want %v", step.bps, got, step.want)
		}
	}
}

// sstep is one packet into the selector and whether it must be forwarded.
type sstep struct {
	pane     [2]int // applied before the packet when non-zero
	layer    int
	keyframe bool
	ms       int
	forward  bool
	current  Layer
}

func TestSelectorSwitching(t *testing.T) {
	tests := []struct {
		name  string
		steps []sstep
	}{
		{
			name: "start on a keyframe, switch up only on a target keyframe",
			steps: []sstep{
				{pane: [2]int{320, 180}, layer: 0, ms: 0, forward: false, current: LayerOff},
				{layer: 0, keyframe: true, ms: 10, forward: true, current: 0},
				{pane: [2]int{1280, 720}, layer: 2, ms: 20, forward: false, current: 0},
				{layer: 0, ms: 21, forward: true, current: 0},
				{layer: 1, keyframe: true, ms: 22, forward: false, current: 0},
				{layer: 2, keyframe: true, ms: 30, forward: true, current: 2},
				{layer: 0, ms: 31, forward: false, current: 2},
				{layer: 2, ms: 32, forward: true, current: 2},
			},
		},
		{
			name: "switch down waits for a keyframe and keeps forwarding the current layer",
			steps: []sstep{
				{layer: 2, keyframe: true, ms: 0, forward: true, current: 2},
				{pane: [2]int{320, 180}, layer: 2, ms: 10, forward: true, current: 2},
				{layer: 0, ms: 11, forward: false, current: 2},
				{layer: 0, keyframe: true, ms: 20, forward: true, current: 0},
				{layer: 2, ms: 21, forward: false, current: 0},
			},
		},
		{
			name: "current layer stops: take a lower keyframe after the timeout",
			steps: []sstep{
				{layer: 2, keyframe: true, ms: 0, forward: true, current: 2},
				{layer: 1, ms: 1, forward: false, current: 2},
				{layer: 1, keyframe: true, ms: 500, forward: false, current: 2}, // 2 not yet stopped
				{layer: 0, keyframe: true, ms: 1200, forward: true, current: 0},
				{layer: 1, keyframe: true, ms: 1210, forward: false, current: 0}, // no sideways
				{layer: 2, keyframe: true, ms: 1300, forward: true, current: 2},  // target back
			},
		},
		{
			name: "hidden pane stops forwarding; showing it again needs a keyframe",
			steps: []sstep{
				{layer: 1, keyframe: true, ms: 0, forward: true, current: 1},
				{pane: [2]int{-1, -1}, layer: 1, ms: 10, forward: false, current: LayerOff},
				{pane: [2]int{640, 360}, layer: 1, ms: 20, forward: false, current: LayerOff},
				{layer: 1, keyframe: true, ms: 30, forward: true, current: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSelector(SelectorConfig{}, nil)
			for i, st := range tt.steps {
				switch {
				case st.pane[0] < 0:
					s.SetPane(0, 0)
				case st.pane[0] > 0:
					s.SetPane(st.pane[0], st.pane[1])
				}
				if got := s.Accept(st.layer, st.keyframe, at(st.ms)); got != st.forward {
					t.Fatalf("step %d: forward = %v, want %v", i, got, st.forward)
				}
				if got := s.Current(); got != st.current {
					t.Fatalf("step %d: current = %v, want %v", i, got, st.current)
				}
			}
		})
	}
}

func TestSelectorKeyframeRateLimit(t *testing.T) {
	s := NewSelector(SelectorConfig{}, NewKeyframeLimiter(500*time.Millisecond))
	var got []int
	for ms := 0; ms <= 1200; ms += 20 {
		s.Accept(2, false, at(ms)) // waiting for a keyframe of layer 2 the whole time
		if l, ok := s.KeyframeRequest(); ok {
			if l != 2 {
				t.Fatalf("request for layer %v, want 2", l)
			}
			got = append(got, ms)
		}
	}
	want := []int{0, 500, 1000}
	if len(got) != len(want) {
		t.Fatalf("requests at %v ms, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("requests at %v ms, want %v", got, want)
		}
	}
	// Once the keyframe arrives and the target is reached, no more requests.
	s.Accept(2, true, at(1300))
	for ms := 1300; ms < 3000; ms += 20 {
		s.Accept(2, false, at(ms))
		if _, ok := s.KeyframeRequest(); ok {
			t.Fatalf("unexpected request at %d ms", ms)
		}
	}
}

// TestKeyframeLimiterFirstPicture: once a keyframe answered the last request, a
// subscriber showing nothing yet may ask again after MinKeyframeInterval rather than the
// whole interval; unanswered requests and layer switches still wait it.
func TestKeyframeLimiterFirstPicture(t *testing.T) {
	lim := NewKeyframeLimiter(500 * time.Millisecond)
	for _, step := range []struct {
		ms    int
		seen  bool // a keyframe of the layer arrives at ms (no request)
		first bool
		layer Layer
		want  bool
	}{
		{ms: 0, layer: 2, want: true},
		{ms: 150, first: true, layer: 2, want: false}, // outstanding
		{ms: 160, seen: true, layer: 2},               // answered
		{ms: 170, layer: 2, want: false},              // a layer switch waits the interval
		{ms: 180, first: true, layer: 2, want: true},  // a latecomer asks for its first picture
		{ms: 230, first: true, layer: 2, want: false}, // within MinKeyframeInterval, and outstanding
		{ms: 300, first: true, layer: 2, want: false}, // outstanding
		{ms: 200, first: true, layer: 0, want: true},  // layers are independent
		{ms: 680, first: true, layer: 2, want: true},  // the unanswered request is given up
	} {
		if step.seen {
			lim.Seen(step.layer, at(step.ms))
			continue
		}
		allow := lim.Allow
		if step.first {
			allow = lim.AllowFirst
		}
		if got := allow(step.layer, at(step.ms)); got != step.want {
			t.Fatalf("layer %d at %d ms (first %v): allowed %v, want %v", step.layer, step.ms, step.first, got, step.want)
		}
	}
}

func TestKeyframeLimiterSharedAcrossDownTracks(t *testing.T) {
	lim := NewKeyframeLimiter(500 * time.Millisecond)
	a, b := NewSelector(SelectorConfig{}, lim), NewSelector(SelectorConfig{}, lim)
	a.Accept(2, false, at(0))
	b.Accept(2, false, at(1))
	_, okA := a.KeyframeRequest()
	_, okB := b.KeyframeRequest()
	if !okA || okB {
		t.Fatalf("requests a=%v b=%v, want only a", okA, okB)
	}
}

func TestSelectorKeyframeForLiveLayerWhenTargetGone(t *testing.T) {
	s := NewSelector(SelectorConfig{}, NewKeyframeLimiter(time.Millisecond))
	// Only layer 0 arrives (the publisher dropped h and f); nothing forwarded yet.
	s.Accept(0, false, at(0))
	if l, ok := s.KeyframeRequest(); !ok || l != 0 {
		t.Fatalf("request = %v %v, want layer 0", l, ok)
	}
}

func TestLayerFromRID(t *testing.T) {
	for rid, want := range map[string]Layer{"q": 0, "h": 1, "f": 2, "l": 0, "m": 1, "x": LayerOff} {
		if got := LayerFromRID(rid); got != want {
			t.Errorf("LayerFromRID(%q) = %v, want %v", rid, got, want)
		}
	}
}
