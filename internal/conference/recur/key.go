package recur

import "time"

// Key identifies an occurrence by its original start (its iCalendar RECURRENCE-ID), to
// the second. Keys compare with ==, whatever the location or monotonic reading of the
// time they were made from, so they are safe as map keys.
type Key struct {
	unix int64
}

// KeyOf returns the key of the occurrence that originally starts at t (truncated to the
// second, the resolution of iCalendar).
func KeyOf(t time.Time) Key { return Key{unix: t.Unix()} }

// Time returns the original start in UTC.
func (k Key) Time() time.Time { return time.Unix(k.unix, 0).UTC() }

// String returns the original start in RFC 3339, UTC.
func (k Key) String() string { return k.Time().Format(time.RFC3339) }

// Compare returns -1, 0 or +1 as k is before, equal to or after o.
func (k Key) Compare(o Key) int {
	switch {
	case k.unix < o.unix:
		return -1
	case k.unix > o.unix:
		return 1
	}
	return 0
}
