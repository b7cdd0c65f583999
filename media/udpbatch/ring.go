package udpbatch

import (
	"net"
	"net/netip"
	"sync/atomic"

	"golang.org/x/net/ipv4"
)

// cacheLine separates fields written by different goroutines.
type cacheLine [64]byte

// ring is a bounded multi-producer, single-consumer queue of packets with its memory
// allocated once (D. Vyukov's bounded MPMC queue, consumer side simplified to one
// goroutine). Each slot carries a sequence number: slot i is free for the producer
// that reserves position p (p&mask == i) when seq == p, and holds that producer's
// packet when seq == p+1. Producers reserve positions with one CAS on tail and never
// wait for each other or for the consumer: a full ring refuses the packet.
type ring struct {
	_     cacheLine
	tail  atomic.Uint64 // next position a producer reserves
	_     cacheLine
	head  uint64 // next position the consumer reads; consumer only
	mask  uint64
	slots []slot
}

// slot is one queued packet. The producer owning it fills every field before
// publishing seq; the consumer reads them after.
type slot struct {
	seq  atomic.Uint64
	bufs [1][]byte   // bufs[0] is the packet: a prefix of the slot's storage
	addr net.UDPAddr // destination; IP points into ip
	ip   [16]byte
	buf  []byte // the slot's storage, maxPacket bytes
}

// newRing returns a ring of n slots (n a power of two) of maxPacket bytes each.
func newRing(n, maxPacket int) *ring {
	r := &ring{mask: uint64(n - 1), slots: make([]slot, n)}
	storage := make([]byte, n*maxPacket)
	for i := range r.slots {
		s := &r.slots[i]
		s.seq.Store(uint64(i))
		s.buf = storage[i*maxPacket : (i+1)*maxPacket : (i+1)*maxPacket]
	}
	return r
}

// push copies p, bound for dst, into the ring. It reports false when the ring is
// full. len(p) must be 1..maxPacket. Called by any goroutine.
func (r *ring) push(p []byte, dst netip.AddrPort) bool {
	for {
		pos := r.tail.Load()
		s := &r.slots[pos&r.mask]
		switch seq := s.seq.Load(); {
		case seq == pos:
			if !r.tail.CompareAndSwap(pos, pos+1) {
				continue // another producer took pos
			}
			s.bufs[0] = s.buf[:copy(s.buf, p)]
			setAddr(&s.addr, &s.ip, dst)
			s.seq.Store(pos + 1) // publish
			return true
		case seq < pos:
			// The slot still holds the packet from one lap ago: the ring is full.
			return false
		default:
			// Another producer reserved pos and published since we read tail.
		}
	}
}

// ready reports whether the packet at head is published. Consumer only.
func (r *ring) ready() bool {
	return r.slots[r.head&r.mask].seq.Load() == r.head+1
}

// peek points ms at the published packets from head on, up to len(ms), stopping at
// the first unpublished slot, and returns how many. They stay queued (and their slots
// unusable to producers) until release. Consumer only.
func (r *ring) peek(ms []ipv4.Message) int {
	n := 0
	for pos := r.head; n < len(ms); pos++ {
		s := &r.slots[pos&r.mask]
		if s.seq.Load() != pos+1 {
			break
		}
		ms[n].Buffers = s.bufs[:]
		ms[n].Addr = &s.addr
		n++
	}
	return n
}

// release frees the n packets from head on for producers. Consumer only.
func (r *ring) release(n int) {
	size := r.mask + 1
	for range n {
		r.slots[r.head&r.mask].seq.Store(r.head + size)
		r.head++
	}
}

// setAddr writes dst into a, with a.IP pointing into ip, without allocating.
// IPv4-mapped IPv6 addresses become IPv4 ones: x/net marshals a 16-byte IPv4-mapped
// IP as AF_INET anyway, and Linux accepts AF_INET destinations on dual-stack IPv6
// sockets.
func setAddr(a *net.UDPAddr, ip *[16]byte, dst netip.AddrPort) {
	addr := dst.Addr()
	a.Port = int(dst.Port())
	a.Zone = ""
	if addr.Is4() || addr.Is4In6() {
		*(*[4]byte)(ip[:4]) = addr.Unmap().As4()
		a.IP = ip[:4]
		return
	}
	*ip = addr.As16()
	a.IP = ip[:16]
	a.Zone = addr.Zone()
}
