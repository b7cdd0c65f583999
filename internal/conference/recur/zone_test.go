package recur

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestDate checks the RFC 5545 §3.3.5 resolution of wall-clock times, including the
// examples of the RFC itself (America/New_York, 2007).
func TestDate(t *testing.T) {
	lordHowe := mustZone("Australia/Lord_Howe") // a 30-minute DST shift
	tests := []struct {
		name string
		got  time.Time
		want string
	}{
		{"RFC 5545 overlap example: first reading (EDT)", Date(2007, time.November, 4, 1, 30, 0, newYork), "2007-11-04T05:30:00Z"},
		{"RFC 5545 gap example: offset before the gap (03:30 EDT)", Date(2007, time.March, 11, 2, 30, 0, newYork), "2007-03-11T07:30:00Z"},
		{"Berlin gap: 02:30 is 03:30 CEST", Date(2026, time.March, 29, 2, 30, 0, berlin), "2026-03-29T01:30:00Z"},
		{"Berlin gap start: 02:00 is 03:00 CEST", Date(2026, time.March, 29, 2, 0, 0, berlin), "2026-03-29T01:00:00Z"},
		{"Berlin before gap", Date(2026, time.March, 29, 1, 59, 59, berlin), "2026-03-29T00:59:59Z"},
		{"Berlin after gap", Date(2026, time.March, 29, 3, 0, 0, berlin), "2026-03-29T01:00:00Z"},
		{"Berlin overlap: first reading (CEST)", Date(2026, time.October, 25, 2, 30, 0, berlin), "2026-10-25T00:30:00Z"},
		{"Berlin overlap start: 02:00 first reading", Date(2026, time.October, 25, 2, 0, 0, berlin), "2026-10-25T00:00:00Z"},
		{"Berlin after overlap", Date(2026, time.October, 25, 3, 0, 0, berlin), "2026-10-25T02:00:00Z"},
		{"Berlin winter", Date(2026, time.January, 5, 9, 0, 0, berlin), "2026-01-05T08:00:00Z"},
		{"Berlin summer", Date(2026, time.July, 6, 9, 0, 0, berlin), "2026-07-06T07:00:00Z"},
		{"New York gap 2026", Date(2026, time.March, 8, 2, 30, 0, newYork), "2026-03-08T07:30:00Z"},
		{"New York overlap 2026", Date(2026, time.November, 1, 1, 30, 0, newYork), "2026-11-01T05:30:00Z"},
		{"Shanghai, no DST", Date(2026, time.July, 6, 9, 0, 0, shanghai), "2026-07-06T01:00:00Z"},
		{"Lord Howe 30-minute gap", Date(2026, time.October, 4, 2, 15, 0, lordHowe), "2026-10-03T15:45:00Z"},
		{"UTC", Date(2026, time.March, 29, 2, 30, 0, time.UTC), "2026-03-29T02:30:00Z"},
		{"nil zone is UTC", Date(2026, time.March, 29, 2, 30, 0, nil), "2026-03-29T02:30:00Z"},
		{"normalized like time.Date", Date(2026, time.February, 30, 9, 0, 0, shanghai), "2026-03-02T01:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.Format(time.RFC3339); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if tt.got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", tt.got.Location())
			}
		})
	}
}

// TestResolveRoundTrip checks resolve against Go's own instant-to-wall conversion: every
// instant's wall-clock reading resolves back to it, except the second reading of a
// repeated time, which resolves to the first.
func TestResolveRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, zone := range []*time.Location{berlin, newYork, shanghai, mustZone("Australia/Lord_Howe"), mustZone("America/Santiago")} {
		for range 20000 {
			u := time.Unix(from+rng.Int64N(3*365*86400), 0).UTC()
			w := wallOf(u.In(zone))
			got := resolve(w, zone)
			if got.Equal(u) {
				continue
			}
			if !got.Before(u) || !wallOf(got.In(zone)).Equal(w) {
				t.Fatalf("%s: %s reads %s, which resolves to %s", zone, u, w.Format(time.DateTime), got)
			}
		}
	}
}
