package conference

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// rooms are the rooms of a booking test besides the shared 8000 the service
// creates: 张三's dedicated room and 甲公司's own room, 10 participants each.
type rooms struct{ dedicated, enterprise *Room }

func bookingRooms(t *testing.T, s *Service) rooms {
	return rooms{
		dedicated:  newRoom(t, s, RoomInput{Number: "6001", Name: "张三的会议室", Capacity: 10, Scope: RoomDedicated, OwnerID: "u1"}),
		enterprise: newRoom(t, s, RoomInput{Number: "6002", Name: "甲会议室", Capacity: 10, Scope: RoomEnterprise, EnterpriseID: "e1"}),
	}
}

// activeMeetings counts the bookings in the store that are not cancelled.
func activeMeetings(t *testing.T, st *store.Store) int64 {
	t.Helper()
	n, err := st.R.Collection(meetingsColl).CountDocuments(context.Background(), bson.M{"status": StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBookingConflicts: a booking that clashes with what is booked is refused
// with CONFLICT naming the clashing meeting and its time (another enterprise's
// meeting by its time only) and nothing is stored; one that does not clash is
// stored in the room the rules allow.
func TestBookingConflicts(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	hour := time.Hour
	cases := []struct {
		name  string
		quota int // 甲公司's; 0: none
		cfg   Config
		// before books what is there already and returns the booking a refusal names.
		before func(t *testing.T, s *Service, r rooms) *Meeting
		// book is the booking under test.
		book func(s *Service, r rooms) (*Meeting, error)
		// kind, field and msg are the refusal (kind 0: accepted); msg is built from
		// the booking before.
		kind  errs.Kind
		field string
		msg   func(m *Meeting) string
		// room is the number of the room an accepted booking lands in.
		room string
	}{{
		name: "dedicated room double-booked",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, host, "周会", at, hour, 2, r.dedicated.ID)
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(30 * time.Minute), Participants: 2, RoomID: r.dedicated.ID, TimeZone: "UTC"})
		},
		kind: errs.KindConflict, field: "start",
		msg: func(m *Meeting) string {
			return `dedicated room 6001 (张三的会议室) is booked: "周会" (` + m.Number + ") " + span(at, at.Add(hour))
		},
	}, {
		name: "dedicated room back to back",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, host, "周会", at, hour, 2, r.dedicated.ID)
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(hour), Participants: 2, RoomID: r.dedicated.ID})
		},
		room: "6001",
	}, {
		name: "enterprise room full",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, colleague, "例会", at, hour, 6, r.enterprise.ID)
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(30 * time.Minute), Participants: 5, RoomID: r.enterprise.ID, TimeZone: "UTC"})
		},
		kind: errs.KindConflict, field: "start",
		msg: func(m *Meeting) string {
			return `room 6002 (甲会议室) holds 10 participants, 6 are already booked: "例会" (` + m.Number + ") " + span(at, at.Add(hour))
		},
	}, {
		name: "enterprise room with room left",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, colleague, "例会", at, hour, 6, r.enterprise.ID)
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(30 * time.Minute), Participants: 4, RoomID: r.enterprise.ID})
		},
		room: "6002",
	}, {
		name:  "enterprise quota",
		quota: 10,
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, colleague, "例会", at, hour, 6, "")
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(-30 * time.Minute), Participants: 5, TimeZone: "UTC"})
		},
		kind: errs.KindConflict, field: "start",
		msg: func(m *Meeting) string {
			return `your enterprise's quota of 10 participants, 6 are already booked: "例会" (` + m.Number + ") " + span(at, at.Add(hour))
		},
	}, {
		name:  "over the quota alone",
		quota: 10,
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at, Participants: 11})
		},
		kind: errs.KindConflict, field: "participants",
		msg: func(*Meeting) string { return "your enterprise's quota of 10 participants: 11 participants do not fit" },
	}, {
		name:  "another enterprise's meetings do not count against the quota",
		quota: 10,
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, outsider, "乙的会", at, hour, 9, "")
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at, Participants: 10})
		},
		room: "6001",
	}, {
		name: "platform capacity names no other enterprise's meeting",
		cfg:  Config{PlatformCapacity: 20},
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			return book(t, s, outsider, "乙的会", at, hour, 15, "")
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at.Add(59 * time.Minute), Participants: 6, TimeZone: "UTC"})
		},
		kind: errs.KindConflict, field: "start",
		msg: func(*Meeting) string {
			return "the platform's capacity of 20 participants, 15 are already booked: another enterprise's meeting " + span(at, at.Add(hour))
		},
	}, {
		name: "another member's dedicated room answers like an unknown room",
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, colleague, BookingInput{Start: at, Participants: 2, RoomID: r.dedicated.ID})
		},
		kind: errs.KindNotFound,
		msg:  func(*Meeting) string { return "room not found" },
	}, {
		name: "an admin books a member's dedicated room",
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, admin, BookingInput{Start: at, Participants: 2, RoomID: r.dedicated.ID})
		},
		room: "6001",
	}, {
		name: "the system picks the owner's dedicated room first",
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at, Participants: 2})
		},
		room: "6001",
	}, {
		name: "the system never picks another's dedicated room",
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, colleague, BookingInput{Start: at, Participants: 2})
		},
		room: "6002",
	}, {
		name: "the system never picks a member's dedicated room for an admin",
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, admin, BookingInput{Start: at, Participants: 2})
		},
		room: "6002",
	}, {
		name: "a cancelled meeting does not clash",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			m := book(t, s, host, "周会", at, hour, 2, r.dedicated.ID)
			if err := s.Cancel(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: at, Participants: 2, RoomID: r.dedicated.ID})
		},
		room: "6001",
	}, {
		name: "a meeting in progress clashes",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			m := book(t, s, host, "周会", time.Now().Add(-10*time.Minute), hour, 2, r.dedicated.ID)
			if _, err := s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: time.Now().Add(5 * time.Minute), Participants: 2, RoomID: r.dedicated.ID, TimeZone: "UTC"})
		},
		kind: errs.KindConflict, field: "start",
		msg: func(m *Meeting) string {
			return `dedicated room 6001 (张三的会议室) is booked: "周会" (` + m.Number + ") " + span(m.Start, m.Start.Add(hour))
		},
	}, {
		name: "an ended meeting does not clash",
		before: func(t *testing.T, s *Service, r rooms) *Meeting {
			m := book(t, s, host, "周会", time.Now().Add(-10*time.Minute), hour, 2, r.dedicated.ID)
			if _, err := s.Start(ctx, host, m.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := endNow(ctx, s, host, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		},
		book: func(s *Service, r rooms) (*Meeting, error) {
			return s.Book(ctx, host, BookingInput{Start: time.Now().Add(5 * time.Minute), Participants: 2, RoomID: r.dedicated.ID})
		},
		room: "6001",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pp := newPeople(c.quota)
			s, st := newService(t, c.cfg, pp.directory())
			r := bookingRooms(t, s)
			var before *Meeting
			if c.before != nil {
				before = c.before(t, s, r)
			}
			n := activeMeetings(t, st)
			m, err := c.book(s, r)
			if c.kind == errs.KindUnknown {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				got := stored(t, s, m.ID)
				rm := map[string]*Room{r.dedicated.ID: r.dedicated, r.enterprise.ID: r.enterprise}[got.RoomID]
				if rm == nil || rm.Number != c.room {
					t.Errorf("stored in room %q (%+v), want %s", got.RoomID, rm, c.room)
				}
				return
			}
			e := wantErr(t, err, c.kind, c.field, c.msg(before))
			if before != nil && c.kind == errs.KindConflict {
				// The details name the clashing meeting for the client to link to,
				// only when it is the booker's enterprise's.
				id, named := e.Details["conflictMeetingId"]
				if mine := before.EnterpriseID == "e1"; named != mine || (mine && id != before.ID) {
					t.Errorf("details %v, clashing meeting %s of %s", e.Details, before.ID, before.EnterpriseID)
				}
			}
			if got := activeMeetings(t, st); got != n {
				t.Errorf("%d meetings stored after the refusal, want %d", got, n)
			}
		})
	}
}
