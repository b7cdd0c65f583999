package recur

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/teambition/rrule-go"
)

// Limits of a series. A booking form shows them; Validate refuses anything beyond.
const (
	// MaxOccurrences is the most meetings a series may have.
	MaxOccurrences = 500
	// MaxSpanYears bounds the validity: the last meeting starts no later than the same
	// calendar date MaxSpanYears after the first.
	MaxSpanYears = 2
	// MaxInterval is the largest Rule.Interval.
	MaxInterval = 99
)

// Rule is the recurrence rule a booking form can express: a subset of RFC 5545 RRULE
// (https://www.rfc-editor.org/rfc/rfc5545#section-3.3.10) with weeks starting on Monday
// (WKST=MO), which is what a booking form means by "every 2 weeks on Sunday and Monday".
//
// The zero value is not a valid rule; see Validate. Occurrences are at the wall-clock
// time of the series start, in the series zone.
type Rule struct {
	Freq Frequency
	// Interval repeats every Interval days, weeks or months: 1 to MaxInterval; 0 means 1.
	Interval int
	// Weekdays are the days of a Weekly rule, in any order; empty means the start's weekday.
	Weekdays []time.Weekday
	// A Monthly rule has either MonthDay (1 to 31, or -1 for the last day of the month;
	// months without that day are skipped) or Ordinal (1 to 4, or -1 for the last) with
	// Weekday, e.g. Ordinal 2, Weekday Tuesday for the second Tuesday of every month.
	MonthDay int
	Ordinal  int
	Weekday  time.Weekday
	// The series ends with exactly one of Until and Count. Until is the last local date in
	// the series zone, inclusive: every occurrence starting on that date belongs to the
	// series. It is a date: only its Date() in its own location is used and its time of day
	// must be midnight; store it as midnight UTC of the date (ParseRRULE returns that).
	Until time.Time
	// Count is the number of occurrences (1 to MaxOccurrences) before exceptions: a
	// cancelled occurrence still counts, as with RFC 5545 COUNT and EXDATE.
	Count int
}

// Validate reports whether r is a valid rule for a series whose first occurrence starts
// at start; start's wall-clock reading in its own location is used, so pass it in the
// series zone. Beyond the field ranges it checks that the series ends, that start is
// itself an occurrence of r (RFC 5545 leaves the set undefined otherwise, and clients
// disagree), and the MaxOccurrences and MaxSpanYears limits. Errors are *ValidationError.
func (r Rule) Validate(start time.Time) error {
	if err := r.check(); err != nil {
		return err
	}
	if start.IsZero() {
		return invalid("start", "a start is required")
	}
	w := wallOf(start)
	first := dateOf(w)
	limit := first.AddDate(MaxSpanYears, 0, 0)
	if !r.Until.IsZero() {
		switch u := r.untilDate(); {
		case u.Before(first):
			return invalid("until", "the series would end (%s) before it starts (%s)", u.Format(time.DateOnly), first.Format(time.DateOnly))
		case u.After(limit):
			return invalid("until", "a series may last at most %d years: end it on %s or earlier", MaxSpanYears, limit.Format(time.DateOnly))
		}
	}
	n := 0
	for t := range r.walls(w) {
		if n == 0 && !t.Equal(w) {
			break
		}
		n++
	}
	switch {
	case n == 0:
		return r.unsynchronized(w)
	case n > MaxOccurrences:
		return invalid("until", "the series would have more than %d meetings: choose an earlier end date", MaxOccurrences)
	case r.Count > n:
		return invalid("count", "%d meetings would last more than %d years (the last may start on %s): choose fewer", r.Count, MaxSpanYears, limit.Format(time.DateOnly))
	}
	return nil
}

// check validates what does not depend on the start.
func (r Rule) check() error {
	switch r.Freq {
	case Daily, Weekly, Monthly:
	default:
		return invalid("freq", "choose a daily, weekly or monthly repetition")
	}
	if r.Interval < 0 || r.Interval > MaxInterval {
		return invalid("interval", "the interval must be between 1 and %d", MaxInterval)
	}
	if len(r.Weekdays) > 0 && r.Freq != Weekly {
		return invalid("weekdays", "weekdays apply only to a weekly repetition")
	}
	var seen [7]bool
	for _, d := range r.Weekdays {
		if !validWeekday(d) {
			return invalid("weekdays", "%d is not a weekday", int(d))
		}
		if seen[d] {
			return invalid("weekdays", "%s is listed twice", d)
		}
		seen[d] = true
	}
	if r.Freq != Monthly {
		switch {
		case r.MonthDay != 0:
			return invalid("monthDay", "a day of the month applies only to a monthly repetition")
		case r.Ordinal != 0:
			return invalid("ordinal", "a weekday of the month applies only to a monthly repetition")
		case r.Weekday != time.Sunday:
			return invalid("weekday", "a weekday of the month applies only to a monthly repetition")
		}
	} else {
		switch {
		case r.MonthDay != 0 && r.Ordinal != 0:
			return invalid("monthDay", "choose either a day of the month or a weekday of the month, not both")
		case r.Ordinal != 0:
			if r.Ordinal < -1 || r.Ordinal > 4 {
				return invalid("ordinal", "the ordinal must be 1 to 4, or -1 for the last weekday of the month")
			}
			if !validWeekday(r.Weekday) {
				return invalid("weekday", "%d is not a weekday", int(r.Weekday))
			}
		case r.Weekday != time.Sunday:
			return invalid("weekday", "a weekday of the month needs an ordinal, e.g. the 2nd Tuesday")
		case r.MonthDay == 0:
			return invalid("monthDay", "choose a day of the month (1 to 31, or -1 for the last day) or a weekday of the month")
		case r.MonthDay < -1 || r.MonthDay > 31:
			return invalid("monthDay", "the day of the month must be 1 to 31, or -1 for the last day")
		}
	}
	switch {
	case r.Count != 0 && !r.Until.IsZero():
		return invalid("count", "set either an end date or a number of meetings, not both")
	case r.Count == 0 && r.Until.IsZero():
		return invalid("until", "a series must end: set an end date or a number of meetings")
	case r.Count < 0:
		return invalid("count", "the number of meetings must be at least 1")
	case r.Count > MaxOccurrences:
		return invalid("count", "a series may have at most %d meetings", MaxOccurrences)
	case !r.Until.IsZero() && !isMidnight(r.Until):
		return invalid("until", "the end is a date, without a time of day")
	}
	return nil
}

