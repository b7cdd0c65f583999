package notify

import (
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/jishitong/jishitong/internal/errs"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekly is a weekly series on Mondays in Berlin with one skipped and one moved occurrence.
func weekly(t *testing.T) Invitation {
	berlin := mustZone(t, "Europe/Berlin")
	return Invitation{
		UID: "m-42@meet.example.cn", Method: MethodRequest,
		Title: "产品周会", Description: "议程：\n1. 进度\n2. 风险",
		Start: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin), Duration: 45 * time.Minute, Zone: berlin,
		RRULE:         "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260629T215959Z",
		ExDates:       []time.Time{time.Date(2026, 3, 16, 10, 0, 0, 0, berlin)},
		Overrides:     []Override{{RecurrenceID: time.Date(2026, 3, 23, 10, 0, 0, 0, berlin), Start: time.Date(2026, 3, 24, 14, 0, 0, 0, berlin)}},
		Organizer:     Person{Name: "李四", Email: "lisi@corp.example.cn"},
		MeetingNumber: "123456789", Password: "4321", JoinPath: "/join/123456789",
	}
}

func parseICS(t *testing.T, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	return cal
}

func calProp(cal *ics.Calendar, p ics.Property) string {
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	return ""
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestBuildICSRequest(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn", SIPDomain: "sip.example.cn"}
	inv := weekly(t)
	people := []Person{{Name: "张三", Email: "zhangsan@corp.example.cn"}, {Name: "Bob", Email: "bob@example.com", Lang: "en"}}
	b, err := BuildICS(cfg, inv, people, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i, len(line), line)
		}
	}
	cal := parseICS(t, b)
	if m := calProp(cal, ics.PropertyMethod); m != "REQUEST" {
		t.Fatalf("METHOD %q", m)
	}
	if p := calProp(cal, ics.PropertyProductId); p != prodID {
		t.Fatalf("PRODID %q", p)
	}
	tzs := cal.Timezones()
	if len(tzs) != 1 || prop2(&tzs[0].ComponentBase, ics.ComponentPropertyTzid) != "Europe/Berlin" || len(tzs[0].Components) != 2 {
		t.Fatalf("VTIMEZONE: %+v", tzs)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d VEVENTs, want the series and one moved occurrence", len(evs))
	}
	ev := evs[0]
	checks := map[ics.ComponentProperty]string{
		ics.ComponentPropertyUniqueId:  inv.UID,
		ics.ComponentPropertySequence:  "0",
		ics.ComponentPropertyRrule:     inv.RRULE,
		ics.ComponentPropertySummary:   "产品周会",
		ics.ComponentPropertyLocation:  "https://meet.example.cn/join/123456789",
		ics.ComponentPropertyUrl:       "https://meet.example.cn/join/123456789",
		ics.ComponentPropertyStatus:    "CONFIRMED",
		ics.ComponentPropertyDtStart:   "20260302T100000",
		ics.ComponentPropertyDtEnd:     "20260302T104500",
		ics.ComponentPropertyOrganizer: "mailto:lisi@corp.example.cn",
	}
	for p, want := range checks {
		if got := prop(ev, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if tz := ev.GetProperty(ics.ComponentPropertyDtStart).ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "Europe/Berlin" {
		t.Errorf("DTSTART TZID %v", tz)
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(inv.Start) {
		t.Errorf("DTSTART parses to %v (%v), want %v", start, err, inv.Start)
	}
	ex := ev.GetProperties(ics.ComponentPropertyExdate)
	if len(ex) != 1 || ex[0].Value != "20260316T100000" || ex[0].ICalParameters["TZID"][0] != "Europe/Berlin" {
		t.Errorf("EXDATE %+v", ex)
	}
	desc := prop(ev, ics.ComponentPropertyDescription)
	for _, want := range []string{"议程：\n1. 进度", "https://meet.example.cn/join/123456789", "会议号：123456789", "会议密码：4321", "sip:123456789@sip.example.cn", "sip:123456789*4321@sip.example.cn"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc, want)
		}
	}
	atts := ev.Attendees()
	if len(atts) != 2 || atts[0].Email() != "zhangsan@corp.example.cn" || atts[1].Email() != "bob@example.com" {
		t.Fatalf("attendees %+v", atts)
	}
	if atts[0].ICalParameters["RSVP"][0] != "TRUE" || atts[0].ICalParameters["CN"][0] != "张三" || atts[0].ParticipationStatus() != ics.ParticipationStatusNeedsAction {
		t.Errorf("attendee parameters %v", atts[0].ICalParameters)
	}

	moved := evs[1]
	if prop(moved, ics.ComponentPropertyUniqueId) != inv.UID || prop(moved, ics.ComponentPropertyRecurrenceId) != "20260323T100000" ||
		prop(moved, ics.ComponentPropertyDtStart) != "20260324T140000" || prop(moved, ics.ComponentPropertyDtEnd) != "20260324T144500" ||
		moved.HasProperty(ics.ComponentPropertyRrule) {
		t.Errorf("override: %s", moved.Serialize(&ics.SerializationConfiguration{MaxLength: 75, NewLine: "\n"}))
	}

	// An update keeps the UID and carries the new sequence; a cancelled occurrence becomes
	// an EXDATE.
	inv.Sequence = 3
	inv.Overrides = append(inv.Overrides, Override{RecurrenceID: time.Date(2026, 4, 6, 10, 0, 0, 0, inv.Zone), Cancelled: true})
	b, err = BuildICS(cfg, inv, people, "en")
	if err != nil {
		t.Fatal(err)
	}
	ev = parseICS(t, b).Events()[0]
	if prop(ev, ics.ComponentPropertyUniqueId) != inv.UID || prop(ev, ics.ComponentPropertySequence) != "3" {
		t.Errorf("update: UID %q SEQUENCE %q", prop(ev, ics.ComponentPropertyUniqueId), prop(ev, ics.ComponentPropertySequence))
	}
	if ex := ev.GetProperties(ics.ComponentPropertyExdate); len(ex) != 2 || ex[1].Value != "20260406T100000" {
		t.Errorf("EXDATE after cancelling an occurrence: %+v", ex)
	}
	if d := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(d, "Meeting number: 123456789") {
		t.Errorf("English DESCRIPTION %q", d)
	}
}

