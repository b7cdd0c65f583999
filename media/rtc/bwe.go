package rtc

import (
	"cmp"
	"slices"
	"time"

	"github.com/jishitong/jishitong/media/sfu"
	"github.com/jishitong/jishitong/media/signal"
)

// allocateInterval is how often each subscriber's downlink is shared out among the
// video tracks it receives, and the publishers' layer bitrates are measured.
const allocateInterval = 500 * time.Millisecond

// audioReserve is the downlink kept for each audio track before video is allocated
// (Opus at conversational rates plus RTP/SRTP/UDP overhead).
const audioReserve = 48_000

// rateWindow is how many allocation intervals a layer's bitrate is measured over (2 s).
// One interval alone read half or double the real rate whenever the publisher's packets
// arrived in bursts (a busy machine, a jittery uplink): the allocator then sent a layer
// the downlink could not carry, and the loss that followed drove the estimate down for
// tens of seconds.
const rateWindow = 4

// rateSampler turns a track's per-layer byte counters into bitrates, each measured
// over the last rateWindow intervals. Allocator goroutine only.
type rateSampler struct {
	at    [rateWindow + 1]time.Time // snapshots, a ring indexed by n
	bytes [rateWindow + 1][sfu.NumLayers]uint64
	n     int // snapshots taken
	bps   [sfu.NumLayers]int64
}

// sampleRates updates the measured bitrates from the counters. A layer's rate is
// measured over the intervals since it last paused, at most rateWindow of them; a layer
// silent for the last whole interval keeps its last rate (a paused layer costs what it
// cost when it comes back).
func (t *publishedTrack) sampleRates(now time.Time) [sfu.NumLayers]int64 {
	r := &t.rates
	var cur [sfu.NumLayers]uint64
	for i := range cur {
		cur[i] = t.layerBytes[i].Load()
	}
	const ring = rateWindow + 1
	idx := r.n % ring
	r.at[idx], r.bytes[idx] = now, cur
	r.n++
	if r.n < 2 {
		return r.bps
	}
	for i := range cur {
		// Walk back over the snapshots while the layer kept flowing.
		from := -1
		for k := 1; k < min(r.n, ring); k++ {
			j, next := (idx-k+ring)%ring, (idx-k+1+ring)%ring
			if r.bytes[next][i] == r.bytes[j][i] {
				break
			}
			from = j
		}
		if from < 0 {
			continue // silent for the last interval: keep the last rate
		}
		if dt := now.Sub(r.at[from]).Seconds(); dt > 0 {
			// Payload bytes plus ~5% RTP/SRTP/UDP/IP overhead at video packet sizes.
			r.bps[i] = int64(float64(cur[i]-r.bytes[from][i]) * 8 * 1.05 / dt)
		}
	}
	return r.bps
}

// allocLoop measures every video track's layer bitrates and then shares out each
// subscriber's estimated downlink, every allocateInterval until the server closes.
// Own goroutine.
func (s *Server) allocLoop(stop <-chan struct{}) {
	tick := time.NewTicker(allocateInterval)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			var all []*participant
			for _, r := range s.roomList() {
				all = append(all, r.allocate(now, n%assessEvery == 0)...)
			}
			s.probing.Store(&all)
			if n%int(saveEvery/allocateInterval) == 0 {
				s.saveBoards()
			}
		}
	}
}

// roomList snapshots the rooms.
func (s *Server) roomList() []*Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		out = append(out, r)
	}
	return out
}

// allocate refreshes the layer bitrates of the room's video tracks and lets every
// participant share out its downlink (and, when assess, rate its network). It returns
// the participants. Allocator goroutine.
func (r *Room) allocate(now time.Time, assess bool) []*participant {
	r.mu.Lock()
	tracks := slices.Clone(r.tracks)
	ps := make([]*participant, 0, len(r.participants))
	for _, p := range r.participants {
		ps = append(ps, p)
	}
	r.mu.Unlock()
	for _, t := range tracks {
		if t.kind != sfu.KindVideo {
			continue
		}
		rates := t.sampleRates(now)
		for d := range *t.sinks.Load() {
			d.Selector().SetLayerBitrates(rates)
		}
	}
	for _, p := range ps {
		p.post(p.allocate)
		if assess {
			p.post(p.assessNetwork)
		}
	}
	return ps
}

// lowestLayerRoom is the share (in percent) of the lowest layer's bitrate a track
// always gets, however small the estimate: the selector moves up to a layer only with
// 15 % to spare, and a layer's measured rate rises a little from one allocation to the
// next. With the bare bitrate as the floor, a lowest layer that measured 2 % more than
// the bandwidth last given paused the video, and a paused track never came back on that
// floor; with nothing sent the estimate never grew (seen: stuck at 100–134 kbps for
// 30 s after a narrow spell).
const lowestLayerRoom = 125

// trackBandwidth is the bandwidth given to one video track: what is left of the
// estimate, but never less than its lowest layer with room to switch to it.
func trackBandwidth(budget int64, sel *sfu.Selector) int64 {
	return max(budget, sel.LayerBitrate(0)*lowestLayerRoom/100)
}

// allocate shares the subscriber connection's estimated bandwidth among the video
// tracks it receives: audio first, then screen shares, then the largest panes, each
// getting the best layer that fits what is left. Every track keeps at least its lowest
// layer: pausing video on a low estimate would starve the estimator. While video is
// held below its panes, probe traffic (probe.go) lets the estimate find out whether
// more fits. Worker.
func (p *participant) allocate() {
	if p.bwe == nil {
		return
	}
	estimate := int64(p.bwe.GetTargetBitrate())
	budget := estimate
	type video struct {
		sel    *sfu.Selector
		ssrc   uint32
		screen bool
		area   int
	}
	var vs []video
	var audio int64
	for _, s := range p.subs {
		if s.track.pt.kind != sfu.KindVideo {
			budget -= audioReserve
			audio += audioReserve
			continue
		}
		dt := s.track.sfuTrack()
		if dt == nil {
			continue
		}
		s.track.mu.Lock()
		w, h := s.track.pref.pane()
		s.track.mu.Unlock()
		if w*h == 0 {
			continue
		}
		vs = append(vs, video{sel: dt.Selector(), ssrc: dt.SSRC(), screen: s.track.pt.source == signal.SourceScreen, area: w * h})
	}
	slices.SortStableFunc(vs, func(a, b video) int {
		if a.screen != b.screen {
			if a.screen {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.area, a.area)
	})
	p.constrained = false
	sending, wanted := audio, audio
	var probeSSRC uint32 // the largest pane held below its layer
	for _, v := range vs {
		v.sel.SetBandwidth(trackBandwidth(budget, v.sel))
		l := v.sel.Target()
		if l != sfu.LayerOff {
			budget -= v.sel.LayerBitrate(l)
			sending += v.sel.LayerBitrate(l)
		}
		if pane := v.sel.PaneTarget(); pane != sfu.LayerOff {
			wanted += v.sel.LayerBitrate(pane)
			if l < pane {
				p.constrained = true
				if probeSSRC == 0 {
					probeSSRC = v.ssrc
				}
			}
		}
	}
	p.probe.plan(time.Now(), estimate, sending, wanted, probeSSRC)
	p.bandwidth.Store(estimate)
}