// unsynchronized explains why the start w (floating) is not an occurrence of r.
func (r Rule) unsynchronized(w time.Time) error {
	day := w.Format("Monday 2 January 2006")
	switch {
	case r.Freq == Weekly:
		return invalid("start", "the first meeting is on %s, which is not one of the chosen weekdays", day)
	case r.Freq == Monthly && r.Ordinal != 0:
		return invalid("start", "the first meeting is on %s, which is not the %s %s of the month", day, ordinalName(r.Ordinal), r.Weekday)
	case r.Freq == Monthly && r.MonthDay == -1:
		return invalid("start", "the first meeting is on %s, which is not the last day of the month", day)
	case r.Freq == Monthly:
		return invalid("start", "the first meeting is on %s, not on day %d of the month", day, r.MonthDay)
	}
	return invalid("start", "the first meeting on %s does not match the repetition", day)
}

func ordinalName(n int) string {
	switch n {
	case -1:
		return "last"
	case 1:
		return "1st"
	case 2:
		return "2nd"
	case 3:
		return "3rd"
	}
	return fmt.Sprintf("%dth", n)
}

func (r Rule) interval() int { return max(r.Interval, 1) }

// untilDate returns the Until date as midnight UTC.
func (r Rule) untilDate() time.Time { return dateOf(r.Until) }

// clone returns a copy of r that shares no slice with it.
func (r Rule) clone() Rule {
	r.Weekdays = slices.Clone(r.Weekdays)
	return r
}

// walls yields the floating wall-clock starts of r from the floating start w, in order,
// as expanded by rrule-go. It stops after MaxOccurrences+1 (so that callers can detect
// too many), at Until, and in any case at the end of the day MaxSpanYears after w, so
// that it is bounded even for a rule that has not been validated.
func (r Rule) walls(w time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		rr, err := rrule.NewRRule(r.options(w))
		if err != nil {
			return
		}
		next := rr.Iterator()
		for range MaxOccurrences + 1 {
			t, ok := next()
			if !ok || !yield(t) {
				return
			}
		}
	}
}

// rruleWeekdays maps time.Weekday to rrule-go's weekdays.
var rruleWeekdays = [7]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// options returns rrule-go's options for expanding r from the floating start w.
func (r Rule) options(w time.Time) rrule.ROption {
	o := rrule.ROption{
		Dtstart:  w,
		Interval: r.interval(),
		Wkst:     rrule.MO,
		Count:    r.Count,
		Until:    endOfDay(dateOf(w).AddDate(MaxSpanYears, 0, 0)),
	}
	if !r.Until.IsZero() {
		if u := endOfDay(r.untilDate()); u.Before(o.Until) {
			o.Until = u
		}
	}
	switch r.Freq {
	case Daily:
		o.Freq = rrule.DAILY
	case Weekly:
		o.Freq = rrule.WEEKLY
		for _, d := range r.Weekdays {
			if validWeekday(d) {
				o.Byweekday = append(o.Byweekday, rruleWeekdays[d])
			}
		}
	case Monthly:
		o.Freq = rrule.MONTHLY
		if r.Ordinal != 0 && validWeekday(r.Weekday) {
			o.Byweekday = []rrule.Weekday{rruleWeekdays[r.Weekday].Nth(r.Ordinal)}
		} else if r.MonthDay != 0 {
			o.Bymonthday = []int{r.MonthDay}
		}
	}
	return o
}

// dateOf returns the date of t in its own location, as midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// endOfDay returns the last second of the floating date d.
func endOfDay(d time.Time) time.Time { return d.Add(24*time.Hour - time.Second) }

func isMidnight(t time.Time) bool {
	h, m, s := t.Clock()
	return h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0
}
