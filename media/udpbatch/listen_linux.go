//go:build linux

package udpbatch

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// Listen opens a UDP socket on laddr ("udp4" or "udp6") and returns it as a Conn
// whose writer sends through a second socket bound to the same address, one Go's
// netpoller never sees.
//
// Why: Go registers every socket it opens for EPOLLOUT as well as EPOLLIN (edge
// triggered), and the kernel signals the socket's waiters each time a sent
// packet's buffer is freed — on loopback within the send itself, on a NIC at
// transmit completion. Whenever a thread of the process is parked in epoll_wait
// (in a server whose readers wait in the netpoller and that has an idle P, most of
// the time) sent packets keep waking that thread, which finds nothing to do and
// parks again. A socket that is in blocking mode and never polled has no waiters:
// freeing its buffers wakes no one. Measured on the 2-core test VM: a loop of
// 1200-byte sendto calls, with one goroutine parked in the netpoller, cost 5.1 µs
// of CPU per packet on a Go socket and 2.9 µs on a socket outside the netpoller;
// in the load run epoll_wait returns halved.
//
// Both sockets set SO_REUSEPORT, and a one-instruction classic BPF program on the
// group (SO_ATTACH_REUSEPORT_CBPF, "return 0") steers every incoming packet to the
// first one, which alone is read; the send-only socket's receive buffer is the
// minimum. Close closes the send-only socket first, so the read one is never left
// out of the group while packets arrive. Since SO_REUSEPORT would let another
// process of the same user bind the port too (and then receive nothing), Listen
// first checks that laddr's port is free with an ordinary bind.
//
// When the kernel refuses the second socket (no SO_REUSEPORT BPF, a seccomp
// policy) Listen falls back to sending on the read socket, as New does.
func Listen(network string, laddr *net.UDPAddr, cfg Config) (*Conn, error) {
	if laddr.Port != 0 {
		probe, err := net.ListenUDP(network, laddr)
		if err != nil {
			return nil, err
		}
		probe.Close()
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return control(rc, func(fd int) error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
	}}
	pc, err := lc.ListenPacket(context.Background(), network, laddr.String())
	if err != nil {
		return nil, err
	}
	uc := pc.(*net.UDPConn)
	fd, v6, err := sendSocket(uc)
	if err != nil {
		return New(uc, cfg), nil
	}
	c := newConn(uc, cfg, &rawSender{fd: fd, v6: v6})
	c.closeSend = func() error { return unix.Close(fd) }
	return c, nil
}

// sendSocket opens the blocking send-only socket on uc's address, after steering
// the reuseport group's incoming packets to uc (index 0: it bound first). v6 tells
// whether the sockets are AF_INET6.
func sendSocket(uc *net.UDPConn) (fd int, v6 bool, err error) {
	rc, err := uc.SyscallConn()
	if err != nil {
		return -1, false, err
	}
	ret0 := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}
	var sa unix.Sockaddr
	v6only := 0
	if err := control(rc, func(fd int) error {
		if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF,
			&unix.SockFprog{Len: uint16(len(ret0)), Filter: &ret0[0]}); err != nil {
			return err
		}
		var err error
		if sa, err = unix.Getsockname(fd); err != nil {
			return err
		}
		if _, v6 = sa.(*unix.SockaddrInet6); v6 {
			v6only, err = unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
		}
		return err
	}); err != nil {
		return -1, false, err
	}
	family := unix.AF_INET
	if v6 {
		family = unix.AF_INET6
	}
	if fd, err = unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP); err != nil {
		return -1, false, err
	}
	err = errors.Join(
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1),
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 0), // the kernel's minimum
	)
	if err == nil && v6 {
		err = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only)
	}
	if err == nil {
		err = unix.Bind(fd, sa)
	}
	if err != nil {
		unix.Close(fd)
		return -1, false, err
	}
	return fd, v6, nil
}

// control runs f on rc's descriptor and returns either error.
func control(rc syscall.RawConn, f func(fd int) error) error {
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// rawSender sends batches on a blocking descriptor with sendmmsg(2). Writer
// goroutine only.
type rawSender struct {
	fd    int
	v6    bool // AF_INET6 socket: IPv4 destinations go IPv4-mapped
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for either family
}

// WriteBatch implements batchWriter with x/net's semantics: the number of messages
// sent, or an error when the first could not be.
func (r *rawSender) WriteBatch(ms []ipv4.Message, _ int) (int, error) {
	if len(ms) > len(r.hdrs) {
		r.hdrs = make([]unix.Mmsghdr, len(ms))
		r.iovs = make([]unix.Iovec, len(ms))
		r.names = make([]unix.RawSockaddrInet6, len(ms))
	}
	for i := range ms {
		b := ms[i].Buffers[0]
		r.iovs[i].Base = &b[0]
		r.iovs[i].SetLen(len(b))
		h := &r.hdrs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&r.names[i]))
		h.Namelen = r.putName(&r.names[i], ms[i].Addr.(*net.UDPAddr))
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
	}
	for {
		n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(r.fd), uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(ms)), 0, 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		}
		return 0, errno
	}
}

// setWriteBuffer sets the send-only socket's send buffer size.
func (r *rawSender) setWriteBuffer(bytes int) error {
	return unix.SetsockoptInt(r.fd, unix.SOL_SOCKET, unix.SO_SNDBUF, bytes)
}

// abort makes a blocked or later sendmmsg fail (EPIPE). Close calls it when the
// queue does not drain in time.
func (r *rawSender) abort() { _ = unix.Shutdown(r.fd, unix.SHUT_WR) }

// putName writes a as a sockaddr into name and returns its length: AF_INET for an
// IPv4 destination on an AF_INET socket, else AF_INET6 (IPv4-mapped on an AF_INET6
// socket; an IPv6 destination on an AF_INET socket is refused by the kernel).
func (r *rawSender) putName(name *unix.RawSockaddrInet6, a *net.UDPAddr) uint32 {
	if ip4 := a.IP.To4(); ip4 != nil && !r.v6 {
		s := (*unix.RawSockaddrInet4)(unsafe.Pointer(name))
		*s = unix.RawSockaddrInet4{Family: unix.AF_INET}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&s.Port))[:], uint16(a.Port))
		copy(s.Addr[:], ip4)
		return unix.SizeofSockaddrInet4
	}
	*name = unix.RawSockaddrInet6{Family: unix.AF_INET6}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&name.Port))[:], uint16(a.Port))
	copy(name.Addr[:], a.IP.To16())
	if a.Zone != "" {
		if ifi, err := net.InterfaceByName(a.Zone); err == nil {
			name.Scope_id = uint32(ifi.Index)
		}
	}
	return unix.SizeofSockaddrInet6
}
