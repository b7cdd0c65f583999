package udpsend

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestListenSendsFromItsOwnSocket: Listen sends on a second socket with a large
// send buffer, and packets carry the Conn's port as their source.
func TestListenSendsFromItsOwnSocket(t *testing.T) {
	c := openers[0].open(t, "udp4")
	defer c.Close()
	if err := c.Fallback(); err != nil || c.fd < 0 {
		t.Fatalf("no send-only socket: %v", err)
	}
	if n, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err != nil || n <= 212992 {
		t.Errorf("send buffer %d bytes (%v), want more than Linux's default", n, err)
	}
	peer := listen(t, "udp4")
	defer peer.Close()
	if _, err := c.WriteToAddrPort([]byte("hi"), addrOf(peer)); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	n, from, err := peer.ReadFromUDPAddrPort(buf)
	if err != nil || string(buf[:n]) != "hi" || from != addrOf(c) {
		t.Fatalf("got %q from %v (%v), want from %v", buf[:n], from, err, addrOf(c))
	}
}

// TestListenReceivesEverything: with the send-only socket in the same reuseport
// group, every packet from many sources still reaches the socket that is read.
func TestListenReceivesEverything(t *testing.T) {
	const peers, each = 32, 50
	c := openers[0].open(t, "udp4")
	defer c.Close()
	if err := c.SetReadBuffer(4 << 20); err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		n := 0
		buf := make([]byte, 64)
		for n < peers*each {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, _, err := c.ReadFromAddrPort(buf); err != nil {
				break
			}
			n++
		}
		got <- n
	}()
	var wg sync.WaitGroup
	for range peers {
		p := listen(t, "udp4")
		defer p.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p.WriteToUDPAddrPort([]byte{byte(i)}, addrOf(c))
				if i%10 == 9 {
					time.Sleep(time.Millisecond) // stay within the receive buffer
				}
			}
		}()
	}
	wg.Wait()
	if n := <-got; n != peers*each {
		t.Fatalf("read %d of %d packets", n, peers*each)
	}
	if q, err := unix.IoctlGetInt(c.fd, unix.SIOCINQ); err != nil || q != 0 {
		t.Errorf("the send-only socket has %d bytes queued (%v)", q, err)
	}
}

// TestListenPortInUse: Listen refuses a port another socket holds, although its own
// sockets share theirs, and holds its port against ordinary binds.
func TestListenPortInUse(t *testing.T) {
	busy := listen(t, "udp4")
	defer busy.Close()
	if _, err := Listen("udp4", busy.LocalAddr().(*net.UDPAddr)); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Listen on a busy port: %v", err)
	}
	c := openers[0].open(t, "udp4")
	defer c.Close()
	if s, err := net.ListenUDP("udp4", c.LocalAddr().(*net.UDPAddr)); !errors.Is(err, syscall.EADDRINUSE) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("bind on Listen's port: %v", err)
	}
	// Once closed, the port is free again.
	addr := c.LocalAddr().(*net.UDPAddr)
	c.Close()
	s, err := net.ListenUDP("udp4", addr)
	if err != nil {
		t.Fatalf("bind after Close: %v", err)
	}
	s.Close()
}
