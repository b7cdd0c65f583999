package conference

import (
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/conference/recur"
)

// TestOccurrencesOfEnded checks what the occurrences of a daily series reserve
// once some of their runs ended: only those occurrences are shortened.
func TestOccurrencesOfEnded(t *testing.T) {
	day := time.Date(2027, time.March, 1, 9, 0, 0, 0, time.UTC)
	m := &Meeting{ID: "m", EnterpriseID: "e", RoomID: "r", Participants: 20}
	m.setSeries(recur.Series{Start: day, Duration: time.Hour, Zone: time.UTC, Rule: &recur.Rule{Freq: recur.Daily, Count: 4}})
	at := func(d int, h, min int) time.Time {
		return day.AddDate(0, 0, d).Add(time.Duration(h-9)*time.Hour + time.Duration(min)*time.Minute)
	}
	m.Ended = []endedDoc{
		{Key: at(0, 9, 0), At: at(0, 9, 20)},  // ended 20 minutes in
		{Key: at(1, 9, 0), At: at(1, 8, 50)},  // started early, ended before its start
		{Key: at(2, 9, 0), At: at(2, 10, 10)}, // ran past its booked end
	}
	got := occurrencesOf(m, m.series().All())
	want := [][2]time.Time{{at(0, 9, 0), at(0, 9, 20)}, {at(2, 9, 0), at(2, 10, 0)}, {at(3, 9, 0), at(3, 10, 0)}}
	if len(got) != len(want) {
		t.Fatalf("%d reservations, want %d: %+v", len(got), len(want), got)
	}
	for i, o := range got {
		if !o.start.Equal(want[i][0]) || !o.end.Equal(want[i][1]) || o.participants != 20 || o.roomID != "r" {
			t.Errorf("reservation %d: %v–%v, want %v–%v", i, o.start, o.end, want[i][0], want[i][1])
		}
	}

	// Only what is still ahead of now is checked against capacity.
	now := at(0, 9, 30)
	ahead := aheadOf(got, now)
	if len(ahead) != 2 || !ahead[0].start.Equal(at(2, 9, 0)) {
		t.Errorf("ahead of 9:30 on the first day: %+v", ahead)
	}
	ahead = aheadOf(got, at(2, 9, 45))
	if len(ahead) != 2 || !ahead[0].start.Equal(at(2, 9, 45)) || !ahead[0].end.Equal(at(2, 10, 0)) {
		t.Errorf("ahead of 9:45 on the third day: %+v", ahead)
	}
}
