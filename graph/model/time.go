package model

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jishitong/jishitong/internal/errs"
)

// The range of times the API takes and gives: wide enough for any meeting, history
// or calendar query, narrow enough that every time is a four-digit-year RFC 3339
// string (a start of 9999-12-31 in +08:00 would print as year 10000).
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MarshalTime writes the Time scalar as RFC 3339 with the time's own offset, or
// null for the zero time.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads the Time scalar: an RFC 3339 string with an offset, from
// MinTime up to MaxTime. Anything else is invalid input; the error presenter names
// the argument or input field from the error's path.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errs.Invalid("", "a time must be an RFC 3339 string such as 2027-03-01T09:00:00+08:00")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errs.Invalid("", "%q is not an RFC 3339 time such as 2027-03-01T09:00:00+08:00", truncate(s, 40))
	}
	if t.Before(MinTime) || !t.Before(MaxTime) {
		return time.Time{}, errs.Invalid("", "a time must lie between %d and %d", MinTime.Year(), MaxTime.Year()-1)
	}
	return t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
