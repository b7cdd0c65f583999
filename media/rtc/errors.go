package rtc

import "errors"

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrServerClosed is returned for joins after Server.Close began.
	ErrServerClosed = errors.New("rtc: server closed")
	// ErrParticipantGone is returned when an operation targets a participant that left.
	ErrParticipantGone = errors.New("rtc: participant gone")
)
