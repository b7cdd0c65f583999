// Package turn holds what lets participants behind NAT and strict firewalls reach the
// media plane through a relay: time-limited TURN credentials (SharedSecret, the "TURN
// REST API" convention that coturn and most TURN services accept) and an optional
// embedded TURN server (Server, on pion/turn) that checks those same credentials.
//
// The embedded server relays UDP only (RFC 8656 allocations; TURN over UDP or TCP to
// reach it) and only towards this host's own addresses, so a credential handed to a
// meeting guest opens a path to the SFU and nowhere else.
package turn
