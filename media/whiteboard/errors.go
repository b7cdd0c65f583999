package whiteboard

import (
	"errors"
	"fmt"
)

// Code is a protocol error code carried in an error frame (docs/whiteboard.md §7).
type Code string

// Protocol error codes.
const (
	CodeBadMessage     Code = "bad_message"     // not UTF-8 JSON, not an object, trailing data, unknown or duplicate field, wrong JSON type, a float where an integer belongs
	CodeBadVersion     Code = "bad_version"     // "v" missing or not 1
	CodeUnknownType    Code = "unknown_type"    // "type" missing or not a known type
	CodeUnexpectedType Code = "unexpected_type" // a server-to-client type sent by a client
	CodeInvalidField   Code = "invalid_field"   // required field missing, bad id, enum or range, duplicate element in one update
	CodeTooLarge       Code = "too_large"       // message above 64 KiB or element above 32 KiB
	CodeBoardFull      Code = "board_full"      // the update would take the board past its element or byte limit
	CodeRateLimited    Code = "rate_limited"    // first message dropped by the rate limiter in a run
	CodeForbidden      Code = "forbidden"       // clear sent by a participant who is not a moderator
	CodeInternal       Code = "internal"        // the server failed handling the message
)

// Error is a protocol error: a code for the client, a human-readable message and
// the id of the client message it answers, if known.
type Error struct {
	Code    Code
	Message string
	RefID   string
}

// Error implements error.
func (e *Error) Error() string {
	if e.RefID != "" {
		return fmt.Sprintf("whiteboard: %s: %s (ref %s)", e.Code, e.Message, e.RefID)
	}
	return fmt.Sprintf("whiteboard: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinel errors of the Hub, matched with errors.Is.
var (
	// ErrClosed is returned by Attach and Receive after Close.
	ErrClosed = errors.New("whiteboard: hub closed")
	// ErrNotAttached is returned by Receive for a participant that is not attached.
	ErrNotAttached = errors.New("whiteboard: participant not attached")
	// ErrInvalidParticipant is returned by Attach for an id that is not 1..64
	// bytes of [A-Za-z0-9._~:-] (the /rtc participant id alphabet).
	ErrInvalidParticipant = errors.New("whiteboard: invalid participant id")
	// ErrInvalidScene is wrapped by Load when the scene cannot be used.
	ErrInvalidScene = errors.New("whiteboard: invalid scene")
	// ErrSlowPeer is returned by the send function of ChannelSender when the
	// data channel's buffer did not drain in time. Like any send error, it
	// makes the Hub give up on the peer until it is attached again.
	ErrSlowPeer = errors.New("whiteboard: peer not draining its data channel")
)