func prop2(cb *ics.ComponentBase, p ics.ComponentProperty) string {
	if v := cb.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestBuildICSCancelAndSingle(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn"}
	inv := weekly(t)
	inv.Method = MethodCancel
	inv.Sequence = 2
	b, err := BuildICS(cfg, inv, []Person{{Email: "a@corp.example.cn"}}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	cal := parseICS(t, b)
	evs := cal.Events()
	if calProp(cal, ics.PropertyMethod) != "CANCEL" || len(evs) != 1 ||
		prop(evs[0], ics.ComponentPropertyStatus) != "CANCELLED" || prop(evs[0], ics.ComponentPropertySequence) != "2" ||
		prop(evs[0], ics.ComponentPropertyUniqueId) != inv.UID {
		t.Fatalf("cancel:\n%s", b)
	}
	if v := evs[0].Attendees()[0].ICalParameters["RSVP"]; len(v) != 1 || v[0] != "FALSE" {
		t.Errorf("RSVP on a cancellation: %v", v)
	}

	// A single meeting without a zone is in UTC and has no VTIMEZONE; without an
	// organizer address the sender stands in.
	single := Invitation{UID: "s-1@meet.example.cn", Method: MethodRequest, Title: "Quick sync",
		Start: time.Date(2026, 5, 4, 1, 30, 0, 0, time.UTC), Duration: 30 * time.Minute, JoinPath: "/j/9"}
	b, err = BuildICS(cfg, single, []Person{{Email: "a@corp.example.cn"}}, "en")
	if err != nil {
		t.Fatal(err)
	}
	cal = parseICS(t, b)
	ev := cal.Events()[0]
	if len(cal.Timezones()) != 0 || prop(ev, ics.ComponentPropertyDtStart) != "20260504T013000Z" ||
		prop(ev, ics.ComponentPropertyDtEnd) != "20260504T020000Z" || ev.HasProperty(ics.ComponentPropertyRrule) ||
		prop(ev, ics.ComponentPropertyOrganizer) != "mailto:noreply@meet.example.cn" {
		t.Fatalf("single:\n%s", b)
	}
}

// TestICSInjection: user text cannot add properties or components.
func TestICSInjection(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn"}
	inv := weekly(t)
	inv.Title = "周会\r\nATTENDEE:mailto:evil@x.cn\r\nEND:VEVENT"
	inv.Description = "a;b,c\\d\r\nBEGIN:VALARM\nX"
	inv.Organizer.Name = `Eve"; ROLE=CHAIR:mailto:evil@x.cn`
	b, err := BuildICS(cfg, inv, []Person{{Name: "A\r\nATTENDEE:mailto:evil2@x.cn", Email: "a@corp.example.cn"}}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "\nATTENDEE:mailto:evil") || strings.Contains(string(b), "\nBEGIN:VALARM") {
		t.Fatalf("injected:\n%s", b)
	}
	ev := parseICS(t, b).Events()[0]
	if n := len(ev.Attendees()); n != 1 {
		t.Fatalf("%d attendees:\n%s", n, b)
	}
	if s := prop(ev, ics.ComponentPropertySummary); s != "周会 ATTENDEE:mailto:evil@x.cn END:VEVENT" {
		t.Errorf("SUMMARY %q", s)
	}
	if d := prop(ev, ics.ComponentPropertyDescription); !strings.HasPrefix(d, "a;b,c\\d\nBEGIN:VALARM\nX") {
		t.Errorf("DESCRIPTION %q", d)
	}
	if o := prop(ev, ics.ComponentPropertyOrganizer); o != "mailto:lisi@corp.example.cn" {
		t.Errorf("ORGANIZER %q", o)
	}
}

func TestInvitationValidation(t *testing.T) {
	cfg := Config{PublicURL: "https://meet.example.cn"}
	for name, mod := range map[string]func(*Invitation){
		"no method":        func(i *Invitation) { i.Method = MethodUnknown },
		"no uid":           func(i *Invitation) { i.UID = "" },
		"uid with newline": func(i *Invitation) { i.UID = "a\r\nb" },
		"no start":         func(i *Invitation) { i.Start = time.Time{} },
		"no duration":      func(i *Invitation) { i.Duration = 0 },
		"rrule injection":  func(i *Invitation) { i.RRULE = "FREQ=DAILY\r\nATTENDEE:mailto:x@y" },
		"rrule no freq":    func(i *Invitation) { i.RRULE = "BYDAY=MO" },
		"local until":      func(i *Invitation) { i.RRULE = "FREQ=DAILY;UNTIL=20260701T000000" },
		"exdates alone":    func(i *Invitation) { i.RRULE = "" },
		"join host":        func(i *Invitation) { i.JoinPath = "//evil.example/join" },
		"join url":         func(i *Invitation) { i.JoinPath = "https://evil.example/join" },
		"local zone":       func(i *Invitation) { i.Zone = time.Local },
		"organizer":        func(i *Invitation) { i.Organizer.Email = "x" },
		"number":           func(i *Invitation) { i.MeetingNumber = "1 2" },
	} {
		inv := weekly(t)
		mod(&inv)
		if _, err := BuildICS(cfg, inv, nil, ""); errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	inv := weekly(t)
	inv.RRULE = "RRULE:" + inv.RRULE
	if _, err := BuildICS(cfg, inv, nil, ""); err != nil {
		t.Errorf("RRULE: prefix: %v", err)
	}
	for _, bad := range []string{"x", "a b@c.cn", `"a"@b.cn`, "a@b@c.cn", "Name <a@b.cn>", "a@b.cn\r\nBcc: c@d.cn", "a@.cn"} {
		if _, err := BuildICS(cfg, weekly(t), []Person{{Email: bad}}, ""); errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("attendee %q: %v", bad, err)
		}
	}
}

// TestVTimezoneMatchesGo evaluates the generated VTIMEZONE observances (DTSTART and the
// yearly RRULE) the way a calendar client does and compares the UTC offset with Go's at
// every six hours of the series.
func TestVTimezoneMatchesGo(t *testing.T) {
	zones := []string{"Europe/Berlin", "Asia/Shanghai", "America/New_York", "Australia/Sydney", "Pacific/Auckland",
		"America/Sao_Paulo", "Africa/Casablanca", "Asia/Tehran", "Europe/London", "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"}
	for _, name := range zones {
		t.Run(name, func(t *testing.T) {
			loc := mustZone(t, name)
			for _, tc := range []struct {
				rrule string
				until time.Time // the range checked
			}{
				{"FREQ=WEEKLY;BYDAY=MO;UNTIL=20280101T000000Z", time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
				{"FREQ=DAILY", time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)}, // open-ended: ten years
			} {
				inv := Invitation{UID: "z@x", Method: MethodRequest, Start: time.Date(2026, 1, 5, 9, 0, 0, 0, loc),
					Duration: time.Hour, Zone: loc, RRULE: tc.rrule}
				b, err := BuildICS(Config{PublicURL: "https://x.cn"}, inv, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				tzs := parseICS(t, b).Timezones()
				if len(tzs) != 1 {
					t.Fatalf("%d VTIMEZONEs", len(tzs))
				}
				onsets := observanceOnsets(t, tzs[0], 2040)
				for at := inv.Start; at.Before(tc.until); at = at.Add(6 * time.Hour) {
					_, want := at.In(loc).Zone()
					got, ok := offsetAt(onsets, at)
					if !ok || got != want {
						t.Fatalf("%s: %v has offset %d by the VTIMEZONE, %d by Go\n%s", tc.rrule, at.UTC(), got, want, b)
					}
				}
			}
		})
	}
}

type onset struct {
	at  time.Time
	off int
}

// observanceOnsets expands the observances of a VTIMEZONE into the instants where each
// begins, up to the year last. It knows the RRULE forms vtimezone writes.
func observanceOnsets(t *testing.T, tz *ics.VTimezone, last int) []onset {
	t.Helper()
	var out []onset
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch o := c.(type) {
		case *ics.Standard:
			cb = &o.ComponentBase
		case *ics.Daylight:
			cb = &o.ComponentBase
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		from := parseOffset(t, prop2(cb, ics.ComponentProperty(ics.PropertyTzoffsetfrom)))
		to := parseOffset(t, prop2(cb, ics.ComponentProperty(ics.PropertyTzoffsetto)))
		local, err := time.Parse(icsLocal, prop2(cb, ics.ComponentPropertyDtStart))
		if err != nil {
			t.Fatal(err)
		}
		toUTC := func(l time.Time) time.Time { return l.Add(-time.Duration(from) * time.Second) }
		rr := prop2(cb, ics.ComponentPropertyRrule)
		if rr == "" {
			out = append(out, onset{toUTC(local), to})
			continue
		}
		p := rruleParts(rr)
		month, _ := strconv.Atoi(p["BYMONTH"])
		if p["FREQ"] != "YEARLY" || month != int(local.Month()) || len(p) != 3 {
			t.Fatalf("unexpected observance rule %q", rr)
		}
		day := p["BYDAY"]
		n, _ := strconv.Atoi(day[:len(day)-2])
		wd := weekdayIndex(day[len(day)-2:])
		for y := local.Year(); y <= last; y++ {
			var d time.Time
			if n > 0 {
				d = time.Date(y, time.Month(month), 1, local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
				for int(d.Weekday()) != wd {
					d = d.AddDate(0, 0, 1)
				}
				d = d.AddDate(0, 0, 7*(n-1))
			} else {
				d = time.Date(y, time.Month(month)+1, 0, local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
				for int(d.Weekday()) != wd {
					d = d.AddDate(0, 0, -1)
				}
			}
			out = append(out, onset{toUTC(d), to})
		}
	}
	return out
}

func offsetAt(onsets []onset, at time.Time) (int, bool) {
	var best *onset
	for i := range onsets {
		o := &onsets[i]
		if !o.at.After(at) && (best == nil || o.at.After(best.at)) {
			best = o
		}
	}
	if best == nil {
		return 0, false
	}
	return best.off, true
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("offset %q", s)
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	v := h*3600 + m*60 + sec
	if s[0] == '-' {
		v = -v
	}
	return v
}
