//go:build linux

package udpsend

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendBuffer is the send socket's requested SO_SNDBUF (the kernel caps it at
// net.core.wmem_max, then doubles it for its bookkeeping): room for a keyframe's
// burst to every subscriber while a NIC drains it, thousands of 1,200-byte packets,
// tens of milliseconds at 1 Gbit/s. (On loopback the buffer never fills: a send
// completes inside the system call.)
const sendBuffer = 4 << 20

// Listen opens a UDP socket on laddr ("udp4" or "udp6") and returns it as a Conn
// that sends through a second socket bound to the same address, one Go's netpoller
// never sees.
//
// Why: Go registers every socket it opens for EPOLLOUT as well as EPOLLIN (edge
// triggered), and the kernel signals the socket's waiters each time a sent packet's
// buffer is freed — on loopback within the send itself, on a NIC at transmit
// completion. Whenever a thread of the process is parked in epoll_wait (in a server
// whose readers wait in the netpoller and that has an idle P, most of the time) sent
// packets keep waking that thread, which finds nothing to do and parks again. A
// socket that is never polled has no waiters: freeing its buffers wakes no one.
// Measured on the 2-core test VM: a loop of 1200-byte sendto calls, with one
// goroutine parked in the netpoller, cost 5.1 µs of CPU per packet on a Go socket
// and 2.9 µs on a socket outside the netpoller. Each sendto passes MSG_DONTWAIT, so
// a full send buffer fails the call at once instead of parking the forwarding
// goroutine's thread in the kernel.
//
// Both sockets set SO_REUSEPORT, and a one-instruction classic BPF program on the
// group (SO_ATTACH_REUSEPORT_CBPF, "return 0") steers every incoming packet to the
// first one, which alone is read; the send-only socket's receive buffer is the
// minimum. Since SO_REUSEPORT would let another process of the same user bind the
// port too (and then receive nothing), Listen first checks that laddr's port is free
// with an ordinary bind.
//
// When the kernel refuses the second socket (no SO_REUSEPORT BPF, a seccomp policy)
// Listen falls back to sending on the read socket through Go, like a plain
// *net.UDPConn.
func Listen(network string, laddr *net.UDPAddr) (*Conn, error) {
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
		return &Conn{conn: uc, fd: -1, fallback: err}, nil
	}
	_ = setSendBuffer(fd, sendBuffer)
	return &Conn{conn: uc, fd: fd, v6: v6}, nil
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

// sendto sends p to dst on the send socket without blocking and returns the errno
// (0 on success). Called by any goroutine, with c.mu read-held.
func (c *Conn) sendto(p []byte, dst netip.AddrPort) syscall.Errno {
	var name unix.RawSockaddrInet6 // large enough for either family
	namelen := c.putName(&name, dst)
	var buf unsafe.Pointer
	if len(p) > 0 {
		buf = unsafe.Pointer(&p[0])
	}
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SENDTO, uintptr(c.fd), uintptr(buf), uintptr(len(p)),
			unix.MSG_DONTWAIT, uintptr(unsafe.Pointer(&name)), uintptr(namelen))
		if errno != unix.EINTR {
			return errno
		}
	}
}

// putName writes dst as a sockaddr into name and returns its length: AF_INET for an
// IPv4 destination on an AF_INET socket, else AF_INET6 (IPv4-mapped on an AF_INET6
// socket; an IPv6 destination on an AF_INET socket is refused by the kernel).
func (c *Conn) putName(name *unix.RawSockaddrInet6, dst netip.AddrPort) uint32 {
	ip := dst.Addr()
	if !c.v6 && ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() && !c.v6 {
		s := (*unix.RawSockaddrInet4)(unsafe.Pointer(name))
		*s = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: ip.As4()}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&s.Port))[:], dst.Port())
		return unix.SizeofSockaddrInet4
	}
	*name = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ip.As16()}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&name.Port))[:], dst.Port())
	if zone := ip.Zone(); zone != "" {
		if ifi, err := net.InterfaceByName(zone); err == nil {
			name.Scope_id = uint32(ifi.Index)
		} else if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
			name.Scope_id = uint32(n)
		}
	}
	return unix.SizeofSockaddrInet6
}

// setSendBuffer sets fd's SO_SNDBUF.
func setSendBuffer(fd, bytes int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, bytes)
}

// closeFD closes the send socket.
func closeFD(fd int) error { return unix.Close(fd) }
