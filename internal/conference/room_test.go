package conference

import (
	"context"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// TestRoomChanges: a platform administrator's change of a room that the bookings
// in it would not survive (less capacity than booked, another enterprise, another
// owner) is refused naming the booking, and the room stays as it was; changes the
// bookings survive are stored.
func TestRoomChanges(t *testing.T) {
	ctx := context.Background()
	at := slot(10, 0)
	// In 甲会议室 (6002): 张三's 周会 for 6 at 10:00. In 张三's dedicated room (6001):
	// his 张三的会 at 10:00 and the admin's 管理员的会 at 12:00.
	// The rooms' settings as bookingRooms creates them.
	enterprise := RoomInput{Number: "6002", Name: "甲会议室", Capacity: 10, Scope: RoomEnterprise, EnterpriseID: "e1"}
	dedicated := RoomInput{Number: "6001", Name: "张三的会议室", Capacity: 10, Scope: RoomDedicated, OwnerID: "u1"}
	cases := []struct {
		name string
		by   *auth.Principal
		// room picks the room to change; in, what it becomes (nil: it is deleted).
		room  func(r rooms) *Room
		in    func(in RoomInput) *RoomInput
		kind  errs.Kind // 0: stored
		field string
		msg   string
	}{
		{name: "shrunk below what is booked", room: func(r rooms) *Room { return r.enterprise },
			in:   func(in RoomInput) *RoomInput { in.Capacity = 5; return &in },
			kind: errs.KindConflict, field: "capacity", msg: "6 participants are booked in this room at " + fmtTime(at, time.UTC)},
		{name: "shrunk to what is booked", room: func(r rooms) *Room { return r.enterprise },
			in: func(in RoomInput) *RoomInput { in.Capacity = 6; return &in }},
		{name: "given to another enterprise", room: func(r rooms) *Room { return r.enterprise },
			in:   func(in RoomInput) *RoomInput { in.EnterpriseID = "e2"; return &in },
			kind: errs.KindConflict, field: "scope", msg: `meeting "周会" of another enterprise is booked in this room at ` + fmtTime(at, time.UTC)},
		{name: "shared with every enterprise", room: func(r rooms) *Room { return r.enterprise },
			in: func(in RoomInput) *RoomInput { in.Scope = RoomShared; return &in }},
		{name: "dedicated to another member", room: func(r rooms) *Room { return r.dedicated },
			in:   func(in RoomInput) *RoomInput { in.OwnerID = "u2"; return &in },
			kind: errs.KindConflict, field: "ownerId", msg: `meeting "张三的会" of another host is booked in this room at ` + fmtTime(at, time.UTC)},
		{name: "renamed with an admin's booking in it", room: func(r rooms) *Room { return r.dedicated },
			in: func(in RoomInput) *RoomInput { in.Name, in.Password = "张三专用", "8888"; return &in }},
		{name: "deleted with bookings ahead", room: func(r rooms) *Room { return r.enterprise },
			kind: errs.KindConflict, field: "id", msg: `meeting "周会" is booked in this room at ` + at.Format(time.RFC3339)},
		{name: "changed by an enterprise admin", by: admin, room: func(r rooms) *Room { return r.enterprise },
			in:   func(in RoomInput) *RoomInput { in.Capacity = 20; return &in },
			kind: errs.KindForbidden, msg: "only platform administrators manage cloud rooms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newService(t, Config{}, newPeople(0).directory())
			r := bookingRooms(t, s)
			book(t, s, host, "周会", at, time.Hour, 6, r.enterprise.ID)
			book(t, s, host, "张三的会", at, time.Hour, 2, r.dedicated.ID)
			book(t, s, admin, "管理员的会", at.Add(2*time.Hour), time.Hour, 2, r.dedicated.ID)
			room := c.room(r)
			base := map[string]RoomInput{r.enterprise.ID: enterprise, r.dedicated.ID: dedicated}[room.ID]
			by := c.by
			if by == nil {
				by = platform
			}
			var in *RoomInput
			var err error
			if c.in == nil {
				err = s.DeleteRoom(ctx, by, room.ID)
			} else {
				in = c.in(base)
				_, err = s.UpdateRoom(ctx, by, room.ID, *in)
			}
			got, gerr := s.Room(ctx, platform, room.ID)
			if gerr != nil {
				t.Fatalf("the room after the change: %v", gerr)
			}
			if c.kind != errs.KindUnknown {
				wantErr(t, err, c.kind, c.field, c.msg)
				if got.Capacity != room.Capacity || got.Scope != room.Scope || got.EnterpriseID != room.EnterpriseID || got.OwnerID != room.OwnerID || got.Name != room.Name {
					t.Errorf("the room after the refusal: %+v, was %+v", got, room)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got.Capacity != in.Capacity || got.Scope != in.Scope || got.Name != in.Name || got.Password != in.Password {
				t.Errorf("the room after the change: %+v, want %+v", got, in)
			}
		})
	}
}
