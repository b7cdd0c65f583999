// Package signal is the /rtc WebSocket edge: it authenticates a participant's
// join, parses and validates protocol version 2 messages (docs/rtc-protocol.md),
// answers pings, rate-limits and moves messages between the socket and the
// room, which implements Handler. It holds no room logic and never imports the
// SFU: SDP and ICE candidates are opaque, size-limited strings.
package signal
