package recur

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// rruleCases are every rule shape with its hand-written RRULE text.
var rruleCases = []struct {
	name string
	rule Rule
	zone *time.Location
	want string
}{
	{"daily count", Rule{Freq: Daily, Count: 10}, shanghai, "FREQ=DAILY;INTERVAL=1;COUNT=10"},
	{"every 2 days until", Rule{Freq: Daily, Interval: 2, Until: day("2027-01-31")}, shanghai, "FREQ=DAILY;INTERVAL=2;UNTIL=20270131T155959Z"},
	{"weekly Monday+Wednesday until", Rule{Freq: Weekly, Interval: 1, Weekdays: []time.Weekday{time.Wednesday, time.Monday}, Until: day("2027-01-31")}, shanghai, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;UNTIL=20270131T155959Z"},
	{"weekly Mon+Wed+Fri count", Rule{Freq: Weekly, Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday}, Count: 12}, berlin, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE,FR;COUNT=12"},
	{"weekly weekend, Monday first", Rule{Freq: Weekly, Weekdays: []time.Weekday{time.Sunday, time.Saturday}, Count: 4}, berlin, "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU;COUNT=4"},
	{"every 2 weeks, start's weekday", Rule{Freq: Weekly, Interval: 2, Count: 5}, berlin, "FREQ=WEEKLY;INTERVAL=2;COUNT=5"},
	{"monthly on the 31st", Rule{Freq: Monthly, MonthDay: 31, Count: 12}, berlin, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=12"},
	{"monthly last day", Rule{Freq: Monthly, MonthDay: -1, Until: day("2026-12-31")}, berlin, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1;UNTIL=20261231T225959Z"},
	{"monthly 2nd Tuesday", Rule{Freq: Monthly, Ordinal: 2, Weekday: time.Tuesday, Count: 6}, berlin, "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=6"},
	{"every 3 months last Friday", Rule{Freq: Monthly, Interval: 3, Ordinal: -1, Weekday: time.Friday, Until: day("2026-07-31")}, berlin, "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;UNTIL=20260731T215959Z"},
	{"monthly 1st Sunday", Rule{Freq: Monthly, Ordinal: 1, Weekday: time.Sunday, Count: 2}, berlin, "FREQ=MONTHLY;INTERVAL=1;BYDAY=1SU;COUNT=2"},
	{"until in New York", Rule{Freq: Daily, Until: day("2026-12-31")}, newYork, "FREQ=DAILY;INTERVAL=1;UNTIL=20270101T045959Z"},
	{"until in New York summer", Rule{Freq: Daily, Until: day("2026-07-04")}, newYork, "FREQ=DAILY;INTERVAL=1;UNTIL=20260705T035959Z"},
	{"until, nil zone is UTC", Rule{Freq: Daily, Until: day("2026-12-31")}, nil, "FREQ=DAILY;INTERVAL=1;UNTIL=20261231T235959Z"},
	{"until given in another location", Rule{Freq: Daily, Until: time.Date(2026, 12, 31, 0, 0, 0, 0, newYork)}, shanghai, "FREQ=DAILY;INTERVAL=1;UNTIL=20261231T155959Z"},
}

func TestRRULE(t *testing.T) {
	for _, tt := range rruleCases {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.rule.RRULE(tt.zone)
			if text != tt.want {
				t.Fatalf("RRULE = %s, want %s", text, tt.want)
			}
			got, err := ParseRRULE(text, tt.zone)
			if err != nil {
				t.Fatalf("ParseRRULE(%s): %v", text, err)
			}
			if want := normalized(tt.rule); !reflect.DeepEqual(got, want) {
				t.Fatalf("ParseRRULE(%s) = %+v, want %+v", text, got, want)
			}
			if again := got.RRULE(tt.zone); again != text {
				t.Fatalf("round trip: %s, want %s", again, text)
			}
		})
	}
}

// normalized returns r as ParseRRULE returns it: interval set, weekdays Monday first,
// Until as midnight UTC.
func normalized(r Rule) Rule {
	r.Interval = r.interval()
	if len(r.Weekdays) > 0 {
		r.Weekdays = mondayFirst(r.Weekdays)
	}
	if !r.Until.IsZero() {
		r.Until = dateOf(r.Until)
	}
	return r
}

func TestParseRRULEAccepts(t *testing.T) {
	tests := []struct {
		text string
		zone *time.Location
		want Rule
	}{
		{"RRULE:freq=weekly;byday=we,mo;until=20270131T155959Z", shanghai, Rule{Freq: Weekly, Interval: 1, Weekdays: []time.Weekday{time.Monday, time.Wednesday}, Until: day("2027-01-31")}},
		{"  FREQ=DAILY;COUNT=3;  ", nil, Rule{Freq: Daily, Interval: 1, Count: 3}},
		{"FREQ=DAILY;COUNT=3;", nil, Rule{Freq: Daily, Interval: 1, Count: 3}},
		{"COUNT=3;FREQ=DAILY", nil, Rule{Freq: Daily, Interval: 1, Count: 3}},
		{"FREQ=MONTHLY;BYDAY=+2TU;COUNT=6", berlin, Rule{Freq: Monthly, Interval: 1, Ordinal: 2, Weekday: time.Tuesday, Count: 6}},
		{"FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;COUNT=3", berlin, Rule{Freq: Monthly, Interval: 1, Ordinal: -1, Weekday: time.Friday, Count: 3}},
		{"FREQ=MONTHLY;BYSETPOS=2;BYDAY=TU;COUNT=3", berlin, Rule{Freq: Monthly, Interval: 1, Ordinal: 2, Weekday: time.Tuesday, Count: 3}},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU;COUNT=4", berlin, Rule{Freq: Weekly, Interval: 2, Weekdays: []time.Weekday{time.Monday, time.Wednesday}, Count: 4}},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=MO;COUNT=4", berlin, Rule{Freq: Weekly, Interval: 2, Weekdays: []time.Weekday{time.Monday, time.Sunday}, Count: 4}},
		{"FREQ=WEEKLY;BYDAY=SU,MO;WKST=SU;COUNT=4", berlin, Rule{Freq: Weekly, Interval: 1, Weekdays: []time.Weekday{time.Monday, time.Sunday}, Count: 4}},
		{"FREQ=DAILY;UNTIL=20270131", berlin, Rule{Freq: Daily, Interval: 1, Until: day("2027-01-31")}},
		{"FREQ=DAILY;UNTIL=20270131T235959", berlin, Rule{Freq: Daily, Interval: 1, Until: day("2027-01-31")}},
		{"FREQ=DAILY;UNTIL=20270131T225959Z", berlin, Rule{Freq: Daily, Interval: 1, Until: day("2027-01-31")}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := ParseRRULE(tt.text, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRRULERefuses(t *testing.T) {
	tests := []struct {
		text  string
		field string
		msg   string
	}{
		{"", "freq", "FREQ is required"},
		{"COUNT=3", "freq", "FREQ is required"},
		{"FREQ=YEARLY;COUNT=1", "freq", "YEARLY repetition is not supported"},
		{"FREQ=HOURLY;COUNT=1", "freq", "not supported"},
		{"FREQ=FORTNIGHTLY;COUNT=1", "freq", "not a frequency"},
		{"FREQ=DAILY", "until", "must end"},
		{"FREQ=DAILY;COUNT=2;UNTIL=20270101", "count", "not both"},
		{"FREQ=DAILY;COUNT=2;COUNT=3", "rrule", "COUNT appears twice"},
		{"FREQ=DAILY;COUNT", "rrule", "NAME=VALUE"},
		{"FREQ=DAILY;COUNT=", "rrule", "NAME=VALUE"},
		{"FREQ=DAILY;COUNT=x", "count", "positive number"},
		{"FREQ=DAILY;COUNT=0", "count", "positive number"},
		{"FREQ=DAILY;COUNT=501", "count", "at most 500"},
		{"FREQ=DAILY;COUNT=99999999999999999999", "count", "positive number"},
		{"FREQ=DAILY;INTERVAL=0;COUNT=1", "interval", "positive number"},
		{"FREQ=DAILY;INTERVAL=-1;COUNT=1", "interval", "positive number"},
		{"FREQ=DAILY;INTERVAL=1000;COUNT=1", "interval", "between 1 and 99"},
		{"FREQ=WEEKLY;BYDAY=MO;BYMONTH=1;COUNT=2", "rrule", "BYMONTH is not supported"},
		{"FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;COUNT=2", "rrule", "BYHOUR is not supported"},
		{"FREQ=WEEKLY;BYDAY=MO;X-FOO=1;COUNT=2", "rrule", "X-FOO is not supported"},
		{"FREQ=DAILY;BYDAY=MO;COUNT=1", "weekdays", "weekly or monthly"},
		{"FREQ=WEEKLY;BYDAY=2MO;COUNT=1", "weekdays", "not a weekday"},
		{"FREQ=WEEKLY;BYDAY=MO,MO;COUNT=1", "weekdays", "twice"},
		{"FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1;COUNT=1", "rrule", "BYSETPOS"},
		{"FREQ=MONTHLY;BYSETPOS=1;BYMONTHDAY=1;COUNT=1", "rrule", "BYSETPOS"},
		{"FREQ=MONTHLY;BYDAY=2TU;BYSETPOS=1;COUNT=1", "rrule", "BYSETPOS"},
		{"FREQ=MONTHLY;BYDAY=TU;COUNT=2", "weekday", "every Tuesday of the month"},
		{"FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=2", "weekday", "only one weekday"},
		{"FREQ=MONTHLY;BYDAY=X;COUNT=2", "weekday", "not a weekday"},
		{"FREQ=MONTHLY;BYDAY=2XX;COUNT=2", "weekday", "not a weekday"},
		{"FREQ=MONTHLY;BYDAY=0TU;COUNT=2", "ordinal", "not an ordinal"},
		{"FREQ=MONTHLY;BYDAY=5TU;COUNT=2", "ordinal", "1 to 4"},
		{"FREQ=MONTHLY;BYDAY=-2FR;COUNT=2", "ordinal", "1 to 4"},
		{"FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=2", "monthDay", "single day"},
		{"FREQ=MONTHLY;BYMONTHDAY=32;COUNT=2", "monthDay", "1 to 31"},
		{"FREQ=MONTHLY;BYMONTHDAY=0;COUNT=2", "monthDay", "day of the month"},
		{"FREQ=MONTHLY;COUNT=2", "monthDay", "day of the month"},
		{"FREQ=WEEKLY;BYMONTHDAY=2;COUNT=2", "monthDay", "monthly"},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU;COUNT=4", "rrule", "WKST=SU"},
		{"FREQ=WEEKLY;WKST=XX;COUNT=4", "rrule", "not a weekday"},
		{"FREQ=DAILY;UNTIL=20270131T120000Z", "until", "end (23:59:59) of a local day"},
		{"FREQ=DAILY;UNTIL=20270131T235959Z", "until", "end (23:59:59) of a local day"}, // Berlin: 00:59:59 on 1 February
		{"FREQ=DAILY;UNTIL=2027-01-31", "until", "not a date"},
		{"FREQ=DAILY;UNTIL=20271331", "until", "not a date"},
		{"FREQ=DAILY;COUNT=1;" + strings.Repeat("X", 300), "rrule", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := ParseRRULE(tt.text, berlin)
			checkValidation(t, err, tt.field, tt.msg)
			if !reflect.DeepEqual(r, Rule{}) {
				t.Errorf("returned %+v with the error", r)
			}
		})
	}
}

// FuzzParseRRULE checks that ParseRRULE never panics and that whatever it accepts, RRULE
// writes back as text it parses to the same rule.
func FuzzParseRRULE(f *testing.F) {
	for _, tt := range rruleCases {
		f.Add(tt.want)
	}
	for _, s := range []string{
		"RRULE:FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;COUNT=3", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU;COUNT=4",
		"FREQ=DAILY;UNTIL=20270131", "FREQ=MONTHLY;BYDAY=+2TU;COUNT=6", "FREQ=DAILY;COUNT=2;COUNT=3", ";;=;", "FREQ=MONTHLY;BYDAY=-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, zone := range []*time.Location{berlin, nil} {
			r, err := ParseRRULE(s, zone)
			if err != nil {
				continue
			}
			text := r.RRULE(zone)
			again, err := ParseRRULE(text, zone)
			if err != nil {
				t.Fatalf("%q parsed to %+v, whose RRULE %q does not parse: %v", s, r, text, err)
			}
			if !reflect.DeepEqual(again, r) {
				t.Fatalf("%q parsed to %+v, but its RRULE %q to %+v", s, r, text, again)
			}
		}
	})
}
