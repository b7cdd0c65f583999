package conference

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

// times lists a meeting's occurrences as "start–end", "*" marking moved ones.
func times(m *Meeting, around time.Time) []string {
	var out []string
	for _, o := range m.Occurrences(around.AddDate(0, 0, -1), around.AddDate(0, 0, 10)) {
		s := o.Start.UTC().Format("01-02 15:04") + "–" + o.End.UTC().Format("15:04")
		if o.Moved {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

// TestRecurrenceEdits: the edits of a daily series of four at 10:00 in 张三's
// dedicated room (this occurrence, this and following, all) store what they say
// and free or take the room accordingly; an edit that would clash with another
// booking in the room is refused naming it, and the series stays as it was.
func TestRecurrenceEdits(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	day := func(d, h, min int) time.Time {
		return at.AddDate(0, 0, d).Add(time.Duration(h-10)*time.Hour + time.Duration(min)*time.Minute)
	}
	hour := time.Hour
	occ := func(d, h, min int, length time.Duration, moved bool) string {
		s := day(d, h, min).Format("01-02 15:04") + "–" + day(d, h, min).Add(length).Format("15:04")
		if moved {
			s += "*"
		}
		return s
	}
	daily := func(n int) *recur.Rule { return &recur.Rule{Freq: recur.Daily, Count: n} }
	cases := []struct {
		name string
		// other books another meeting in the room before the edit; nil: none.
		other func(t *testing.T, s *Service, room string) *Meeting
		edit  func(s *Service, m *Meeting, room string) (*Meeting, error)
		// series is what the series shows after the edit; tail, what a split's new
		// series shows; exceptions, how many exceptions the series stores.
		series, tail []string
		exceptions   int
		// free and taken are starts of one-hour bookings in the room that the edit
		// freed and took.
		free, taken []time.Time
		// msg is the refusal (CONFLICT on start) built from the other meeting.
		msg func(o *Meeting) string
	}{{
		name: "this occurrence moved",
		edit: func(s *Service, m *Meeting, _ string) (*Meeting, error) {
			return s.MoveOccurrence(ctx, host, m.ID, day(1, 10, 0), day(1, 14, 0), 30*time.Minute)
		},
		series:     []string{occ(0, 10, 0, hour, false), occ(1, 14, 0, 30*time.Minute, true), occ(2, 10, 0, hour, false), occ(3, 10, 0, hour, false)},
		exceptions: 1,
		free:       []time.Time{day(1, 10, 0)},
		taken:      []time.Time{day(1, 13, 45)},
	}, {
		name: "this occurrence cancelled",
		edit: func(s *Service, m *Meeting, _ string) (*Meeting, error) {
			return s.CancelOccurrence(ctx, host, m.ID, day(2, 10, 0))
		},
		series:     []string{occ(0, 10, 0, hour, false), occ(1, 10, 0, hour, false), occ(3, 10, 0, hour, false)},
		exceptions: 1,
		free:       []time.Time{day(2, 10, 0)},
		taken:      []time.Time{day(3, 10, 30)},
	}, {
		name: "this and following",
		edit: func(s *Service, m *Meeting, room string) (*Meeting, error) {
			return s.SplitFrom(ctx, host, m.ID, day(2, 10, 0), BookingInput{Start: day(2, 15, 0), Duration: hour, TimeZone: "UTC",
				Participants: 2, RoomID: room, Recurrence: daily(2)})
		},
		series: []string{occ(0, 10, 0, hour, false), occ(1, 10, 0, hour, false)},
		tail:   []string{occ(2, 15, 0, hour, false), occ(3, 15, 0, hour, false)},
		free:   []time.Time{day(2, 10, 0), day(3, 10, 0)},
		taken:  []time.Time{day(3, 15, 30), day(1, 10, 30)},
	}, {
		name: "all occurrences",
		edit: func(s *Service, m *Meeting, room string) (*Meeting, error) {
			if _, err := s.MoveOccurrence(ctx, host, m.ID, day(1, 10, 0), day(1, 16, 0), hour); err != nil {
				return nil, err
			}
			// A new start drops the exceptions of the old times.
			return s.Update(ctx, host, m.ID, BookingInput{Start: day(0, 12, 0), Duration: hour, TimeZone: "UTC", Participants: 2, RoomID: room, Recurrence: daily(4)})
		},
		series: []string{occ(0, 12, 0, hour, false), occ(1, 12, 0, hour, false), occ(2, 12, 0, hour, false), occ(3, 12, 0, hour, false)},
		free:   []time.Time{day(1, 16, 0), day(3, 10, 0)},
		taken:  []time.Time{day(2, 12, 30)},
	}, {
		name: "all occurrences, same times, keeps the moved one",
		edit: func(s *Service, m *Meeting, room string) (*Meeting, error) {
			if _, err := s.MoveOccurrence(ctx, host, m.ID, day(1, 10, 0), day(1, 16, 0), hour); err != nil {
				return nil, err
			}
			name := "新周会"
			return s.Update(ctx, host, m.ID, BookingInput{Start: at, Duration: hour, TimeZone: "UTC", Name: &name, Participants: 2, RoomID: room, Recurrence: daily(4)})
		},
		series:     []string{occ(0, 10, 0, hour, false), occ(1, 16, 0, hour, true), occ(2, 10, 0, hour, false), occ(3, 10, 0, hour, false)},
		exceptions: 1,
		free:       []time.Time{day(1, 10, 0)},
		taken:      []time.Time{day(1, 16, 0)},
	}, {
		name: "an occurrence moved onto another booking",
		other: func(t *testing.T, s *Service, room string) *Meeting {
			return book(t, s, host, "评审", day(1, 14, 0), hour, 2, room)
		},
		edit: func(s *Service, m *Meeting, _ string) (*Meeting, error) {
			return s.MoveOccurrence(ctx, host, m.ID, day(1, 10, 0), day(1, 14, 30), hour)
		},
		msg: func(o *Meeting) string {
			return `dedicated room 6001 (张三的会议室) is booked: "评审" (` + o.Number + ") " + span(day(1, 14, 0), day(1, 15, 0))
		},
	}, {
		name: "this and following onto another booking",
		other: func(t *testing.T, s *Service, room string) *Meeting {
			return book(t, s, host, "评审", day(3, 15, 0), hour, 2, room)
		},
		edit: func(s *Service, m *Meeting, room string) (*Meeting, error) {
			return s.SplitFrom(ctx, host, m.ID, day(2, 10, 0), BookingInput{Start: day(2, 15, 0), Duration: hour, TimeZone: "UTC",
				Participants: 2, RoomID: room, Recurrence: daily(2)})
		},
		msg: func(o *Meeting) string {
			return `dedicated room 6001 (张三的会议室) is booked: "评审" (` + o.Number + ") " + span(day(3, 15, 0), day(3, 16, 0))
		},
	}, {
		name: "all occurrences onto another booking",
		other: func(t *testing.T, s *Service, room string) *Meeting {
			return book(t, s, host, "评审", day(3, 12, 0), hour, 2, room)
		},
		edit: func(s *Service, m *Meeting, room string) (*Meeting, error) {
			return s.Update(ctx, host, m.ID, BookingInput{Start: day(0, 12, 0), Duration: hour, TimeZone: "UTC", Participants: 2, RoomID: room, Recurrence: daily(4)})
		},
		msg: func(o *Meeting) string {
			return `dedicated room 6001 (张三的会议室) is booked: "评审" (` + o.Number + ") " + span(day(3, 12, 0), day(3, 13, 0))
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, st := newService(t, Config{}, newPeople(0).directory())
			room := bookingRooms(t, s).dedicated.ID
			name := "周会"
			m, err := s.Book(ctx, host, BookingInput{Start: at, Duration: hour, TimeZone: "UTC", Name: &name, Participants: 2, RoomID: room, Recurrence: daily(4)})
			if err != nil {
				t.Fatal(err)
			}
			was := times(stored(t, s, m.ID), at)
			var other *Meeting
			if c.other != nil {
				other = c.other(t, s, room)
			}
			n := activeMeetings(t, st)
			got, err := c.edit(s, m, room)
			if c.msg != nil {
				wantErr(t, err, errs.KindConflict, "start", c.msg(other))
				after := stored(t, s, m.ID)
				if now := times(after, at); !slices.Equal(now, was) || after.Sequence != m.Sequence {
					t.Errorf("after the refusal the series shows %q (sequence %d), was %q (%d)", now, after.Sequence, was, m.Sequence)
				}
				if k := activeMeetings(t, st); k != n {
					t.Errorf("%d meetings stored after the refusal, want %d", k, n)
				}
				return
			}
			if err != nil {
				t.Fatalf("edit refused: %v", err)
			}
			after := stored(t, s, m.ID)
			if now := times(after, at); !slices.Equal(now, c.series) {
				t.Errorf("the series shows\n%q, want\n%q", now, c.series)
			}
			if len(after.Exceptions) != c.exceptions {
				t.Errorf("%d exceptions stored (%+v), want %d", len(after.Exceptions), after.Exceptions, c.exceptions)
			}
			if after.Sequence <= m.Sequence {
				t.Errorf("sequence %d after the edit, was %d: invitees would not see it as an update", after.Sequence, m.Sequence)
			}
			if c.tail != nil {
				tail := stored(t, s, got.ID)
				if now := times(tail, at); got.ID == m.ID || !slices.Equal(now, c.tail) || tail.SeriesOf != m.ID || tail.Password != m.Password {
					t.Errorf("the new series %s (of %q, password %q) shows %q, want %q", tail.ID, tail.SeriesOf, tail.Password, now, c.tail)
				}
			}
			// What the edit freed, the enterprise's admin can book in the room; what it took, not.
			for i, start := range slices.Concat(c.free, c.taken) {
				_, err := s.Book(ctx, admin, BookingInput{Start: start, Duration: hour, TimeZone: "UTC", Participants: 2, RoomID: room})
				if free := i < len(c.free); free != (err == nil) {
					t.Errorf("booking the room at %s: %v (free: %v)", start.Format("01-02 15:04"), err, free)
				} else if !free && !strings.HasPrefix(errMessage(err), "dedicated room 6001 (张三的会议室) is booked: ") {
					t.Errorf("booking the room at %s: %v", start.Format("01-02 15:04"), err)
				}
			}
		})
	}
}

// TestOccurrenceEditRefusals: edits of occurrences that cannot be made say why.
func TestOccurrenceEditRefusals(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	s, _ := newService(t, Config{}, newPeople(0).directory())
	single := book(t, s, host, "一次", at, time.Hour, 2, "")
	name := "周会"
	series, err := s.Book(ctx, host, BookingInput{Start: at, Duration: time.Hour, TimeZone: "UTC", Name: &name, Participants: 2,
		Recurrence: &recur.Rule{Freq: recur.Daily, Count: 4}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func() (*Meeting, error)
		kind  errs.Kind
		field string
		msg   string
	}{
		{"a single meeting has no occurrences", func() (*Meeting, error) { return s.CancelOccurrence(ctx, host, single.ID, at) },
			errs.KindInvalid, "occurrence", "a single meeting has no occurrences to change; edit the meeting"},
		{"no occurrence at that time", func() (*Meeting, error) { return s.CancelOccurrence(ctx, host, series.ID, at.Add(time.Hour)) },
			errs.KindNotFound, "", "occurrence not found"},
		{"another member may not move it", func() (*Meeting, error) {
			return s.MoveOccurrence(ctx, colleague, series.ID, at, at.Add(time.Hour), time.Hour)
		}, errs.KindNotFound, "", "meeting not found"},
		{"moved without a start", func() (*Meeting, error) { return s.MoveOccurrence(ctx, host, series.ID, at, time.Time{}, time.Hour) },
			errs.KindInvalid, "start", "a start time is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.edit()
			wantErr(t, err, c.kind, c.field, c.msg)
		})
	}
	if m := stored(t, s, series.ID); len(m.Exceptions) != 0 || m.Sequence != series.Sequence {
		t.Errorf("series changed: %+v", m.Exceptions)
	}
}

// errMessage is a domain error's message, or the error's text.
func errMessage(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Message
	}
	return fmt.Sprint(err)
}
