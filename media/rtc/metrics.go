package rtc

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// stats are the media plane's counters. Forwarding goroutines batch their packet
// counts (flushEvery) so that a packet costs no contended atomic.
type stats struct {
	forwardedPackets atomic.Uint64
	forwardedBytes   atomic.Uint64
	receivedPackets  atomic.Uint64
}

// flushEvery is how many packets a forwarding goroutine counts locally before adding
// them to the shared counters.
const flushEvery = 64

// localCounts is one forwarding goroutine's unflushed counts.
type localCounts struct {
	received, forwarded, bytes uint64
}

// flush adds the local counts to s and clears them.
func (l *localCounts) flush(s *stats) {
	if s == nil {
		*l = localCounts{}
		return
	}
	s.receivedPackets.Add(l.received)
	s.forwardedPackets.Add(l.forwarded)
	s.forwardedBytes.Add(l.bytes)
	*l = localCounts{}
}

// Collector returns the media plane's Prometheus metrics: packets received from
// publishers and forwarded to subscribers, bytes forwarded, rooms, participants
// (connected and waiting to resume) and published tracks.
func (s *Server) Collector() prometheus.Collector { return (*collector)(s) }

type collector Server

var (
	descReceived     = prometheus.NewDesc("jishitong_rtc_received_packets_total", "RTP packets received from publishers.", nil, nil)
	descForwarded    = prometheus.NewDesc("jishitong_rtc_forwarded_packets_total", "RTP packets forwarded to subscribers.", nil, nil)
	descBytes        = prometheus.NewDesc("jishitong_rtc_forwarded_bytes_total", "RTP payload bytes forwarded to subscribers.", nil, nil)
	descRooms        = prometheus.NewDesc("jishitong_rtc_rooms", "Meetings with media.", nil, nil)
	descParticipants = prometheus.NewDesc("jishitong_rtc_participants", "Participants in media rooms, by state.", []string{"state"}, nil)
	descTracks       = prometheus.NewDesc("jishitong_rtc_tracks", "Published tracks.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReceived, descForwarded, descBytes, descRooms, descParticipants, descTracks} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := (*Server)(c)
	ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.stats.receivedPackets.Load()))
	ch <- prometheus.MustNewConstMetric(descForwarded, prometheus.CounterValue, float64(s.stats.forwardedPackets.Load()))
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.CounterValue, float64(s.stats.forwardedBytes.Load()))
	rooms := s.roomList()
	participants, tracks := 0, 0
	for _, r := range rooms {
		r.mu.Lock()
		participants += len(r.participants)
		tracks += len(r.tracks)
		r.mu.Unlock()
	}
	s.mu.Lock()
	waiting := len(s.suspended)
	s.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descRooms, prometheus.GaugeValue, float64(len(rooms)))
	ch <- prometheus.MustNewConstMetric(descParticipants, prometheus.GaugeValue, float64(participants-waiting), "connected")
	ch <- prometheus.MustNewConstMetric(descParticipants, prometheus.GaugeValue, float64(waiting), "reconnecting")
	ch <- prometheus.MustNewConstMetric(descTracks, prometheus.GaugeValue, float64(tracks))
}
