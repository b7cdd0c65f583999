package recur

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxRRULELen bounds the text ParseRRULE reads; what RRULE writes is far shorter.
const maxRRULELen = 256

// dayCodes are the RFC 5545 weekday codes, indexed by time.Weekday.
var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// RRULE returns the value of the iCalendar RRULE property for a valid rule, e.g.
// "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;UNTIL=20270131T155959Z". Weekdays are written
// Monday first. UNTIL is the end (23:59:59) of the Until date in zone, written in UTC as
// RFC 5545 §3.3.10 requires when DTSTART carries a TZID; a nil zone means UTC. The
// invitation pairs it with DTSTART;TZID=<zone>:<wall-clock start>.
func (r Rule) RRULE(zone *time.Location) string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(r.Freq.String())
	b.WriteString(";INTERVAL=")
	b.WriteString(strconv.Itoa(r.interval()))
	switch r.Freq {
	case Weekly:
		if days := mondayFirst(r.Weekdays); len(days) > 0 {
			b.WriteString(";BYDAY=")
			for i, d := range days {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(dayCodes[d])
			}
		}
	case Monthly:
		if r.Ordinal != 0 && validWeekday(r.Weekday) {
			b.WriteString(";BYDAY=")
			b.WriteString(strconv.Itoa(r.Ordinal))
			b.WriteString(dayCodes[r.Weekday])
		} else if r.MonthDay != 0 {
			b.WriteString(";BYMONTHDAY=")
			b.WriteString(strconv.Itoa(r.MonthDay))
		}
	}
	switch {
	case r.Count > 0:
		b.WriteString(";COUNT=")
		b.WriteString(strconv.Itoa(r.Count))
	case !r.Until.IsZero():
		b.WriteString(";UNTIL=")
		b.WriteString(resolve(endOfDay(r.untilDate()), zone).Format("20060102T150405Z"))
	}
	return b.String()
}

// ParseRRULE parses an RRULE value (with or without the "RRULE:" prefix; names and values
// are case-insensitive) for a series in zone (nil means UTC). It reads everything RRULE
// writes, and equivalent forms other clients use: INTERVAL omitted, BYDAY=+2TU, weekdays
// in any order, BYDAY=TU;BYSETPOS=2 for a monthly rule, WKST when it does not change the
// set, and UNTIL as a date, or as the end (23:59:59) of a local day in UTC or floating
// form. It refuses what a Rule cannot express (YEARLY, BYMONTH, several monthly days, a
// mid-day UNTIL, ...) and rules Validate would refuse whatever the start (no end, COUNT
// with UNTIL, out-of-range values). Errors are *ValidationError.
func ParseRRULE(s string, zone *time.Location) (Rule, error) {
	r, err := parseRRULE(s, zone)
	if err != nil {
		return Rule{}, err
	}
	return r, nil
}

func parseRRULE(s string, zone *time.Location) (Rule, error) {
	var r Rule
	if len(s) > maxRRULELen {
		return r, invalid("rrule", "the recurrence rule is longer than %d characters", maxRRULELen)
	}
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "RRULE:")
	parts := make(map[string]string)
	for part := range strings.SplitSeq(s, ";") {
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok || name == "" || value == "" {
			return r, invalid("rrule", "%q is not of the form NAME=VALUE", part)
		}
		if _, dup := parts[name]; dup {
			return r, invalid("rrule", "%s appears twice", name)
		}
		parts[name] = value
	}
	take := func(name string) (string, bool) {
		v, ok := parts[name]
		delete(parts, name)
		return v, ok
	}

	switch v, _ := take("FREQ"); v {
	case "DAILY":
		r.Freq = Daily
	case "WEEKLY":
		r.Freq = Weekly
	case "MONTHLY":
		r.Freq = Monthly
	case "":
		return r, invalid("freq", "FREQ is required")
	case "YEARLY", "HOURLY", "MINUTELY", "SECONDLY":
		return r, invalid("freq", "%s repetition is not supported: use daily, weekly or monthly", v)
	default:
		return r, invalid("freq", "%q is not a frequency", v)
	}
	r.Interval = 1
	if v, ok := take("INTERVAL"); ok {
		n, ok := positive(v)
		if !ok {
			return r, invalid("interval", "INTERVAL must be a positive number, not %q", v)
		}
		r.Interval = n
	}
	if v, ok := take("COUNT"); ok {
		n, ok := positive(v)
		if !ok {
			return r, invalid("count", "COUNT must be a positive number, not %q", v)
		}
		r.Count = n
	}
	if v, ok := take("UNTIL"); ok {
		u, err := parseUntil(v, zone)
		if err != nil {
			return r, err
		}
		r.Until = u
	}
	if v, ok := take("BYMONTHDAY"); ok {
		if r.Freq != Monthly {
			return r, invalid("monthDay", "BYMONTHDAY is supported only on a monthly rule")
		}
		n, ok := signed(v)
		if !ok {
			return r, invalid("monthDay", "BYMONTHDAY must be a single day of the month, not %q", v)
		}
		r.MonthDay = n
	}
	setpos, hasSetpos := take("BYSETPOS")
	if v, ok := take("BYDAY"); ok {
		if err := r.parseByday(v, setpos, hasSetpos); err != nil {
			return r, err
		}
		hasSetpos = false
	}
	if hasSetpos {
		return r, invalid("rrule", "BYSETPOS is supported only with a single BYDAY weekday on a monthly rule")
	}
	if v, ok := take("WKST"); ok {
		d, ok := weekdayCode(v)
		if !ok {
			return r, invalid("rrule", "WKST=%s is not a weekday", v)
		}
		if !r.sameWeeks(d) {
			return r, invalid("rrule", "WKST=%s changes which days share a week; only weeks starting on Monday are supported", v)
		}
	}
	if len(parts) > 0 {
		names := slices.Sorted(maps.Keys(parts))
		return r, invalid("rrule", "%s is not supported", names[0])
	}
	return r, r.check()
}

