//go:build !linux

package udpbatch

import "net"

// Listen opens a UDP socket on laddr ("udp4" or "udp6") and returns it as a Conn.
// (On Linux the writer sends through a second socket on the same address.)
func Listen(network string, laddr *net.UDPAddr, cfg Config) (*Conn, error) {
	uc, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return New(uc, cfg), nil
}
