package recur

import "time"

// Date returns the instant at the given wall-clock time in zone, resolving DST the way
// RFC 5545 §3.3.5 does (unlike time.Date, which leaves it unspecified): a time that occurs
// twice means the first of the two, and a time inside a gap is read with the UTC offset
// before the gap (02:30 on a day Berlin jumps from 02:00 to 03:00 is 03:30 CEST). Booking
// forms use it to turn the chosen date and time into Series.Start. Values out of range are
// normalized as by time.Date. A nil zone means UTC. The result is in UTC.
func Date(year int, month time.Month, day, hour, min, sec int, zone *time.Location) time.Time {
	return resolve(time.Date(year, month, day, hour, min, sec, 0, time.UTC), zone)
}

// wallOf returns the wall-clock reading of t in its own location, as a floating time
// encoded in UTC (the form the expansion works in).
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// resolve returns the instant of the floating wall-clock time wall in zone, per RFC 5545
// §3.3.5 (see Date).
func resolve(wall time.Time, zone *time.Location) time.Time {
	if zone == nil || zone == time.UTC {
		return wall
	}
	naive := wall.Unix()
	offsetAt := func(unix int64) int64 {
		_, off := time.Unix(unix, 0).In(zone).Zone()
		return int64(off)
	}
	// The offsets a day either side bracket at most one transition (zones change at most
	// a few times a year), and every candidate instant lies within ±14 h of naive.
	before, after := offsetAt(naive-86400), offsetAt(naive+86400)
	found := false
	var best int64
	for _, off := range [2]int64{before, after} {
		u := naive - off
		if offsetAt(u) == off && (!found || u < best) { // the earlier of two readings
			best, found = u, true
		}
	}
	if !found {
		// A gap: the instant naive-max(offsets) lies just before the transition, so the
		// offset in effect there is the one before the gap.
		best = naive - offsetAt(naive-max(before, after))
	}
	return time.Unix(best, 0).UTC()
}

// exists reports whether the floating wall-clock time wall occurs in zone (it does not
// inside a DST gap).
func exists(wall time.Time, zone *time.Location) bool {
	return wallOf(resolve(wall, zone).In(zoneOrUTC(zone))).Equal(wall)
}

func zoneOrUTC(zone *time.Location) *time.Location {
	if zone == nil {
		return time.UTC
	}
	return zone
}
