package udpbatch

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
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
	"go.uber.org/goleak"
	"golang.org/x/net/ipv4"
)

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv("UDPBATCH_SINK")); err == nil {
		runSink(n) // a benchmark's receiving process
	}
	goleak.VerifyTestMain(m)
}

// listen opens a UDP socket on loopback ("udp4" or "udp6"); it skips the test when
// the family has no loopback address here.
func listen(t testing.TB, network string) *net.UDPConn {
	t.Helper()
	host := "127.0.0.1"
	if network == "udp6" {
		host = "::1"
	}
	c, err := net.ListenUDP(network, &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		if network == "udp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	_ = c.SetReadBuffer(4 << 20)
	return c
}

// opener makes a Conn on a new loopback socket of network ("udp4" or "udp6"),
// skipping the test when the family has no loopback address here.
type opener func(t testing.TB, network string, cfg Config) *Conn

// openers are the two ways to make a Conn: New over a socket, and Listen.
var openers = []struct {
	name string
	open opener
}{
	{"New", func(t testing.TB, network string, cfg Config) *Conn { return New(listen(t, network), cfg) }},
	{"Listen", func(t testing.TB, network string, cfg Config) *Conn {
		ip := net.IPv4(127, 0, 0, 1)
		if network == "udp6" {
			ip = net.IPv6loopback
		}
		c, err := Listen(network, &net.UDPAddr{IP: ip}, cfg)
		if err != nil {
			if network == "udp6" {
				t.Skipf("no IPv6 loopback: %v", err)
			}
			t.Fatal(err)
		}
		return c
	}},
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

// receiver drains one socket, checking every packet and that each writer's packets
// arrive in order.
type receiver struct {
	conn *net.UDPConn
	got  []atomic.Int64 // per writer: packets received
	bad  atomic.Int64   // corrupt or out of order
	done chan struct{}
}

func newReceiver(t testing.TB, network string, writers int) *receiver {
	r := &receiver{conn: listen(t, network), got: make([]atomic.Int64, writers), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 2048)
		next := make([]int, writers)
		for {
			n, _, err := r.conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			w, seq, ok := checkPacket(buf[:n])
			if !ok || w >= writers || seq != next[w] {
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
// arrives intact, each writer's packets to a destination in order, none dropped.
// Writers keep at most window rounds unacknowledged so no receive buffer overflows.
func testDelivery(t *testing.T, open opener, network string) {
	const writers, dests, rounds, window = 8, 16, 300, 4
	c := open(t, network, Config{QueueLen: 4096})
	defer c.Close()
	rs := make([]*receiver, dests)
	for i := range rs {
		rs[i] = newReceiver(t, network, writers)
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
		return n == want && c.Stats().Packets == want
	})
	for i, r := range rs {
		if b := r.bad.Load(); b != 0 {
			t.Errorf("receiver %d: %d corrupt or out-of-order packets", i, b)
		}
	}
	s := c.Stats()
	if s.Packets != want || s.Drops != 0 || s.Errors != 0 || s.Direct != 0 || s.Batches == 0 || s.Batches > s.Packets {
		t.Errorf("stats %+v, want %d packets", s, want)
	}
	t.Logf("%d packets in %d sendmmsg calls (%.1f per call)", s.Packets, s.Batches, float64(s.Packets)/float64(s.Batches))
}

// gate is a batchWriter that holds its first call until opened.
type gate struct {
	batchWriter
	entered, open chan struct{}
	once          sync.Once
}

func newGate(conn *net.UDPConn) *gate {
	return &gate{batchWriter: ipv4.NewPacketConn(conn), entered: make(chan struct{}), open: make(chan struct{})}
}

func (g *gate) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	g.once.Do(func() { close(g.entered); <-g.open })
	return g.batchWriter.WriteBatch(ms, flags)
}

// TestQueueFullDrops holds the writer in its first call: the queue then takes
// QueueLen-1 more packets and drops the rest, counting them, without blocking the
// writing goroutine; what was queued is sent in order once the writer moves.
func TestQueueFullDrops(t *testing.T) {
	sock := listen(t, "udp4")
	g := newGate(sock)
	c := newConn(sock, Config{QueueLen: 8}, g)
	defer c.Close()
	r := newReceiver(t, "udp4", 1)
	dst := addrOf(r.conn)
	buf := make([]byte, 2048)
	if _, err := c.WriteToAddrPort(packet(buf, 0, 0), dst); err != nil {
		t.Fatal(err)
	}
	<-g.entered // the writer holds packet 0's slot
	for seq := 1; seq <= 20; seq++ {
		p := packet(buf, 0, seq)
		if n, err := c.WriteToAddrPort(p, dst); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", seq, n, err)
		}
	}
	if s := c.Stats(); s.Drops != 13 || s.Packets != 0 {
		t.Fatalf("stats %+v, want 13 drops (7 queued behind the one in flight)", s)
	}
	close(g.open)
	waitFor(t, 5*time.Second, "the 8 queued packets", func() bool { return r.total() == 8 && c.Stats().Packets == 8 })
	if s := c.Stats(); s.Drops != 13 || s.Errors != 0 {
		t.Errorf("stats %+v", s)
	}
	if r.bad.Load() != 0 {
		t.Error("packets out of order")
	}
	// Room again.
	if _, err := c.WriteToAddrPort(packet(buf, 0, 8), dst); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "packet 8", func() bool { return r.total() == 9 })
}

// TestRefusedPacketSkipped: a packet the kernel refuses (an IPv6 destination on an
// IPv4 socket) is counted as an error and the rest of its batch still goes out.
func TestRefusedPacketSkipped(t *testing.T) {
	sock := listen(t, "udp4")
	g := newGate(sock)
	c := newConn(sock, Config{}, g)
	defer c.Close()
	r := newReceiver(t, "udp4", 1)
	dst := addrOf(r.conn)
	buf := make([]byte, 1000)
	c.WriteToAddrPort(packet(buf, 0, 0), dst)
	<-g.entered
	c.WriteToAddrPort(packet(buf, 0, 1), dst)
	c.WriteToAddrPort(packet(buf, 0, 99), netip.MustParseAddrPort("[2001:db8::1]:9"))
	c.WriteToAddrPort(packet(buf, 0, 2), dst)
	c.WriteToAddrPort(packet(buf, 0, 3), netip.MustParseAddrPort("240.0.0.1:9")) // no route: ENETUNREACH
	c.WriteToAddrPort(packet(buf, 0, 3), dst)
	close(g.open)
	waitFor(t, 5*time.Second, "4 packets", func() bool { return r.total() == 4 })
	waitFor(t, 5*time.Second, "the errors counted", func() bool { s := c.Stats(); return s.Errors == 2 && s.Packets == 4 })
	if s := c.Stats(); s.Drops != 0 || s.Direct != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestDirectWrites: packets larger than a slot (and empty ones) are sent by the
// caller at once.
func TestDirectWrites(t *testing.T) { eachOpener(t, testDirectWrites) }

func testDirectWrites(t *testing.T, open opener) {
	c := open(t, "udp4", Config{MaxPacket: 100})
	defer c.Close()
	r := listen(t, "udp4")
	defer r.Close()
	big := packet(make([]byte, 2048), 0, 10) // 12+370 bytes, above MaxPacket
	if n, err := c.WriteToAddrPort(big, addrOf(r)); n != len(big) || err != nil {
		t.Fatal(n, err)
	}
	if n, err := c.WriteToAddrPort(nil, addrOf(r)); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	buf := make([]byte, 2048)
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := r.ReadFromUDPAddrPort(buf)
	if err != nil || n != len(big) {
		t.Fatalf("read %d, %v", n, err)
	}
	if n, _, err = r.ReadFromUDPAddrPort(buf); err != nil || n != 0 {
		t.Fatalf("empty packet: %d, %v", n, err)
	}
	if s := c.Stats(); s.Direct != 2 || s.Packets != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestInvalidAddress(t *testing.T) { eachOpener(t, testInvalidAddress) }

func testInvalidAddress(t *testing.T, open opener) {
	c := open(t, "udp4", Config{})
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

// TestReadsPassThrough: reads, their deadlines and LocalAddr are the socket's.
func TestReadsPassThrough(t *testing.T) { eachOpener(t, testReadsPassThrough) }

func testReadsPassThrough(t *testing.T, open opener) {
	c := open(t, "udp4", Config{})
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
	if err := c.SetWriteDeadline(time.Now()); err != nil {
		t.Fatal(err)
	}
	// A past write deadline does not stop writes: they never block.
	if _, err := c.WriteToAddrPort([]byte("three"), addrOf(peer)); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := peer.ReadFromUDPAddrPort(make([]byte, 64)); err != nil || n != 5 {
		t.Fatalf("peer read %d, %v", n, err)
	}
}

// TestCloseFlushes: what was queued before Close reaches the kernel, and writes after
// it fail with net.ErrClosed.
func TestCloseFlushes(t *testing.T) {
	sock := listen(t, "udp4")
	g := newGate(sock)
	c := newConn(sock, Config{QueueLen: 512}, g)
	r := newReceiver(t, "udp4", 1)
	buf := make([]byte, 2048)
	c.WriteToAddrPort(packet(buf[:200], 0, 0), addrOf(r.conn))
	<-g.entered
	for seq := 1; seq < 200; seq++ {
		c.WriteToAddrPort(packet(buf[:200], 0, seq), addrOf(r.conn))
	}
	closed := make(chan error)
	go func() { closed <- c.Close() }()
	close(g.open)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Packets != 200 || s.Drops != 0 {
		t.Errorf("stats after Close %+v, want all 200 sent", s)
	}
	waitFor(t, 5*time.Second, "200 packets", func() bool { return r.total() == 200 })
	if r.bad.Load() != 0 {
		t.Error("corrupt or out-of-order packets")
	}
	if _, err := c.WriteToAddrPort([]byte{1}, addrOf(r.conn)); !errors.Is(err, net.ErrClosed) {
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
	c := open(t, "udp4", Config{QueueLen: 64})
	r := newReceiver(t, "udp4", 4)
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
	waitFor(t, 5*time.Second, "some packets out", func() bool { return c.Stats().Packets > 1000 })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s := c.Stats()
	if s.Packets+s.Drops > uint64(written.Load()) || s.Errors != 0 {
		t.Errorf("stats %+v after %d writes", s, written.Load())
	}
	t.Logf("%d writes: %+v", written.Load(), s)
}

// TestZeroAllocs: a write allocates nothing, counting the writer goroutine's work
// (AllocsPerRun counts the whole process).
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	eachOpener(t, testZeroAllocs)
}

func testZeroAllocs(t *testing.T, open opener) {
	c := open(t, "udp4", Config{})
	defer c.Close()
	r := newReceiver(t, "udp4", 1)
	p := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	dst, dstAddr := addrOf(r.conn), r.conn.LocalAddr()
	for range 100 { // warm up: the writer's x/net buffers, the receiver's
		c.WriteToAddrPort(p, dst)
	}
	waitFor(t, 5*time.Second, "warm-up", func() bool { return c.Stats().Packets == 100 })
	if a := testing.AllocsPerRun(2000, func() { c.WriteToAddrPort(p, dst) }); a != 0 {
		t.Errorf("WriteToAddrPort: %v allocations per packet", a)
	}
	if a := testing.AllocsPerRun(2000, func() { c.WriteTo(p, dstAddr) }); a != 0 {
		t.Errorf("WriteTo: %v allocations per packet", a)
	}
	waitFor(t, 5*time.Second, "every packet sent", func() bool {
		s := c.Stats()
		return s.Packets+s.Drops == 100+2*2001
	})
}

// TestPionUDPMux runs pion's ICE UDP mux over a Conn: pion takes the allocation-free
// AddrPort path, routes a STUN request to the muxed connection of its ufrag, and
// that connection's writes go out through the queue.
func TestPionUDPMux(t *testing.T) { eachOpener(t, testPionUDPMux) }

func testPionUDPMux(t *testing.T, open opener) {
	c := open(t, "udp4", Config{})
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
		n, _, err := remote.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if w, got, ok := checkPacket(buf[:n]); !ok || w != 0 || got != seq {
			t.Fatalf("packet %d: writer %d seq %d intact %v", seq, w, got, ok)
		}
	}
	// The writer counts a batch after the kernel took it, which can be after it arrived.
	waitFor(t, 5*time.Second, "the 50 packets counted as sent through the queue", func() bool { return c.Stats().Packets == 50 })
}
