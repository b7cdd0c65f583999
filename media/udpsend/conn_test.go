package udpsend

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv("UDPSEND_SINK")); err == nil {
		runSink(n) // a benchmark's receiving process
	}
	goleak.VerifyTestMain(m)
}

// listen opens a UDP socket on loopback ("udp4" or "udp6"); it skips the test when
// the family has no loopback address here.
func listen(t testing.TB, network string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP(network, &net.UDPAddr{IP: loopback(network)})
	if err != nil {
		if network == "udp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	_ = c.SetReadBuffer(4 << 20)
	return c
}

func loopback(network string) net.IP {
	if network == "udp6" {
		return net.IPv6loopback
	}
	return net.IPv4(127, 0, 0, 1)
}

// opener makes a Conn on a new loopback socket of network ("udp4" or "udp6"),
// skipping the test when the family has no loopback address here.
type opener func(t testing.TB, network string) *Conn

// openers are Listen and its fallback (writes through the Go socket).
var openers = []struct {
	name string
	open opener
}{
	{"Listen", func(t testing.TB, network string) *Conn {
		c, err := Listen(network, &net.UDPAddr{IP: loopback(network)})
		if err != nil {
			if network == "udp6" {
				t.Skipf("no IPv6 loopback: %v", err)
			}
			t.Fatal(err)
		}
		if c.fd < 0 {
			t.Fatal("Listen fell back to sending on the Go socket")
		}
		return c
	}},
	{"Fallback", func(t testing.TB, network string) *Conn { return &Conn{conn: listen(t, network), fd: -1} }},
}

// eachOpener runs f as a subtest per opener.
func eachOpener(t *testing.T, f func(t *testing.T, open opener)) {
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) { f(t, o.open) })
	}
}

// addrOf is c's local address.
func addrOf(c net.PacketConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// packet fills b with a packet from writer w with sequence number seq: a 12-byte
// header (writer, seq, length) and a payload derived from all three, 12 to len(b)
// bytes long.
func packet(b []byte, w, seq int) []byte {
	n := 12 + (seq*37+w*11)%(len(b)-11)
	b = b[:n]
	binary.BigEndian.PutUint32(b[0:], uint32(w))
	binary.BigEndian.PutUint32(b[4:], uint32(seq))
	binary.BigEndian.PutUint32(b[8:], uint32(n))
	for i := 12; i < n; i++ {
		b[i] = byte(w*31 + seq*7 + i)
	}
	return b
}

// checkPacket parses a packet made by packet and reports whether it is intact.
func checkPacket(b []byte) (w, seq int, ok bool) {
	if len(b) < 12 {
		return 0, 0, false
	}
	w, seq = int(binary.BigEndian.Uint32(b[0:])), int(binary.BigEndian.Uint32(b[4:]))
	if int(binary.BigEndian.Uint32(b[8:])) != len(b) {
		return w, seq, false
	}
	for i := 12; i < len(b); i++ {
		if b[i] != byte(w*31+seq*7+i) {
			return w, seq, false
		}
	}
	return w, seq, true
}

// receiver drains one socket, checking every packet, its source, and that each
// writer's packets arrive in order.
type receiver struct {
	conn *net.UDPConn
	from netip.AddrPort // the expected source; any when zero
	got  []atomic.Int64 // per writer: packets received
	bad  atomic.Int64   // corrupt, out of order or from elsewhere
	done chan struct{}
}

func newReceiver(t testing.TB, network string, writers int, from netip.AddrPort) *receiver {
	r := &receiver{conn: listen(t, network), from: from, got: make([]atomic.Int64, writers), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 2048)
		next := make([]int, writers)
		for {
			n, src, err := r.conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			w, seq, ok := checkPacket(buf[:n])
			if !ok || w >= writers || seq != next[w] || (r.from.IsValid() && src != r.from) {
				r.bad.Add(1)
				continue
			}
			next[w]++
			r.got[w].Add(1)
		}
	}()
	t.Cleanup(func() { r.conn.Close(); <-r.done })
	return r
}

func (r *receiver) total() int64 {
	var n int64
	for i := range r.got {
		n += r.got[i].Load()
	}
	return n
}

