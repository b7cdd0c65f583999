package turn

import (
	"net"
	"sync"

	pionturn "github.com/pion/turn/v5"
)

// pion/turn's Server.Close closes its sockets but neither waits for its goroutines nor
// closes the TCP connections it accepted. The wrappers below give Server.Close both:
// each goroutine pion runs over one of our sockets is counted in Server.wg and is
// counted done when that socket fails under it (which ends pion's loop).

// loopPacketConn is a socket one pion goroutine reads until it fails: the server's
// UDP socket (pion's read loop) or an allocation's relay socket (its relay loop).
type loopPacketConn struct {
	net.PacketConn
	once sync.Once
	done func()
}

// ReadFrom is called by the one pion goroutine that reads the socket.
func (c *loopPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	if err != nil {
		c.once.Do(c.done)
	}
	return n, addr, err
}

// trackedListener registers every accepted TCP connection with the server so that
// Close can end it; pion's accept loop is done when Accept fails.
type trackedListener struct {
	net.Listener
	s    *Server
	once sync.Once
}

// Accept is called by pion's accept loop.
func (l *trackedListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		l.once.Do(l.s.wg.Done)
		return nil, err
	}
	tc := &trackedConn{Conn: conn, s: l.s}
	if !l.s.track(tc) {
		_ = conn.Close()
		l.once.Do(l.s.wg.Done)
		return nil, net.ErrClosed
	}
	return tc, nil
}

// trackedConn is one accepted TCP connection; pion's per-connection goroutine closes it
// as its last step.
type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

// Close is called by pion's per-connection goroutine when it ends.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.s.untrack(c) })
	return err
}

// relayGenerator hands out UDP relay sockets from inner and counts their relay loops;
// TCP relays (RFC 6062) are refused.
type relayGenerator struct {
	inner pionturn.RelayAddressGenerator
	s     *Server
}

func (g *relayGenerator) Validate() error { return g.inner.Validate() }

// AllocatePacketConn is called on the pion goroutine handling an Allocate request;
// that goroutine is itself counted, so the count cannot reach zero meanwhile.
func (g *relayGenerator) AllocatePacketConn(conf pionturn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.inner.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	g.s.wg.Add(1)
	return &loopPacketConn{PacketConn: conn, done: g.s.wg.Done}, addr, nil
}

func (g *relayGenerator) AllocateListener(pionturn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	return nil, nil, ErrTCPRelay
}

func (g *relayGenerator) AllocateConn(pionturn.AllocateConnConfig) (net.Conn, error) {
	return nil, ErrTCPRelay
}
