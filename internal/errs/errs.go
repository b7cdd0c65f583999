// Package errs defines the kinds of failure the domain reports, so that every edge
// (GraphQL, HTTP, SIP) can map them to its own codes without knowing the domain.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error. Edges map kinds to their codes.
type Kind int

// Kinds of domain errors.
const (
	KindUnknown Kind = iota
	KindNotFound
	KindForbidden
	KindUnauthenticated
	KindInvalid
	KindConflict
	KindRateLimited
	KindTooLarge
)

// String returns the GraphQL extensions code for the kind.
func (k Kind) String() string {
	switch k {
	case KindNotFound:
		return "NOT_FOUND"
	case KindForbidden:
		return "FORBIDDEN"
	case KindUnauthenticated:
		return "UNAUTHENTICATED"
	case KindInvalid, KindTooLarge:
		return "BAD_USER_INPUT"
	case KindConflict:
		return "CONFLICT"
	case KindRateLimited:
		return "RATE_LIMITED"
	default:
		return "INTERNAL"
	}
}

// Sentinel errors, one per kind, for errors.Is.
var (
	ErrNotFound        = &Error{Kind: KindNotFound, Message: "not found"}
	ErrForbidden       = &Error{Kind: KindForbidden, Message: "forbidden"}
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated, Message: "authentication required"}
	ErrInvalid         = &Error{Kind: KindInvalid, Message: "invalid input"}
	ErrConflict        = &Error{Kind: KindConflict, Message: "conflict"}
	ErrRateLimited     = &Error{Kind: KindRateLimited, Message: "too many attempts, try again later"}
	ErrTooLarge        = &Error{Kind: KindTooLarge, Message: "too large"}
)

// Error is a domain error with a kind, a message safe to show to the caller, and
// optionally the input field it concerns.
type Error struct {
	Kind    Kind
	Message string
	// Field names the input field at fault, when there is one.
	Field string
	// Details carries extra machine-readable facts (e.g. retryAfterSeconds).
	Details map[string]any
	cause   error
}

// Error implements error.
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Is makes errors.Is(err, ErrNotFound) true for any *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Message == "" || t == sentinel(t.Kind))
}

func sentinel(k Kind) *Error {
	switch k {
	case KindNotFound:
		return ErrNotFound
	case KindForbidden:
		return ErrForbidden
	case KindUnauthenticated:
		return ErrUnauthenticated
	case KindInvalid:
		return ErrInvalid
	case KindConflict:
		return ErrConflict
	case KindRateLimited:
		return ErrRateLimited
	case KindTooLarge:
		return ErrTooLarge
	}
	return nil
}

// New returns an error of kind k with a caller-safe message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error about field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a KindNotFound error naming what was not found.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Message: what + " not found"}
}

// Conflict returns a KindConflict error.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k with message msg that unwraps to cause. The cause is
// for logs; only Message is shown to callers.
func Wrap(k Kind, cause error, msg string) *Error {
	return &Error{Kind: k, Message: msg, cause: cause}
}

// KindOf returns the kind of err, or KindUnknown when it is not a domain error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnknown
}

// As returns err as *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
