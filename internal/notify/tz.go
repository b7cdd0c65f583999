package notify

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// A VTIMEZONE (RFC 5545 section 3.6.5) is generated from Go's time zone database, because
// Outlook and Apple Calendar need one for every TZID and do not know IANA names by
// themselves. The zone's transitions are read with time.ZoneBounds over a window from the
// year before the first occurrence to the year after the last one. When they follow two
// yearly "n-th weekday of a month" rules (as in every zone with daylight saving today) the
// VTIMEZONE has one STANDARD and one DAYLIGHT observance with RRULE, which stays right for
// open-ended series; otherwise every transition in the window is listed as its own
// observance. A zone without transitions has a single STANDARD observance.

// zoneTransition is one change of a zone's offset.
type zoneTransition struct {
	at       time.Time // the instant, UTC
	fromOff  int       // seconds east of UTC before
	toOff    int       // after
	name     string    // abbreviation after
	dst      bool      // daylight saving after
	localDay time.Time // wall clock before the change, as a UTC-located time
}

// zoneTransitions lists loc's transitions in [from, to).
func zoneTransitions(loc *time.Location, from, to time.Time) []zoneTransition {
	var out []zoneTransition
	t := from.In(loc)
	for range 1000 {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		before := end.Add(-time.Second).In(loc)
		after := end.In(loc)
		_, fromOff := before.Zone()
		name, toOff := after.Zone()
		out = append(out, zoneTransition{
			at: end.UTC(), fromOff: fromOff, toOff: toOff, name: name, dst: after.IsDST(),
			localDay: end.UTC().Add(time.Duration(fromOff) * time.Second),
		})
		t = after
	}
	return out
}

// vtimezone builds the VTIMEZONE of loc for events between first and last.
func vtimezone(loc *time.Location, first, last time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	winStart := time.Date(first.In(loc).Year()-1, time.January, 1, 0, 0, 0, 0, loc)
	winEnd := time.Date(last.In(loc).Year()+2, time.January, 1, 0, 0, 0, 0, loc)
	trs := zoneTransitions(loc, winStart, winEnd)
	if len(trs) == 0 {
		name, off := winStart.Zone()
		addObservance(tz, false, "19700101T000000", off, off, name, "")
		return tz
	}
	if rules := yearlyRules(trs, winStart.Year(), winEnd.Year()-1); rules != nil {
		for _, r := range rules {
			addObservance(tz, r.tr.dst, r.tr.localDay.Format(icsLocal), r.tr.fromOff, r.tr.toOff, r.tr.name, r.rrule)
		}
		return tz
	}
	// Irregular zone: the offset in force at the window's start, then every transition.
	name, off := winStart.Zone()
	addObservance(tz, winStart.IsDST(), "19700101T000000", off, off, name, "")
	for _, tr := range trs {
		addObservance(tz, tr.dst, tr.localDay.Format(icsLocal), tr.fromOff, tr.toOff, tr.name, "")
	}
	return tz
}

type observanceRule struct {
	tr    zoneTransition // the first transition of the rule
	rrule string
}

// yearlyRules returns one STANDARD and one DAYLIGHT rule covering every transition of the
// years firstYear to lastYear, or nil when the transitions do not follow two such rules.
func yearlyRules(trs []zoneTransition, firstYear, lastYear int) []observanceRule {
	type key struct {
		dst            bool
		fromOff, toOff int
		name           string
		month          time.Month
		weekday        time.Weekday
		hour, min, sec int
	}
	type group struct {
		first   zoneTransition
		years   []int
		ords    map[int]bool // 1..5
		allLast bool
	}
	groups := map[key]*group{}
	var order []key
	for _, tr := range trs {
		l := tr.localDay
		k := key{tr.dst, tr.fromOff, tr.toOff, tr.name, l.Month(), l.Weekday(), l.Hour(), l.Minute(), l.Second()}
		g := groups[k]
		if g == nil {
			g = &group{first: tr, ords: map[int]bool{}, allLast: true}
			groups[k] = g
			order = append(order, k)
		}
		g.years = append(g.years, l.Year())
		g.ords[(l.Day()-1)/7+1] = true
		daysInMonth := time.Date(l.Year(), l.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if l.Day()+7 <= daysInMonth {
			g.allLast = false
		}
	}
	if len(order) != 2 || order[0].dst == order[1].dst {
		return nil
	}
	var out []observanceRule
	for _, k := range order {
		g := groups[k]
		// One transition of each rule in every year of the window, or the zone changed
		// its rules inside it.
		if len(g.years) != lastYear-firstYear+1 {
			return nil
		}
		for i, y := range g.years {
			if y != firstYear+i {
				return nil
			}
		}
		var byday string
		switch {
		case g.allLast:
			byday = "-1"
		case len(g.ords) == 1:
			for n := range g.ords {
				if n > 4 {
					return nil
				}
				byday = fmt.Sprint(n)
			}
		default:
			return nil
		}
		byday += icsWeekday[k.weekday]
		out = append(out, observanceRule{tr: g.first, rrule: fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s", int(k.month), byday)})
	}
	return out
}

var icsWeekday = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

const (
	icsLocal = "20060102T150405"
	icsUTC   = "20060102T150405Z"
)

func addObservance(tz *ics.VTimezone, dst bool, dtstart string, fromOff, toOff int, name, rrule string) {
	var cb *ics.ComponentBase
	if dst {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		cb = &d.ComponentBase
	} else {
		s := ics.NewStandard()
		tz.Components = append(tz.Components, s)
		cb = &s.ComponentBase
	}
	cb.SetProperty(ics.ComponentPropertyDtStart, dtstart)
	cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(fromOff))
	cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(toOff))
	if name != "" {
		cb.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	if rrule != "" {
		cb.SetProperty(ics.ComponentPropertyRrule, rrule)
	}
}

// utcOffset formats seconds east of UTC as +HHMM or +HHMMSS (RFC 5545 section 3.3.14).
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec%3600/60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