func TestDeliveryIPv4(t *testing.T) {
	eachOpener(t, func(t *testing.T, open opener) { testDelivery(t, open, "udp4") })
}

func TestDeliveryIPv6(t *testing.T) {
	eachOpener(t, func(t *testing.T, open opener) { testDelivery(t, open, "udp6") })
}

// testDelivery has concurrent writers send to many destinations: every packet
// arrives intact, from the Conn's address, each writer's packets to a destination in
// order, none dropped. Writers keep at most window rounds unacknowledged so no
// receive buffer overflows.
func testDelivery(t *testing.T, open opener, network string) {
	const writers, dests, rounds, window = 8, 16, 300, 4
	c := open(t, network)
	defer c.Close()
	rs := make([]*receiver, dests)
	for i := range rs {
		rs[i] = newReceiver(t, network, writers, addrOf(c))
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1312)
			for seq := range rounds {
				for _, r := range rs {
					for deadline := time.Now().Add(10 * time.Second); r.got[w].Load() < int64(seq-window); {
						if time.Now().After(deadline) {
							errs <- errors.New("receiver stalled")
							return
						}
						runtime.Gosched()
					}
					p := packet(buf, w, seq)
					var n int
					var err error
					if seq%2 == 0 {
						n, err = c.WriteToAddrPort(p, addrOf(r.conn))
					} else {
						n, err = c.WriteTo(p, r.conn.LocalAddr())
					}
					if n != len(p) || err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const want = writers * dests * rounds
	waitFor(t, 10*time.Second, "every packet", func() bool {
		var n int64
		for _, r := range rs {
			n += r.total()
		}
		return n == want
	})
	for i, r := range rs {
		if b := r.bad.Load(); b != 0 {
			t.Errorf("receiver %d: %d corrupt, out-of-order or misaddressed packets", i, b)
		}
	}
	if s := c.Stats(); s != (Stats{}) {
		t.Errorf("stats %+v", s)
	}
}

// TestMappedDestination: on an IPv4 socket an IPv4-mapped IPv6 destination is sent
// to as IPv4; on an IPv6 socket an IPv4 destination goes IPv4-mapped (when the
// socket is dual-stack).
func TestMappedDestination(t *testing.T) {
	c := openers[0].open(t, "udp4")
	defer c.Close()
	r := newReceiver(t, "udp4", 1, addrOf(c))
	dst := addrOf(r.conn)
	mapped := netip.AddrPortFrom(netip.AddrFrom16(dst.Addr().As16()), dst.Port())
	if _, err := c.WriteToAddrPort(packet(make([]byte, 100), 0, 0), mapped); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the packet", func() bool { return r.total() == 1 })

	if r.bad.Load() != 0 {
		t.Fatal("corrupt packet")
	}

	c6, err := Listen("udp", &net.UDPAddr{})
	if err != nil {
		t.Skipf("no dual-stack socket: %v", err)
	}
	defer c6.Close()
	if !c6.v6 {
		t.Skip("the wildcard socket is not AF_INET6")
	}
	r6 := newReceiver(t, "udp4", 1, netip.AddrPortFrom(dst.Addr(), uint16(c6.LocalAddr().(*net.UDPAddr).Port)))
	if _, err := c6.WriteToAddrPort(packet(make([]byte, 100), 0, 0), addrOf(r6.conn)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the packet from the IPv6 socket", func() bool { return r6.total() == 1 || r6.bad.Load() > 0 })
	if r6.bad.Load() != 0 {
		t.Fatal("corrupt packet, or not from the IPv6 socket's port")
	}
}

// TestRefused: a packet the kernel refuses (an IPv6 destination on an IPv4 socket,
// an address with no route) fails its write and is counted; the next one goes out.
func TestRefused(t *testing.T) { eachOpener(t, testRefused) }

func testRefused(t *testing.T, open opener) {
	c := open(t, "udp4")
	defer c.Close()
	r := newReceiver(t, "udp4", 1, addrOf(c))
	buf := make([]byte, 200)
	for _, dst := range []string{"[2001:db8::1]:9", "240.0.0.1:9"} {
		if n, err := c.WriteToAddrPort(packet(buf, 0, 99), netip.MustParseAddrPort(dst)); n != 0 || err == nil {
			t.Errorf("write to %s: %d, %v", dst, n, err)
		}
	}
	if _, err := c.WriteToAddrPort(packet(buf, 0, 0), addrOf(r.conn)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the packet", func() bool { return r.total() == 1 })
	if s := c.Stats(); c.fd >= 0 && s != (Stats{Errors: 2}) {
		t.Errorf("stats %+v, want 2 errors", s)
	}
}

// TestFullBufferDrops: the errors of a full send buffer or device queue drop the
// packet quietly; others are errors. (A loopback send completes inside the system
// call, so the buffer cannot be filled here.)
func TestFullBufferDrops(t *testing.T) {
	for errno, want := range map[syscall.Errno]bool{
		syscall.EAGAIN: true, syscall.ENOBUFS: true, // EWOULDBLOCK is EAGAIN
		syscall.ENETUNREACH: false, syscall.EPERM: false, syscall.EMSGSIZE: false,
	} {
		if full(errno) != want {
			t.Errorf("full(%v) = %v", errno, !want)
		}
	}
}

func TestInvalidAddress(t *testing.T) { eachOpener(t, testInvalidAddress) }

func testInvalidAddress(t *testing.T, open opener) {
	c := open(t, "udp4")
	defer c.Close()
	for _, addr := range []net.Addr{nil, (*net.UDPAddr)(nil), &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}} {
		if _, err := c.WriteTo([]byte{1}, addr); !errors.Is(err, errInvalidAddr) {
			t.Errorf("WriteTo(%v): %v", addr, err)
		}
	}
	if _, err := c.WriteToAddrPort([]byte{1}, netip.AddrPort{}); !errors.Is(err, errInvalidAddr) {
		t.Errorf("zero AddrPort: %v", err)
	}
}

// TestEmptyPacket: an empty datagram is sent like any other.
func TestEmptyPacket(t *testing.T) { eachOpener(t, testEmptyPacket) }

func testEmptyPacket(t *testing.T, open opener) {
	c := open(t, "udp4")
	defer c.Close()
	r := listen(t, "udp4")
	defer r.Close()
	if n, err := c.WriteToAddrPort(nil, addrOf(r)); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, from, err := r.ReadFromUDPAddrPort(make([]byte, 16)); n != 0 || from != addrOf(c) || err != nil {
		t.Fatalf("read %d from %v: %v", n, from, err)
	}
}

// TestReadsPassThrough: reads, their deadlines and LocalAddr are the socket's.
func TestReadsPassThrough(t *testing.T) { eachOpener(t, testReadsPassThrough) }

func testReadsPassThrough(t *testing.T, open opener) {
	c := open(t, "udp4")
	defer c.Close()
	if _, ok := c.LocalAddr().(*net.UDPAddr); !ok {
		t.Fatalf("LocalAddr is %T; pion's mux needs a *net.UDPAddr", c.LocalAddr())
	}
	peer := listen(t, "udp4")
	defer peer.Close()
	for i, msg := range []string{"one", "two"} {
		if _, err := peer.WriteToUDPAddrPort([]byte(msg), addrOf(c)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var n int
		var from netip.AddrPort
		var err error
		if i == 0 {
			n, from, err = c.ReadFromAddrPort(buf)
		} else {
			var a net.Addr
			n, a, err = c.ReadFrom(buf)
			if a != nil {
				from = a.(*net.UDPAddr).AddrPort()
			}
		}
		if err != nil || string(buf[:n]) != msg || from != addrOf(peer) {
			t.Fatalf("read %q from %v: %v", buf[:n], from, err)
		}
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Millisecond))
	if _, _, err := c.ReadFromAddrPort(make([]byte, 64)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	if err := c.SetWriteBuffer(1 << 20); err != nil {
		t.Error(err)
	}
}

// TestWriteDeadline: the send socket's writes never block, so a past write deadline
// does not stop them; the fallback's are Go's and honour it.
func TestWriteDeadline(t *testing.T) {
	eachOpener(t, func(t *testing.T, open opener) {
		c := open(t, "udp4")
		defer c.Close()
		peer := listen(t, "udp4")
		defer peer.Close()
		if err := c.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := c.WriteToAddrPort([]byte("x"), addrOf(peer))
		if c.fd >= 0 && err != nil {
			t.Errorf("send socket: write past a deadline: %v", err)
		}
		if c.fd < 0 && !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("fallback: write past a deadline: %v", err)
		}
	})
}

// TestClose: writes after Close fail with net.ErrClosed, and so does a second Close.
func TestClose(t *testing.T) { eachOpener(t, testClose) }

func testClose(t *testing.T, open opener) {
	c := open(t, "udp4")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToAddrPort([]byte{1}, netip.MustParseAddrPort("127.0.0.1:9")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

// TestCloseUnderLoad closes while writers are busy: Close returns, every writer
// then sees net.ErrClosed, and no goroutine is left (TestMain checks).
func TestCloseUnderLoad(t *testing.T) { eachOpener(t, testCloseUnderLoad) }

func testCloseUnderLoad(t *testing.T, open opener) {
	c := open(t, "udp4")
	r := newReceiver(t, "udp4", 4, netip.AddrPort{})
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1312)
			for seq := 0; ; seq++ {
				if _, err := c.WriteToAddrPort(packet(buf, w, seq), addrOf(r.conn)); err != nil {
					if !errors.Is(err, net.ErrClosed) {
						t.Errorf("writer %d: %v", w, err)
					}
					return
				}
				written.Add(1)
			}
		}()
	}
	waitFor(t, 5*time.Second, "some packets out", func() bool { return written.Load() > 1000 })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if s := c.Stats(); s.Errors != 0 {
		t.Errorf("stats %+v after %d writes", s, written.Load())
	}
}

// TestZeroAllocs: a write allocates nothing.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	eachOpener(t, func(t *testing.T, open opener) {
		c := open(t, "udp4")
		defer c.Close()
		r := newReceiver(t, "udp4", 1, netip.AddrPort{})
		p := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
		dst, dstAddr := addrOf(r.conn), r.conn.LocalAddr()
		if a := testing.AllocsPerRun(2000, func() { c.WriteToAddrPort(p, dst) }); a != 0 {
			t.Errorf("WriteToAddrPort: %v allocations per packet", a)
		}
		if a := testing.AllocsPerRun(2000, func() { c.WriteTo(p, dstAddr) }); a != 0 {
			t.Errorf("WriteTo: %v allocations per packet", a)
		}
	})
}

