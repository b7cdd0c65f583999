package turn

import "errors"

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrNoSecret is returned when a SharedSecret or a Server has no secret to sign with.
	ErrNoSecret = errors.New("turn: no shared secret")
	// ErrBadUsername is returned for a username that is not "<unix expiry>:<user key>".
	ErrBadUsername = errors.New("turn: username is not <unix expiry>:<user key>")
	// ErrExpired is returned for a credential whose expiry has passed.
	ErrExpired = errors.New("turn: credential expired")
	// ErrTCPRelay is returned for TCP allocations (RFC 6062), which are not offered: a
	// WebRTC client relays over UDP allocations, whatever transport reaches the server.
	ErrTCPRelay = errors.New("turn: TCP relays are not offered")
)
