package nack

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
)

// Generator defaults.
const (
	// DefaultGeneratorWindow is how many sequence numbers behind the highest one a
	// Generator tracks: about 3 s of 300 packet/s video, so the 1 s give-up time, not
	// the window, ends the requests for a packet.
	DefaultGeneratorWindow = 1024
	// DefaultMaxNacks is how many times a Generator asks for one missing packet.
	DefaultMaxNacks = 10
	// DefaultMinNackInterval is the least time between two requests for one packet.
	DefaultMinNackInterval = 20 * time.Millisecond
	// DefaultRTT is the round-trip time a Generator assumes until SetRTT is called.
	DefaultRTT = 100 * time.Millisecond
	// DefaultMaxNackAge is how long a Generator keeps asking for a missing packet.
	DefaultMaxNackAge = time.Second
)

// maxPairsPerCall bounds the NACK items one AppendNacks call returns, so that one
// generic NACK (12 + 4 bytes per item, RFC 4585 §6.2.1) fits in a 1200-byte packet
// next to the rest of its compound. The packets left out are asked for next time.
const maxPairsPerCall = 250

// strayReset is how many consecutive packets from far behind the window reset a
// Generator: one such packet is a very late duplicate and ignored; several in a row
// mean the sender restarted its sequence numbers.
const strayReset = 3

// GeneratorConfig configures a Generator. The zero value selects the defaults.
type GeneratorConfig struct {
	// Window is how many sequence numbers behind the highest received one are tracked;
	// a packet further behind is given up. A power of two in 64..32768;
	// DefaultGeneratorWindow when 0.
	Window int
	// MaxGap is the largest jump ahead whose skipped packets are asked for: a larger
	// jump resets the Generator (the sender restarted or the network was out for long;
	// a keyframe request repairs that better than thousands of NACKs). Window/2 when 0;
	// at most Window-1.
	MaxGap int
	// MaxNacks is how many times one missing packet is asked for (1..255);
	// DefaultMaxNacks when 0.
	MaxNacks int
	// MinInterval is the least time between two requests for one packet; requests are
	// spaced by max(RTT, MinInterval). DefaultMinNackInterval when 0.
	MinInterval time.Duration
	// RTT is the round-trip time assumed until SetRTT is called; DefaultRTT when 0.
	RTT time.Duration
	// MaxAge is how long after its gap was seen a missing packet is given up;
	// DefaultMaxNackAge when 0.
	MaxAge time.Duration
}

// withDefaults validates c and fills in its zero fields.
func (c GeneratorConfig) withDefaults() (GeneratorConfig, error) {
	if c.Window == 0 {
		c.Window = DefaultGeneratorWindow
	}
	if c.Window < 64 || c.Window > 1<<15 || c.Window&(c.Window-1) != 0 {
		return c, fmt.Errorf("%w: generator window %d", ErrNotPowerOfTwo, c.Window)
	}
	if c.MaxGap == 0 {
		c.MaxGap = c.Window / 2
	}
	if c.MaxNacks == 0 {
		c.MaxNacks = DefaultMaxNacks
	}
	if c.MinInterval == 0 {
		c.MinInterval = DefaultMinNackInterval
	}
	if c.RTT == 0 {
		c.RTT = DefaultRTT
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxNackAge
	}
	if c.MaxGap < 1 || c.MaxGap >= c.Window || c.MaxNacks < 1 || c.MaxNacks > 255 ||
		c.MinInterval < 0 || c.RTT < 0 || c.MaxAge < 0 {
		return c, fmt.Errorf("%w: generator %+v", ErrInvalidConfig, c)
	}
	return c, nil
}

