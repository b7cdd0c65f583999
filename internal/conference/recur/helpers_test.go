package recur

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

var (
	berlin   = mustZone("Europe/Berlin")
	newYork  = mustZone("America/New_York")
	shanghai = mustZone("Asia/Shanghai")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// utc parses an RFC 3339 instant.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// local parses "2006-01-02 15:04" as a wall-clock time in zone (RFC 5545 resolution).
func local(t testing.TB, s string, zone *time.Location) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return resolve(v, zone)
}

// day returns a date for Rule.Until.
func day(s string) time.Time {
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return v
}

// locals formats the starts of os in zone as "2006-01-02 15:04".
func locals(os []Occurrence, zone *time.Location) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Start.In(zone).Format("2006-01-02 15:04")
	}
	return out
}

func starts(os []Occurrence) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Start.Format(time.RFC3339)
	}
	return out
}