// parseByday reads BYDAY (with BYSETPOS for a monthly rule) into r.
func (r *Rule) parseByday(v, setpos string, hasSetpos bool) error {
	switch r.Freq {
	case Weekly:
		if hasSetpos {
			return invalid("rrule", "BYSETPOS is supported only with a single BYDAY weekday on a monthly rule")
		}
		for code := range strings.SplitSeq(v, ",") {
			d, ok := weekdayCode(code)
			if !ok {
				return invalid("weekdays", "%q is not a weekday (MO, TU, WE, TH, FR, SA, SU)", code)
			}
			r.Weekdays = append(r.Weekdays, d)
		}
		r.Weekdays = mondayFirst(r.Weekdays)
		return nil
	case Monthly:
		if strings.Contains(v, ",") {
			return invalid("weekday", "only one weekday of the month is supported, not %s", v)
		}
		if len(v) < 2 {
			return invalid("weekday", "%q is not a weekday", v)
		}
		d, ok := weekdayCode(v[len(v)-2:])
		if !ok {
			return invalid("weekday", "%q is not a weekday", v)
		}
		ord := v[:len(v)-2]
		if hasSetpos {
			if ord != "" {
				return invalid("rrule", "BYSETPOS is supported only with a single BYDAY weekday on a monthly rule")
			}
			ord = setpos
		}
		if ord == "" {
			return invalid("weekday", "BYDAY=%s means every %s of the month, which is not supported: add an ordinal such as 2%s", v, d, v)
		}
		n, ok := signed(ord)
		if !ok || n == 0 {
			return invalid("ordinal", "%q is not an ordinal", ord)
		}
		r.Ordinal, r.Weekday = n, d
		return nil
	}
	return invalid("weekdays", "BYDAY is supported only on a weekly or monthly rule")
}

// sameWeeks reports whether weeks starting on wkst give r the same occurrences as weeks
// starting on Monday. WKST matters only for a weekly rule with an interval above 1 and
// several weekdays, and then only if some chosen days fall on either side of wkst.
func (r Rule) sameWeeks(wkst time.Weekday) bool {
	if r.Freq != Weekly || r.interval() == 1 || len(r.Weekdays) < 2 || wkst == time.Monday {
		return true
	}
	before, after := false, false
	for _, d := range r.Weekdays {
		if mondayIndex(d) < mondayIndex(wkst) {
			before = true
		} else {
			after = true
		}
	}
	return !(before && after)
}

// parseUntil reads an UNTIL value that names the end of a local date in zone.
func parseUntil(v string, zone *time.Location) (time.Time, error) {
	zone = zoneOrUTC(zone)
	var t time.Time
	var err error
	switch len(v) {
	case len("20060102"):
		if d, err := time.Parse("20060102", v); err == nil {
			return d, nil // midnight UTC
		}
		err = strconv.ErrSyntax
	case len("20060102T150405"):
		t, err = time.Parse("20060102T150405", v)
	case len("20060102T150405Z"):
		t, err = time.Parse("20060102T150405Z", v)
		t = t.In(zone)
	}
	if err != nil || t.IsZero() {
		return time.Time{}, invalid("until", "UNTIL=%s is not a date or date-time", v)
	}
	if h, m, s := t.Clock(); h != 23 || m != 59 || s != 59 {
		return time.Time{}, invalid("until", "UNTIL=%s is %s in %s; only a date, or the end (23:59:59) of a local day, is supported",
			v, t.Format("2006-01-02 15:04:05"), zone)
	}
	return dateOf(t), nil
}

// positive parses a number of at most 6 digits, at least 1 (RFC 5545 1*DIGIT).
func positive(v string) (int, bool) {
	if len(v) == 0 || len(v) > 6 || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

// signed parses an optionally signed number of at most 6 digits.
func signed(v string) (int, bool) {
	sign := 1
	switch {
	case strings.HasPrefix(v, "-"):
		sign, v = -1, v[1:]
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	}
	if v == "0" {
		return 0, true
	}
	n, ok := positive(v)
	return sign * n, ok
}

func weekdayCode(code string) (time.Weekday, bool) {
	i := slices.Index(dayCodes[:], code)
	return time.Weekday(i), i >= 0
}

func validWeekday(d time.Weekday) bool { return d >= time.Sunday && d <= time.Saturday }

// mondayIndex numbers weekdays from Monday (0) to Sunday (6), the RFC 5545 default WKST.
func mondayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// mondayFirst returns the valid weekdays of days sorted Monday first, as a new slice.
func mondayFirst(days []time.Weekday) []time.Weekday {
	var out []time.Weekday
	for _, d := range days {
		if validWeekday(d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Weekday) int { return mondayIndex(a) - mondayIndex(b) })
	return out
}
