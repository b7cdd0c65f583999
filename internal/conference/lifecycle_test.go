package conference

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// usageWant is what the resource status shows booked for 甲公司 in [from, to).
type usageWant struct {
	from, to time.Time
	booked   int
}

// TestCapacity: what an occurrence reserves against 甲公司's quota of 10, as the
// resource status shows it and as a later booking of 5 is checked against it: its
// booked time, from an early start on, and no more after its run ended.
func TestCapacity(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	hour := time.Hour
	cases := []struct {
		name string
		// setup books (and starts, ends) 6 participants for 周会 and returns it.
		setup func(t *testing.T, s *Service) *Meeting
		usage func(m *Meeting, now time.Time) []usageWant
		// probe is when a booking of 5 starts; refused, when not empty, is the
		// message of its refusal.
		probe   func(m *Meeting, now time.Time) time.Time
		refused func(t *testing.T, s *Service, m *Meeting) string
		// then checks what else holds afterwards; nil: nothing.
		then func(t *testing.T, s *Service, m *Meeting)
	}{{
		name: "an occurrence reserves its booked time",
		setup: func(t *testing.T, s *Service) *Meeting {
			return book(t, s, host, "周会", at, hour, 6, "")
		},
		usage: func(m *Meeting, now time.Time) []usageWant {
			return []usageWant{{at.Add(-hour), at, 0}, {at, at.Add(hour), 6}, {at.Add(59 * time.Minute), at.Add(2 * hour), 6}, {at.Add(hour), at.Add(2 * hour), 0}}
		},
		probe: func(*Meeting, time.Time) time.Time { return at.Add(59 * time.Minute) },
		refused: func(t *testing.T, s *Service, m *Meeting) string {
			return `your enterprise's quota of 10 participants, 6 are already booked: "周会" (` + m.Number + ") " + span(at, at.Add(hour))
		},
	}, {
		name: "each occurrence of a series reserves, and only its own time",
		setup: func(t *testing.T, s *Service) *Meeting {
			name := "周会"
			m, err := s.Book(ctx, host, BookingInput{Start: at, Duration: hour, TimeZone: "UTC", Name: &name, Participants: 6,
				Recurrence: &recur.Rule{Freq: recur.Daily, Count: 3}})
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
		usage: func(m *Meeting, now time.Time) []usageWant {
			d := at.AddDate(0, 0, 2)
			return []usageWant{{d, d.Add(hour), 6}, {d.Add(hour), d.Add(24 * hour), 0}, {d.AddDate(0, 0, 1), d.AddDate(0, 0, 2), 0}}
		},
		probe: func(*Meeting, time.Time) time.Time { return at.AddDate(0, 0, 2).Add(30 * time.Minute) },
		refused: func(t *testing.T, s *Service, m *Meeting) string {
			d := at.AddDate(0, 0, 2)
			return `your enterprise's quota of 10 participants, 6 are already booked: "周会" (` + m.Number + ") " + span(d, d.Add(hour))
		},
	}, {
		name: "an early start reserves from then on",
		setup: func(t *testing.T, s *Service) *Meeting {
			m := book(t, s, host, "周会", at, hour, 6, "")
			if _, err := s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		usage: func(m *Meeting, now time.Time) []usageWant {
			return []usageWant{{now.Add(time.Minute), now.Add(hour), 6}, {at, at.Add(hour), 6}}
		},
		probe: func(_ *Meeting, now time.Time) time.Time { return now.Add(time.Hour) },
		refused: func(t *testing.T, s *Service, m *Meeting) string {
			cur := stored(t, s, m.ID)
			if len(cur.Early) != 1 || !cur.Early[0].Key.Equal(at) {
				t.Fatalf("early starts stored: %+v", cur.Early)
			}
			return `your enterprise's quota of 10 participants, 6 are already booked: "周会" (` + m.Number + ") " + span(cur.Early[0].At, at.Add(hour))
		},
	}, {
		name: "a run that ends before its booked start keeps only the booked time",
		setup: func(t *testing.T, s *Service) *Meeting {
			m := book(t, s, host, "周会", at, hour, 6, "")
			if _, err := s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := endNow(ctx, s, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		usage: func(m *Meeting, now time.Time) []usageWant {
			return []usageWant{{now.Add(time.Minute), now.Add(hour), 0}, {at, at.Add(hour), 6}}
		},
		probe: func(_ *Meeting, now time.Time) time.Time { return now.Add(time.Hour) },
		then: func(t *testing.T, s *Service, m *Meeting) {
			// The booked hour stays taken.
			_, err := s.Book(ctx, colleague, BookingInput{Start: at, Participants: 5})
			wantErr(t, err, errs.KindConflict, "start", `your enterprise's quota of 10 participants, 6 are already booked: "周会"…`)
		},
	}, {
		name: "an ended run frees the rest of its time at once",
		setup: func(t *testing.T, s *Service) *Meeting {
			m := book(t, s, host, "周会", time.Now().Add(-10*time.Minute), hour, 6, "")
			if _, err := s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			// While it runs, the rest of its time is taken.
			_, err := s.Book(ctx, colleague, BookingInput{Start: time.Now().Add(5 * time.Minute), Participants: 5})
			wantErr(t, err, errs.KindConflict, "start", `your enterprise's quota of 10 participants, 6 are already booked: "周会"…`)
			if _, err := endNow(ctx, s, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		usage: func(m *Meeting, now time.Time) []usageWant {
			return []usageWant{{now.Add(time.Minute), m.Start.Add(hour), 0}}
		},
		probe: func(_ *Meeting, now time.Time) time.Time { return now.Add(5 * time.Minute) },
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, st := newService(t, Config{}, newPeople(10).directory())
			m := c.setup(t, s)
			now := time.Now()
			for _, u := range c.usage(m, now) {
				rs, err := s.ResourceStatus(ctx, host, u.from, u.to)
				if err != nil {
					t.Fatal(err)
				}
				if rs.Enterprise.Booked != u.booked || rs.Enterprise.Capacity != 10 {
					t.Errorf("booked %d of %d in [%v, %v), want %d of 10", rs.Enterprise.Booked, rs.Enterprise.Capacity, u.from, u.to, u.booked)
				}
			}
			n := activeMeetings(t, st)
			_, err := s.Book(ctx, colleague, BookingInput{Start: c.probe(m, now), Participants: 5, TimeZone: "UTC"})
			if c.refused == nil {
				if err != nil {
					t.Errorf("booking 5 refused: %v", err)
				}
				if c.then != nil {
					c.then(t, s, m)
				}
				return
			}
			wantErr(t, err, errs.KindConflict, "start", c.refused(t, s, m))
			if got := activeMeetings(t, st); got != n {
				t.Errorf("%d meetings stored after the refusal, want %d", got, n)
			}
		})
	}
}

// TestEarlyStartOverQuota: starting a meeting before its booked time when that
// time is booked up is refused, naming what is booked, and starts nothing.
func TestEarlyStartOverQuota(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, Config{}, newPeople(10).directory())
	m := book(t, s, host, "周会", slot(10, 0), time.Hour, 6, "")
	other := book(t, s, colleague, "例会", time.Now().Add(10*time.Minute), time.Hour, 5, "")
	_, err := s.Start(ctx, host, m.ID)
	wantErr(t, err, errs.KindConflict, "start", `starting now, before the booked time, exceeds your enterprise's quota of 10 participants, 5 are already booked: "例会" (`+
		other.Number+`) `+span(other.Start, other.Start.Add(time.Hour)))
	if n, _ := st.R.Collection(runsColl).CountDocuments(ctx, bson.M{"meetingId": m.ID}); n != 0 {
		t.Errorf("%d runs stored", n)
	}
	if cur := stored(t, s, m.ID); len(cur.Early) != 0 {
		t.Errorf("early start stored: %+v", cur.Early)
	}
}

// TestEarlyRunStartsAgain: a run the host ended before the booked start did not use
// the occurrence up: the host starts it again, as a new run.
func TestEarlyRunStartsAgain(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, Config{}, newPeople(10).directory())
	at := slot(10, 0)
	m := book(t, s, host, "周会", at, time.Hour, 6, "")
	first, err := s.Start(ctx, host, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := endNow(ctx, s, host, m.ID); err != nil {
		t.Fatal(err)
	}
	again, err := s.Start(ctx, host, m.ID)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if again.ID != first.ID+"|2" || !again.InProgress() {
		t.Errorf("second start made run %s (in progress %v) after %s", again.ID, again.InProgress(), first.ID)
	}
	if r, err := s.RunInProgress(ctx, host, m.ID); err != nil || r.ID != again.ID {
		t.Errorf("run in progress %+v, %v", r, err)
	}
}

// TestSweepOnce: a sweep at a given time ends the runs past their booked end plus
// grace and those empty for EmptyTimeout, and leaves every other run alone.
func TestSweepOnce(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Grace: 15 * time.Minute, EmptyTimeout: 10 * time.Minute}
	cases := []struct {
		name string
		// present is who is in the run; left, whether one more joined and left.
		present int
		left    bool
		// at is when the sweep runs, from the run as stored.
		at func(r *Run) time.Time
		// want is the end reason; "" when the run goes on.
		want string
	}{
		{name: "past its end plus grace", present: 1, at: func(r *Run) time.Time { return r.ScheduledEnd.Add(cfg.Grace + time.Second) }, want: EndedByWindow},
		{name: "at its end plus grace", present: 1, at: func(r *Run) time.Time { return r.ScheduledEnd.Add(cfg.Grace) }},
		{name: "past its end within grace", present: 1, at: func(r *Run) time.Time { return r.ScheduledEnd.Add(time.Minute) }},
		{name: "empty since its start for the timeout", at: func(r *Run) time.Time { return r.StartedAt.Add(cfg.EmptyTimeout) }, want: EndedEmpty},
		{name: "empty for less than the timeout", at: func(r *Run) time.Time { return r.StartedAt.Add(cfg.EmptyTimeout - time.Second) }},
		{name: "someone in it long after the timeout", present: 1, at: func(r *Run) time.Time { return r.StartedAt.Add(cfg.EmptyTimeout + 30*time.Minute) }},
		{name: "empty since the last one left", left: true, at: func(r *Run) time.Time { return r.EmptySince.Add(cfg.EmptyTimeout) }, want: EndedEmpty},
		{name: "empty past its end plus grace", at: func(r *Run) time.Time { return r.ScheduledEnd.Add(time.Hour) }, want: EndedByWindow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, st := newService(t, cfg, newPeople(0).directory())
			start := time.Now().Add(-10 * time.Minute)
			m := book(t, s, host, "周会", start, time.Hour, 6, "")
			other := book(t, s, colleague, "例会", start, 3*time.Hour, 6, "")
			var r, or *Run
			var err error
			if r, err = s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			if or, err = s.Start(ctx, colleague, other.ID); err != nil {
				t.Fatal(err)
			}
			// The other run has someone in it and ends long after this one.
			if err := s.Joined(ctx, meeting.Presence{RunID: or.ID, UserID: "u2", Name: "李四"}); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < c.present; i++ {
				if err := s.Joined(ctx, meeting.Presence{RunID: r.ID, Name: "访客"}); err != nil {
					t.Fatal(err)
				}
			}
			if c.left {
				p := meeting.Presence{RunID: r.ID, Name: "访客"}
				if err := s.Joined(ctx, p); err != nil {
					t.Fatal(err)
				}
				if err := s.Left(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			if r, err = s.run(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			s.SweepOnce(ctx, c.at(r))

			got, err := s.run(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.EndReason != c.want || got.InProgress() != (c.want == "") {
				t.Errorf("run ended %v by %q, want %q", got.EndedAt, got.EndReason, c.want)
			}
			inProgress := map[string]bool{}
			for _, x := range s.runsInProgress(ctx) {
				inProgress[x.ID] = true
			}
			if inProgress[r.ID] != (c.want == "") || !inProgress[or.ID] {
				t.Errorf("in progress after the sweep: %v", inProgress)
			}
			if c.want == "" {
				return
			}
			// The log says why it ended, and what the occurrence booked after now
			// is free.
			_, entries, err := s.MeetingLog(ctx, host, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if last := entries[len(entries)-1]; last.Kind != "ended" || last.Detail != c.want {
				t.Errorf("last log entry %+v", last)
			}
			var doc Meeting
			if err := st.R.Collection(meetingsColl).FindOne(ctx, bson.M{"_id": m.ID}).Decode(&doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Ended) != 1 || !doc.Ended[0].At.Equal(*got.EndedAt) {
				t.Errorf("ended occurrences stored: %+v, run ended %v", doc.Ended, got.EndedAt)
			}
		})
	}
}
