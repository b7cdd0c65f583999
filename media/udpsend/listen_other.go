//go:build !linux

package udpsend

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// Listen opens a UDP socket on laddr ("udp4" or "udp6") and returns it as a Conn
// that sends on it through Go. (On Linux it sends through a second socket on the
// same address that Go's netpoller never sees.)
func Listen(network string, laddr *net.UDPAddr) (*Conn, error) {
	uc, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return &Conn{conn: uc, fd: -1, fallback: errors.New("udpsend: a send-only socket needs Linux")}, nil
}

// The send socket exists only on Linux: a Conn here always has fd -1.

func (c *Conn) sendto([]byte, netip.AddrPort) syscall.Errno { return syscall.EINVAL }

func setSendBuffer(int, int) error { return syscall.EINVAL }

func closeFD(int) error { return nil }
