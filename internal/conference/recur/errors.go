package recur

import (
	"fmt"

	"github.com/jishitong/jishitong/internal/errs"
)

// ValidationError reports an invalid rule, series or RRULE text, naming the input field at
// fault (e.g. "weekdays", "until", "count", "interval", "monthDay", "start", "rrule").
// It unwraps to an errs.KindInvalid error carrying the same field and message, so edges
// map it like every other invalid input.
type ValidationError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Unwrap returns the equivalent domain error, so errors.Is(err, errs.ErrInvalid) holds and
// errs.As finds the field.
func (e *ValidationError) Unwrap() error { return errs.Invalid(e.Field, "%s", e.Message) }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Errors of SplitAt. They are errs.KindInvalid errors about the field "key".
var (
	// ErrNotOccurrence reports a key that is not the original start of an occurrence.
	ErrNotOccurrence = &errs.Error{Kind: errs.KindInvalid, Field: "key", Message: "no occurrence of the series starts at that time"}
	// ErrSplitAtFirst reports a split at the first occurrence: edit the whole series instead.
	ErrSplitAtFirst = &errs.Error{Kind: errs.KindInvalid, Field: "key", Message: "this is the first occurrence; change the whole series instead"}
	// ErrSplitInGap reports a split at an occurrence whose wall-clock time does not exist
	// (it falls in a DST gap), so a new series cannot start there with the same time of day.
	ErrSplitInGap = &errs.Error{Kind: errs.KindInvalid, Field: "key", Message: "this occurrence was shifted by a daylight-saving change; split at another occurrence"}
)