// TestPionUDPMux runs pion's ICE UDP mux over a Conn: pion takes the allocation-free
// AddrPort path, routes a STUN request to the muxed connection of its ufrag, and
// that connection's writes go out from the Conn's address.
func TestPionUDPMux(t *testing.T) { eachOpener(t, testPionUDPMux) }

func testPionUDPMux(t *testing.T, open opener) {
	c := open(t, "udp4")
	mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: c})
	defer mux.Close() // closes c
	conn, err := mux.GetConn("ufragA", c.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, ok := conn.(ice.AddrPortReaderWriter); !ok {
		t.Fatalf("pion's muxed conn %T has no AddrPort methods: it did not see Conn's", conn)
	}
	remote := listen(t, "udp4")
	defer remote.Close()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername("ufragA:remote"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.WriteToUDPAddrPort(req.Raw, addrOf(c)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := conn.ReadFrom(buf)
	if err != nil || !stun.IsMessage(buf[:n]) || from.(*net.UDPAddr).AddrPort() != addrOf(remote) {
		t.Fatalf("muxed read: %d bytes from %v: %v", n, from, err)
	}
	out := make([]byte, 1312)
	for seq := range 50 {
		p := packet(out, 0, seq)
		if n, err := conn.WriteTo(p, from); n != len(p) || err != nil {
			t.Fatalf("muxed write: %d, %v", n, err)
		}
	}
	_ = remote.SetReadDeadline(time.Now().Add(5 * time.Second))
	for seq := range 50 {
		n, src, err := remote.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if w, got, ok := checkPacket(buf[:n]); !ok || w != 0 || got != seq || src != addrOf(c) {
			t.Fatalf("packet %d: writer %d seq %d intact %v from %v", seq, w, got, ok, src)
		}
	}
}
