package sfu

import "time"

const (
	// seqWindow is how many incoming sequence numbers behind the highest one the munger
	// remembers, to forward late packets with the right offset and to drop duplicates.
	// It divides 65536, so the bitmap index stays consistent across wraparound.
	seqWindow = 512
	// maxSeqJump is the largest sequence-number step within one source that is treated as
	// loss or reordering; anything larger is a discontinuity (a restarted encoder reusing
	// its SSRC, a wild packet) and rebases the output as after a switch, so the subscriber
	// never sees a hole it would NACK for seconds.
	maxSeqJump = 3000
	// maxEpochAge caps Munger.epochAge; any value above seqWindow means "long ago".
	maxEpochAge = 1 << 20
)

// Munger rewrites the sequence numbers and timestamps of one down-track so the subscriber
// sees a single continuous RTP stream across simulcast layer switches, pauses (mute, layer
// off), reordering, duplicates and 16/32-bit wraparound.
//
// An epoch starts at every rebase (first packet, new source SSRC, Pause, discontinuity):
// the first packet of an epoch gets the sequence number after the last one sent and a
// timestamp advanced by the wall-clock gap in the codec clock, so jitter buffers stay sane
// (RFC 3550 §5.1: timestamps track the sampling clock). Within an epoch one offset pair
// applies, so late packets get exactly the sequence number they would have had in order.
//
// A Munger is not safe for concurrent use: it belongs to the goroutine that forwards the
// published track's packets. The zero value is not usable; call NewMunger.
type Munger struct {
	clockRate uint32

	started bool
	resync  bool
	ssrc    uint32

	highestIn uint16 // highest incoming sequence number of this epoch
	epochAge  uint32 // highestIn minus the epoch's first incoming sequence number, capped
	snOffset  uint16 // incoming minus outgoing sequence number, this epoch
	tsOffset  uint32 // incoming minus outgoing timestamp, this epoch

	lastOutSeq  uint16    // outgoing sequence number of the highest packet
	lastOutTS   uint32    // outgoing timestamp of the highest packet
	lastArrival time.Time // arrival of the highest packet

	seen [seqWindow / 64]uint64 // forwarded incoming sequence numbers, bit per seq mod seqWindow
}

// NewMunger returns a Munger for a codec with the given RTP clock rate in Hz (90000 for
// video, 48000 for Opus).
func NewMunger(clockRate uint32) *Munger {
	m := &Munger{}
	m.init(clockRate)
	return m
}

func (m *Munger) init(clockRate uint32) {
	if clockRate == 0 {
		clockRate = 90000
	}
	*m = Munger{clockRate: clockRate}
}

// Pause tells the munger that the stream was interrupted (mute, pause, layer off): the next
// translated packet starts a new epoch even if it comes from the same SSRC. Called on the
// forwarding goroutine.
func (m *Munger) Pause() { m.resync = true }

// Translate returns the outgoing sequence number and timestamp for in, or drop=true for a
// duplicate, a packet from before the current epoch, or one too late to place. Called on
// the forwarding goroutine, only for packets the caller has decided to forward.
func (m *Munger) Translate(in PacketMeta) (out Translated, drop bool) {
	if !m.started || m.resync || in.SSRC != m.ssrc {
		return m.rebase(in), false
	}
	diff := int16(in.Seq - m.highestIn)
	switch {
	case diff > maxSeqJump || diff < -maxSeqJump:
		return m.rebase(in), false
	case diff > 0:
		m.advance(uint16(diff))
		m.mark(in.Seq)
		out = Translated{Seq: in.Seq - m.snOffset, TS: in.TS - m.tsOffset, Marker: in.Marker}
		m.lastOutSeq, m.lastOutTS, m.lastArrival = out.Seq, out.TS, in.Arrival
		return out, false
	default:
		// Late or duplicate: back is how far behind the highest sequence number it is.
		back := uint32(-int32(diff))
		if back >= seqWindow || back > m.epochAge || m.marked(in.Seq) {
			return Translated{}, true
		}
		m.mark(in.Seq)
		return Translated{Seq: in.Seq - m.snOffset, TS: in.TS - m.tsOffset, Marker: in.Marker}, false
	}
}

// rebase starts a new epoch with in as its first packet.
func (m *Munger) rebase(in PacketMeta) Translated {
	out := Translated{Seq: in.Seq, TS: in.TS, Marker: in.Marker, Rebased: true}
	if m.started {
		out.Seq = m.lastOutSeq + 1
		out.TS = m.lastOutTS + m.ticksSince(in.Arrival)
	}
	m.started, m.resync, m.ssrc = true, false, in.SSRC
	m.snOffset = in.Seq - out.Seq
	m.tsOffset = in.TS - out.TS
	m.highestIn = in.Seq
	m.epochAge = 0
	clear(m.seen[:])
	m.mark(in.Seq)
	m.lastOutSeq, m.lastOutTS, m.lastArrival = out.Seq, out.TS, in.Arrival
	return out
}

// ticksSince converts the wall-clock time since the last forwarded packet into codec clock
// ticks, at least 1 so a new epoch never repeats the previous timestamp. The result wraps
// modulo 2^32 like RTP timestamps do.
func (m *Munger) ticksSince(arrival time.Time) uint32 {
	d := arrival.Sub(m.lastArrival)
	if d <= 0 {
		return 1
	}
	sec := uint64(d / time.Second)
	frac := uint64(d % time.Second)
	ticks := sec*uint64(m.clockRate) + frac*uint64(m.clockRate)/uint64(time.Second)
	if ticks == 0 {
		return 1
	}
	return uint32(ticks)
}

// advance moves highestIn forward by d, forgetting the bitmap slots it moves onto.
func (m *Munger) advance(d uint16) {
	if uint32(d) >= seqWindow {
		clear(m.seen[:])
	} else {
		for i := uint16(1); i <= d; i++ {
			s := m.highestIn + i
			m.seen[(s/64)%(seqWindow/64)] &^= 1 << (s % 64)
		}
	}
	m.highestIn += d
	m.epochAge = min(m.epochAge+uint32(d), maxEpochAge)
}

func (m *Munger) mark(s uint16) { m.seen[(s/64)%(seqWindow/64)] |= 1 << (s % 64) }

func (m *Munger) marked(s uint16) bool {
	return m.seen[(s/64)%(seqWindow/64)]&(1<<(s%64)) != 0
}