// GeneratorStats are a Generator's counters since it was created.
type GeneratorStats struct {
	// Received counts distinct packets pushed (first arrivals, late ones included).
	Received uint64
	// Duplicates counts packets pushed again, and packets from before the first one.
	Duplicates uint64
	// Missing counts the gaps seen: packets skipped by a packet with a higher number.
	Missing uint64
	// Repaired counts missing packets that arrived after they were asked for.
	Repaired uint64
	// Reordered counts missing packets that arrived before they were asked for.
	Reordered uint64
	// Lost counts missing packets given up: asked for MaxNacks times, missing for
	// MaxAge, fallen out of the window or dropped by a reset.
	Lost uint64
	// Late counts packets that arrived after they were given up (they are also in
	// Lost).
	Late uint64
	// Resets counts restarts of the tracking: jumps beyond MaxGap, a run of packets
	// from far behind the window, and calls to Reset.
	Resets uint64
}

// Slot states.
const (
	slotReceived uint8 = iota
	slotMissing
	slotLost
)

// genSlot is what a Generator knows of one sequence number.
type genSlot struct {
	ext      int64 // extended sequence number
	detected int64 // when the gap was seen, ns since the generator's epoch
	lastNack int64 // when last asked for, ns since the epoch
	gen      uint32
	state    uint8
	nacks    uint8
}

// Generator decides which packets of one received RTP stream to ask for again
// (generic NACK, RFC 4585 §6.2.1). It is a plain data structure with no goroutine:
// the stream's read loop calls Push for every packet it reads (with pion, reading a
// TrackRemote returns packets repaired over RTX as the original stream's, so they
// count), and a ticker calls AppendNacks about every 20 ms and sends what it returns.
//
// Sequence numbers are extended to 64 bits, so wrap-around, reordering and
// duplicates are handled; a missing packet is asked for at most MaxNacks times,
// spaced by max(RTT, MinInterval), and given up after MaxAge or when it leaves the
// window. Push and AppendNacks may run on different goroutines: a mutex, held for
// O(1) in Push and for one scan of the outstanding packets in AppendNacks, guards the
// state; neither allocates.
type Generator struct {
	cfg  GeneratorConfig
	mask int64
	rtt  atomic.Int64 // ns

	mu      sync.Mutex
	stats   GeneratorStats
	slots   []genSlot
	gen     uint32 // slots of another generation are empty
	started bool
	epoch   time.Time
	highest int64 // highest extended sequence number received
	oldest  int64 // no missing packet below this one
	pending int   // packets missing now
	strays  int   // consecutive packets from far behind the window
}

// NewGenerator returns a Generator for one stream, or an error wrapping
// ErrNotPowerOfTwo or ErrInvalidConfig.
func NewGenerator(cfg GeneratorConfig) (*Generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, mask: int64(cfg.Window - 1), slots: make([]genSlot, cfg.Window)}
	g.rtt.Store(int64(cfg.RTT))
	return g, nil
}

// SetRTT sets the round-trip time that spaces the requests for one packet (from RTCP
// reports, for example). Any goroutine.
func (g *Generator) SetRTT(rtt time.Duration) {
	if rtt > 0 {
		g.rtt.Store(int64(rtt))
	}
}

// Stats returns the counters. Any goroutine.
func (g *Generator) Stats() GeneratorStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// Pending returns how many packets are missing and still asked for.
func (g *Generator) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending
}

// Reset forgets the stream (packets still missing count as lost); the next Push
// starts afresh. For a new SSRC, say.
func (g *Generator) Reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropAll()
	g.started = false
}

// dropAll gives up every missing packet and empties the slots. Caller holds mu.
func (g *Generator) dropAll() {
	g.stats.Lost += uint64(g.pending)
	g.pending = 0
	g.strays = 0
	g.gen++
	g.stats.Resets++
}

// clock returns now in ns since the epoch, setting the epoch on first use.
func (g *Generator) clock(now time.Time) int64 {
	if g.epoch.IsZero() {
		g.epoch = now
	}
	return int64(now.Sub(g.epoch))
}

// Push records the arrival of the packet with sequence number seq at now. Read loop.
func (g *Generator) Push(seq uint16, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.clock(now)
	if !g.started {
		g.start(seq)
		return
	}
	diff := int64(int16(seq - uint16(g.highest)))
	switch {
	case diff > int64(g.cfg.MaxGap):
		g.dropAll()
		g.start(seq)
	case diff > 0:
		g.strays = 0
		g.advance(g.highest+diff, t)
	case diff == 0:
		g.strays = 0
		g.stats.Duplicates++
	case -diff > g.mask: // from behind the window
		g.strays++
		if g.strays >= strayReset {
			g.dropAll()
			g.start(seq)
			return
		}
		g.stats.Duplicates++
	default:
		g.strays = 0
		g.arrived(g.highest + diff)
	}
}

