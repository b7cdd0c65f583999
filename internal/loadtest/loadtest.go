// Package loadtest joins synthetic WebRTC participants to a meeting of a running
// Jishitong and measures what they receive: packet rate, bitrate, join-to-first-packet
// latency and loss. It is the engine of `jishitong loadtest` and of `make bench`.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/rtc"
)

// Config describes one load run.
type Config struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Meeting and Password identify the meeting; participants join as guests.
	Meeting  string
	Password string
	// Publishers send audio and video (and receive); Subscribers only receive.
	Publishers  int
	Subscribers int
	// Duration is the measurement window, which starts once everyone has joined.
	Duration time.Duration
	// LoopbackOnly restricts ICE to IPv4 UDP on 127.0.0.1.
	LoopbackOnly bool
	// VideoKbps is the video bitrate of each publisher's top layer; default 1000.
	VideoKbps int
	// Simulcast makes publishers send three layers (q, h, f at 10%, 30% and 100% of
	// VideoKbps); otherwise one layer at VideoKbps.
	Simulcast bool
	// JoinParallelism bounds concurrent joins; default 8.
	JoinParallelism int
	// JoinTimeout bounds one participant's join; default 15 s.
	JoinTimeout time.Duration
}

// Report is the result of a run; its JSON form is what `jishitong loadtest --json` prints.
type Report struct {
	Participants int     `json:"participants"`
	Publishers   int     `json:"publishers"`
	Subscribers  int     `json:"subscribers"`
	DurationS    float64 `json:"duration_s"`

	ReceivedPacketsPerSecond float64 `json:"received_packets_per_second"`
	ReceivedKbps             float64 `json:"received_kbps"`
	SentPacketsPerSecond     float64 `json:"sent_packets_per_second"`
	LossPercent              float64 `json:"loss_percent"`

	JoinToFirstPacketMsP50      float64 `json:"join_to_first_packet_ms_p50"`
	JoinToFirstPacketMsP99      float64 `json:"join_to_first_packet_ms_p99"`
	AudioJoinToFirstPacketMsP50 float64 `json:"audio_join_to_first_packet_ms_p50"`
	AudioJoinToFirstPacketMsP99 float64 `json:"audio_join_to_first_packet_ms_p99"`
	VideoJoinToFirstPacketMsP50 float64 `json:"video_join_to_first_packet_ms_p50"`
	VideoJoinToFirstPacketMsP99 float64 `json:"video_join_to_first_packet_ms_p99"`

	// TracksExpected is how many remote tracks the participants should receive in
	// total; TracksReceived how many delivered at least one packet.
	TracksExpected int `json:"tracks_expected"`
	TracksReceived int `json:"tracks_received"`

	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples"`
	// CPUSeconds is user+system CPU of this process during the run (it includes the
	// server when the server runs in the same process, as in tests).
	CPUSeconds float64 `json:"cpu_seconds"`
	// Server is the server's own cost, read from its /metrics endpoint; absent when
	// that could not be read.
	Server *ServerFigures `json:"server,omitempty"`
}

// runner is the shared state of one Run.
type runner struct {
	cfg  Config
	api  *webrtc.API
	errs atomic.Int64

	errMu      sync.Mutex
	errSamples []string

	sentPackets atomic.Int64
}

const maxErrorSamples = 5

// errorf counts an error and keeps the first few messages. Any goroutine.
func (r *runner) errorf(format string, args ...any) {
	r.errs.Add(1)
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if len(r.errSamples) < maxErrorSamples {
		r.errSamples = append(r.errSamples, fmt.Sprintf(format, args...))
	}
}

