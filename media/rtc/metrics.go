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
	nackedPackets    atomic.Uint64 // packets subscribers asked for again
	// Publishers' losses: packets asked for again (NACK), found missing, repaired
	// after a NACK, and given up on (nack.Generator counts).
	uplinkNACKs, uplinkMissing, uplinkRepaired, uplinkLost atomic.Uint64
}

// flushEvery is how many packets a forwarding goroutine counts locally before adding
// them to the shared counters.
const flushEvery = 64

// localCounts is one forwarding goroutine's unflushed counts.
type localCounts struct {
	received, forwarded, bytes uint64
	// expected counts the sequence numbers the publisher sent (the highest seen advances
	// by them); received of expected is what arrived, repaired or not.
	expected uint64

	started bool
	lastSeq uint16
	lastAt  int64 // arrival of the highest sequence number, Unix nanoseconds
}

// observeSeq counts one received packet, arrived at now, against the sequence numbers
// sent. Late and retransmitted packets count as received without advancing. The
// packets sent during a silence long enough to have marked the link down
// (iceDisconnected) are not counted: the network was rated as away then, and the
// first assessment after it comes back rates the link as it is.
func (l *localCounts) observeSeq(seq uint16, now int64) {
	l.received++
	if !l.started {
		l.started, l.lastSeq, l.lastAt, l.expected = true, seq, now, l.expected+1
		return
	}
	if d := int16(seq - l.lastSeq); d > 0 {
		if now-l.lastAt >= int64(iceDisconnected) {
			d = 1
		}
		l.expected += uint64(d)
		l.lastSeq, l.lastAt = seq, now
	}
}

// flush adds the local counts to the server's stats and the track's, and clears them.
func (l *localCounts) flush(s *stats, t *publishedTrack) {
	if s != nil {
		s.receivedPackets.Add(l.received)
		s.forwardedPackets.Add(l.forwarded)
		s.forwardedBytes.Add(l.bytes)
	}
	if t != nil {
		t.seqReceived.Add(l.received)
		t.seqExpected.Add(l.expected)
	}
	l.received, l.forwarded, l.bytes, l.expected = 0, 0, 0, 0
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
	descNacked       = prometheus.NewDesc("jishitong_rtc_nacked_packets_total", "Packets subscribers asked to be sent again (NACK).", nil, nil)
	descResent       = prometheus.NewDesc("jishitong_rtc_retransmitted_packets_total", "Packets sent again to subscribers, over RTX (RFC 4588) or in the stream itself.", []string{"mode"}, nil)
	descNotBuffered  = prometheus.NewDesc("jishitong_rtc_nack_not_in_buffer_total", "NACKed packets no longer in the send buffer.", nil, nil)
	descSuppressed   = prometheus.NewDesc("jishitong_rtc_nack_suppressed_total", "NACKed packets not sent again because they were sent within the last 10 ms.", nil, nil)
	descProbe        = prometheus.NewDesc("jishitong_rtc_probe_bytes_total", "Probe traffic sent to let subscribers' bandwidth estimates grow (recent packets again over RTX).", nil, nil)
	descUplinkNACKs  = prometheus.NewDesc("jishitong_rtc_uplink_nacked_packets_total", "Packets publishers were asked to send again (NACK).", nil, nil)
	descUDPUnsent    = prometheus.NewDesc("jishitong_rtc_udp_unsent_packets_total", "Packets the --rtc-udp-port socket did not send (--rtc-fast-send), by reason: buffer_full (the send buffer had no room; dropped) or error (the kernel refused the packet).", []string{"reason"}, nil)
	descUplink       = prometheus.NewDesc("jishitong_rtc_uplink_packets_total", "Publishers' video packets that went missing, by outcome: missing (seen as a gap), repaired (arrived after a NACK), lost (given up on).", []string{"outcome"}, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReceived, descForwarded, descBytes, descRooms, descParticipants, descTracks, descNacked, descResent, descNotBuffered, descSuppressed, descProbe, descUplinkNACKs, descUplink, descUDPUnsent} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := (*Server)(c)
	ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.stats.receivedPackets.Load()))
	ch <- prometheus.MustNewConstMetric(descForwarded, prometheus.CounterValue, float64(s.stats.forwardedPackets.Load()))
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.CounterValue, float64(s.stats.forwardedBytes.Load()))
	ch <- prometheus.MustNewConstMetric(descNacked, prometheus.CounterValue, float64(s.stats.nackedPackets.Load()))
	if r := s.cfg.responder; r != nil {
		st := r.Stats()
		ch <- prometheus.MustNewConstMetric(descResent, prometheus.CounterValue, float64(st.ResentRTX), "rtx")
		ch <- prometheus.MustNewConstMetric(descResent, prometheus.CounterValue, float64(st.Resent-st.ResentRTX), "stream")
		ch <- prometheus.MustNewConstMetric(descNotBuffered, prometheus.CounterValue, float64(st.NotInBuffer))
		ch <- prometheus.MustNewConstMetric(descSuppressed, prometheus.CounterValue, float64(st.Suppressed))
		ch <- prometheus.MustNewConstMetric(descProbe, prometheus.CounterValue, float64(st.PaddingBytes))
	}
	ch <- prometheus.MustNewConstMetric(descUplinkNACKs, prometheus.CounterValue, float64(s.stats.uplinkNACKs.Load()))
	ch <- prometheus.MustNewConstMetric(descUplink, prometheus.CounterValue, float64(s.stats.uplinkMissing.Load()), "missing")
	ch <- prometheus.MustNewConstMetric(descUplink, prometheus.CounterValue, float64(s.stats.uplinkRepaired.Load()), "repaired")
	ch <- prometheus.MustNewConstMetric(descUplink, prometheus.CounterValue, float64(s.stats.uplinkLost.Load()), "lost")
	if c := s.udpFast.Load(); c != nil {
		u := c.Stats()
		ch <- prometheus.MustNewConstMetric(descUDPUnsent, prometheus.CounterValue, float64(u.Dropped), "buffer_full")
		ch <- prometheus.MustNewConstMetric(descUDPUnsent, prometheus.CounterValue, float64(u.Errors), "error")
	}
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
