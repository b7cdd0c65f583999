package udpbatch

import (
	"errors"
	"math/bits"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Defaults for a zero Config.
const (
	// DefaultQueueLen packets (6 MB of slots at DefaultMaxPacket) cover the writer
	// going unscheduled for ~300 ms at 13,000 packets per second. (1024 overflowed
	// once in a load run on a 2-core machine that other work kept busy.)
	DefaultQueueLen = 4096
	// DefaultMaxBatch packets go in one sendmmsg call at most.
	DefaultMaxBatch = 64
	// DefaultMaxPacket is the Ethernet MTU: pion sends at most 1200 bytes of RTP, DTLS
	// or SCTP plus its SRTP/DTLS overhead.
	DefaultMaxPacket = 1500
)

// closeTimeout bounds how long Close waits for the queue to reach the kernel before
// it makes the writer's pending calls fail.
const closeTimeout = time.Second

// errInvalidAddr answers writes to an address that is not a valid UDP address.
var errInvalidAddr = errors.New("udpbatch: destination is not a valid UDP address")

// Config tunes a Conn; the zero value takes the defaults.
type Config struct {
	// QueueLen is how many packets may wait for the writer, rounded up to a power of
	// two (DefaultQueueLen when 0). A write that finds the queue full drops its packet.
	QueueLen int
	// MaxBatch is the most packets handed to one sendmmsg call (DefaultMaxBatch when 0).
	MaxBatch int
	// MaxPacket is the size of a queue slot (DefaultMaxPacket when 0). A larger packet
	// is sent by the goroutine writing it, at once.
	MaxPacket int
}

// Stats are a Conn's counters since New.
type Stats struct {
	// Packets is how many queued packets the kernel accepted.
	Packets uint64
	// Batches counts sendmmsg calls; Packets/Batches is the mean batch size.
	Batches uint64
	// Drops counts packets dropped because the queue was full.
	Drops uint64
	// Errors counts queued packets the kernel refused (each is dropped).
	Errors uint64
	// Direct counts packets sent by the writing goroutine itself (empty or larger
	// than MaxPacket), outside the queue.
	Direct uint64
}

// batchWriter is what the writer needs of x/net's ipv4 and ipv6 PacketConns (whose
// Message types are both socket.Message).
type batchWriter interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// Conn is a net.PacketConn over a UDP socket whose writes are queued and sent in
// batches by one writer goroutine. Writes never block: WriteTo and WriteToAddrPort
// copy the packet and report it written; when the queue is full the packet is dropped
// and counted (Stats.Drops), as a full socket buffer or a congested link would drop
// it — RTP recovers with NACKs and keyframe requests, DTLS, SCTP and ICE retransmit.
// Packets to one destination from one goroutine leave in the order written.
//
// Conn implements pion/ice's AddrPortReaderWriter, so pion's UDP mux reads and
// writes it without allocating net.Addr values. Reads go straight to the socket.
// Make one with New or Listen.
type Conn struct {
	conn      *net.UDPConn
	batch     batchWriter
	ring      *ring
	maxPacket int
	msgs      []ipv4.Message // writer only

	_        cacheLine
	sleeping atomic.Bool // the writer waits on kick; the next write wakes it
	closed   atomic.Bool
	_        cacheLine
	packets  atomic.Uint64 // written by the writer only
	batches  atomic.Uint64
	errors   atomic.Uint64
	_        cacheLine
	drops    atomic.Uint64 // written by any writing goroutine
	direct   atomic.Uint64

	kick chan struct{} // capacity 1: wakes the sleeping writer
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the writer has returned

	closeSend func() error // closes the separate send socket (Listen); nil if none

	closeOnce sync.Once
	closeErr  error
}

// New wraps conn and starts the writer goroutine, which sends on conn; Close stops
// it and closes conn. From then on conn must be written only through the Conn.
func New(conn *net.UDPConn, cfg Config) *Conn { return newConn(conn, cfg, nil) }

// newConn is New with the batch writer given (tests wrap the socket's); nil picks
// x/net's for the socket's address family.
func newConn(conn *net.UDPConn, cfg Config, batch batchWriter) *Conn {
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	cfg.QueueLen = 1 << bits.Len(uint(cfg.QueueLen-1))
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxPacket <= 0 {
		cfg.MaxPacket = DefaultMaxPacket
	}
	c := &Conn{
		conn:      conn,
		batch:     batch,
		ring:      newRing(cfg.QueueLen, cfg.MaxPacket),
		maxPacket: cfg.MaxPacket,
		msgs:      make([]ipv4.Message, cfg.MaxBatch),
		kick:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if c.batch == nil {
		if a, ok := conn.LocalAddr().(*net.UDPAddr); ok && a.IP.To4() == nil {
			c.batch = ipv6.NewPacketConn(conn)
		} else {
			c.batch = ipv4.NewPacketConn(conn)
		}
	}
	go c.run()
	return c
}

// WriteTo queues p for addr, which must be a *net.UDPAddr, and returns len(p).
func (c *Conn) WriteTo(p []byte, addr net.Addr) (int, error) {
	a, ok := addr.(*net.UDPAddr)
	if !ok || a == nil {
		return 0, c.opError("write", addr, errInvalidAddr)
	}
	return c.WriteToAddrPort(p, a.AddrPort())
}

// WriteToAddrPort queues p for addr and returns len(p); a full queue drops p.
func (c *Conn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if _, err := c.enqueue(p, addr); err != nil {
		return 0, err
	}
	return len(p), nil
}

// enqueue queues p for dst and wakes the writer if it sleeps. It reports whether p
// was queued (or sent directly) rather than dropped. Called by any goroutine.
func (c *Conn) enqueue(p []byte, dst netip.AddrPort) (bool, error) {
	if c.closed.Load() {
		return false, c.opError("write", nil, net.ErrClosed)
	}
	if !dst.IsValid() {
		return false, c.opError("write", nil, errInvalidAddr)
	}
	if len(p) == 0 || len(p) > c.maxPacket {
		c.direct.Add(1)
		_, err := c.conn.WriteToUDPAddrPort(p, dst)
		return err == nil, err
	}
	if !c.ring.push(p, dst) {
		c.drops.Add(1)
		return false, nil
	}
	// The writer stores sleeping = true before it checks the queue one last time, and
	// we load it after publishing: one of us sees the other (sequentially consistent
	// atomics), so a packet never waits for a writer that missed it.
	if c.sleeping.Load() && c.sleeping.CompareAndSwap(true, false) {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	return true, nil
}

// run is the writer goroutine: it sends whatever is queued, a batch per call, and
// sleeps while the queue is empty. After Close it sends what is left and returns.
func (c *Conn) run() {
	defer close(c.done)
	for {
		if n := c.ring.peek(c.msgs); n > 0 {
			c.send(c.msgs[:n])
			c.ring.release(n)
			continue
		}
		select {
		case <-c.stop:
			return
		default:
		}
		c.sleeping.Store(true)
		if c.ring.ready() {
			c.sleeping.Store(false)
			continue
		}
		select {
		case <-c.kick:
		case <-c.stop:
		}
		c.sleeping.Store(false)
	}
}

// send hands ms to the kernel, going on after a partial send; a message the kernel
// refuses is counted and skipped. Writer goroutine.
func (c *Conn) send(ms []ipv4.Message) {
	for len(ms) > 0 {
		n, err := c.batch.WriteBatch(ms, 0)
		c.batches.Add(1)
		if n > 0 {
			c.packets.Add(uint64(n))
			ms = ms[n:]
		}
		if err != nil && len(ms) > 0 {
			c.errors.Add(1)
			ms = ms[1:]
		}
	}
}

// Stats returns the counters; each is read atomically, not all at one instant.
func (c *Conn) Stats() Stats {
	return Stats{
		Packets: c.packets.Load(),
		Batches: c.batches.Load(),
		Drops:   c.drops.Load(),
		Errors:  c.errors.Load(),
		Direct:  c.direct.Load(),
	}
}

// Close stops accepting writes, waits for the writer to send what is queued (up to
// closeTimeout, after which the rest fails and counts as Errors) and closes the
// socket. Packets written concurrently with Close may be dropped uncounted.
func (c *Conn) Close() error {
	first := false
	c.closeOnce.Do(func() {
		first = true
		c.closed.Store(true)
		close(c.stop)
		t := time.NewTimer(closeTimeout)
		defer t.Stop()
		select {
		case <-c.done:
		case <-t.C:
			// The socket's buffer stays full: let the writer's calls fail instead.
			_ = c.conn.SetWriteDeadline(time.Now())
			if a, ok := c.batch.(interface{ abort() }); ok {
				a.abort()
			}
			<-c.done
		}
		if c.closeSend != nil {
			c.closeErr = c.closeSend()
		}
		c.closeErr = errors.Join(c.closeErr, c.conn.Close())
	})
	if !first {
		return c.opError("close", nil, net.ErrClosed)
	}
	return c.closeErr
}

// ReadFrom reads a packet from the socket.
func (c *Conn) ReadFrom(p []byte) (int, net.Addr, error) { return c.conn.ReadFrom(p) }

// ReadFromAddrPort reads a packet from the socket without allocating its address.
func (c *Conn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return c.conn.ReadFromUDPAddrPort(p)
}

// LocalAddr returns the socket's *net.UDPAddr.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// SetDeadline sets the read deadline; writes never block, so they have none.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetReadDeadline sets the socket's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline does nothing: writes never block. (pion's UDP mux sets one to
// abort writes stuck in the kernel; here only the writer goroutine can be.)
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }

// SetReadBuffer sets the socket's receive buffer size.
func (c *Conn) SetReadBuffer(bytes int) error { return c.conn.SetReadBuffer(bytes) }

// SetWriteBuffer sets the send buffer size of the socket the writer sends on.
func (c *Conn) SetWriteBuffer(bytes int) error {
	if s, ok := c.batch.(interface{ setWriteBuffer(int) error }); ok {
		return s.setWriteBuffer(bytes)
	}
	return c.conn.SetWriteBuffer(bytes)
}

func (c *Conn) opError(op string, addr net.Addr, err error) error {
	return &net.OpError{Op: op, Net: "udp", Source: c.conn.LocalAddr(), Addr: addr, Err: err}
}
