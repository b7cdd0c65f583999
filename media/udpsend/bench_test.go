package udpsend

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

// The benchmarks compare sendto on a Go socket ("plain", what pion's UDP mux does
// with a *net.UDPConn) with a Conn from Listen ("listen": sendto on the second
// socket). Receiving sockets are drained by goroutines of this process, so
// cpu-ns/pkt — the process's user+system CPU per packet — includes the receiving
// side, the same for both, and those goroutines park in the netpoller as a server's
// readers do. With UDPSEND_BENCH_SINK=process BenchmarkWrite drains them in a child
// process instead, and cpu-ns/pkt is the sending side's alone (on loopback that
// still includes the kernel's receive path up to the receiving socket, which runs in
// the sender's system call).
//
// BenchmarkWrite saturates the socket: writers send 1200-byte packets round-robin to
// 8 destinations as fast as they can.
//
// BenchmarkBurst is the low-load case: one goroutine writes one packet to each of
// fanout destinations (a forwarded packet and its subscribers) and waits until all
// have arrived before the next burst.

func BenchmarkWrite(b *testing.B) {
	for _, mode := range []string{"plain", "listen"} {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				benchWrite(b, mode, writers)
			})
		}
	}
}

func BenchmarkBurst(b *testing.B) {
	for _, mode := range []string{"plain", "listen"} {
		for _, fanout := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/fanout=%d", mode, fanout), func(b *testing.B) {
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
	if !notify && os.Getenv("UDPSEND_BENCH_SINK") == "process" {
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

// newSender returns the write function of mode: a Go socket's or a Listen Conn's.
func newSender(b *testing.B, mode string) func([]byte, netip.AddrPort) (int, error) {
	if mode == "plain" {
		s := listen(b, "udp4")
		b.Cleanup(func() { s.Close() })
		return s.WriteToUDPAddrPort
	}
	c := openers[0].open(b, "udp4")
	b.Cleanup(func() {
		if s := c.Stats(); s != (Stats{}) {
			b.Errorf("stats %+v", s)
		}
		c.Close()
	})
	return c.WriteToAddrPort
}

func benchWrite(b *testing.B, mode string, writers int) {
	sk := newSink(b, 8, false)
	write := newSender(b, mode)
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
				_, _ = write(p, sk.addrs[(w+i)%len(sk.addrs)])
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/pkt")
}

func benchBurst(b *testing.B, mode string, fanout int) {
	sk := newSink(b, fanout, true)
	write := newSender(b, mode)
	p := make([]byte, 1200)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range b.N {
		for _, dst := range sk.addrs {
			_, _ = write(p, dst)
		}
		for range fanout {
			<-sk.arrived
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*fanout), "ns/pkt")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*fanout), "cpu-ns/pkt")
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
	cmd.Env = append(os.Environ(), "UDPSEND_SINK="+strconv.Itoa(n))
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
