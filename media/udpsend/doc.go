// Package udpsend sends UDP packets from a socket Go's netpoller does not watch: a
// Conn reads through an ordinary Go socket and sends each packet at once, with one
// non-blocking sendto(2), on a second socket bound to the same address (Listen).
// There is no queue, no copy and no writer goroutine; concurrent writers do not
// serialize on a lock, and a full send buffer drops the packet instead of blocking.
//
// Why: Go watches every socket it opens for "writable" as well (EPOLLOUT, edge
// triggered), and each sent packet whose buffer the kernel frees signals it, waking a
// thread parked in epoll_wait that finds nothing to do. The SFU sends every forwarded
// packet through pion's ICE UDP mux on one socket, so on the Go socket those wake-ups
// come with nearly every packet.
//
// Measured on a 2-core VM, loopback, the load tool (5 publishers, simulcast) against
// the binary with --rtc-udp-port, modes alternated, CPU per forwarded packet (mean of
// runs; run-to-run spread ±10 %):
//
//	                     Go socket   sendmmsg queue   this package
//	10 subscribers       25.8 µs     23.8 µs          22.4 µs   (6 runs each)
//	20 subscribers       20.2 µs     17.2 µs          16.9 µs   (4, 8, 8 runs)
//
// The sendmmsg queue (an earlier version of this package: a lock-free ring, one
// writer goroutine, up to 17 packets per call, sending from the same second socket)
// saved nothing over sending each packet directly from that socket: almost all of a
// sendto's cost is the kernel's per-packet UDP/IP work (on loopback including the
// receiver's half), not the system call, and the queue's copy and hand-off cost as
// much as the calls saved. On the Go socket itself sendmmsg batching was 1 µs per
// packet worse than plain sendto.
package udpsend