// start begins tracking at seq. Caller holds mu.
func (g *Generator) start(seq uint16) {
	g.started = true
	g.gen++
	g.highest = int64(seq)
	g.oldest = g.highest
	g.slots[g.highest&g.mask] = genSlot{ext: g.highest, gen: g.gen, state: slotReceived}
	g.stats.Received++
}

// advance records the arrival of ext above the highest one; the packets between are
// missing. Caller holds mu.
func (g *Generator) advance(ext, t int64) {
	for e := g.highest + 1; e <= ext; e++ {
		s := &g.slots[e&g.mask]
		if s.gen == g.gen && s.state == slotMissing { // e - Window leaves the window
			g.pending--
			g.stats.Lost++
		}
		if e == ext {
			*s = genSlot{ext: e, gen: g.gen, state: slotReceived}
			continue
		}
		*s = genSlot{ext: e, gen: g.gen, state: slotMissing, detected: t}
		g.pending++
		g.stats.Missing++
	}
	g.highest = ext
	g.stats.Received++
}

// arrived records the arrival of ext at or below the highest one (and within the
// window). Caller holds mu.
func (g *Generator) arrived(ext int64) {
	s := &g.slots[ext&g.mask]
	if s.gen != g.gen || s.ext != ext { // from before the first packet
		g.stats.Duplicates++
		return
	}
	switch s.state {
	case slotReceived:
		g.stats.Duplicates++
		return
	case slotMissing:
		g.pending--
		if s.nacks > 0 {
			g.stats.Repaired++
		} else {
			g.stats.Reordered++
		}
	case slotLost:
		g.stats.Late++
	}
	s.state = slotReceived
	g.stats.Received++
}

// AppendNacks appends to dst the packets to ask for at now, as generic NACK items in
// ascending order (at most 250 items, which fit in one RTCP packet; the rest are
// asked for on the next call), records the request and gives up packets past their
// time, and returns the extended slice. Pass dst[:0] of a slice kept between calls
// and nothing is allocated. Call it about every 20 ms; the caller sends a non-empty
// result as an rtcp.TransportLayerNack for the stream's SSRC.
func (g *Generator) AppendNacks(dst []rtcp.NackPair, now time.Time) []rtcp.NackPair {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending == 0 {
		return dst
	}
	t := g.clock(now)
	interval := max(g.rtt.Load(), int64(g.cfg.MinInterval))
	maxAge, maxNacks := int64(g.cfg.MaxAge), uint8(g.cfg.MaxNacks)
	first := len(dst)
	lo := max(g.oldest, g.highest-g.mask)
	oldest := g.highest
	seen, pending := 0, g.pending
	for e := lo; e < g.highest && seen < pending; e++ {
		s := &g.slots[e&g.mask]
		if s.gen != g.gen || s.ext != e || s.state != slotMissing {
			continue
		}
		seen++
		if t-s.detected > maxAge || (s.nacks >= maxNacks && t-s.lastNack >= interval) {
			s.state = slotLost
			g.pending--
			g.stats.Lost++
			continue
		}
		oldest = min(oldest, e)
		if s.nacks >= maxNacks || (s.nacks > 0 && t-s.lastNack < interval) {
			continue
		}
		seq := uint16(e)
		if n := len(dst); n > first {
			if d := seq - dst[n-1].PacketID; d >= 1 && d <= 16 {
				dst[n-1].LostPackets |= 1 << (d - 1)
				s.nacks++
				s.lastNack = t
				continue
			}
		}
		if len(dst)-first == maxPairsPerCall {
			continue
		}
		dst = append(dst, rtcp.NackPair{PacketID: seq})
		s.nacks++
		s.lastNack = t
	}
	g.oldest = oldest
	return dst
}
