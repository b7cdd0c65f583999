package recur

import (
	"testing"
	"time"
)

// workweek500 is a weekly Monday-to-Friday 09:00 Europe/Berlin series of 500 meetings
// (100 weeks), with a few exceptions.
func workweek500(b *testing.B) Series {
	s := Series{Start: Date(2026, time.January, 5, 9, 0, 0, berlin), Duration: time.Hour, Zone: berlin,
		Rule: &Rule{Freq: Weekly, Weekdays: weekdays(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), Count: 500}}
	s.Exceptions = map[Key]Exception{
		KeyOf(Date(2026, time.March, 3, 9, 0, 0, berlin)):  {Cancelled: true},
		KeyOf(Date(2026, time.June, 10, 9, 0, 0, berlin)):  {Start: Date(2026, time.June, 11, 14, 0, 0, berlin)},
		KeyOf(Date(2027, time.August, 2, 9, 0, 0, berlin)): {Duration: 2 * time.Hour},
	}
	if err := s.Validate(); err != nil {
		b.Fatal(err)
	}
	if n := len(s.All()); n != 499 {
		b.Fatalf("%d occurrences", n)
	}
	return s
}

func BenchmarkBetweenWeek(b *testing.B) {
	s := workweek500(b)
	for _, c := range []struct {
		name string
		from time.Time
	}{
		{"first", Date(2026, time.January, 5, 0, 0, 0, berlin)},
		{"middle", Date(2026, time.December, 7, 0, 0, 0, berlin)},
		{"last", Date(2027, time.November, 22, 0, 0, 0, berlin)},
	} {
		b.Run(c.name, func(b *testing.B) {
			to := c.from.AddDate(0, 0, 7)
			if n := len(s.Between(c.from, to)); n != 5 {
				b.Fatalf("%d occurrences", n)
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Between(c.from, to)
			}
		})
	}
}

func BenchmarkAll(b *testing.B) {
	s := workweek500(b)
	b.ReportAllocs()
	for b.Loop() {
		s.All()
	}
}

func BenchmarkValidate(b *testing.B) {
	s := workweek500(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
