package signal

import (
	"errors"
	"fmt"
)

// Code is a protocol error code carried in an error frame (docs/rtc-protocol.md §7).
type Code string

// Protocol error codes.
const (
	CodeBadMessage     Code = "bad_message"     // not JSON, wrong shape, unknown field, wrong JSON type
	CodeBadVersion     Code = "bad_version"     // "v" missing or not 1
	CodeUnknownType    Code = "unknown_type"    // "type" missing or not a known type
	CodeUnexpectedType Code = "unexpected_type" // a server-to-client type sent by the client
	CodeInvalidField   Code = "invalid_field"   // missing required field, bad enum, size or range
	CodeTooLarge       Code = "too_large"       // frame above the limit; the connection closes
	CodeRateLimited    Code = "rate_limited"    // message dropped by the rate limiter
	CodeUnauthorized   Code = "unauthorized"    // join token or resume token rejected; closes
	CodeForbidden      Code = "forbidden"       // joined not allowed (locked, ended, removed); closes
	CodeNotJoined      Code = "not_joined"      // a message other than join/ping before join
	CodeAlreadyJoined  Code = "already_joined"  // a second join on the same connection
	CodeInternal       Code = "internal"        // the server failed; the message may be retried
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
		return fmt.Sprintf("signal: %s: %s (ref %s)", e.Code, e.Message, e.RefID)
	}
	return fmt.Sprintf("signal: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidField, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// Sentinel errors returned by Conn and matched with errors.Is.
var (
	// ErrUnauthorized is returned by Handler.HandleJoin when the token is rejected;
	// the connection is closed with CloseUnauthorized.
	ErrUnauthorized = errors.New("signal: unauthorized")
	// ErrForbidden is returned by Handler.HandleJoin when the participant may not
	// join (meeting locked or ended, participant removed); closed with CloseForbidden.
	ErrForbidden = errors.New("signal: forbidden")
	// ErrClosed is returned by Send after the connection started closing.
	ErrClosed = errors.New("signal: connection closed")
	// ErrSlowConsumer is the close reason when the outbound queue overflowed.
	ErrSlowConsumer = errors.New("signal: outbound queue full (slow consumer)")
	// ErrTooLarge is the close reason for a frame above Config.MaxFrameBytes.
	ErrTooLarge = errors.New("signal: frame too large")
	// ErrFlood is the close reason when the client kept sending while rate-limited.
	ErrFlood = errors.New("signal: rate limit exceeded (flood)")
	// ErrIdle is the close reason when the client was silent for Config.IdleTimeout.
	ErrIdle = errors.New("signal: keepalive timeout")
	// ErrJoinTimeout is the close reason when no join arrived within Config.JoinTimeout.
	ErrJoinTimeout = errors.New("signal: no join in time")
	// ErrLeft is the close reason after the client sent leave.
	ErrLeft = errors.New("signal: participant left")
	// ErrPeerClosed is the close reason when the client closed or the socket failed.
	ErrPeerClosed = errors.New("signal: peer closed")
)

// codeOf maps an error from a Handler to the protocol code sent to the client.
func codeOf(err error) Code {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		return pe.Code
	case errors.Is(err, ErrUnauthorized):
		return CodeUnauthorized
	case errors.Is(err, ErrForbidden):
		return CodeForbidden
	default:
		return CodeInternal
	}
}
