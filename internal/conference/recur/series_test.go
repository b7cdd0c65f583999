package recur

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func weekdays(ds ...time.Weekday) []time.Weekday { return ds }

// TestExpansion checks each rule shape against hand-written dates (Asia/Shanghai, no DST).
func TestExpansion(t *testing.T) {
	tests := []struct {
		name  string
		start string // local, Asia/Shanghai
		rule  Rule
		want  []string
	}{
		{"daily count", "2026-01-05 09:00", Rule{Freq: Daily, Count: 4},
			[]string{"2026-01-05 09:00", "2026-01-06 09:00", "2026-01-07 09:00", "2026-01-08 09:00"}},
		{"every 2 days until, inclusive", "2026-01-05 09:00", Rule{Freq: Daily, Interval: 2, Until: day("2026-01-11")},
			[]string{"2026-01-05 09:00", "2026-01-07 09:00", "2026-01-09 09:00", "2026-01-11 09:00"}},
		{"until includes a late meeting on that date", "2026-01-05 23:30", Rule{Freq: Daily, Until: day("2026-01-07")},
			[]string{"2026-01-05 23:30", "2026-01-06 23:30", "2026-01-07 23:30"}},
		{"weekly Mon+Wed+Fri", "2026-01-05 09:00", Rule{Freq: Weekly, Weekdays: weekdays(time.Friday, time.Monday, time.Wednesday), Count: 7},
			[]string{"2026-01-05 09:00", "2026-01-07 09:00", "2026-01-09 09:00", "2026-01-12 09:00", "2026-01-14 09:00", "2026-01-16 09:00", "2026-01-19 09:00"}},
		{"weekly, start's weekday by default", "2026-01-05 09:00", Rule{Freq: Weekly, Until: day("2026-01-26")},
			[]string{"2026-01-05 09:00", "2026-01-12 09:00", "2026-01-19 09:00", "2026-01-26 09:00"}},
		{"every 2 weeks Tue+Thu", "2026-01-06 09:00", Rule{Freq: Weekly, Interval: 2, Weekdays: weekdays(time.Tuesday, time.Thursday), Until: day("2026-02-05")},
			[]string{"2026-01-06 09:00", "2026-01-08 09:00", "2026-01-20 09:00", "2026-01-22 09:00", "2026-02-03 09:00", "2026-02-05 09:00"}},
		{"every 2 weeks Sun+Mon, weeks start on Monday", "2026-01-04 09:00", Rule{Freq: Weekly, Interval: 2, Weekdays: weekdays(time.Sunday, time.Monday), Count: 5},
			[]string{"2026-01-04 09:00", "2026-01-12 09:00", "2026-01-18 09:00", "2026-01-26 09:00", "2026-02-01 09:00"}},
		{"monthly on the 31st skips shorter months", "2026-01-31 09:00", Rule{Freq: Monthly, MonthDay: 31, Count: 4},
			[]string{"2026-01-31 09:00", "2026-03-31 09:00", "2026-05-31 09:00", "2026-07-31 09:00"}},
		{"monthly on the 30th skips February", "2026-01-30 09:00", Rule{Freq: Monthly, MonthDay: 30, Until: day("2026-04-30")},
			[]string{"2026-01-30 09:00", "2026-03-30 09:00", "2026-04-30 09:00"}},
		{"monthly last day", "2026-01-31 09:00", Rule{Freq: Monthly, MonthDay: -1, Count: 4},
			[]string{"2026-01-31 09:00", "2026-02-28 09:00", "2026-03-31 09:00", "2026-04-30 09:00"}},
		{"monthly last day, leap year", "2028-01-31 09:00", Rule{Freq: Monthly, MonthDay: -1, Count: 2},
			[]string{"2028-01-31 09:00", "2028-02-29 09:00"}},
		{"monthly 2nd Tuesday", "2026-01-13 09:00", Rule{Freq: Monthly, Ordinal: 2, Weekday: time.Tuesday, Count: 4},
			[]string{"2026-01-13 09:00", "2026-02-10 09:00", "2026-03-10 09:00", "2026-04-14 09:00"}},
		{"monthly last Friday", "2026-01-30 09:00", Rule{Freq: Monthly, Ordinal: -1, Weekday: time.Friday, Until: day("2026-04-24")},
			[]string{"2026-01-30 09:00", "2026-02-27 09:00", "2026-03-27 09:00", "2026-04-24 09:00"}},
		{"every 2 months on the 15th", "2026-01-15 14:30", Rule{Freq: Monthly, Interval: 2, MonthDay: 15, Until: day("2026-07-14")},
			[]string{"2026-01-15 14:30", "2026-03-15 14:30", "2026-05-15 14:30"}},
		{"count 1", "2026-01-05 09:00", Rule{Freq: Weekly, Count: 1}, []string{"2026-01-05 09:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rule
			s := Series{Start: local(t, tt.start, shanghai), Duration: time.Hour, Zone: shanghai, Rule: &r}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			all := s.All()
			if got := locals(all, shanghai); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			for _, o := range all {
				if o.Start.Location() != time.UTC || o.End.Sub(o.Start) != time.Hour || o.Key != KeyOf(o.Start) || o.Moved {
					t.Errorf("bad occurrence %+v", o)
				}
			}
		})
	}
}

