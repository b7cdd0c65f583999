// Package udpbatch sends UDP packets in batches: Conn wraps a *net.UDPConn so that
// WriteTo copies the packet into a preallocated slot of a bounded queue and returns,
// and one writer goroutine hands everything queued to the kernel with one sendmmsg(2)
// call per batch (golang.org/x/net ipv4/ipv6 WriteBatch).
//
// The SFU sends every forwarded packet through pion's ICE UDP mux, one sendto per
// packet from each track's forwarding goroutine. A forwarded packet fans out to every
// subscriber in a burst, so a single writer draining a shared queue turns those
// bursts into one system call, while a lone packet still leaves at once: the writer
// sleeps only when the queue is empty, and the first write after that wakes it. There
// is no timer and no lingering for a batch to fill.
//
// Reads pass through to the socket unchanged.
//
// Measured (2-core VM, loopback, `make bench`'s load with --rtc-udp-port): batches
// averaged 11-19 packets and system calls fell ~12-fold, but the server's CPU per
// forwarded packet did not fall. Almost all of a sendto's cost there is the kernel's
// per-packet UDP/IP work (and, on loopback, the receiver's side of it), which
// sendmmsg does not share out; the system call itself is a few percent of it.
// --rtc-batch-send=false turns it off.
package udpbatch
