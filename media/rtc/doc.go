// Package rtc runs the media of Jishitong meetings: one Room per run in progress, one
// participant per /rtc connection with two pion PeerConnections (publisher: the client
// offers; subscriber: the server offers, docs/rtc-protocol.md §1), and the glue between
// pion's RTP readers/writers and the socket-free forwarding core in media/sfu.
//
// Goroutines: media/signal's Conn reads the socket and hands every message to the
// participant's worker, which alone touches that participant's PeerConnections and
// negotiation state. Each published track has one forwarding goroutine (RTP reader →
// sfu.Spreader → every subscriber's sfu.DownTrack → pion TrackLocalWriter) and, for video,
// one goroutine that turns sfu.Source keyframe requests into RTCP PLIs. Each subscription
// has one goroutine draining RTCP from its RTPSender (needed by pion's interceptors).
package rtc