// TestDST checks that a series keeps its wall-clock time in its zone across DST changes,
// with the exact UTC instants.
func TestDST(t *testing.T) {
	tests := []struct {
		name  string
		zone  *time.Location
		start string
		rule  Rule
		want  []string // UTC
	}{
		{"Berlin weekly 09:00 across the end of March", berlin, "2026-03-15 09:00", Rule{Freq: Weekly, Count: 4},
			[]string{"2026-03-15T08:00:00Z", "2026-03-22T08:00:00Z", "2026-03-29T07:00:00Z", "2026-04-05T07:00:00Z"}},
		{"Berlin weekly 09:00 across the end of October", berlin, "2026-10-11 09:00", Rule{Freq: Weekly, Count: 4},
			[]string{"2026-10-11T07:00:00Z", "2026-10-18T07:00:00Z", "2026-10-25T08:00:00Z", "2026-11-01T08:00:00Z"}},
		// 02:30 does not exist on 29 March: RFC 5545 §3.3.5 reads it with the offset
		// before the gap (+01:00), i.e. 03:30 CEST, the same instant as 02:30 CET would be.
		{"Berlin daily 02:30 across the spring-forward gap", berlin, "2026-03-27 02:30", Rule{Freq: Daily, Count: 4},
			[]string{"2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}},
		// 02:30 occurs twice on 25 October: the first (CEST) is meant. rrule-go alone
		// would pick the second (CET, 01:30Z).
		{"Berlin daily 02:30 across the fall-back overlap", berlin, "2026-10-24 02:30", Rule{Freq: Daily, Count: 3},
			[]string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		// rrule-go alone would put 8 March at 01:30 EST (06:30Z), before the gap.
		{"New York daily 02:30 across the gap", newYork, "2026-03-07 02:30", Rule{Freq: Daily, Count: 3},
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"}},
		{"New York daily 01:30 across the overlap", newYork, "2026-10-31 01:30", Rule{Freq: Daily, Count: 3},
			[]string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"Shanghai weekly 09:00 keeps +08:00", shanghai, "2026-03-15 09:00", Rule{Freq: Weekly, Weekdays: weekdays(time.Sunday), Until: day("2026-04-05")},
			[]string{"2026-03-15T01:00:00Z", "2026-03-22T01:00:00Z", "2026-03-29T01:00:00Z", "2026-04-05T01:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rule
			s := Series{Start: local(t, tt.start, tt.zone), Duration: 30 * time.Minute, Zone: tt.zone, Rule: &r}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			all := s.All()
			if got := starts(all); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			for _, o := range all {
				if !s.Has(o.Key) {
					t.Errorf("Has(%s) = false", o.Key)
				}
			}
		})
	}

	t.Run("Berlin weekly 09:00 from March to November", func(t *testing.T) {
		s := Series{Start: Date(2026, time.March, 15, 9, 0, 0, berlin), Duration: time.Hour, Zone: berlin,
			Rule: &Rule{Freq: Weekly, Weekdays: weekdays(time.Sunday), Until: day("2026-11-08")}}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		all := s.All()
		if len(all) != 35 {
			t.Fatalf("%d occurrences, want 35", len(all))
		}
		summer := day("2026-03-29")
		winter := day("2026-10-25")
		for _, o := range all {
			l := o.Start.In(berlin)
			_, off := l.Zone()
			wantOff := 3600
			if d := dateOf(l); !d.Before(summer) && d.Before(winter) {
				wantOff = 7200
			}
			if l.Hour() != 9 || l.Minute() != 0 || off != wantOff {
				t.Errorf("%s: local %s offset %d, want 09:00 at %d", o.Start, l.Format("15:04"), off, wantOff)
			}
		}
	})

	t.Run("Shanghai daily 09:00 for a year keeps 01:00 UTC", func(t *testing.T) {
		s := Series{Start: Date(2026, time.January, 1, 9, 0, 0, shanghai), Duration: time.Hour, Zone: shanghai,
			Rule: &Rule{Freq: Daily, Until: day("2026-12-31")}}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		all := s.All()
		if len(all) != 365 {
			t.Fatalf("%d occurrences", len(all))
		}
		for _, o := range all {
			if h, m, _ := o.Start.Clock(); h != 1 || m != 0 {
				t.Fatalf("%s is not 01:00 UTC", o.Start)
			}
		}
	})
}

// weeklySix is a weekly Monday 09:00 (Asia/Shanghai) series of six one-hour meetings,
// 5 January to 9 February 2026.
func weeklySix(t *testing.T) Series {
	return Series{Start: local(t, "2026-01-05 09:00", shanghai), Duration: time.Hour, Zone: shanghai, Rule: &Rule{Freq: Weekly, Count: 6}}
}

func TestExceptions(t *testing.T) {
	s := weeklySix(t)
	third := KeyOf(local(t, "2026-01-19 09:00", shanghai))
	fourth := KeyOf(local(t, "2026-01-26 09:00", shanghai))
	sixth := KeyOf(local(t, "2026-02-09 09:00", shanghai))
	s.Exceptions = map[Key]Exception{
		third:  {Cancelled: true},
		fourth: {Start: local(t, "2026-01-28 14:00", shanghai)},                           // moved to Wednesday afternoon
		sixth:  {Start: local(t, "2026-01-21 10:00", berlin), Duration: 90 * time.Minute}, // moved far earlier, any location
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}

	all := s.Between(local(t, "2026-01-01 00:00", shanghai), local(t, "2026-03-01 00:00", shanghai))
	want := []string{"2026-01-05 09:00", "2026-01-12 09:00", "2026-01-21 17:00", "2026-01-28 14:00", "2026-02-02 09:00"}
	if got := locals(all, shanghai); !slices.Equal(got, want) {
		t.Fatalf("Between: %q, want %q", got, want)
	}
	if !reflect.DeepEqual(all, s.All()) {
		t.Fatalf("All differs from Between over the whole series")
	}
	if moved := all[2]; moved.Key != sixth || !moved.Moved || moved.End.Sub(moved.Start) != 90*time.Minute {
		t.Errorf("moved sixth: %+v", moved)
	}
	if moved := all[3]; moved.Key != fourth || !moved.Moved || moved.End.Sub(moved.Start) != time.Hour {
		t.Errorf("moved fourth: %+v", moved)
	}

	if got := s.ExDates(); !slices.Equal(got, []Key{third}) {
		t.Errorf("ExDates = %v", got)
	}
	if got := s.Moved(); len(got) != 2 || got[0].Key != fourth || got[1].Key != sixth {
		t.Errorf("Moved = %+v", got)
	}
	for _, k := range []Key{third, fourth, sixth} {
		if !s.Has(k) {
			t.Errorf("Has(%s) = false", k)
		}
	}
	if s.Has(KeyOf(local(t, "2026-01-28 14:00", shanghai))) || s.Has(KeyOf(local(t, "2026-01-26 09:30", shanghai))) || s.Has(KeyOf(local(t, "2026-02-16 09:00", shanghai))) {
		t.Error("Has is true for a time that is not an original start")
	}

	windows := []struct {
		name     string
		from, to string
		want     []string
	}{
		{"the cancelled day", "2026-01-19 00:00", "2026-01-20 00:00", nil},
		{"the original day of a moved meeting", "2026-01-26 00:00", "2026-01-27 00:00", nil},
		{"the day it was moved to", "2026-01-28 00:00", "2026-01-29 00:00", []string{"2026-01-28 14:00"}},
		{"a move from a later week into the window", "2026-01-21 00:00", "2026-01-22 00:00", []string{"2026-01-21 17:00"}},
		{"the moved-from day of a later meeting", "2026-02-09 00:00", "2026-02-10 00:00", nil},
		{"overlapping the end of a meeting", "2026-01-05 09:59", "2026-01-05 12:00", []string{"2026-01-05 09:00"}},
		{"starting when a meeting ends", "2026-01-05 10:00", "2026-01-05 12:00", nil},
		{"ending when a meeting starts", "2026-01-05 08:00", "2026-01-05 09:00", nil},
		{"starting when a meeting starts", "2026-01-05 09:00", "2026-01-05 09:01", []string{"2026-01-05 09:00"}},
		{"empty window", "2026-01-05 09:30", "2026-01-05 09:30", nil},
		{"reversed window", "2026-02-01 00:00", "2026-01-01 00:00", nil},
		{"after the series", "2026-03-01 00:00", "2027-01-01 00:00", nil},
	}
	for _, w := range windows {
		t.Run(w.name, func(t *testing.T) {
			got := s.Between(local(t, w.from, shanghai), local(t, w.to, shanghai))
			if g := locals(got, shanghai); !slices.Equal(g, w.want) {
				t.Fatalf("got %q, want %q", g, w.want)
			}
		})
	}

	from, to := s.Window()
	if from != local(t, "2026-01-05 09:00", shanghai) || to != local(t, "2026-02-02 10:00", shanghai) {
		t.Errorf("Window = %s, %s", from, to)
	}
}

func TestDurationOnlyException(t *testing.T) {
	s := weeklySix(t)
	second := KeyOf(local(t, "2026-01-12 09:00", shanghai))
	s.Exceptions = map[Key]Exception{second: {Duration: 2 * time.Hour}}
	o := s.All()[1]
	if o.Key != second || !o.Start.Equal(second.Time()) || o.End.Sub(o.Start) != 2*time.Hour || !o.Moved {
		t.Fatalf("%+v", o)
	}
	s.Exceptions[second] = Exception{Start: second.Time().In(berlin)} // no change at all
	if o := s.All()[1]; o.Moved {
		t.Fatalf("an exception that changes nothing is not a move: %+v", o)
	}
}

func TestSingleMeeting(t *testing.T) {
	start := local(t, "2026-01-05 09:00", berlin)
	s := Series{Start: start.In(shanghai), Duration: time.Hour, Zone: berlin}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	all := s.All()
	if len(all) != 1 || !all[0].Start.Equal(start) || all[0].Key != KeyOf(start) || all[0].Start.Location() != time.UTC {
		t.Fatalf("%+v", all)
	}
	if from, to := s.Window(); !from.Equal(start) || !to.Equal(start.Add(time.Hour)) {
		t.Errorf("Window = %s, %s", from, to)
	}
	if !s.Has(KeyOf(start)) || s.Has(KeyOf(start.Add(time.Hour))) {
		t.Error("Has")
	}
	if len(s.Between(start.Add(-time.Hour), start)) != 0 || len(s.Between(start, start.Add(time.Minute))) != 1 {
		t.Error("Between")
	}
	if _, _, err := s.SplitAt(KeyOf(start)); !errors.Is(err, ErrSplitAtFirst) {
		t.Errorf("SplitAt: %v", err)
	}
}

func TestSeriesValidate(t *testing.T) {
	good := func() Series { return weeklySix(t) }
	tests := []struct {
		name  string
		edit  func(*Series)
		field string
		msg   string
	}{
		{"valid", func(*Series) {}, "", ""},
		{"start in another location", func(s *Series) { s.Start = s.Start.In(newYork) }, "", ""},
		{"nil zone", func(s *Series) { s.Zone = nil }, "zone", "required"},
		{"no start", func(s *Series) { s.Start = time.Time{} }, "start", "required"},
		{"sub-second start", func(s *Series) { s.Start = s.Start.Add(time.Millisecond) }, "start", "whole second"},
		{"zero duration", func(s *Series) { s.Duration = 0 }, "duration", "more than 0"},
		{"25 hours", func(s *Series) { s.Duration = 25 * time.Hour }, "duration", "at most 24h"},
		{"rule error", func(s *Series) { s.Rule = &Rule{Freq: Weekly} }, "until", "must end"},
		{"start off the rule", func(s *Series) { s.Rule = &Rule{Freq: Weekly, Weekdays: weekdays(time.Tuesday), Count: 2} }, "start", "Monday 5 January 2026"},
		{"second reading of a repeated time", func(s *Series) {
			s.Zone = berlin
			s.Start = utc(t, "2026-10-25T01:30:00Z") // 02:30 CET, the second 02:30 that day
			s.Rule = &Rule{Freq: Daily, Count: 3}
		}, "start", "occurs twice"},
		{"exception off the series", func(s *Series) {
			s.Exceptions = map[Key]Exception{KeyOf(s.Start.Add(time.Hour)): {Cancelled: true}}
		}, "exceptions", "no meeting of the series starts at 2026-01-05T02:00:00Z"},
		{"exception after the series", func(s *Series) {
			s.Exceptions = map[Key]Exception{KeyOf(s.Start.AddDate(0, 0, 42)): {Cancelled: true}}
		}, "exceptions", "no meeting"},
		{"exception duration", func(s *Series) {
			s.Exceptions = map[Key]Exception{KeyOf(s.Start): {Duration: -time.Minute}}
		}, "exceptions", "duration"},
		{"exception on a single meeting", func(s *Series) {
			s.Rule = nil
			s.Exceptions = map[Key]Exception{KeyOf(s.Start): {Cancelled: true}}
		}, "exceptions", "single meeting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.edit(&s)
			checkValidation(t, s.Validate(), tt.field, tt.msg)
		})
	}
}

// TestInvalidSeriesExpandsNothing checks that the expanding methods are safe on input
// Validate refuses.
func TestInvalidSeriesExpandsNothing(t *testing.T) {
	for _, s := range []Series{
		{},
		{Start: time.Now(), Duration: time.Hour},
		{Start: time.Now(), Duration: time.Hour, Zone: berlin, Rule: &Rule{Freq: Daily}},
		{Start: time.Now(), Duration: time.Hour, Zone: berlin, Rule: &Rule{Freq: Weekly, Weekdays: weekdays(9), Count: 3}},
	} {
		if len(s.All()) != 0 || len(s.Between(time.Time{}, time.Now().AddDate(5, 0, 0))) != 0 || s.Has(KeyOf(s.Start)) {
			t.Errorf("%+v expanded", s)
		}
	}
	// An unvalidated rule past the limits is cut at MaxOccurrences.
	s := Series{Start: Date(2026, 1, 1, 9, 0, 0, berlin), Duration: time.Hour, Zone: berlin, Rule: &Rule{Freq: Daily, Until: day("2027-12-31")}}
	if n := len(s.All()); n != MaxOccurrences {
		t.Errorf("%d occurrences", n)
	}
}

func TestSplitAt(t *testing.T) {
	tests := []struct {
		name                  string
		series                func(t *testing.T) Series
		at                    string // local start of the split occurrence
		wantBefore, wantAfter string // RRULE of the halves
	}{
		{"count-based weekly", func(t *testing.T) Series {
			s := Series{Start: local(t, "2026-01-05 09:00", berlin), Duration: time.Hour, Zone: berlin,
				Rule: &Rule{Freq: Weekly, Weekdays: weekdays(time.Monday, time.Wednesday), Count: 10}}
			s.Exceptions = map[Key]Exception{
				KeyOf(local(t, "2026-01-07 09:00", berlin)): {Cancelled: true},                             // 2nd
				KeyOf(local(t, "2026-01-14 09:00", berlin)): {Start: local(t, "2026-01-30 09:00", berlin)}, // 4th, moved past the split
				KeyOf(local(t, "2026-01-19 09:00", berlin)): {Cancelled: true},                             // 5th, the split point
				KeyOf(local(t, "2026-01-28 09:00", berlin)): {Start: local(t, "2026-01-29 15:00", berlin)}, // 8th
			}
			return s
		}, "2026-01-19 09:00", "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=4", "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=6"},
		{"until-based every 2 days", func(t *testing.T) Series {
			s := Series{Start: local(t, "2026-03-01 18:00", shanghai), Duration: 45 * time.Minute, Zone: shanghai,
				Rule: &Rule{Freq: Daily, Interval: 2, Until: day("2026-03-31")}}
			s.Exceptions = map[Key]Exception{
				KeyOf(local(t, "2026-03-05 18:00", shanghai)): {Cancelled: true},
				KeyOf(local(t, "2026-03-21 18:00", shanghai)): {Duration: 2 * time.Hour},
			}
			return s
		}, "2026-03-15 18:00", "FREQ=DAILY;INTERVAL=2;UNTIL=20260313T155959Z", "FREQ=DAILY;INTERVAL=2;UNTIL=20260331T155959Z"},
		{"until-based monthly across DST", func(t *testing.T) Series {
			return Series{Start: local(t, "2026-01-13 09:00", berlin), Duration: time.Hour, Zone: berlin,
				Rule: &Rule{Freq: Monthly, Ordinal: 2, Weekday: time.Tuesday, Until: day("2026-12-31")}}
		}, "2026-06-09 09:00", "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;UNTIL=20260512T215959Z", "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;UNTIL=20261231T225959Z"},
		{"last occurrence", func(t *testing.T) Series {
			return Series{Start: local(t, "2026-01-31 09:00", berlin), Duration: time.Hour, Zone: berlin,
				Rule: &Rule{Freq: Monthly, MonthDay: 31, Count: 3}}
		}, "2026-05-31 09:00", "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=2", "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.series(t)
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			key := KeyOf(local(t, tt.at, s.Zone))
			orig := s.All()
			origRule := *s.Rule
			origExceptions := len(s.Exceptions)

			before, after, err := s.SplitAt(key)
			if err != nil {
				t.Fatal(err)
			}
			for _, half := range []Series{before, after} {
				if err := half.Validate(); err != nil {
					t.Fatalf("half %+v: %v", half, err)
				}
			}
			if got := before.Rule.RRULE(s.Zone); got != tt.wantBefore {
				t.Errorf("before: %s, want %s", got, tt.wantBefore)
			}
			if got := after.Rule.RRULE(s.Zone); got != tt.wantAfter {
				t.Errorf("after: %s, want %s", got, tt.wantAfter)
			}
			if !after.Start.Equal(key.Time()) {
				t.Errorf("after starts at %s", after.Start)
			}

			// Together the halves have exactly the original occurrences, exceptions applied.
			joined := append(before.All(), after.All()...)
			sortByStart(joined)
			if !reflect.DeepEqual(joined, orig) {
				t.Fatalf("halves:\n%q\noriginal:\n%q", starts(joined), starts(orig))
			}
			for _, o := range before.All() {
				if o.Key.Compare(key) >= 0 {
					t.Errorf("before has %s", o.Key)
				}
			}
			for k := range before.Exceptions {
				if k.Compare(key) >= 0 || !before.Has(k) {
					t.Errorf("before has the exception at %s", k)
				}
			}
			for k := range after.Exceptions {
				if k.Compare(key) < 0 || !after.Has(k) {
					t.Errorf("after has the exception at %s", k)
				}
			}
			if len(before.Exceptions)+len(after.Exceptions) != origExceptions {
				t.Errorf("exceptions lost")
			}
			if !reflect.DeepEqual(*s.Rule, origRule) || len(s.Exceptions) != origExceptions {
				t.Errorf("SplitAt modified the series")
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		s := weeklySix(t)
		gap := Series{Start: local(t, "2026-03-27 02:30", berlin), Duration: time.Hour, Zone: berlin, Rule: &Rule{Freq: Daily, Count: 5}}
		invalid := weeklySix(t)
		invalid.Zone = nil
		for _, c := range []struct {
			name   string
			series Series
			key    Key
			want   error
		}{
			{"first occurrence", s, KeyOf(s.Start), ErrSplitAtFirst},
			{"not an occurrence", s, KeyOf(s.Start.Add(24 * time.Hour)), ErrNotOccurrence},
			{"before the series", s, KeyOf(s.Start.Add(-7 * 24 * time.Hour)), ErrNotOccurrence},
			{"after the series", s, KeyOf(s.Start.Add(6 * 7 * 24 * time.Hour)), ErrNotOccurrence},
			{"shifted by the DST gap", gap, KeyOf(utc(t, "2026-03-29T01:30:00Z")), ErrSplitInGap},
			{"invalid series", invalid, KeyOf(s.Start.Add(7 * 24 * time.Hour)), &ValidationError{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, _, err := c.series.SplitAt(c.key)
				if ve := (*ValidationError)(nil); errors.As(c.want, &ve) {
					if !errors.As(err, &ve) {
						t.Fatalf("got %v", err)
					}
					return
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
			})
		}
		// The day after the gap splits fine and keeps 02:30.
		_, after, err := gap.SplitAt(KeyOf(utc(t, "2026-03-30T00:30:00Z")))
		if err != nil {
			t.Fatal(err)
		}
		if got := locals(after.All(), berlin); !slices.Equal(got, []string{"2026-03-30 02:30", "2026-03-31 02:30"}) {
			t.Errorf("after: %q", got)
		}
	})
}

// TestExpansionMatchesOracle validates rrule-go's expansion (through this package's
// options) against a naive day-by-day reading of the rule, for many random rules.
func TestExpansionMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(5545, 10))
	checked := 0
	for i := range 1500 {
		r, w := randomRule(rng)
		if r.Validate(w) != nil {
			continue
		}
		checked++
		got := slices.Collect(r.walls(w))
		want := oracle(r, w)
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Fatalf("case %d: %s from %s:\ngot  %v\nwant %v", i, r.RRULE(nil), w, got, want)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d valid random rules", checked)
	}
}

func randomRule(rng *rand.Rand) (Rule, time.Time) {
	start := time.Date(2025, 1, 1, rng.IntN(24), 15*rng.IntN(4), 0, 0, time.UTC).AddDate(0, 0, rng.IntN(3*365))
	r := Rule{Freq: Frequency(1 + rng.IntN(3)), Interval: rng.IntN(5)}
	switch r.Freq {
	case Weekly:
		if rng.IntN(4) > 0 {
			r.Weekdays = []time.Weekday{start.Weekday()}
			for d := range 7 {
				if time.Weekday(d) != start.Weekday() && rng.IntN(3) == 0 {
					r.Weekdays = append(r.Weekdays, time.Weekday(d))
				}
			}
		}
	case Monthly:
		r.Interval = rng.IntN(13)
		last := start.AddDate(0, 0, 1).Day() == 1
		lastWeekday := start.AddDate(0, 0, 7).Month() != start.Month()
		switch {
		case rng.IntN(2) == 0:
			r.MonthDay = start.Day()
			if last && rng.IntN(2) == 0 {
				r.MonthDay = -1
			}
		case lastWeekday && (start.Day() > 28 || rng.IntN(2) == 0):
			r.Ordinal, r.Weekday = -1, start.Weekday()
		default:
			r.Ordinal, r.Weekday = (start.Day()-1)/7+1, start.Weekday()
		}
	}
	if rng.IntN(2) == 0 {
		r.Count = 1 + rng.IntN(80)
	} else {
		r.Until = dateOf(start).AddDate(0, 0, rng.IntN(500))
	}
	return r, start
}

// oracle expands r from the floating start w by testing every day up to the end.
func oracle(r Rule, w time.Time) []time.Time {
	first := dateOf(w)
	timeOfDay := w.Sub(first)
	end := first.AddDate(MaxSpanYears, 0, 0)
	if !r.Until.IsZero() {
		end = r.untilDate()
	}
	days := r.Weekdays
	if r.Freq == Weekly && len(days) == 0 {
		days = []time.Weekday{w.Weekday()}
	}
	week := func(d time.Time) int { return int((d.Unix()/86400 - 4) / 7) } // weeks since Monday 5 January 1970
	month := func(d time.Time) int { return d.Year()*12 + int(d.Month()) }
	var out []time.Time
	for d := first; !d.After(end); d = d.AddDate(0, 0, 1) {
		var ok bool
		switch r.Freq {
		case Daily:
			ok = int(d.Sub(first).Hours()/24)%r.interval() == 0
		case Weekly:
			ok = (week(d)-week(first))%r.interval() == 0 && slices.Contains(days, d.Weekday())
		case Monthly:
			lastDay := d.AddDate(0, 0, 1).Day() == 1
			switch {
			case r.MonthDay > 0:
				ok = d.Day() == r.MonthDay
			case r.MonthDay == -1:
				ok = lastDay
			case r.Ordinal > 0:
				ok = d.Weekday() == r.Weekday && (d.Day()-1)/7+1 == r.Ordinal
			case r.Ordinal == -1:
				ok = d.Weekday() == r.Weekday && d.AddDate(0, 0, 7).Month() != d.Month()
			}
			ok = ok && (month(d)-month(first))%r.interval() == 0
		}
		if ok {
			out = append(out, d.Add(timeOfDay))
			if len(out) == r.Count {
				break
			}
		}
	}
	return out
}
