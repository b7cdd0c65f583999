package udpbatch

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"

	"golang.org/x/net/ipv4"
)

func TestRingPushPeekRelease(t *testing.T) {
	r := newRing(4, 16)
	dst := netip.MustParseAddrPort("127.0.0.1:5000")
	ms := make([]ipv4.Message, 8)
	if r.ready() || r.peek(ms) != 0 {
		t.Fatal("empty ring has a packet")
	}
	for i := range 4 {
		if !r.push([]byte{byte(i), 1, 2}, dst) {
			t.Fatalf("push %d refused", i)
		}
	}
	if r.push([]byte{9}, dst) {
		t.Fatal("full ring took a fifth packet")
	}
	if n := r.peek(ms[:3]); n != 3 {
		t.Fatalf("peek = %d, want 3 (len(ms))", n)
	}
	if n := r.peek(ms); n != 4 {
		t.Fatalf("peek = %d, want 4", n)
	}
	for i := range 4 {
		if got := ms[i].Buffers[0]; !bytes.Equal(got, []byte{byte(i), 1, 2}) {
			t.Errorf("packet %d = %v", i, got)
		}
		if a := ms[i].Addr.(*net.UDPAddr); a.AddrPort() != dst {
			t.Errorf("packet %d to %v", i, a)
		}
	}
	r.release(2)
	// Two slots free again, and the ring wraps around.
	if !r.push([]byte{4}, dst) || !r.push([]byte{5, 5}, dst) || r.push([]byte{6}, dst) {
		t.Fatal("pushes after release")
	}
	if n := r.peek(ms); n != 4 || ms[0].Buffers[0][0] != 2 || !bytes.Equal(ms[3].Buffers[0], []byte{5, 5}) {
		t.Fatalf("after wrap: n=%d first=%v last=%v", n, ms[0].Buffers[0], ms[3].Buffers[0])
	}
	r.release(4)
	if r.ready() {
		t.Fatal("ring not empty")
	}
}

func TestSetAddr(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantIP int // length of the IP slice
		want   string
	}{
		{"127.0.0.1:1", 4, "127.0.0.1:1"},
		{"[::ffff:10.0.0.1]:65535", 4, "10.0.0.1:65535"},
		{"[::1]:443", 16, "[::1]:443"},
		{"[fe80::1%eth0]:9", 16, "[fe80::1%eth0]:9"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var a net.UDPAddr
			var ip [16]byte
			setAddr(&a, &ip, netip.MustParseAddrPort("[::1]:7")) // leaves a zone-less v6 behind
			setAddr(&a, &ip, netip.MustParseAddrPort(tc.in))
			if len(a.IP) != tc.wantIP || a.String() != tc.want {
				t.Errorf("got %v (IP %d bytes), want %s (%d)", &a, len(a.IP), tc.want, tc.wantIP)
			}
		})
	}
}

// TestRingConcurrentProducers has producers race for a small ring while one consumer
// drains it: each producer's packets come out whole and in the order pushed, and
// every accepted packet comes out exactly once.
func TestRingConcurrentProducers(t *testing.T) {
	const producers, perProducer = 8, 20000
	r := newRing(16, 64)
	var accepted [producers]int
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(1000+p))
			var pkt [12]byte
			for seq := range perProducer {
				binary.BigEndian.PutUint32(pkt[0:], uint32(p))
				binary.BigEndian.PutUint32(pkt[4:], uint32(seq))
				binary.BigEndian.PutUint32(pkt[8:], uint32(p*seq))
				if r.push(pkt[:], dst) {
					accepted[p]++
				}
			}
		}()
	}
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	last := [producers]int{-1, -1, -1, -1, -1, -1, -1, -1}
	var got [producers]int
	ms := make([]ipv4.Message, 5)
	drain := func() int {
		n := r.peek(ms)
		for _, m := range ms[:n] {
			b := m.Buffers[0]
			p, seq := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint32(b[4:]))
			if len(b) != 12 || binary.BigEndian.Uint32(b[8:]) != uint32(p*seq) || m.Addr.(*net.UDPAddr).Port != 1000+p {
				t.Fatalf("corrupt packet %x to %v", b, m.Addr)
			}
			if seq <= last[p] {
				t.Fatalf("producer %d: seq %d after %d", p, seq, last[p])
			}
			last[p] = seq
			got[p]++
		}
		r.release(n)
		return n
	}
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		drain()
	}
	for drain() > 0 {
	}
	for p := range producers {
		if got[p] != accepted[p] {
			t.Errorf("producer %d: %d accepted, %d drained", p, accepted[p], got[p])
		}
	}
}
