package notify

import (
	"bytes"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

const prodID = "-//Jishitong//Jishitong Meetings//EN"

// BuildICS returns the iCalendar object (RFC 5545) of an invitation for the iTIP method
// of inv (RFC 5546): a VCALENDAR with METHOD, a VTIMEZONE for the meeting's zone, the
// meeting's VEVENT (UID, SEQUENCE, DTSTAMP, DTSTART/DTEND with TZID, RRULE, EXDATE,
// ORGANIZER, one ATTENDEE with RSVP per attendee, LOCATION and URL = the join link,
// DESCRIPTION with number, password and SIP address in lang) and one VEVENT with
// RECURRENCE-ID per moved occurrence. A cancellation has STATUS:CANCELLED and no
// overrides.
func BuildICS(cfg Config, inv Invitation, attendees []Person, lang string) ([]byte, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if err := inv.validate(); err != nil {
		return nil, err
	}
	people, err := normalizeAttendees(attendees)
	if err != nil {
		return nil, err
	}
	return buildICS(r, inv.normalize(), people, langOf(lang), time.Now()), nil
}

// buildICS assembles the calendar of a validated, normalised invitation.
func buildICS(r *resolved, inv Invitation, attendees []Person, lang string, now time.Time) []byte {
	loc := inv.zone()
	cal := ics.NewCalendarFor("Jishitong")
	cal.SetProductId(prodID)
	cal.SetCalscale("GREGORIAN")
	if inv.Method == MethodCancel {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodRequest)
	}

	// Cancelled overrides are exceptions of the series; moved ones are extra VEVENTs.
	exdates := append([]time.Time(nil), inv.ExDates...)
	var moved []Override
	for _, o := range inv.Overrides {
		if o.Cancelled {
			exdates = append(exdates, o.RecurrenceID)
		} else {
			moved = append(moved, o)
		}
	}
	sort.Slice(exdates, func(i, j int) bool { return exdates[i].Before(exdates[j]) })

	if loc != time.UTC {
		first, last := inv.Start, seriesEnd(inv)
		for _, o := range moved {
			if o.Start.Before(first) {
				first = o.Start
			}
			if o.Start.After(last) {
				last = o.Start
			}
		}
		cal.AddVTimezone(vtimezone(loc, first, last))
	}

	joinURL := joinURL(r, inv)
	desc := icsDescription(r, inv, lang, joinURL)
	title := inv.Title
	if title == "" {
		title = texts[lang].defaultTitle
	}
	organizer := inv.Organizer
	if organizer.Email == "" {
		organizer = Person{Name: r.from.Name, Email: r.from.Address}
	}

	fill := func(ev *ics.VEvent, start time.Time, d time.Duration) {
		ev.SetSequence(inv.Sequence)
		ev.SetDtStampTime(now)
		setTime(ev, ics.ComponentPropertyDtStart, start, loc)
		setTime(ev, ics.ComponentPropertyDtEnd, start.Add(d), loc)
		ev.SetSummary(title)
		ev.SetDescription(desc)
		ev.SetLocation(joinURL)
		ev.SetURL(joinURL)
		ev.SetOrganizer("mailto:"+organizer.Email, cnParams(organizer.Name)...)
		for _, a := range attendees {
			params := append(cnParams(a.Name),
				ics.CalendarUserTypeIndividual,
				ics.ParticipationRoleReqParticipant,
				ics.ParticipationStatusNeedsAction,
				rsvp(inv.Method == MethodRequest))
			ev.AddAttendee("mailto:"+a.Email, params...)
		}
		if inv.Method == MethodCancel {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
		ev.SetTimeTransparency(ics.TransparencyOpaque)
	}

	ev := cal.AddEvent(inv.UID)
	fill(ev, inv.Start, inv.Duration)
	if inv.RRULE != "" {
		ev.AddRrule(inv.RRULE)
		for _, x := range exdates {
			addTime(ev, ics.ComponentPropertyExdate, x, loc)
		}
	}
	if inv.Method == MethodRequest {
		for _, o := range moved {
			d := o.Duration
			if d == 0 {
				d = inv.Duration
			}
			oe := cal.AddEvent(inv.UID)
			setTime(oe, ics.ComponentPropertyRecurrenceId, o.RecurrenceID, loc)
			fill(oe, o.Start, d)
		}
	}
	var b bytes.Buffer
	// RFC 5545 section 3.1: lines end in CRLF (golang-ical defaults to LF) and are folded
	// at 75 octets.
	_ = cal.SerializeTo(&b, ics.WithNewLine("\r\n"), ics.WithLineLength(75)) // a bytes.Buffer cannot fail
	return b.Bytes()
}

// timeValue formats t as a DATE-TIME: UTC with Z, or local time with a TZID parameter.
func timeValue(t time.Time, loc *time.Location) (string, []ics.PropertyParameter) {
	if loc == time.UTC {
		return t.UTC().Format(icsUTC), nil
	}
	return t.In(loc).Format(icsLocal), []ics.PropertyParameter{ics.WithTZID(loc.String())}
}

func setTime(ev *ics.VEvent, p ics.ComponentProperty, t time.Time, loc *time.Location) {
	v, params := timeValue(t, loc)
	ev.SetProperty(p, v, params...)
}

func addTime(ev *ics.VEvent, p ics.ComponentProperty, t time.Time, loc *time.Location) {
	v, params := timeValue(t, loc)
	ev.AddProperty(p, v, params...)
}

// rsvp is the RSVP parameter in the upper case most clients write (golang-ical's WithRSVP
// writes "true").
func rsvp(b bool) ics.PropertyParameter {
	v := "FALSE"
	if b {
		v = "TRUE"
	}
	return &ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{v}}
}

