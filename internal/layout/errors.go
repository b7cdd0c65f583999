package layout

import (
	"fmt"

	"github.com/jishitong/jishitong/internal/errs"
)

// ValidationError reports an invalid layout setting, naming the input field at fault
// ("mode", "pins", "panes", "set", "interval", "epoch"). It unwraps to an errs.KindInvalid
// error carrying the same field and message, so edges map it like every other invalid
// input.
type ValidationError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *ValidationError) Error() string { return "layout: " + e.Field + ": " + e.Message }

// Unwrap returns the equivalent domain error, so errors.Is(err, errs.ErrInvalid) holds and
// errs.As finds the field.
func (e *ValidationError) Unwrap() error { return errs.Invalid(e.Field, "%s", e.Message) }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// short cuts caller input to a length that is safe to echo in a message.
func short(s string) string {
	const max = 24
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
