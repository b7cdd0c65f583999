package udpbatch

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks compare writing each packet with sendto on the socket ("plain", what
// pion's UDP mux does) with a Conn made by New ("batched") and by Listen ("listen").
// Receiving sockets are drained by
// goroutines of this process, so cpu-ns/pkt — the process's user+system CPU per
// packet — includes the receiving side, which is the same for both. With
// UDPBATCH_BENCH_SINK=process BenchmarkWrite drains them in a child process instead,
// and cpu-ns/pkt is the sending side's alone (on loopback that still includes the
// kernel's receive path up to the receiving socket, which runs in the sender's
// system call).
//
// BenchmarkWrite saturates the socket: writers send 1200-byte packets round-robin to
// 8 destinations as fast as they can (a batched writer that finds the queue full
// waits 20 µs and writes the packet again), and the clock stops when the kernel has
// every packet.
//
// BenchmarkBurst is the low-load case: one goroutine writes one packet to each of
// fanout destinations (a forwarded packet and its subscribers) and waits until all
// have arrived before the next burst, so nothing queues up between bursts.

// The modes: plain sendto, New (sendmmsg on the socket itself), Listen (sendmmsg on
// a second socket outside the netpoller).
const (
	plain = iota
	batched
	listened
)

var modeNames = []string{"plain", "batched", "listen"}

func BenchmarkWrite(b *testing.B) {
	for mode := range modeNames {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", modeNames[mode], writers), func(b *testing.B) {
				benchWrite(b, mode, writers)
			})
		}
	}
}

func BenchmarkBurst(b *testing.B) {
	for mode := range modeNames {
		for _, fanout := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/fanout=%d", modeNames[mode], fanout), func(b *testing.B) {
				benchBurst(b, mode, fanout)
			})
		}
	}
}

// sink is a set of receiving sockets, each drained by a goroutine.
type sink struct {
	addrs   []netip.AddrPort
	arrived chan struct{} // one token per packet when notifying
}

func newSink(b *testing.B, n int, notify bool) *sink {
	if !notify && os.Getenv("UDPBATCH_BENCH_SINK") == "process" {
		return newProcessSink(b, n)
	}
	s := &sink{}
	if notify {
		s.arrived = make(chan struct{}, 1024)
	}
	var wg sync.WaitGroup
	b.Cleanup(wg.Wait) // runs after the sockets' Close, registered below
	for range n {
		c := listen(b, "udp4")
		s.addrs = append(s.addrs, addrOf(c))
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 2048)
			for {
				if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil {
					return
				}
				if s.arrived != nil {
					s.arrived <- struct{}{}
				}
			}
		}()
		b.Cleanup(func() { c.Close() })
	}
	return s
}

// sender writes packets plainly or through a Conn.
type sender struct {
	sock *net.UDPConn
	c    *Conn // nil: plain
}

func newSender(b *testing.B, mode int) *sender {
	s := &sender{}
	switch mode {
	case plain:
		s.sock = listen(b, "udp4")
		b.Cleanup(func() { s.sock.Close() })
		return s
	case batched:
		s.c = New(listen(b, "udp4"), Config{})
	case listened:
		var err error
		if s.c, err = Listen("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { s.c.Close() })
	return s
}

// write sends p to dst; a batched sender that finds its queue full waits and tries
// again, so that every packet is sent.
func (s *sender) write(p []byte, dst netip.AddrPort) {
	if s.c == nil {
		_, _ = s.sock.WriteToUDPAddrPort(p, dst)
		return
	}
	for {
		if ok, _ := s.c.enqueue(p, dst); ok {
			return
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// flush waits until the kernel has n packets from a batched sender.
func (s *sender) flush(n int) {
	for s.c != nil {
		st := s.c.Stats()
		if st.Packets+st.Errors >= uint64(n) {
			return
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// report adds the CPU per packet and, when batched, the mean packets per sendmmsg.
func (s *sender) report(b *testing.B, cpu0 time.Duration, packets int) {
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(packets), "cpu-ns/pkt")
	if s.c != nil {
		st := s.c.Stats()
		b.ReportMetric(float64(st.Packets)/float64(max(st.Batches, 1)), "pkts/call")
	}
}

func benchWrite(b *testing.B, mode int, writers int) {
	sk := newSink(b, 8, false)
	s := newSender(b, mode)
	p := make([]byte, 1200)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for w := range writers {
		n := b.N / writers
		if w == 0 {
			n += b.N % writers
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				s.write(p, sk.addrs[(w+i)%len(sk.addrs)])
			}
		}()
	}
	wg.Wait()
	s.flush(b.N)
	b.StopTimer()
	s.report(b, cpu0, b.N)
}

func benchBurst(b *testing.B, mode int, fanout int) {
	sk := newSink(b, fanout, true)
	s := newSender(b, mode)
	p := make([]byte, 1200)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range b.N {
		for _, dst := range sk.addrs {
			s.write(p, dst)
		}
		for range fanout {
			<-sk.arrived
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*fanout), "ns/pkt")
	s.report(b, cpu0, b.N*fanout)
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newProcessSink starts this test binary as a child that opens n receiving sockets,
// prints their addresses and drains them until its stdin closes (see TestMain).
func newProcessSink(b *testing.B, n int) *sink {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "UDPBATCH_SINK="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	s := &sink{}
	for _, f := range strings.Fields(line) {
		s.addrs = append(s.addrs, netip.MustParseAddrPort(f))
	}
	return s
}

// runSink is the child of newProcessSink.
func runSink(n int) {
	var addrs []string
	for range n {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = c.SetReadBuffer(4 << 20)
		addrs = append(addrs, c.LocalAddr().String())
		go func() {
			buf := make([]byte, 2048)
			for {
				if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil {
					return
				}
			}
		}()
	}
	fmt.Println(strings.Join(addrs, " "))
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}