// cnParams returns a CN parameter for a display name. golang-ical backslash-escapes
// , ; : ' " \ in parameter values, which RFC 5545 does not know (section 3.2: such values
// are quoted, and DQUOTE is not allowed at all), so those characters are replaced.
func cnParams(name string) []ics.PropertyParameter {
	name = strings.Map(func(r rune) rune {
		switch r {
		case ',', ';', ':', '\\', '"':
			return ' '
		case '\'':
			return '’'
		}
		return r
	}, name)
	name = cleanLine(name, maxNameRunes)
	if name == "" {
		return nil
	}
	return []ics.PropertyParameter{ics.WithCN(name)}
}

// seriesEnd estimates the start of the last occurrence, for the VTIMEZONE window: UNTIL,
// or COUNT × INTERVAL × FREQ, or ten years for an open-ended series (the VTIMEZONE then
// has yearly rules in every zone that has regular daylight saving).
func seriesEnd(inv Invitation) time.Time {
	if inv.RRULE == "" {
		return inv.Start
	}
	p := rruleParts(inv.RRULE)
	if u, err := time.Parse(icsUTC, p["UNTIL"]); err == nil {
		return u
	}
	if u, err := time.ParseInLocation("20060102", p["UNTIL"], inv.zone()); err == nil {
		return u
	}
	count, interval := atoiOr(p["COUNT"], 0), max(atoiOr(p["INTERVAL"], 1), 1)
	if count > 0 {
		n := count * interval
		switch p["FREQ"] {
		case "DAILY":
			return inv.Start.AddDate(0, 0, n)
		case "WEEKLY":
			return inv.Start.AddDate(0, 0, 7*n)
		case "MONTHLY":
			return inv.Start.AddDate(0, n, 0)
		case "YEARLY":
			return inv.Start.AddDate(min(n, 50), 0, 0)
		}
	}
	return inv.Start.AddDate(10, 0, 0)
}

func atoiOr(s string, def int) int {
	n := 0
	if s == "" || len(s) > 6 {
		return def
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return def
		}
		n = n*10 + int(c-'0')
	}
	return n
}
