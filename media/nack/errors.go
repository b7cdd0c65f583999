package nack

import "errors"

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrNotPowerOfTwo is returned for a buffer or window size that is not a power of two
	// within the allowed range.
	ErrNotPowerOfTwo = errors.New("nack: size must be a power of two in range")
	// ErrInvalidConfig is returned for a negative duration or count, or an inconsistent
	// combination, in a configuration.
	ErrInvalidConfig = errors.New("nack: invalid configuration")
	// ErrPayloadTypeTaken is returned when an RTX payload type (media payload type + 1)
	// is already used by another codec.
	ErrPayloadTypeTaken = errors.New("nack: RTX payload type already taken")
	// ErrPayloadTypeInvalid is returned when media payload type + 1 is not a usable
	// dynamic payload type: above 127, or in 64..95, which RFC 5761 §4 reserves so RTP
	// and RTCP can share a port.
	ErrPayloadTypeInvalid = errors.New("nack: RTX payload type out of range")
)
