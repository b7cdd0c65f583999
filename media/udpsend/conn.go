package udpsend

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// errInvalidAddr answers writes to an address that is not a valid UDP address.
var errInvalidAddr = errors.New("udpsend: destination is not a valid UDP address")

// Stats are a Conn's counters since Listen. Packets sent are not counted: that would
// cost a shared atomic per packet.
type Stats struct {
	// Dropped counts packets not sent because the send socket's buffer was full.
	Dropped uint64
	// Errors counts packets the kernel refused (no route, an IPv6 destination on an
	// IPv4 socket, ...); each write returned the error.
	Errors uint64
}

// Conn is a net.PacketConn over a UDP socket that Go reads as usual and that sends
// each packet at once, with one sendto(2), on a second socket bound to the same
// address which Go's netpoller never sees (see Listen). A write never blocks: when the
// send buffer is full the packet is dropped and counted (Stats.Dropped) and the write
// reports success, as a congested link would drop it — RTP recovers with NACKs and
// keyframe requests, DTLS, SCTP and ICE retransmit. Concurrent writes do not
// serialize on a lock.
//
// Conn implements pion/ice's AddrPortReaderWriter, so pion's UDP mux reads and
// writes it without allocating net.Addr values.
type Conn struct {
	conn *net.UDPConn
	fd   int  // send-only socket; -1 when writes go to conn (fallback)
	v6   bool // fd is AF_INET6: IPv4 destinations go IPv4-mapped
	// fallback is why fd is -1 (nil when the send-only socket is in use).
	fallback error

	// mu is read-held by every write to fd and held by Close around closing it, so
	// no write uses the descriptor number after it is closed (and maybe reused).
	mu     sync.RWMutex
	closed bool

	dropped atomic.Uint64
	errors  atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// Fallback returns nil when packets leave from the send-only socket, else why they go
// through the Go socket (the kernel refused the second socket, or not Linux).
func (c *Conn) Fallback() error { return c.fallback }

// WriteTo sends p to addr, which must be a *net.UDPAddr, and returns len(p).
func (c *Conn) WriteTo(p []byte, addr net.Addr) (int, error) {
	a, ok := addr.(*net.UDPAddr)
	if !ok || a == nil {
		return 0, c.opError(addr, errInvalidAddr)
	}
	return c.WriteToAddrPort(p, a.AddrPort())
}

// WriteToAddrPort sends p to addr and returns len(p); a full send buffer drops p.
// Called by any goroutine.
func (c *Conn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if !addr.IsValid() {
		return 0, c.opError(nil, errInvalidAddr)
	}
	if c.fd < 0 {
		return c.conn.WriteToUDPAddrPort(p, addr)
	}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return 0, c.opError(nil, net.ErrClosed)
	}
	errno := c.sendto(p, addr)
	c.mu.RUnlock()
	if errno == 0 {
		return len(p), nil
	}
	if full(errno) {
		c.dropped.Add(1)
		return len(p), nil
	}
	c.errors.Add(1)
	return 0, c.opError(net.UDPAddrFromAddrPort(addr), os.NewSyscallError("sendto", errno))
}

// full reports whether errno means the send buffer (EAGAIN, which is EWOULDBLOCK
// on Linux) or the device queue below it (ENOBUFS) had no room: the packet is
// dropped, not an error.
func full(errno syscall.Errno) bool {
	return errno == syscall.EAGAIN || errno == syscall.ENOBUFS
}

// Stats returns the counters; each is read atomically, not all at one instant.
func (c *Conn) Stats() Stats {
	return Stats{Dropped: c.dropped.Load(), Errors: c.errors.Load()}
}

// Close closes the send socket, once no write is using it, and then the read
// socket, so that the read socket never leaves the port's group alone while the
// send socket could still receive. Later writes fail with net.ErrClosed.
func (c *Conn) Close() error {
	first := false
	c.closeOnce.Do(func() {
		first = true
		if c.fd >= 0 {
			c.mu.Lock()
			c.closed = true
			c.closeErr = closeFD(c.fd)
			c.mu.Unlock()
		}
		c.closeErr = errors.Join(c.closeErr, c.conn.Close())
	})
	if !first {
		return &net.OpError{Op: "close", Net: "udp", Source: c.conn.LocalAddr(), Err: net.ErrClosed}
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

// SetDeadline sets the read deadline and, in the fallback, the write deadline.
func (c *Conn) SetDeadline(t time.Time) error {
	if c.fd < 0 {
		return c.conn.SetDeadline(t)
	}
	return c.conn.SetReadDeadline(t)
}

// SetReadDeadline sets the socket's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline does nothing on the send socket, whose writes never block; in
// the fallback it sets the socket's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if c.fd < 0 {
		return c.conn.SetWriteDeadline(t)
	}
	return nil
}

// SetReadBuffer sets the socket's receive buffer size.
func (c *Conn) SetReadBuffer(bytes int) error { return c.conn.SetReadBuffer(bytes) }

// SetWriteBuffer sets the send buffer size of the socket writes go to.
func (c *Conn) SetWriteBuffer(bytes int) error {
	if c.fd < 0 {
		return c.conn.SetWriteBuffer(bytes)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return &net.OpError{Op: "set", Net: "udp", Source: c.conn.LocalAddr(), Err: net.ErrClosed}
	}
	return setSendBuffer(c.fd, bytes)
}

func (c *Conn) opError(addr net.Addr, err error) error {
	return &net.OpError{Op: "write", Net: "udp", Source: c.conn.LocalAddr(), Addr: addr, Err: err}
}
