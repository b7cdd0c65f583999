package nack

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// DefaultRequestInterval is how often a Requester asks for what its stream lost.
const DefaultRequestInterval = 20 * time.Millisecond

// Requester asks the sender of one received stream for the packets it lost: a
// Generator with its own ticker goroutine, for clients (the load tool, tests) that read
// a pion TrackRemote in a loop. A server with many streams drives Generators from one
// ticker per track instead.
type Requester struct {
	gen   *Generator
	ssrc  uint32
	write func([]rtcp.Packet) error
	stop  chan struct{}
	once  sync.Once
	done  chan struct{}
}

// NewRequester starts asking, every interval (DefaultRequestInterval when 0), for the
// packets of the stream ssrc that Push did not see, with write (a PeerConnection's
// WriteRTCP). Close stops it.
func NewRequester(ssrc uint32, write func([]rtcp.Packet) error, interval time.Duration) (*Requester, error) {
	g, err := NewGenerator(GeneratorConfig{})
	if err != nil {
		return nil, err
	}
	if interval <= 0 {
		interval = DefaultRequestInterval
	}
	r := &Requester{gen: g, ssrc: ssrc, write: write, stop: make(chan struct{}), done: make(chan struct{})}
	go r.run(interval)
	return r, nil
}

// Push records one packet read from the stream (repairs included).
func (r *Requester) Push(seq uint16) { r.gen.Push(seq, time.Now()) }

// Stats returns the Generator's counts.
func (r *Requester) Stats() GeneratorStats { return r.gen.Stats() }

// Close stops the ticker and waits for it. Idempotent.
func (r *Requester) Close() {
	r.once.Do(func() { close(r.stop) })
	<-r.done
}

func (r *Requester) run(interval time.Duration) {
	defer close(r.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	pkt := &rtcp.TransportLayerNack{MediaSSRC: r.ssrc}
	pkts := []rtcp.Packet{pkt}
	var pairs []rtcp.NackPair
	for {
		select {
		case <-r.stop:
			return
		case now := <-tick.C:
			if pairs = r.gen.AppendNacks(pairs[:0], now); len(pairs) > 0 {
				pkt.Nacks = pairs
				_ = r.write(pkts)
			}
		}
	}
}
