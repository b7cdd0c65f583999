package loadtest

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serverSample is what the load tool reads from the server's /metrics: its CPU, heap
// and media counters. ok is false when the endpoint could not be read (another
// product, or a proxy in front hiding it), and the report then leaves the server
// figures out.
type serverSample struct {
	ok               bool
	cpuSeconds       float64
	heapAllocBytes   float64
	rssBytes         float64
	forwardedPackets float64
	receivedPackets  float64
}

// scrapeServer reads the server's Prometheus metrics.
func scrapeServer(ctx context.Context, base string) serverSample {
	v, ok := scrapeMetrics(ctx, base, "process_cpu_seconds_total", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
		"jishitong_rtc_forwarded_packets_total", "jishitong_rtc_received_packets_total")
	if !ok {
		return serverSample{}
	}
	return serverSample{ok: true, cpuSeconds: v[0], heapAllocBytes: v[1], rssBytes: v[2], forwardedPackets: v[3], receivedPackets: v[4]}
}

// scrapeMetrics reads the named unlabelled metrics from the server's /metrics, in
// order; ok is false unless every one was read.
func scrapeMetrics(ctx context.Context, base string, names ...string) ([]float64, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/metrics", nil)
	if err != nil {
		return nil, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, false
	}
	vals := make([]float64, len(names))
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if i, want := index[name]; want {
			if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				vals[i] = v
				found++
			}
		}
	}
	return vals, found == len(names)
}

// ServerFigures are the server's own costs during the measurement window, from its
// /metrics endpoint (absent when it could not be read).
type ServerFigures struct {
	// CPUSeconds is the server process's user+system CPU during the window.
	CPUSeconds float64 `json:"cpu_seconds"`
	// ForwardedPacketsPerSecond counts RTP packets the SFU sent to subscribers.
	ForwardedPacketsPerSecond float64 `json:"forwarded_packets_per_second"`
	// CPUMicrosPerForwardedPacket is CPUSeconds over the packets forwarded in the window:
	// the whole server's cost per forwarded packet (receive, SRTP, forwarding, send).
	CPUMicrosPerForwardedPacket float64 `json:"cpu_us_per_forwarded_packet"`
	// HeapBytesPerParticipant is the growth of the server's heap from when only the
	// publishers were in to the measurement window, divided by the subscribers who
	// joined in between (each receiving every track). Each heap figure is the lowest
	// of samples taken every 200 ms, which approximates the live heap after a
	// collection (load makes the server collect every few seconds).
	HeapBytesPerParticipant float64 `json:"heap_bytes_per_participant"`
	// RSSBytes is the server's resident memory at the end of the window.
	RSSBytes float64 `json:"rss_bytes"`
}

// serverFigures compares the samples taken at the start and the end of the window.
func serverFigures(start, end serverSample, seconds float64) *ServerFigures {
	if !start.ok || !end.ok || seconds <= 0 {
		return nil
	}
	f := &ServerFigures{
		CPUSeconds:                round(end.cpuSeconds-start.cpuSeconds, 3),
		ForwardedPacketsPerSecond: round((end.forwardedPackets-start.forwardedPackets)/seconds, 1),
		RSSBytes:                  end.rssBytes,
	}
	if n := end.forwardedPackets - start.forwardedPackets; n > 0 {
		f.CPUMicrosPerForwardedPacket = round((end.cpuSeconds-start.cpuSeconds)*1e6/n, 2)
	}
	return f
}

// minHeap samples the server's heap every 200 ms for d and returns the lowest value
// seen (0 when it could not be read).
func minHeap(ctx context.Context, base string, d time.Duration) float64 {
	lowest := 0.0
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if s := scrapeServer(ctx, base); s.ok && (lowest == 0 || s.heapAllocBytes < lowest) {
			lowest = s.heapAllocBytes
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	return lowest
}