// Run joins cfg.Publishers publishers, then cfg.Subscribers subscribers, measures for
// cfg.Duration and reports. Failures of single participants are counted in the report;
// Run fails only on a bad config or when nobody could join.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.URL == "" || cfg.Meeting == "" {
		return Report{}, errors.New("loadtest: url and meeting are required")
	}
	if cfg.Publishers < 0 || cfg.Subscribers < 0 || cfg.Publishers+cfg.Subscribers == 0 {
		return Report{}, errors.New("loadtest: need at least one participant")
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.VideoKbps <= 0 {
		cfg.VideoKbps = 1000
	}
	if cfg.JoinParallelism <= 0 {
		cfg.JoinParallelism = 8
	}
	if cfg.JoinTimeout <= 0 {
		cfg.JoinTimeout = 15 * time.Second
	}
	api, err := newAPI(cfg.LoopbackOnly)
	if err != nil {
		return Report{}, err
	}
	r := &runner{cfg: cfg, api: api}
	cpu0 := cpuSeconds()

	var mu sync.Mutex
	var all []*participant
	joinAll := func(n int, publisher bool, prefix string) {
		sem := make(chan struct{}, cfg.JoinParallelism)
		var wg sync.WaitGroup
		for i := range n {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				jctx, cancel := context.WithTimeout(ctx, cfg.JoinTimeout)
				defer cancel()
				p, err := join(jctx, r, fmt.Sprintf("%s-%d", prefix, i+1), publisher)
				if err != nil {
					r.errorf("%s-%d: %v", prefix, i+1, err)
					return
				}
				mu.Lock()
				all = append(all, p)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	defer func() {
		var wg sync.WaitGroup
		for _, p := range all {
			wg.Add(1)
			go func() { defer wg.Done(); p.close() }()
		}
		wg.Wait()
	}()

	joinAll(cfg.Publishers, true, "pub")
	// Subscribers join a meeting whose publishers are live, so that their
	// join-to-first-packet is the server's, not the publishers' start-up.
	deadline := time.Now().Add(cfg.JoinTimeout)
	for _, p := range all {
		for p.confirmed.Load() < 2 && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	pubsOnly := minHeap(ctx, cfg.URL, 2*time.Second)
	joinAll(cfg.Subscribers, false, "sub")
	if len(all) == 0 {
		r.errMu.Lock()
		defer r.errMu.Unlock()
		return Report{}, fmt.Errorf("loadtest: nobody could join (%d errors, first: %v)", r.errs.Load(), r.errSamples)
	}

	pk0, by0, sent0 := totals(all), totalBytes(all), r.sentPackets.Load()
	srv0 := scrapeServer(ctx, cfg.URL)
	t0 := time.Now()
	loaded := minHeap(ctx, cfg.URL, cfg.Duration)
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(t0.Add(cfg.Duration))):
	}
	elapsed := time.Since(t0).Seconds()
	pk1, by1, sent1 := totals(all), totalBytes(all), r.sentPackets.Load()
	srv1 := scrapeServer(context.WithoutCancel(ctx), cfg.URL)

	rep := Report{
		Participants: len(all),
		Publishers:   cfg.Publishers,
		Subscribers:  cfg.Subscribers,
		DurationS:    round(elapsed, 3),
	}
	rep.ReceivedPacketsPerSecond = round(float64(pk1-pk0)/elapsed, 1)
	rep.ReceivedKbps = round(float64(by1-by0)*8/1000/elapsed, 1)
	rep.SentPacketsPerSecond = round(float64(sent1-sent0)/elapsed, 1)

	var expected, received int64
	var lat, alat, vlat []float64
	pubs := 0
	for _, p := range all {
		if p.publisher {
			pubs++
		}
	}
	// Join-to-first-packet is measured on subscribers; with none, on everyone.
	measureAll := cfg.Subscribers == 0
	for _, p := range all {
		want := pubs
		if p.publisher {
			want--
		}
		rep.TracksExpected += 2 * want
		for _, ts := range p.trackStats() {
			n := ts.packets.Load()
			if n == 0 {
				continue
			}
			rep.TracksReceived++
			expected += ts.expected.Load()
			received += n
			if p.publisher && !measureAll {
				continue
			}
			ms := float64(ts.first.Load()-p.joinSent.UnixNano()) / 1e6
			lat = append(lat, ms)
			if ts.audio {
				alat = append(alat, ms)
			} else {
				vlat = append(vlat, ms)
			}
		}
	}
	if expected > 0 && expected > received {
		rep.LossPercent = round(float64(expected-received)*100/float64(expected), 3)
	}
	rep.JoinToFirstPacketMsP50, rep.JoinToFirstPacketMsP99 = percentile(lat, 50), percentile(lat, 99)
	rep.AudioJoinToFirstPacketMsP50, rep.AudioJoinToFirstPacketMsP99 = percentile(alat, 50), percentile(alat, 99)
	rep.VideoJoinToFirstPacketMsP50, rep.VideoJoinToFirstPacketMsP99 = percentile(vlat, 50), percentile(vlat, 99)
	rep.CPUSeconds = round(cpuSeconds()-cpu0, 3)
	rep.Server = serverFigures(srv0, srv1, elapsed)
	if rep.Server != nil && pubsOnly > 0 && loaded > 0 && len(all) > cfg.Publishers {
		rep.Server.HeapBytesPerParticipant = round((loaded-pubsOnly)/float64(len(all)-cfg.Publishers), 0)
	}
	rep.Errors = int(r.errs.Load())
	r.errMu.Lock()
	rep.ErrorSamples = append([]string{}, r.errSamples...)
	r.errMu.Unlock()
	return rep, nil
}

func totals(ps []*participant) (n int64) {
	for _, p := range ps {
		for _, ts := range p.trackStats() {
			n += ts.packets.Load()
		}
	}
	return n
}

func totalBytes(ps []*participant) (n int64) {
	for _, p := range ps {
		for _, ts := range p.trackStats() {
			n += ts.bytes.Load()
		}
	}
	return n
}

// percentile returns the p-th percentile (nearest rank) of xs in ms, rounded to 0.1.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return round(s[i], 1)
}

func round(v float64, digits int) float64 {
	m := 1.0
	for range digits {
		m *= 10
	}
	if v < 0 {
		return -float64(int64(-v*m+0.5)) / m
	}
	return float64(int64(v*m+0.5)) / m
}

// cpuSeconds is the user+system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// newAPI builds the pion API shared by every synthetic participant: Opus and VP8 as
// the server registers them, and only the RTCP report interceptors, so that the tool
// stays cheap per packet and loss is measured without NACK repair.
func newAPI(loopbackOnly bool) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        111,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "ccm", Parameter: "fir"}, {Type: "nack", Parameter: "pli"}}},
		PayloadType: 96,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	// Like a browser: mid/rid header extensions for simulcast, and transport-wide
	// congestion control feedback, from which the server estimates each subscriber's
	// downlink.
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(m, ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if loopbackOnly {
		rtc.RestrictToLoopback(&se)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}
