package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/store"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The conference tests drive rooms, bookings, recurrence, capacity, the meeting
// lifecycle, history and logs through the GraphQL API of a real server, as the
// issue describes them.

// confWorld is newAuthFixture's enterprise (admin 管理员, member 张三) with two
// more members, 李四 and 王五, and an unlimited quota.
type confWorld struct {
	*authFixture
	adminID          string
	liID, wangID     string
	li, wang         *xtest.Client
	shanghai, berlin *time.Location
}

const confPassword = "conf-password-1"

func confSetup(t *testing.T, args ...string) *confWorld {
	t.Helper()
	srv := xtest.StartServer(t, xtest.Options{Args: args})
	w := &confWorld{authFixture: newAuthFixture(t, srv)}
	w.setQuota(t, 0)
	var me struct{ Me struct{ ID string } }
	w.admin.Do(t, `{me{id}}`, nil).Decode(t, &me)
	w.adminID = me.Me.ID
	w.liID = confCreateMember(t, w.admin, "李四", "li@acme.example")
	w.wangID = confCreateMember(t, w.admin, "王五", "wang@acme.example")
	w.li = srv.Login(t, "li@acme.example", confPassword)
	w.wang = srv.Login(t, "wang@acme.example", confPassword)
	var err error
	if w.shanghai, err = time.LoadLocation("Asia/Shanghai"); err != nil {
		t.Fatal(err)
	}
	if w.berlin, err = time.LoadLocation("Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *confWorld) setQuota(t *testing.T, quota int) {
	t.Helper()
	w.root.Do(t, `mutation($id:ID!,$q:Int!){updateEnterprise(id:$id,input:{quota:$q}){quota}}`,
		map[string]any{"id": w.enterpriseID, "q": quota}).Decode(t, &struct{}{})
}

func confCreateMember(t *testing.T, admin *xtest.Client, name, email string) string {
	t.Helper()
	var out struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`,
		map[string]any{"in": map[string]any{"name": name, "email": email, "password": confPassword}}).Decode(t, &out)
	return out.CreateMember.Member.ID
}

// confTenant is a second enterprise with its admin signed in.
func confTenant(t *testing.T, w *confWorld, code string) (*xtest.Client, string) {
	t.Helper()
	var e struct{ CreateEnterprise struct{ ID string } }
	w.root.Do(t, `mutation($c:String!){createEnterprise(input:{name:"Other 其他",code:$c,quota:0}){id}}`, map[string]any{"c": code}).Decode(t, &e)
	email := "admin@" + code + ".example"
	w.root.Do(t, `mutation($id:ID!,$e:String!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Other Admin",email:$e,password:"other-password-1"}){member{id}}}`,
		map[string]any{"id": e.CreateEnterprise.ID, "e": email}).Decode(t, &struct{}{})
	return w.srv.Login(t, email, "other-password-1"), e.CreateEnterprise.ID
}

// confRoom is a Room as the API returns it.
type confRoom struct {
	ID, Number, Name, Password, Scope string
	Capacity                          int
	EnterpriseID, OwnerID             *string
}

const confRoomSel = `id number name password capacity scope enterpriseId ownerId`

func confCreateRoom(t *testing.T, root *xtest.Client, in map[string]any) confRoom {
	t.Helper()
	var out struct{ CreateRoom confRoom }
	root.Do(t, `mutation($in:RoomInput!){createRoom(input:$in){`+confRoomSel+`}}`, map[string]any{"in": in}).Decode(t, &out)
	return out.CreateRoom
}

func confRooms(t *testing.T, c *xtest.Client) []confRoom {
	t.Helper()
	var out struct{ Rooms []confRoom }
	c.Do(t, `{rooms{`+confRoomSel+`}}`, nil).Decode(t, &out)
	return out.Rooms
}

func confRoomNumbers(rs []confRoom) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Number
	}
	return out
}

// confMeeting is a Meeting as the API returns it.
type confMeeting struct {
	ID, Number, Name, Password, Description, HostName, TimeZone string
	Start                                                       time.Time
	DurationMinutes, Participants                               int
	Instant, Cancelled                                          bool
	Host                                                        *struct{ ID string }
	Room                                                        *struct{ ID, Number, Scope string }
	Options                                                     struct{ MuteOnEntry, Live, Record, GuestsMayStart bool }
	PresenterID                                                 *string
	Invitees                                                    struct {
		Members  []struct{ ID string }
		GroupIds []string
		Emails   []string
	}
	Recurrence *struct {
		Frequency, Rrule         string
		Interval                 int
		Weekdays                 []string
		MonthDay, Ordinal, Count *int
		Weekday, Until           *string
	}
	RunInProgress *struct{ ID string }
	JoinURL       string
	SipURI        string
}

func (m confMeeting) memberIDs() []string {
	var out []string
	for _, x := range m.Invitees.Members {
		out = append(out, x.ID)
	}
	slices.Sort(out)
	return out
}

const confMeetingSel = `id number name password description hostName host{id} start durationMinutes timeZone participants
	instant cancelled room{id number scope} options{muteOnEntry live record guestsMayStart} presenterId
	invitees{members{id} groupIds emails} recurrence{frequency interval weekdays monthDay ordinal weekday until count rrule}
	runInProgress{id} joinUrl sipUri`

const confBookDoc = `mutation($in:BookMeetingInput!){bookMeeting(input:$in){` + confMeetingSel + `}}`

func confBook(t *testing.T, c *xtest.Client, in map[string]any) confMeeting {
	t.Helper()
	var out struct{ BookMeeting confMeeting }
	c.Do(t, confBookDoc, map[string]any{"in": in}).Decode(t, &out)
	return out.BookMeeting
}

func confGetMeeting(t *testing.T, c *xtest.Client, id string) confMeeting {
	t.Helper()
	var out struct{ Meeting confMeeting }
	c.Do(t, `query($id:ID!){meeting(id:$id){`+confMeetingSel+`}}`, map[string]any{"id": id}).Decode(t, &out)
	return out.Meeting
}

// confOcc is an Occurrence.
type confOcc struct {
	Key, Start, End time.Time
	Moved           bool
}

func confOccurrences(t *testing.T, c *xtest.Client, id string, from, to time.Time) []confOcc {
	t.Helper()
	var out struct {
		Meeting struct{ Occurrences []confOcc }
	}
	c.Do(t, `query($id:ID!,$f:Time!,$t:Time!){meeting(id:$id){occurrences(from:$f,to:$t){key start end moved}}}`,
		map[string]any{"id": id, "f": from, "t": to}).Decode(t, &out)
	return out.Meeting.Occurrences
}

// confScheduled is a ScheduledMeeting.
type confScheduled struct {
	Meeting struct {
		ID, Name string
		Room     *struct{ Number string }
	}
	Occurrence confOcc
}

func confMyMeetings(t *testing.T, c *xtest.Client, from, to time.Time) []confScheduled {
	t.Helper()
	var out struct{ MyMeetings []confScheduled }
	c.Do(t, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id name room{number}} occurrence{key start end moved}}}`,
		map[string]any{"f": from, "t": to}).Decode(t, &out)
	return out.MyMeetings
}

// confOccsOf returns the occurrences of meeting id in a schedule.
func confOccsOf(ss []confScheduled, id string) []confOcc {
	var out []confOcc
	for _, s := range ss {
		if s.Meeting.ID == id {
			out = append(out, s.Occurrence)
		}
	}
	return out
}

// confRun is a MeetingRun.
type confRun struct {
	ID, MeetingID, Number, Name, HostName   string
	ScheduledStart, ScheduledEnd, StartedAt time.Time
	EndedAt                                 *time.Time
	EndReason                               *string
	InProgress                              bool
	LogCsvURL                               string `json:"logCsvUrl"`
	Log                                     []confLogEntry
}

type confLogEntry struct {
	At                         time.Time
	Kind                       string
	ActorID, ActorName, Detail *string
}

// confRunListSel is a run in a list: without its log, which costs a read per run
// (a page of history with every log is refused by the complexity limit).
const confRunListSel = `id meetingId number name hostName scheduledStart scheduledEnd startedAt endedAt endReason inProgress logCsvUrl`

const confRunSel = confRunListSel + ` log{at kind actorId actorName detail}`

func confRunOp(t *testing.T, c *xtest.Client, op, meetingID string) confRun {
	t.Helper()
	var out map[string]confRun
	c.Do(t, `mutation($id:ID!){`+op+`(id:$id){`+confRunSel+`}}`, map[string]any{"id": meetingID}).Decode(t, &out)
	return out[op]
}

func confGetRun(t *testing.T, c *xtest.Client, id string) confRun {
	t.Helper()
	var out struct{ MeetingRun confRun }
	c.Do(t, `query($id:ID!){meetingRun(id:$id){`+confRunSel+`}}`, map[string]any{"id": id}).Decode(t, &out)
	return out.MeetingRun
}

// confInstant starts an instant meeting.
func confInstant(t *testing.T, c *xtest.Client, in map[string]any) (confMeeting, confRun) {
	t.Helper()
	var out struct {
		StartInstantMeeting struct {
			Meeting confMeeting
			Run     confRun
		}
	}
	c.Do(t, `mutation($in:InstantMeetingInput!){startInstantMeeting(input:$in){meeting{`+confMeetingSel+`} run{`+confRunSel+`}}}`,
		map[string]any{"in": in}).Decode(t, &out)
	return out.StartInstantMeeting.Meeting, out.StartInstantMeeting.Run
}

// confUsage, confRoomUsage and confStatus are a ResourceStatus.
type confUsage struct{ Capacity, Booked, Free int }

type confRoomUsage struct {
	Room     struct{ ID, Number string }
	Usage    confUsage
	Bookings []struct {
		Meeting    struct{ ID string }
		Occurrence struct{ Start time.Time }
	}
}

type confStatus struct {
	Enterprise, Platform confUsage
	Rooms                []confRoomUsage
	Now                  struct{ Participants, Meetings, RoomsInUse, PlatformParticipants int }
}

const confStatusSel = `enterprise{capacity booked free} platform{capacity booked free}
	rooms{room{id number} usage{capacity booked free} bookings{meeting{id} occurrence{start}}}
	now{participants meetings roomsInUse platformParticipants}`

func confResources(t *testing.T, c *xtest.Client, from, to time.Time) confStatus {
	t.Helper()
	var out struct{ ResourceStatus confStatus }
	c.Do(t, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){`+confStatusSel+`}}`, map[string]any{"f": from, "t": to}).Decode(t, &out)
	return out.ResourceStatus
}

func (s confStatus) room(number string) *confRoomUsage {
	for i := range s.Rooms {
		if s.Rooms[i].Room.Number == number {
			return &s.Rooms[i]
		}
	}
	return nil
}

// confWantErr checks that r failed with exactly one error of code (and field, when
// given), and returns the error.
func confWantErr(t *testing.T, what string, r *xtest.Response, code, field string) xtest.GQLError {
	t.Helper()
	if len(r.Errors) != 1 || r.Code() != code {
		t.Errorf("%s: want one %s error, got %+v (data %s)", what, code, r.Errors, r.Data)
		return xtest.GQLError{Extensions: map[string]any{}}
	}
	e := r.Errors[0]
	if field != "" && e.Extensions["field"] != field {
		t.Errorf("%s: extensions.field = %v, want %q (%s)", what, e.Extensions["field"], field, e.Message)
	}
	return e
}

// confNextWeekday returns the first wd at hh:mm in loc at least minDays from now.
func confNextWeekday(loc *time.Location, wd time.Weekday, hh, mm, minDays int) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, minDays)
	d = time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, loc)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// confSoon returns a whole minute about d from now.
func confSoon(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Minute) }

// confSig is an answer with ids masked, to compare refusals.
func confSig(r *xtest.Response, ids ...string) string {
	b, _ := json.Marshal(struct {
		Data   json.RawMessage
		Errors []xtest.GQLError
	}{r.Data, r.Errors})
	s := string(b)
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "<id>")
	}
	return s
}

// confSubscribe opens a websocket subscription as c and pumps its messages into
// a channel until ctx ends.
func confSubscribe(ctx context.Context, t *testing.T, c *xtest.Client, doc string, vars map[string]any) <-chan *xtest.WSMessage {
	t.Helper()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	if err := ws.Subscribe(ctx, "1", doc, vars); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	ch := make(chan *xtest.WSMessage, 32)
	go func() {
		defer close(ch)
		for {
			m, err := ws.Read(ctx)
			if err != nil {
				return
			}
			select {
			case ch <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// confNext decodes the next subscription event within d into v; false when none
// came.
func confNext(t *testing.T, ch <-chan *xtest.WSMessage, d time.Duration, v any) bool {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Errorf("subscription closed")
			return false
		}
		var p struct {
			Data   json.RawMessage
			Errors []xtest.GQLError
		}
		if m.Type != "next" || json.Unmarshal(m.Payload, &p) != nil || len(p.Errors) > 0 {
			t.Errorf("subscription: %s %s", m.Type, m.Payload)
			return false
		}
		if err := json.Unmarshal(p.Data, v); err != nil {
			t.Errorf("subscription payload %s: %v", p.Data, err)
			return false
		}
		return true
	case <-time.After(d):
		return false
	}
}

// ---- Rooms ----

func TestConfRooms(t *testing.T) {
	w := confSetup(t)
	other, otherEnt := confTenant(t, w, "other")
	_ = otherEnt

	// A fresh platform has the shared room 8000, sized to the platform.
	rs := confRooms(t, w.root)
	if len(rs) != 1 || rs[0].Number != "8000" || rs[0].Scope != "SHARED" || rs[0].Capacity != 1000 {
		t.Fatalf("rooms of a fresh platform: %+v", rs)
	}

	const createDoc = `mutation($in:RoomInput!){createRoom(input:$in){id}}`
	in := func(number, scope string, capacity int, extra map[string]any) map[string]any {
		m := map[string]any{"number": number, "name": "Room " + number, "capacity": capacity, "scope": scope}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	// Only platform admins manage rooms.
	for who, c := range map[string]*xtest.Client{"enterprise admin": w.admin, "member": w.member} {
		r := c.Do(t, createDoc, in("6001", "ENTERPRISE", 10, map[string]any{"enterpriseId": w.enterpriseID}))
		confWantErr(t, "createRoom as "+who, r, "FORBIDDEN", "")
	}

	ent := confCreateRoom(t, w.root, in("6001", "ENTERPRISE", 40, map[string]any{"enterpriseId": w.enterpriseID, "password": "1234"})["in"].(map[string]any))
	zd := confCreateRoom(t, w.root, in("6002", "DEDICATED", 10, map[string]any{"ownerId": w.memberID, "password": "20262026"})["in"].(map[string]any))
	ld := confCreateRoom(t, w.root, in("6003", "DEDICATED", 10, map[string]any{"ownerId": w.liID})["in"].(map[string]any))
	shared := confCreateRoom(t, w.root, in("60040", "SHARED", 50, map[string]any{"enterpriseId": w.enterpriseID})["in"].(map[string]any))
	if zd.Scope != "DEDICATED" || zd.OwnerID == nil || *zd.OwnerID != w.memberID || zd.EnterpriseID == nil || *zd.EnterpriseID != w.enterpriseID || zd.Password != "20262026" {
		t.Errorf("dedicated room: %+v", zd)
	}
	if shared.EnterpriseID != nil || shared.OwnerID != nil {
		t.Errorf("a shared room keeps no enterprise or owner: %+v", shared)
	}

	// Invalid rooms.
	for name, tc := range map[string]struct {
		vars        map[string]any
		code, field string
	}{
		"number taken":            {in("6001", "SHARED", 10, nil), "CONFLICT", "number"},
		"number with leading 0":   {in("0601", "SHARED", 10, nil), "BAD_USER_INPUT", "number"},
		"number too short":        {in("601", "SHARED", 10, nil), "BAD_USER_INPUT", "number"},
		"number not numeric":      {in("60a1", "SHARED", 10, nil), "BAD_USER_INPUT", "number"},
		"capacity 0":              {in("6005", "SHARED", 0, nil), "BAD_USER_INPUT", "capacity"},
		"capacity too big":        {in("6005", "SHARED", 10001, nil), "BAD_USER_INPUT", "capacity"},
		"password letters":        {in("6005", "SHARED", 10, map[string]any{"password": "abcd"}), "BAD_USER_INPUT", "password"},
		"dedicated no owner":      {in("6005", "DEDICATED", 10, nil), "BAD_USER_INPUT", "ownerId"},
		"dedicated unknown owner": {in("6005", "DEDICATED", 10, map[string]any{"ownerId": store.NewID()}), "BAD_USER_INPUT", "ownerId"},
		"enterprise unknown":      {in("6005", "ENTERPRISE", 10, map[string]any{"enterpriseId": store.NewID()}), "BAD_USER_INPUT", "enterpriseId"},
	} {
		confWantErr(t, "createRoom "+name, w.root.Do(t, createDoc, tc.vars), tc.code, tc.field)
	}

	// Who sees what: admins their enterprise's rooms, members those they may use.
	want := map[string]struct {
		c    *xtest.Client
		nums []string
	}{
		"platform admin":   {w.root, []string{"6001", "6002", "6003", "8000", "60040"}},
		"enterprise admin": {w.admin, []string{"6001", "6002", "6003", "8000", "60040"}},
		"张三":               {w.member, []string{"6001", "6002", "8000", "60040"}},
		"李四":               {w.li, []string{"6001", "6003", "8000", "60040"}},
		"王五":               {w.wang, []string{"6001", "8000", "60040"}},
		"other enterprise": {other, []string{"8000", "60040"}},
	}
	for who, tc := range want {
		if got := confRoomNumbers(confRooms(t, tc.c)); !slices.Equal(got, tc.nums) {
			t.Errorf("rooms as %s = %v, want %v", who, got, tc.nums)
		}
	}
	// A room one may not see answers like an unknown one.
	const roomDoc = `query($id:ID!){room(id:$id){id number}}`
	for _, tc := range []struct {
		c  *xtest.Client
		id string
	}{{w.wang, zd.ID}, {w.member, ld.ID}, {other, ent.ID}, {other, zd.ID}} {
		r := tc.c.Do(t, roomDoc, map[string]any{"id": tc.id})
		confWantErr(t, "room of another", r, "NOT_FOUND", "")
		rnd := store.NewID()
		if a, b := confSig(r, tc.id), confSig(tc.c.Do(t, roomDoc, map[string]any{"id": rnd}), rnd); a != b {
			t.Errorf("a room one may not see answers %s, an unknown one %s", a, b)
		}
	}
	var own struct{ Room confRoom }
	w.member.Do(t, roomDoc, map[string]any{"id": zd.ID}).Decode(t, &own)

	// Meeting and room numbers share one namespace.
	m := confBook(t, w.member, map[string]any{"start": confSoon(48 * time.Hour), "roomId": shared.ID, "participants": 40})
	confWantErr(t, "createRoom with a meeting's number", w.root.Do(t, createDoc, in(m.Number, "SHARED", 10, nil)), "CONFLICT", "number")

	// Editing: rename and renumber; shrinking below what is booked, or deleting a
	// room with future bookings, is refused.
	const updateDoc = `mutation($id:ID!,$in:RoomInput!){updateRoom(id:$id,input:$in){` + confRoomSel + `}}`
	var up struct{ UpdateRoom confRoom }
	w.root.Do(t, updateDoc, map[string]any{"id": ent.ID, "in": map[string]any{"number": "6101", "name": "大会议室", "capacity": 60,
		"scope": "ENTERPRISE", "enterpriseId": w.enterpriseID}}).Decode(t, &up)
	if up.UpdateRoom.Number != "6101" || up.UpdateRoom.Name != "大会议室" || up.UpdateRoom.Capacity != 60 {
		t.Errorf("updateRoom: %+v", up.UpdateRoom)
	}
	// The old number is free again; the new one is taken.
	confCreateRoom(t, w.root, map[string]any{"number": "6001", "name": "Reuse", "capacity": 5, "scope": "SHARED"})
	confWantErr(t, "updateRoom to a taken number", w.root.Do(t, updateDoc, map[string]any{"id": zd.ID, "in": map[string]any{
		"number": "6101", "name": "x", "capacity": 10, "scope": "DEDICATED", "ownerId": w.memberID}}), "CONFLICT", "number")
	confWantErr(t, "updateRoom as enterprise admin", w.admin.Do(t, updateDoc, map[string]any{"id": ent.ID, "in": map[string]any{
		"number": "6101", "name": "x", "capacity": 10, "scope": "SHARED"}}), "FORBIDDEN", "")
	confWantErr(t, "shrink below the booking", w.root.Do(t, updateDoc, map[string]any{"id": shared.ID, "in": map[string]any{
		"number": "60040", "name": "Small", "capacity": 30, "scope": "SHARED"}}), "CONFLICT", "capacity")
	confWantErr(t, "give a booked shared room to another enterprise", w.root.Do(t, updateDoc, map[string]any{"id": shared.ID, "in": map[string]any{
		"number": "60040", "name": "Small", "capacity": 50, "scope": "ENTERPRISE", "enterpriseId": otherEnt}}), "CONFLICT", "scope")
	confWantErr(t, "unknown room", w.root.Do(t, updateDoc, map[string]any{"id": store.NewID(), "in": map[string]any{
		"number": "6999", "name": "x", "capacity": 10, "scope": "SHARED"}}), "NOT_FOUND", "")
	const deleteDoc = `mutation($id:ID!){deleteRoom(id:$id)}`
	confWantErr(t, "delete a booked room", w.root.Do(t, deleteDoc, map[string]any{"id": shared.ID}), "CONFLICT", "")
	confWantErr(t, "delete as enterprise admin", w.admin.Do(t, deleteDoc, map[string]any{"id": ld.ID}), "FORBIDDEN", "")
	w.root.Do(t, deleteDoc, map[string]any{"id": ld.ID}).Decode(t, &struct{}{})
	if got := confRoomNumbers(confRooms(t, w.li)); slices.Contains(got, "6003") {
		t.Errorf("deleted room still listed: %v", got)
	}
	confWantErr(t, "book a deleted room", w.li.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": confSoon(50 * time.Hour), "roomId": ld.ID}}), "NOT_FOUND", "")
	// Once its meeting is cancelled, the room can shrink and go.
	w.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &struct{}{})
	w.root.Do(t, updateDoc, map[string]any{"id": shared.ID, "in": map[string]any{"number": "60040", "name": "Small", "capacity": 30, "scope": "SHARED"}}).Decode(t, &struct{}{})
	w.root.Do(t, deleteDoc, map[string]any{"id": shared.ID}).Decode(t, &struct{}{})
}

// ---- Booking ----

func TestConfBookDefaults(t *testing.T) {
	w := confSetup(t)
	var g struct{ CreateGroup struct{ ID string } }
	w.admin.Do(t, `mutation($m:[ID!]){createGroup(name:"研发组",memberIds:$m){id}}`, map[string]any{"m": []string{w.wangID, w.memberID}}).Decode(t, &g)

	// Only a start: the rest is defaulted.
	start := confSoon(24 * time.Hour)
	m := confBook(t, w.member, map[string]any{"start": start})
	if !m.Start.Equal(start) || m.DurationMinutes != 60 || m.Participants != 25 || m.TimeZone != "Asia/Shanghai" || m.Name != "张三的会议" ||
		m.Host == nil || m.Host.ID != w.memberID || m.HostName != "张三" || m.Recurrence != nil || m.Instant || m.Cancelled {
		t.Errorf("defaults: %+v", m)
	}
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(m.Password) {
		t.Errorf("generated password %q", m.Password)
	}
	if !regexp.MustCompile(`^[1-9][0-9]{9}$`).MatchString(m.Number) {
		t.Errorf("meeting number %q", m.Number)
	}
	if m.Room == nil || m.Room.Number != "8000" {
		t.Errorf("room picked: %+v", m.Room)
	}
	if !strings.HasSuffix(m.JoinURL, "/join/"+m.Number) || !strings.HasPrefix(m.SipURI, "sip:"+m.Number+"@") {
		t.Errorf("join URL %q, SIP URI %q", m.JoinURL, m.SipURI)
	}
	if en := confBook(t, w.member, map[string]any{"start": start, "lang": "en"}); en.Name != "张三's meeting" {
		t.Errorf("English generated name %q", en.Name)
	}

	// Numbers are unique and not sequential; passwords differ.
	numbers := map[string]bool{m.Number: true}
	passwords := map[string]bool{m.Password: true}
	var prev int64
	sequential := 0
	for i := range 6 {
		x := confBook(t, w.member, map[string]any{"start": start.Add(time.Duration(i+1) * time.Hour), "participants": 2})
		if numbers[x.Number] {
			t.Errorf("meeting number %s given twice", x.Number)
		}
		numbers[x.Number] = true
		passwords[x.Password] = true
		var n int64
		fmt.Sscan(x.Number, &n)
		if d := n - prev; d >= -10 && d <= 10 {
			sequential++
		}
		prev = n
	}
	if sequential > 1 {
		t.Errorf("meeting numbers look sequential: %v", numbers)
	}
	if len(passwords) < 5 {
		t.Errorf("generated passwords repeat: %v", passwords)
	}

	// Everything given: options, description, presenter, invitees (groups expanded,
	// outside emails normalised), no password.
	full := confBook(t, w.member, map[string]any{
		"start": start.Add(48 * time.Hour), "durationMinutes": 90, "timeZone": "Europe/Berlin", "name": " 季度评审 Q4 ", "password": "",
		"participants": 8, "description": "议程：预算", "presenterId": w.liID, "memberIds": []string{w.liID}, "groupIds": []string{g.CreateGroup.ID},
		"emails": []string{"Guest@Outside.Example", "guest@outside.example"}, "options": map[string]any{"muteOnEntry": true, "record": true},
	})
	if full.Name != "季度评审 Q4" || full.Password != "" || full.DurationMinutes != 90 || full.TimeZone != "Europe/Berlin" || full.Participants != 8 ||
		full.Description != "议程：预算" || full.PresenterID == nil || *full.PresenterID != w.liID ||
		!full.Options.MuteOnEntry || !full.Options.Record || full.Options.Live || full.Options.GuestsMayStart {
		t.Errorf("full booking: %+v", full)
	}
	// The host is not their own invitee; the group brought 王五.
	if got, want := full.memberIDs(), slices.Sorted(slices.Values([]string{w.liID, w.wangID})); !slices.Equal(got, want) {
		t.Errorf("invited members %v, want %v", got, want)
	}
	if !slices.Equal(full.Invitees.GroupIds, []string{g.CreateGroup.ID}) || !slices.Equal(full.Invitees.Emails, []string{"guest@outside.example"}) {
		t.Errorf("invitees: %+v", full.Invitees)
	}
	if !full.Start.Equal(start.Add(48*time.Hour)) || full.Start.Format("-07:00") != start.Add(48*time.Hour).In(w.berlin).Format("-07:00") {
		t.Errorf("start %v is not shown in the meeting's zone", full.Start)
	}

	// Invitees and the host find it in myMeetings; others do not.
	from, to := start.Add(-time.Hour), start.Add(7*24*time.Hour)
	for who, c := range map[string]*xtest.Client{"host": w.member, "李四": w.li, "王五": w.wang} {
		if occ := confOccsOf(confMyMeetings(t, c, from, to), full.ID); len(occ) != 1 || !occ[0].Start.Equal(full.Start) ||
			occ[0].End.Sub(occ[0].Start) != 90*time.Minute {
			t.Errorf("myMeetings of %s: %+v", who, occ)
		}
	}
	if occ := confOccsOf(confMyMeetings(t, w.admin, from, to), full.ID); len(occ) != 0 {
		t.Errorf("the admin is neither host nor invitee, but myMeetings lists it: %+v", occ)
	}
	// The admin sees every meeting of the enterprise; an uninvited member does not.
	confGetMeeting(t, w.admin, full.ID)
	confWantErr(t, "meeting of another as uninvited member", w.wang.Do(t, `query($id:ID!){meeting(id:$id){id}}`, map[string]any{"id": m.ID}), "NOT_FOUND", "")
}

func TestConfBookInvalid(t *testing.T) {
	w := confSetup(t)
	start := confNextWeekday(w.shanghai, time.Monday, 10, 0, 3)
	weekly := func(extra map[string]any) map[string]any {
		r := map[string]any{"frequency": "WEEKLY"}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	cases := []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"bad time zone", map[string]any{"timeZone": "Mars/Olympus"}, "BAD_USER_INPUT", "timeZone"},
		{"Local time zone", map[string]any{"timeZone": "Local"}, "BAD_USER_INPUT", "timeZone"},
		{"until before start", map[string]any{"recurrence": weekly(map[string]any{"until": start.AddDate(0, 0, -7).Format(time.DateOnly)})}, "BAD_USER_INPUT", "until"},
		{"until not a date", map[string]any{"recurrence": weekly(map[string]any{"until": "next week"})}, "BAD_USER_INPUT", "until"},
		{"count 0", map[string]any{"recurrence": weekly(map[string]any{"count": 0})}, "BAD_USER_INPUT", "count"},
		{"count -1", map[string]any{"recurrence": weekly(map[string]any{"count": -1})}, "BAD_USER_INPUT", "count"},
		{"count too big", map[string]any{"recurrence": weekly(map[string]any{"count": 501})}, "BAD_USER_INPUT", "count"},
		{"no end", map[string]any{"recurrence": weekly(nil)}, "BAD_USER_INPUT", "until"},
		{"count and until", map[string]any{"recurrence": weekly(map[string]any{"count": 3, "until": start.AddDate(0, 1, 0).Format(time.DateOnly)})}, "BAD_USER_INPUT", "count"},
		{"start not on the weekdays", map[string]any{"recurrence": weekly(map[string]any{"count": 3, "weekdays": []string{"TUESDAY"}})}, "BAD_USER_INPUT", "start"},
		{"interval 0", map[string]any{"recurrence": weekly(map[string]any{"count": 3, "interval": 0})}, "BAD_USER_INPUT", "interval"},
		{"interval 100", map[string]any{"recurrence": weekly(map[string]any{"count": 3, "interval": 100})}, "BAD_USER_INPUT", "interval"},
		{"duration 0", map[string]any{"durationMinutes": 0}, "BAD_USER_INPUT", "durationMinutes"},
		{"duration over a day", map[string]any{"durationMinutes": 1441}, "BAD_USER_INPUT", "durationMinutes"},
		{"participants 1", map[string]any{"participants": 1}, "BAD_USER_INPUT", "participants"},
		{"participants 0", map[string]any{"participants": 0}, "BAD_USER_INPUT", "participants"},
		{"participants too many", map[string]any{"participants": 10001}, "BAD_USER_INPUT", "participants"},
		{"password letters", map[string]any{"password": "abc123"}, "BAD_USER_INPUT", "password"},
		{"empty name", map[string]any{"name": "  "}, "BAD_USER_INPUT", "name"},
		{"bad email", map[string]any{"emails": []string{"not-an-email"}}, "BAD_USER_INPUT", "emails"},
		{"presenter not invited", map[string]any{"presenterId": w.liID}, "BAD_USER_INPUT", "presenterId"},
		{"in the past", map[string]any{"start": time.Now().Add(-3 * time.Hour)}, "BAD_USER_INPUT", "start"},
		{"no room holds it", map[string]any{"participants": 1001}, "CONFLICT", "participants"},
		// A room one may not use answers like a missing one (see TestConfDedicatedRoom).
		{"unknown room", map[string]any{"roomId": store.NewID()}, "NOT_FOUND", ""},
		{"garbage room", map[string]any{"roomId": "not-a-room"}, "NOT_FOUND", ""},
		{"unknown member", map[string]any{"memberIds": []string{store.NewID()}}, "NOT_FOUND", ""},
		{"unknown group", map[string]any{"groupIds": []string{store.NewID()}}, "NOT_FOUND", ""},
	}
	for _, tc := range cases {
		in := map[string]any{"start": start}
		for k, v := range tc.in {
			in[k] = v
		}
		r := w.member.Do(t, confBookDoc, map[string]any{"in": in})
		confWantErr(t, tc.name, r, tc.code, tc.field)
	}
	// The start is required by the schema.
	confWantErr(t, "no start", w.member.Do(t, confBookDoc, map[string]any{"in": map[string]any{"name": "x"}}), "BAD_USER_INPUT", "")
	// Nothing was booked by any of these.
	if got := confMyMeetings(t, w.member, time.Now().Add(-24*time.Hour), time.Now().Add(300*24*time.Hour)); len(got) != 0 {
		t.Errorf("refused bookings left %+v", got)
	}
	// Platform admins have no enterprise to book for.
	confWantErr(t, "book as platform admin", w.root.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": start}}), "FORBIDDEN", "")
	confWantErr(t, "book anonymously", w.srv.Client().Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": start}}), "UNAUTHENTICATED", "")
	// Windows are bounded.
	for _, win := range [][2]time.Time{{start, start}, {start, start.AddDate(1, 1, 0)}} {
		r := w.member.Do(t, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id}}}`, map[string]any{"f": win[0], "t": win[1]})
		confWantErr(t, "myMeetings window", r, "BAD_USER_INPUT", "to")
		r = w.member.Do(t, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){now{meetings}}}`, map[string]any{"f": win[0], "t": win[1]})
		confWantErr(t, "resourceStatus window", r, "BAD_USER_INPUT", "to")
	}
}

// ---- Conflicts ----

// confWeekly is a weekly recurrence of count meetings.
func confWeekly(count int) map[string]any {
	return map[string]any{"frequency": "WEEKLY", "count": count}
}

// confWantConflict checks a CONFLICT naming meeting (when not empty) at start.
func confWantConflict(t *testing.T, what string, r *xtest.Response, meeting *confMeeting, start time.Time, zone *time.Location) {
	t.Helper()
	e := confWantErr(t, what, r, "CONFLICT", "")
	if e.Message == "" {
		return
	}
	if got := e.Extensions["conflictStart"]; got != start.UTC().Format(time.RFC3339) {
		t.Errorf("%s: conflictStart = %v, want %s (%s)", what, got, start.UTC().Format(time.RFC3339), e.Message)
	}
	if local := start.In(zone).Format("2006-01-02 15:04"); !strings.Contains(e.Message, local) {
		t.Errorf("%s: the message does not name the time %s: %s", what, local, e.Message)
	}
	if meeting == nil {
		if _, named := e.Extensions["conflictMeetingId"]; named {
			t.Errorf("%s: another enterprise's meeting is named: %+v", what, e.Extensions)
		}
		return
	}
	if e.Extensions["conflictMeetingId"] != meeting.ID || !strings.Contains(e.Message, meeting.Name) || !strings.Contains(e.Message, meeting.Number) {
		t.Errorf("%s: the conflict does not name %s (%s %s): %s %+v", what, meeting.ID, meeting.Name, meeting.Number, e.Message, e.Extensions)
	}
}

// A weekly series whose 5th meeting collides with a single meeting is refused as a
// whole, naming the single meeting and the 5th meeting's time.
func TestConfSeriesConflictAtFifth(t *testing.T) {
	w := confSetup(t)
	other, _ := confTenant(t, w, "other")
	start := confNextWeekday(w.shanghai, time.Monday, 10, 0, 2)
	fifth := start.AddDate(0, 0, 28)
	window := func(c *xtest.Client) []confScheduled {
		return confMyMeetings(t, c, start.Add(-time.Hour), start.AddDate(0, 0, 70))
	}

	t.Run("dedicated room", func(t *testing.T) {
		room := confCreateRoom(t, w.root, map[string]any{"number": "6100", "name": "张三的房间", "capacity": 10, "scope": "DEDICATED", "ownerId": w.memberID})
		single := confBook(t, w.member, map[string]any{"start": fifth, "name": "单次会议 Single", "participants": 2, "roomId": room.ID})
		for _, shift := range []time.Duration{0, 30 * time.Minute, -30 * time.Minute} {
			series := map[string]any{"start": start.Add(shift), "name": "周会", "participants": 2, "roomId": room.ID, "recurrence": confWeekly(8)}
			r := w.member.Do(t, confBookDoc, map[string]any{"in": series})
			confWantConflict(t, fmt.Sprintf("series shifted %v", shift), r, &single, fifth, w.shanghai)
		}
		// The enterprise admin may book the room, and is refused alike.
		r := w.admin.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": start, "participants": 2, "roomId": room.ID, "recurrence": confWeekly(6)}})
		confWantConflict(t, "series by the admin", r, &single, fifth, w.shanghai)
		// Nothing of the series was booked.
		if got := window(w.member); len(got) != 1 || got[0].Meeting.ID != single.ID {
			t.Errorf("after the refused series: %+v", got)
		}
		// Four meetings end before the single one: that series fits.
		four := confBook(t, w.member, map[string]any{"start": start, "participants": 2, "roomId": room.ID, "recurrence": confWeekly(4)})
		if occ := confOccsOf(window(w.member), four.ID); len(occ) != 4 || !occ[3].Start.Equal(fifth.AddDate(0, 0, -7)) {
			t.Errorf("four weekly meetings: %+v", occ)
		}
		w.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": four.ID}).Decode(t, &struct{}{})
		w.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": single.ID}).Decode(t, &struct{}{})
	})

	t.Run("shared room capacity", func(t *testing.T) {
		room := confCreateRoom(t, w.root, map[string]any{"number": "6200", "name": "共享小房间", "capacity": 30, "scope": "SHARED"})
		// 李四's meeting fills the room at the 5th week; 张三 cannot see it but is
		// told which meeting of the enterprise holds the room.
		full := confBook(t, w.li, map[string]any{"start": fifth.Add(30 * time.Minute), "name": "满员会议 Full", "participants": 21, "roomId": room.ID})
		series := map[string]any{"start": start, "name": "周会", "participants": 10, "roomId": room.ID, "recurrence": confWeekly(8)}
		r := w.member.Do(t, confBookDoc, map[string]any{"in": series})
		confWantConflict(t, "series over capacity", r, &full, fifth.Add(30*time.Minute), w.shanghai)
		// Nine fit beside the 21.
		series["participants"] = 9
		nine := confBook(t, w.member, series)
		if occ := confOccsOf(window(w.member), nine.ID); len(occ) != 8 || nine.Room == nil || nine.Room.ID != room.ID {
			t.Errorf("nine participants: room %+v, occurrences %+v", nine.Room, occ)
		}
		w.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": nine.ID}).Decode(t, &struct{}{})
		w.li.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": full.ID}).Decode(t, &struct{}{})

		// Another enterprise's meeting holds the room: not named.
		theirs := confBook(t, other, map[string]any{"start": fifth, "name": "Their Secret Meeting", "participants": 30, "roomId": room.ID})
		series["participants"] = 10
		r = w.member.Do(t, confBookDoc, map[string]any{"in": series})
		confWantConflict(t, "series against another enterprise", r, nil, fifth, w.shanghai)
		if msg := fmt.Sprint(r.Errors); strings.Contains(msg, theirs.Name) || strings.Contains(msg, theirs.Number) || strings.Contains(msg, theirs.ID) {
			t.Errorf("the conflict names the other enterprise's meeting: %s", msg)
		}
		if got := window(w.member); len(got) != 0 {
			t.Errorf("after the refused series: %+v", got)
		}
		// Without a room, the system picks one that fits: 张三's own room (free since
		// the single meeting was cancelled), for 李四 the big shared room.
		delete(series, "roomId")
		if picked := confBook(t, w.member, series); picked.Room == nil || picked.Room.Number != "6100" {
			t.Errorf("the system picked %+v for 张三", picked.Room)
		}
		if picked := confBook(t, w.li, series); picked.Room == nil || picked.Room.Number != "8000" {
			t.Errorf("the system picked %+v for 李四", picked.Room)
		}
	})
}

// ---- Recurrence ----

func TestConfRecurrenceZones(t *testing.T) {
	w := confSetup(t)
	year := time.Now().Year() + 1
	firstMonday := func(loc *time.Location, month time.Month) time.Time {
		d := time.Date(year, month, 1, 9, 0, 0, 0, loc)
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	// The last Sunday of March, when Europe goes from UTC+1 to UTC+2.
	dst := time.Date(year, 3, 31, 0, 0, 0, 0, w.berlin)
	for dst.Weekday() != time.Sunday {
		dst = dst.AddDate(0, 0, -1)
	}
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 1, 0, 0, 0, 0, time.UTC)
	mine := confMyMeetings

	check := func(t *testing.T, m confMeeting, loc *time.Location, wantLocal []time.Time) {
		t.Helper()
		occ := confOccurrences(t, w.member, m.ID, from, to)
		sched := confOccsOf(mine(t, w.li, from, to), m.ID)
		if len(occ) != len(wantLocal) || len(sched) != len(wantLocal) {
			t.Fatalf("%s: %d occurrences, %d in myMeetings, want %d: %+v", m.Name, len(occ), len(sched), len(wantLocal), occ)
		}
		for i, want := range wantLocal {
			o := occ[i]
			if !o.Start.Equal(want) || !o.Key.Equal(want) || o.Moved || o.End.Sub(o.Start) != time.Duration(m.DurationMinutes)*time.Minute {
				t.Errorf("%s #%d: %+v, want %s (%s)", m.Name, i+1, o, want.UTC().Format(time.RFC3339), want.Format(time.RFC3339))
			}
			if !sched[i].Start.Equal(o.Start) || !sched[i].End.Equal(o.End) {
				t.Errorf("%s #%d: myMeetings %+v, occurrences %+v", m.Name, i+1, sched[i], o)
			}
		}
	}
	book := func(t *testing.T, name, zone string, start time.Time, rec map[string]any) confMeeting {
		t.Helper()
		m := confBook(t, w.member, map[string]any{"start": start, "name": name, "timeZone": zone, "participants": 2,
			"memberIds": []string{w.liID}, "recurrence": rec})
		if m.TimeZone != zone || m.Recurrence == nil {
			t.Fatalf("%s: %+v", name, m)
		}
		return m
	}

	t.Run("Berlin weekly across DST", func(t *testing.T) {
		start := firstMonday(w.berlin, time.March)
		m := book(t, "Berlin weekly", "Europe/Berlin", start, map[string]any{"frequency": "WEEKLY", "weekdays": []string{"MONDAY"}, "count": 6})
		var want []time.Time
		hours := map[int]int{}
		for i := range 6 {
			local := time.Date(year, 3, start.Day()+7*i, 9, 0, 0, 0, w.berlin)
			want = append(want, local)
			wantUTC := 8
			if local.After(dst) {
				wantUTC = 7
			}
			if local.UTC().Hour() != wantUTC {
				t.Fatalf("test setup: %s is %02d:00 UTC", local, local.UTC().Hour())
			}
			hours[wantUTC]++
		}
		if hours[8] == 0 || hours[7] == 0 {
			t.Fatalf("the series does not cross the change: %v", hours)
		}
		check(t, m, w.berlin, want)
		r := m.Recurrence
		if r.Frequency != "WEEKLY" || r.Interval != 1 || !slices.Equal(r.Weekdays, []string{"MONDAY"}) || r.Count == nil || *r.Count != 6 ||
			!strings.Contains(r.Rrule, "FREQ=WEEKLY") || !strings.Contains(r.Rrule, "BYDAY=MO") || !strings.Contains(r.Rrule, "COUNT=6") {
			t.Errorf("recurrence: %+v", r)
		}
		// The meeting's start is shown in its zone.
		if m.Start.Format("15:04 -07:00") != "09:00 +01:00" {
			t.Errorf("start shown as %s", m.Start.Format(time.RFC3339))
		}
	})

	t.Run("Berlin daily until the day after the change", func(t *testing.T) {
		start := time.Date(year, 3, dst.Day()-1, 9, 0, 0, 0, w.berlin)
		m := book(t, "Berlin daily", "Europe/Berlin", start, map[string]any{"frequency": "DAILY", "until": dst.AddDate(0, 0, 1).Format(time.DateOnly)})
		want := []time.Time{start, time.Date(year, 3, dst.Day(), 9, 0, 0, 0, w.berlin), time.Date(year, 3, dst.Day()+1, 9, 0, 0, 0, w.berlin)}
		check(t, m, w.berlin, want)
		if want[0].UTC().Hour() != 8 || want[1].UTC().Hour() != 7 {
			t.Fatalf("test setup: %v", want)
		}
		if m.Recurrence.Until == nil || *m.Recurrence.Until != dst.AddDate(0, 0, 1).Format(time.DateOnly) || m.Recurrence.Count != nil {
			t.Errorf("recurrence: %+v", m.Recurrence)
		}
	})

	t.Run("Shanghai weekly, constant offset", func(t *testing.T) {
		start := firstMonday(w.shanghai, time.March)
		m := book(t, "Shanghai weekly", "Asia/Shanghai", start, map[string]any{"frequency": "WEEKLY", "count": 6})
		var want []time.Time
		for i := range 6 {
			want = append(want, start.AddDate(0, 0, 7*i))
			if want[i].UTC().Hour() != 1 {
				t.Fatalf("test setup: %v", want[i])
			}
		}
		check(t, m, w.shanghai, want)
	})

	t.Run("weekly on two days every 2 weeks", func(t *testing.T) {
		start := firstMonday(w.shanghai, time.April)
		m := book(t, "Biweekly", "Asia/Shanghai", start, map[string]any{"frequency": "WEEKLY", "interval": 2, "weekdays": []string{"THURSDAY", "MONDAY"}, "count": 4})
		check(t, m, w.shanghai, []time.Time{start, start.AddDate(0, 0, 3), start.AddDate(0, 0, 14), start.AddDate(0, 0, 17)})
	})

	t.Run("monthly by date skips short months", func(t *testing.T) {
		start := time.Date(year, 1, 31, 15, 30, 0, 0, w.shanghai)
		m := book(t, "Monthly 31", "Asia/Shanghai", start, map[string]any{"frequency": "MONTHLY", "monthDay": 31, "count": 3})
		check(t, m, w.shanghai, []time.Time{start, time.Date(year, 3, 31, 15, 30, 0, 0, w.shanghai), time.Date(year, 5, 31, 15, 30, 0, 0, w.shanghai)})
	})

	t.Run("monthly on the 2nd Tuesday in Berlin", func(t *testing.T) {
		second := func(month time.Month) time.Time {
			d := time.Date(year, month, 1, 18, 0, 0, 0, w.berlin)
			for d.Weekday() != time.Tuesday {
				d = d.AddDate(0, 0, 1)
			}
			return d.AddDate(0, 0, 7)
		}
		m := book(t, "Second Tuesday", "Europe/Berlin", second(time.February), map[string]any{"frequency": "MONTHLY", "ordinal": 2, "weekday": "TUESDAY", "count": 3})
		check(t, m, w.berlin, []time.Time{second(time.February), second(time.March), second(time.April)})
		if r := m.Recurrence; r.Ordinal == nil || *r.Ordinal != 2 || r.Weekday == nil || *r.Weekday != "TUESDAY" || !strings.Contains(r.Rrule, "BYDAY=2TU") {
			t.Errorf("recurrence: %+v", r)
		}
	})

	t.Run("daily every 3 days", func(t *testing.T) {
		start := time.Date(year, 6, 1, 8, 0, 0, 0, w.shanghai)
		m := book(t, "Every 3 days", "Asia/Shanghai", start, map[string]any{"frequency": "DAILY", "interval": 3, "count": 3})
		check(t, m, w.shanghai, []time.Time{start, start.AddDate(0, 0, 3), start.AddDate(0, 0, 6)})
	})
}

// ---- Dedicated rooms ----

func TestConfDedicatedRoom(t *testing.T) {
	w := confSetup(t)
	room := confCreateRoom(t, w.root, map[string]any{"number": "6300", "name": "张三专用", "password": "8888", "capacity": 10, "scope": "DEDICATED", "ownerId": w.memberID})
	at := confNextWeekday(w.shanghai, time.Wednesday, 14, 0, 2)
	book := func(c *xtest.Client, start time.Time, roomID string, participants int) *xtest.Response {
		in := map[string]any{"start": start, "participants": participants}
		if roomID != "" {
			in["roomId"] = roomID
		}
		return c.Do(t, confBookDoc, map[string]any{"in": in})
	}
	decode := func(r *xtest.Response) confMeeting {
		t.Helper()
		var out struct{ BookMeeting confMeeting }
		r.Decode(t, &out)
		return out.BookMeeting
	}

	// Another member of the enterprise may not book it: it answers like an unknown room.
	r := book(w.li, at, room.ID, 2)
	confWantErr(t, "李四 books 张三's room", r, "NOT_FOUND", "")
	rnd := store.NewID()
	if a, b := confSig(r, room.ID), confSig(book(w.li, at, rnd, 2), rnd); a != b {
		t.Errorf("another's dedicated room answers %s, an unknown room %s", a, b)
	}
	// The owner can.
	first := decode(book(w.member, at, room.ID, 2))
	if first.Room == nil || first.Room.ID != room.ID || first.Room.Scope != "DEDICATED" {
		t.Fatalf("owner's booking: %+v", first.Room)
	}
	// Overlapping bookings in it are refused, whoever books, whatever the capacity.
	confWantConflict(t, "owner overlaps", book(w.member, at.Add(30*time.Minute), room.ID, 2), &first, at, w.shanghai)
	confWantConflict(t, "admin overlaps", book(w.admin, at.Add(-30*time.Minute), room.ID, 2), &first, at, w.shanghai)
	// Its capacity is the owner's alone, and still bounds a meeting.
	confWantErr(t, "over the room's capacity", book(w.member, at.Add(5*time.Hour), room.ID, 11), "CONFLICT", "participants")
	// Back to back is not an overlap; the enterprise admin may book it too.
	adminM := decode(book(w.admin, at.Add(time.Hour), room.ID, 2))
	if adminM.Room == nil || adminM.Room.ID != room.ID {
		t.Errorf("admin's booking: %+v", adminM.Room)
	}
	confWantConflict(t, "owner overlaps the admin's", book(w.member, at.Add(90*time.Minute), room.ID, 2), &adminM, at.Add(time.Hour), w.shanghai)

	// Without a room: the owner's own room first; when it is busy, a shared one. Other
	// members never land in it.
	if m := decode(book(w.member, at.Add(6*time.Hour), "", 2)); m.Room == nil || m.Room.ID != room.ID {
		t.Errorf("owner's booking without a room went to %+v", m.Room)
	}
	if m := decode(book(w.member, at, "", 2)); m.Room == nil || m.Room.Number != "8000" {
		t.Errorf("owner's overlapping booking without a room went to %+v", m.Room)
	}
	if m := decode(book(w.li, at.Add(8*time.Hour), "", 2)); m.Room == nil || m.Room.Number != "8000" {
		t.Errorf("李四's booking went to %+v", m.Room)
	}

	// Lists and status: the owner and admins see the room and its bookings; others not.
	if nums := confRoomNumbers(confRooms(t, w.li)); slices.Contains(nums, "6300") {
		t.Errorf("李四 sees %v", nums)
	}
	from, to := at.Add(-time.Hour), at.Add(24*time.Hour)
	if ru := confResources(t, w.member, from, to).room("6300"); ru == nil || len(ru.Bookings) != 3 || ru.Usage.Capacity != 10 {
		t.Errorf("owner's status of the room: %+v", ru)
	}
	if ru := confResources(t, w.li, from, to).room("6300"); ru != nil {
		t.Errorf("李四's status shows the room: %+v", ru)
	}
	if ru := confResources(t, w.admin, from, to).room("6300"); ru == nil {
		t.Errorf("the admin's status lacks the room")
	}
	// The admin's booking in the room does not stop the platform admin renaming it
	// or changing its password; moving it to another owner is refused.
	var ren struct{ UpdateRoom confRoom }
	w.root.Do(t, `mutation($id:ID!,$in:RoomInput!){updateRoom(id:$id,input:$in){`+confRoomSel+`}}`, map[string]any{"id": room.ID, "in": map[string]any{
		"number": "6300", "name": "张三的会议室", "password": "9999", "capacity": 10, "scope": "DEDICATED", "ownerId": w.memberID}}).Decode(t, &ren)
	if ren.UpdateRoom.Name != "张三的会议室" || ren.UpdateRoom.Password != "9999" {
		t.Errorf("renamed: %+v", ren.UpdateRoom)
	}
	r = w.root.Do(t, `mutation($id:ID!,$in:RoomInput!){updateRoom(id:$id,input:$in){id}}`, map[string]any{"id": room.ID, "in": map[string]any{
		"number": "6300", "name": "x", "capacity": 10, "scope": "DEDICATED", "ownerId": w.liID}})
	confWantErr(t, "reassign a booked dedicated room", r, "CONFLICT", "ownerId")
}

// ---- Capacity ----

func TestConfQuotaAndCapacity(t *testing.T) {
	w := confSetup(t)
	w.setQuota(t, 50)
	at := confNextWeekday(w.shanghai, time.Thursday, 9, 0, 2)
	book := func(c *xtest.Client, start time.Time, minutes, participants int) *xtest.Response {
		return c.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": start, "durationMinutes": minutes, "participants": participants}})
	}
	var a, b struct{ BookMeeting confMeeting }
	book(w.member, at, 60, 25).Decode(t, &a)
	book(w.li, at.Add(30*time.Minute), 60, 25).Decode(t, &b)

	// The quota is full from at+30m to at+60m.
	r := book(w.admin, at.Add(45*time.Minute), 30, 2)
	e := confWantErr(t, "over the quota", r, "CONFLICT", "")
	if id := e.Extensions["conflictMeetingId"]; id != a.BookMeeting.ID && id != b.BookMeeting.ID {
		t.Errorf("over the quota: conflict names %v: %s", id, e.Message)
	}
	if !strings.Contains(e.Message, "50") {
		t.Errorf("the message does not give the quota: %s", e.Message)
	}
	// Where only one of them runs, there is room.
	var c struct{ BookMeeting confMeeting }
	book(w.admin, at.Add(-time.Hour), 60, 25).Decode(t, &c) // ends as the first starts
	book(w.admin, at.Add(90*time.Minute), 60, 50).Decode(t, &struct{}{})
	confWantErr(t, "next overlapping one", book(w.wang, at, 90, 1+1), "CONFLICT", "")

	st := confResources(t, w.admin, at, at.Add(time.Hour))
	if st.Enterprise != (confUsage{Capacity: 50, Booked: 50, Free: 0}) || st.Platform.Capacity != 1000 || st.Platform.Booked != 50 {
		t.Errorf("status at the peak: %+v", st)
	}
	if ru := st.room("8000"); ru == nil || ru.Usage.Booked != 50 || ru.Usage.Free != 950 || len(ru.Bookings) != 2 {
		t.Errorf("room 8000 at the peak: %+v", ru)
	}
	st = confResources(t, w.member, at.Add(-time.Hour), at)
	if st.Enterprise.Booked != 25 || st.Enterprise.Free != 25 {
		t.Errorf("status before: %+v", st.Enterprise)
	}

	// 0 means unlimited.
	w.setQuota(t, 0)
	book(w.wang, at, 90, 2).Decode(t, &struct{}{})
	if st := confResources(t, w.admin, at, at.Add(time.Hour)); st.Enterprise != (confUsage{Capacity: 0, Booked: 52, Free: -1}) {
		t.Errorf("unlimited: %+v", st.Enterprise)
	}

	// The platform's capacity bounds all enterprises together.
	w2 := confSetup(t, "--capacity", "60")
	big := confCreateRoom(t, w2.root, map[string]any{"number": "6400", "name": "Big", "capacity": 500, "scope": "SHARED"})
	other, _ := confTenant(t, w2, "other")
	var theirs struct{ BookMeeting confMeeting }
	other.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": at, "participants": 40, "name": "Their Meeting"}}).Decode(t, &theirs)
	r = w2.member.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": at.Add(30 * time.Minute), "participants": 30, "roomId": big.ID}})
	confWantConflict(t, "over the platform", r, nil, at, w2.shanghai)
	if strings.Contains(fmt.Sprint(r.Errors), "Their Meeting") {
		t.Errorf("names the other enterprise's meeting: %+v", r.Errors)
	}
	w2.member.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": at.Add(30 * time.Minute), "participants": 20, "roomId": big.ID}}).Decode(t, &struct{}{})
	if st := confResources(t, w2.member, at, at.Add(2*time.Hour)); st.Platform != (confUsage{Capacity: 60, Booked: 60, Free: 0}) || st.Enterprise.Booked != 20 {
		t.Errorf("platform status: %+v", st)
	}
}

// ---- Editing a series ----

func TestConfOccurrenceEdits(t *testing.T) {
	w := confSetup(t)
	room := confCreateRoom(t, w.root, map[string]any{"number": "6500", "name": "张三专用", "capacity": 10, "scope": "DEDICATED", "ownerId": w.memberID})
	start := confNextWeekday(w.shanghai, time.Tuesday, 10, 0, 2)
	week := func(i int) time.Time { return start.AddDate(0, 0, 7*i) }
	s := confBook(t, w.member, map[string]any{"start": start, "name": "站会 Standup", "participants": 4, "roomId": room.ID,
		"memberIds": []string{w.liID}, "recurrence": confWeekly(6)})
	from, to := start.Add(-time.Hour), start.AddDate(0, 0, 70)
	occs := func(t *testing.T, id string) []confOcc { t.Helper(); return confOccurrences(t, w.member, id, from, to) }
	type want struct {
		key, start time.Time
		minutes    int
		moved      bool
	}
	expect := func(t *testing.T, id string, ws []want) {
		t.Helper()
		got := occs(t, id)
		inv := confOccsOf(confMyMeetings(t, w.li, from, to), id)
		if len(got) != len(ws) || len(inv) != len(ws) {
			t.Fatalf("%d occurrences (%d for the invitee), want %d: %+v", len(got), len(inv), len(ws), got)
		}
		for i, x := range ws {
			o := got[i]
			if !o.Key.Equal(x.key) || !o.Start.Equal(x.start) || o.End.Sub(o.Start) != time.Duration(x.minutes)*time.Minute || o.Moved != x.moved {
				t.Errorf("occurrence %d: %+v, want %+v", i, o, x)
			}
			if inv[i] != o {
				t.Errorf("occurrence %d for the invitee: %+v, for the host %+v", i, inv[i], o)
			}
		}
	}
	const moveDoc = `mutation($id:ID!,$o:Time!,$s:Time!,$d:Int){moveOccurrence(id:$id,occurrence:$o,start:$s,durationMinutes:$d){id}}`
	const cancelDoc = `mutation($id:ID!,$o:Time!){cancelOccurrence(id:$id,occurrence:$o){id}}`

	// Move the 2nd by 3 hours (and shorten it), cancel the 3rd: the rest stays.
	w.member.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(1), "s": week(1).Add(3 * time.Hour), "d": 30}).Decode(t, &struct{}{})
	w.member.Do(t, cancelDoc, map[string]any{"id": s.ID, "o": week(2)}).Decode(t, &struct{}{})
	base := []want{
		{week(0), week(0), 60, false},
		{week(1), week(1).Add(3 * time.Hour), 30, true},
		{week(3), week(3), 60, false},
		{week(4), week(4), 60, false},
		{week(5), week(5), 60, false},
	}
	expect(t, s.ID, base)

	// The cancelled slot is free: a single meeting fits there. Moving another
	// occurrence onto it is refused, naming it, and changes nothing.
	single := confBook(t, w.member, map[string]any{"start": week(2).Add(time.Hour), "name": "临时会议", "participants": 2, "roomId": room.ID})
	r := w.member.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(3), "s": week(2).Add(90 * time.Minute)})
	confWantConflict(t, "move onto the single meeting", r, &single, week(2).Add(time.Hour), w.shanghai)
	expect(t, s.ID, base)
	// Moving the moved one again keeps its key.
	w.member.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(1), "s": week(1).Add(-time.Hour)}).Decode(t, &struct{}{})
	base[1] = want{week(1), week(1).Add(-time.Hour), 60, true}
	expect(t, s.ID, base)

	// Bad requests.
	confWantErr(t, "move an occurrence that does not exist", w.member.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(1).Add(time.Minute), "s": week(1)}), "NOT_FOUND", "")
	confWantErr(t, "cancel an occurrence of a single meeting", w.member.Do(t, cancelDoc, map[string]any{"id": single.ID, "o": single.Start}), "BAD_USER_INPUT", "occurrence")
	confWantErr(t, "move by an invitee", w.li.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(4), "s": week(4).Add(time.Hour)}), "FORBIDDEN", "")
	confWantErr(t, "move by an outsider", w.wang.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(4), "s": week(4).Add(time.Hour)}), "NOT_FOUND", "")
	confWantErr(t, "cancel by an invitee", w.li.Do(t, cancelDoc, map[string]any{"id": s.ID, "o": week(4)}), "FORBIDDEN", "")
	confWantErr(t, "move with duration 0", w.member.Do(t, moveDoc, map[string]any{"id": s.ID, "o": week(4), "s": week(4), "d": 0}), "BAD_USER_INPUT", "durationMinutes")
	expect(t, s.ID, base)

	// Editing the whole series without changing its times keeps the exceptions.
	const updateDoc = `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){` + confMeetingSel + `}}`
	var up struct{ UpdateMeeting confMeeting }
	w.member.Do(t, updateDoc, map[string]any{"id": s.ID, "in": map[string]any{"start": start, "name": "站会 v2", "participants": 5, "roomId": room.ID,
		"memberIds": []string{w.liID, w.wangID}, "recurrence": confWeekly(6)}}).Decode(t, &up)
	if up.UpdateMeeting.Name != "站会 v2" || up.UpdateMeeting.Participants != 5 || up.UpdateMeeting.Password != s.Password || up.UpdateMeeting.Number != s.Number {
		t.Errorf("updated: %+v", up.UpdateMeeting)
	}
	expect(t, s.ID, base)
	// 王五 was invited by the edit.
	if got := confOccsOf(confMyMeetings(t, w.wang, from, to), s.ID); len(got) != 5 {
		t.Errorf("王五 after being invited: %+v", got)
	}

	// This and following: the series ends before the 5th meeting and a new one,
	// with the new settings, starts there.
	const fromDoc = `mutation($id:ID!,$o:Time!,$in:BookMeetingInput!){updateMeetingFrom(id:$id,occurrence:$o,input:$in){` + confMeetingSel + `}}`
	var split struct{ UpdateMeetingFrom confMeeting }
	w.member.Do(t, fromDoc, map[string]any{"id": s.ID, "o": week(4), "in": map[string]any{"start": week(4).Add(2 * time.Hour), "name": "新站会",
		"durationMinutes": 45, "participants": 3, "roomId": room.ID, "memberIds": []string{w.liID}, "recurrence": confWeekly(3)}}).Decode(t, &split)
	tail := split.UpdateMeetingFrom
	if tail.ID == s.ID || tail.Name != "新站会" || tail.Password != s.Password || tail.Host == nil || tail.Host.ID != w.memberID || tail.Number == s.Number {
		t.Errorf("the new series: %+v", tail)
	}
	expect(t, s.ID, base[:3])
	expect(t, tail.ID, []want{
		{week(4).Add(2 * time.Hour), week(4).Add(2 * time.Hour), 45, false},
		{week(5).Add(2 * time.Hour), week(5).Add(2 * time.Hour), 45, false},
		{week(6).Add(2 * time.Hour), week(6).Add(2 * time.Hour), 45, false},
	})
	if head := confGetMeeting(t, w.member, s.ID); head.Recurrence == nil || head.Recurrence.Count == nil || *head.Recurrence.Count != 4 {
		t.Errorf("the old series after the split: %+v", head.Recurrence)
	}
	confWantErr(t, "split at the first", w.member.Do(t, fromDoc, map[string]any{"id": s.ID, "o": week(0), "in": map[string]any{"start": week(0)}}), "BAD_USER_INPUT", "occurrence")
	// A split whose new series clashes is refused and leaves the old one whole.
	var s2 struct{ BookMeeting confMeeting }
	w.member.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": week(8), "name": "Later", "participants": 2, "roomId": room.ID,
		"recurrence": confWeekly(4)}}).Decode(t, &s2)
	r = w.member.Do(t, fromDoc, map[string]any{"id": s2.BookMeeting.ID, "o": week(10), "in": map[string]any{"start": week(4).Add(2 * time.Hour),
		"participants": 2, "roomId": room.ID, "recurrence": confWeekly(1)}})
	confWantConflict(t, "split onto the new series", r, &tail, week(4).Add(2*time.Hour), w.shanghai)
	if got := confOccurrences(t, w.member, s2.BookMeeting.ID, from, start.AddDate(0, 0, 100)); len(got) != 4 || !got[3].Start.Equal(week(11)) {
		t.Errorf("the series after a refused split: %+v", got)
	}
}

// ---- Lifecycle ----

func TestConfLifecycle(t *testing.T) {
	w := confSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	soon := confSoon(10 * time.Minute)
	m := confBook(t, w.member, map[string]any{"start": soon, "name": "发布会 Launch", "participants": 12, "memberIds": []string{w.liID}})
	later := confBook(t, w.member, map[string]any{"start": confSoon(3 * time.Hour), "participants": 2, "memberIds": []string{w.liID}})

	// The admin watches the enterprise's resources.
	from, to := time.Now().Add(-time.Hour), time.Now().Add(4*time.Hour)
	sub := confSubscribe(ctx, t, w.admin, `subscription($f:Time!,$t:Time!){resourceStatusChanged(from:$f,to:$t){`+confStatusSel+`}}`,
		map[string]any{"f": from, "t": to})
	var ev struct{ ResourceStatusChanged confStatus }
	if !confNext(t, sub, 5*time.Second, &ev) || ev.ResourceStatusChanged.Now.Meetings != 0 || ev.ResourceStatusChanged.Enterprise.Booked != 12 {
		t.Fatalf("first status: %+v", ev)
	}
	waitNow := func(what string, meetings, participants int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if confNext(t, sub, time.Until(deadline), &ev) && ev.ResourceStatusChanged.Now.Meetings == meetings && ev.ResourceStatusChanged.Now.Participants == participants {
				return
			}
		}
		t.Errorf("%s: resourceStatusChanged never showed %d meetings with %d participants (last %+v)", what, meetings, participants, ev.ResourceStatusChanged.Now)
	}

	// Only the host and admins start it: an invitee is forbidden, an outsider does
	// not see it at all.
	confWantErr(t, "start by an invitee", w.li.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": m.ID}), "FORBIDDEN", "")
	confWantErr(t, "start by an outsider", w.wang.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": m.ID}), "NOT_FOUND", "")
	// (Starting early is TestHostStartsEarly's.)

	run := confRunOp(t, w.member, "startMeeting", m.ID)
	if !run.InProgress || run.EndedAt != nil || run.MeetingID != m.ID || run.Number != m.Number || run.Name != m.Name || run.HostName != "张三" ||
		!run.ScheduledStart.Equal(soon) || !run.ScheduledEnd.Equal(soon.Add(time.Hour)) || time.Since(run.StartedAt) > time.Minute {
		t.Errorf("started: %+v", run)
	}
	waitNow("after the start", 1, 0) // nobody is in yet: participants count presence
	for _, who := range []string{"张三", "李四"} {
		if err := w.srv.Conference().Joined(ctx, meeting.Presence{RunID: run.ID, Name: who, Client: meeting.ClientBrowser}); err != nil {
			t.Fatal(err)
		}
	}
	waitNow("after two joins", 1, 2)
	if again := confRunOp(t, w.admin, "startMeeting", m.ID); again.ID != run.ID {
		t.Errorf("starting a running meeting again made run %s, not %s", again.ID, run.ID)
	}
	if got := confGetMeeting(t, w.li, m.ID); got.RunInProgress == nil || got.RunInProgress.ID != run.ID {
		t.Errorf("meeting.runInProgress for the invitee: %+v", got.RunInProgress)
	}
	st := confResources(t, w.li, from, to)
	if st.Now.Meetings != 1 || st.Now.Participants != 2 || st.Now.RoomsInUse != 1 || st.Now.PlatformParticipants != 2 {
		t.Errorf("now, for a member: %+v", st.Now)
	}

	confWantErr(t, "end by an invitee", w.li.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": m.ID}), "FORBIDDEN", "")
	confWantErr(t, "end by an outsider", w.wang.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": m.ID}), "NOT_FOUND", "")
	confWantErr(t, "end a meeting that is not live", w.member.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": later.ID}), "NOT_FOUND", "")
	ended := confRunOp(t, w.member, "endMeeting", m.ID)
	if ended.ID != run.ID || ended.InProgress || ended.EndedAt == nil || ended.EndReason == nil || *ended.EndReason != "host" {
		t.Errorf("ended: %+v", ended)
	}
	waitNow("after the end", 0, 0)
	if got := confGetMeeting(t, w.member, m.ID); got.RunInProgress != nil {
		t.Errorf("meeting.runInProgress after the end: %+v", got.RunInProgress)
	}
	log := confGetRun(t, w.li, run.ID).Log
	if len(log) != 4 || log[0].Kind != "started" || log[1].Kind != "joined" || log[2].Kind != "joined" || log[3].Kind != "ended" ||
		log[0].ActorID == nil || *log[0].ActorID != w.memberID || log[0].ActorName == nil || *log[0].ActorName != "张三" ||
		log[3].ActorID == nil || *log[3].ActorID != w.memberID || log[3].Detail == nil || *log[3].Detail != "host" || log[3].At.Before(log[0].At) {
		t.Errorf("log: %+v", log)
	}

	// A running meeting ends by itself 15 minutes after its booked end.
	p := confBook(t, w.li, map[string]any{"start": confSoon(20 * time.Minute), "participants": 3})
	prun := confRunOp(t, w.admin, "startMeeting", p.ID) // admins may start members' meetings
	waitNow("after the admin's start", 1, 0)
	// Someone is in, so only the window (not the empty timeout) can end it.
	if err := w.srv.Conference().Joined(ctx, meeting.Presence{RunID: prun.ID, Name: "李四"}); err != nil {
		t.Fatal(err)
	}
	waitNow("after a join", 1, 1)
	sweep := func(at time.Time) {
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		w.srv.Conference().SweepOnce(sctx, at)
	}
	sweep(time.Now())
	sweep(prun.ScheduledEnd.Add(14 * time.Minute))
	if got := confGetRun(t, w.li, prun.ID); !got.InProgress {
		t.Fatalf("ended before the grace ran out: %+v", got)
	}
	sweep(prun.ScheduledEnd.Add(15*time.Minute + time.Second))
	got := confGetRun(t, w.li, prun.ID)
	if got.InProgress || got.EndReason == nil || *got.EndReason != "window" || len(got.Log) != 3 || got.Log[2].Kind != "ended" || got.Log[2].ActorID != nil ||
		*got.Log[0].ActorID != w.adminID || *got.Log[0].ActorName != "管理员" {
		t.Errorf("after the sweep: %+v", got)
	}
	waitNow("after the sweep", 0, 0)

	// Cancelling: host and admins only; the meeting leaves the schedules.
	const cancelDoc = `mutation($id:ID!){cancelMeeting(id:$id)}`
	confWantErr(t, "cancel by an invitee", w.li.Do(t, cancelDoc, map[string]any{"id": later.ID}), "FORBIDDEN", "")
	confWantErr(t, "cancel by an outsider", w.wang.Do(t, cancelDoc, map[string]any{"id": later.ID}), "NOT_FOUND", "")
	var cid struct{ CancelMeeting string }
	w.member.Do(t, cancelDoc, map[string]any{"id": later.ID}).Decode(t, &cid)
	if cid.CancelMeeting != later.ID {
		t.Errorf("cancelMeeting = %q", cid.CancelMeeting)
	}
	if got := confGetMeeting(t, w.member, later.ID); !got.Cancelled {
		t.Errorf("cancelled meeting: %+v", got)
	}
	if got := confOccsOf(confMyMeetings(t, w.li, from, to), later.ID); len(got) != 0 {
		t.Errorf("cancelled meeting in myMeetings: %+v", got)
	}
	confWantErr(t, "cancel twice", w.member.Do(t, cancelDoc, map[string]any{"id": later.ID}), "CONFLICT", "")
	confWantErr(t, "start a cancelled meeting", w.member.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": later.ID}), "CONFLICT", "")
	confWantErr(t, "edit a cancelled meeting", w.member.Do(t, `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`,
		map[string]any{"id": later.ID, "in": map[string]any{"start": confSoon(5 * time.Hour)}}), "CONFLICT", "")
	// The admin may edit a member's meeting; the booked capacity follows.
	var up struct{ UpdateMeeting confMeeting }
	w.admin.Do(t, `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){`+confMeetingSel+`}}`,
		map[string]any{"id": p.ID, "in": map[string]any{"start": p.Start.Add(time.Hour), "participants": 7, "memberIds": []string{w.wangID}}}).Decode(t, &up)
	if up.UpdateMeeting.Host == nil || up.UpdateMeeting.Host.ID != w.liID || up.UpdateMeeting.Participants != 7 || !slices.Equal(up.UpdateMeeting.memberIDs(), []string{w.wangID}) {
		t.Errorf("the admin's edit: %+v", up.UpdateMeeting)
	}
}

// ---- Instant meetings and notifications ----

func TestConfInstantMeeting(t *testing.T) {
	w := confSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var g struct{ CreateGroup struct{ ID string } }
	w.admin.Do(t, `mutation($m:[ID!]){createGroup(name:"二组",memberIds:$m){id}}`, map[string]any{"m": []string{w.wangID}}).Decode(t, &g)

	const notifDoc = `subscription{notifications{kind meetingId number name hostName start at}}`
	type notif struct {
		Notifications struct {
			Kind, MeetingID, Number, Name, HostName string
			Start, At                               time.Time
		}
	}
	subs := map[string]<-chan *xtest.WSMessage{"李四": confSubscribe(ctx, t, w.li, notifDoc, nil), "王五": confSubscribe(ctx, t, w.wang, notifDoc, nil)}
	admin := confSubscribe(ctx, t, w.admin, notifDoc, nil)
	// Subscriptions start asynchronously: edit a meeting both are invited to until
	// both have heard of it.
	warm := confBook(t, w.member, map[string]any{"start": confSoon(48 * time.Hour), "participants": 2, "memberIds": []string{w.liID, w.wangID}})
	for who, ch := range subs {
		deadline := time.Now().Add(10 * time.Second)
		for {
			w.member.Do(t, `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`, map[string]any{"id": warm.ID,
				"in": map[string]any{"start": warm.Start, "participants": 2, "memberIds": []string{w.liID, w.wangID}}}).Decode(t, &struct{}{})
			var n notif
			if confNext(t, ch, 300*time.Millisecond, &n) {
				if n.Notifications.MeetingID != warm.ID { // INVITED, or UPDATED when it was late
					t.Errorf("%s: warm-up notification %+v", who, n)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never heard a notification", who)
			}
		}
	}
	for _, ch := range subs {
		for confNext(t, ch, 200*time.Millisecond, new(notif)) {
		}
	}

	m, run := confInstant(t, w.member, map[string]any{"name": "紧急会议 Now", "memberIds": []string{w.liID}, "groupIds": []string{g.CreateGroup.ID},
		"emails": []string{"partner@outside.example"}, "participants": 6})
	if !m.Instant || m.RunInProgress == nil || m.RunInProgress.ID != run.ID || !run.InProgress || m.Participants != 6 || time.Since(m.Start) > time.Minute || m.DurationMinutes != 60 {
		t.Errorf("instant meeting %+v, run %+v", m, run)
	}
	if got := m.memberIDs(); !slices.Equal(got, slices.Sorted(slices.Values([]string{w.liID, w.wangID}))) {
		t.Errorf("invitees %v", got)
	}
	for who, ch := range subs {
		var n notif
		if !confNext(t, ch, 5*time.Second, &n) {
			t.Errorf("%s was not notified", who)
			continue
		}
		x := n.Notifications
		if x.Kind != "STARTED_NOW" || x.MeetingID != m.ID || x.Number != m.Number || x.Name != "紧急会议 Now" || x.HostName != "张三" || !x.Start.Equal(m.Start) {
			t.Errorf("%s's notification: %+v", who, x)
		}
	}
	// The admin was not invited to anything.
	if var_ := new(notif); confNext(t, admin, 300*time.Millisecond, var_) {
		t.Errorf("the admin was notified: %+v", var_)
	}
	// Mail goes to members and outside addresses (recorded as disabled: no SMTP here).
	var d struct {
		Meeting struct {
			Deliveries []struct{ Email, Method, Status string }
		}
	}
	w.member.Do(t, `query($id:ID!){meeting(id:$id){deliveries{email method status}}}`, map[string]any{"id": m.ID}).Decode(t, &d)
	var emails []string
	for _, x := range d.Meeting.Deliveries {
		emails = append(emails, x.Email)
		if x.Status != "disabled" {
			t.Errorf("delivery %+v", x)
		}
	}
	slices.Sort(emails)
	if !slices.Equal(emails, []string{"li@acme.example", "partner@outside.example", "wang@acme.example"}) {
		t.Errorf("invitations mailed to %v", emails)
	}
	confWantErr(t, "deliveries for an invitee", w.li.Do(t, `query($id:ID!){meeting(id:$id){deliveries{email}}}`, map[string]any{"id": m.ID}), "FORBIDDEN", "")
	// Booking invites, cancelling cancels.
	b := confBook(t, w.member, map[string]any{"start": confSoon(72 * time.Hour), "participants": 2, "memberIds": []string{w.wangID}})
	var n notif
	if !confNext(t, subs["王五"], 5*time.Second, &n) || n.Notifications.Kind != "INVITED" || n.Notifications.MeetingID != b.ID {
		t.Errorf("booking notification: %+v", n)
	}
	w.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": b.ID}).Decode(t, &struct{}{})
	if !confNext(t, subs["王五"], 5*time.Second, &n) || n.Notifications.Kind != "CANCELLED" || n.Notifications.MeetingID != b.ID {
		t.Errorf("cancellation notification: %+v", n)
	}
	if confNext(t, subs["李四"], 300*time.Millisecond, &n) {
		t.Errorf("李四 heard of a meeting he is not invited to: %+v", n)
	}
	// Instant meetings need an enterprise account and valid input.
	confWantErr(t, "instant as platform admin", w.root.Do(t, `mutation{startInstantMeeting(input:{}){run{id}}}`, nil), "FORBIDDEN", "")
	confWantErr(t, "instant with 1 participant", w.member.Do(t, `mutation{startInstantMeeting(input:{participants:1}){run{id}}}`, nil), "BAD_USER_INPUT", "participants")
	confWantErr(t, "notifications as platform admin", w.root.Do(t, `subscription{notifications{kind}}`, nil), "BAD_USER_INPUT", "")
}

// ---- History, logs, relaunch ----

type confHistory struct {
	MeetingHistory struct {
		Edges []struct {
			Cursor string
			Node   confRun
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func confHistoryQuery(t *testing.T, c *xtest.Client, vars map[string]any) (ids []string, next string, more bool) {
	t.Helper()
	var out confHistory
	c.Do(t, `query($f:Time,$t:Time,$s:String,$n:Int,$a:String){meetingHistory(from:$f,to:$t,search:$s,first:$n,after:$a){
		edges{cursor node{`+confRunListSel+`}} pageInfo{hasNextPage endCursor}}}`, vars).Decode(t, &out)
	for _, e := range out.MeetingHistory.Edges {
		if e.Cursor == "" || e.Node.InProgress || e.Node.EndedAt == nil {
			t.Errorf("history edge %+v", e)
		}
		ids = append(ids, e.Node.ID)
	}
	if out.MeetingHistory.PageInfo.EndCursor != nil {
		next = *out.MeetingHistory.PageInfo.EndCursor
	}
	return ids, next, out.MeetingHistory.PageInfo.HasNextPage
}

func TestConfHistory(t *testing.T) {
	w := confSetup(t)
	other, _ := confTenant(t, w, "other")
	testStart := time.Now()

	// Four meetings held and ended, a fifth still live; 李四 invited to two.
	held := func(c *xtest.Client, in map[string]any) (confMeeting, confRun) {
		t.Helper()
		m, _ := confInstant(t, c, in)
		time.Sleep(5 * time.Millisecond) // distinct start times
		return m, confRunOp(t, c, "endMeeting", m.ID)
	}
	weekly, r1 := held(w.member, map[string]any{"name": "周会 Weekly 甲", "memberIds": []string{w.liID}, "participants": 5,
		"emails": []string{"x@outside.example"}, "options": map[string]any{"live": true}})
	_, r2 := held(w.member, map[string]any{"name": "Design Review", "participants": 3})
	mid := time.Now()
	time.Sleep(5 * time.Millisecond)
	_, r3 := held(w.admin, map[string]any{"name": "设计评审 design", "memberIds": []string{w.liID}, "participants": 3})
	_, r4 := held(w.wang, map[string]any{"name": "王五的会议", "participants": 2})
	live, _ := confInstant(t, w.member, map[string]any{"name": "周会 still live", "participants": 2})
	_, theirs := held(other, map[string]any{"name": "周会 of another enterprise", "participants": 2})

	all := []string{r4.ID, r3.ID, r2.ID, r1.ID} // newest first
	for who, tc := range map[string]struct {
		c    *xtest.Client
		want []string
	}{
		"admin": {w.admin, all},
		"张三":    {w.member, []string{r2.ID, r1.ID}},
		"李四":    {w.li, []string{r3.ID, r1.ID}},
		"王五":    {w.wang, []string{r4.ID}},
	} {
		if got, _, _ := confHistoryQuery(t, tc.c, nil); !slices.Equal(got, tc.want) {
			t.Errorf("history of %s: %v, want %v", who, got, tc.want)
		}
	}
	_ = live

	// Filters: time range, search on name (any case, Chinese) and number.
	cases := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"from mid", map[string]any{"f": mid}, []string{r4.ID, r3.ID}},
		{"to mid", map[string]any{"t": mid}, []string{r2.ID, r1.ID}},
		{"window", map[string]any{"f": testStart, "t": time.Now().Add(time.Minute)}, all},
		{"future", map[string]any{"f": time.Now().Add(time.Hour)}, nil},
		{"search 周会", map[string]any{"s": "周会"}, []string{r1.ID}},
		{"search DESIGN", map[string]any{"s": "DESIGN"}, []string{r3.ID, r2.ID}},
		{"search 设计", map[string]any{"s": "设计"}, []string{r3.ID}},
		{"search number", map[string]any{"s": r2.Number}, []string{r2.ID}},
		{"search regex characters", map[string]any{"s": ".*"}, nil},
		{"search and range", map[string]any{"s": "design", "f": mid}, []string{r3.ID}},
	}
	for _, tc := range cases {
		if got, _, _ := confHistoryQuery(t, w.admin, tc.vars); !slices.Equal(got, tc.want) {
			t.Errorf("history %s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Cursor pagination walks every run once.
	var walked []string
	after := ""
	for page := 0; page < 10; page++ {
		vars := map[string]any{"n": 3}
		if after != "" {
			vars["a"] = after
		}
		ids, next, more := confHistoryQuery(t, w.admin, vars)
		walked = append(walked, ids...)
		if len(ids) > 3 || (more && next == "") {
			t.Fatalf("page %d: %v next %q more %v", page, ids, next, more)
		}
		if !more {
			break
		}
		after = next
	}
	if !slices.Equal(walked, all) {
		t.Errorf("paged history %v, want %v", walked, all)
	}
	confWantErr(t, "bad cursor", w.admin.Do(t, `query($a:String){meetingHistory(after:$a){edges{cursor}}}`, map[string]any{"a": theirs.ID}), "BAD_USER_INPUT", "after")
	confWantErr(t, "first 0", w.admin.Do(t, `{meetingHistory(first:0){edges{cursor}}}`, nil), "BAD_USER_INPUT", "first")
	if ids, _, _ := confHistoryQuery(t, other, nil); !slices.Equal(ids, []string{theirs.ID}) {
		t.Errorf("the other enterprise's history: %v", ids)
	}

	// The log: started and ended with their actor, readable by those who see the meeting.
	run := confGetRun(t, w.li, r3.ID)
	if len(run.Log) != 2 || run.Log[0].Kind != "started" || *run.Log[0].ActorName != "管理员" || run.Log[1].Kind != "ended" || *run.Log[1].ActorID != w.adminID {
		t.Errorf("log of r3: %+v", run.Log)
	}
	confWantErr(t, "run of a meeting one does not see", w.wang.Do(t, `query($id:ID!){meetingRun(id:$id){id}}`, map[string]any{"id": r1.ID}), "NOT_FOUND", "")
	confWantErr(t, "run of another enterprise", w.admin.Do(t, `query($id:ID!){meetingRun(id:$id){id}}`, map[string]any{"id": theirs.ID}), "NOT_FOUND", "")

	// The CSV download: UTF-8 with a BOM, Chinese intact.
	resp, body := w.li.Get(t, r1.LogCsvURL)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("log.csv: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if !strings.HasPrefix(string(body), "\xef\xbb\xbf") {
		t.Errorf("log.csv has no BOM: % x", body[:min(8, len(body))])
	}
	text := strings.TrimPrefix(string(body), "\xef\xbb\xbf")
	lines := strings.Split(strings.TrimRight(text, "\r\n"), "\r\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "时间 Time,") || !strings.Contains(lines[1], ",会议开始,张三,") || !strings.Contains(lines[2], ",会议结束,张三,,,,主持人结束") {
		t.Errorf("log.csv:\n%s", text)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, r1.Number) || !strings.Contains(cd, url.PathEscape("会议记录-"+r1.Number)) {
		t.Errorf("Content-Disposition %q", cd)
	}
	// Times in the caller's zone, the file named in their language.
	resp, body = w.li.Get(t, r1.LogCsvURL+"?lang=en&tz=America/New_York")
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''meeting-"+r1.Number) {
		t.Errorf("English Content-Disposition %q", cd)
	}
	if rows := strings.Split(strings.TrimPrefix(string(body), "\xef\xbb\xbf"), "\r\n"); len(rows) < 3 || !strings.HasPrefix(rows[0], "Time,") ||
		!(strings.Contains(rows[1], "-05:00,Started,") || strings.Contains(rows[1], "-04:00,Started,")) || !strings.HasSuffix(rows[2], ",Ended,张三,,,,Host") {
		t.Errorf("log.csv in New York time:\n%s", body)
	}
	if resp, _ := w.wang.Get(t, r1.LogCsvURL); resp.StatusCode != 404 {
		t.Errorf("log.csv for an outsider: %d", resp.StatusCode)
	}
	if resp, _ := other.Get(t, r1.LogCsvURL); resp.StatusCode != 404 {
		t.Errorf("log.csv for another enterprise: %d", resp.StatusCode)
	}
	if resp, _ := w.srv.Client().Get(t, r1.LogCsvURL); resp.StatusCode != 401 {
		t.Errorf("log.csv anonymously: %d", resp.StatusCode)
	}

	// Relaunch: a new meeting with the same settings and invitees.
	const relaunchDoc = `mutation($id:ID!,$s:Time){relaunchMeeting(id:$id,start:$s){` + confMeetingSel + `}}`
	confWantErr(t, "relaunch by an invitee", w.li.Do(t, relaunchDoc, map[string]any{"id": weekly.ID}), "FORBIDDEN", "")
	confWantErr(t, "relaunch by an outsider", w.wang.Do(t, relaunchDoc, map[string]any{"id": weekly.ID}), "NOT_FOUND", "")
	var re struct{ RelaunchMeeting confMeeting }
	at := confSoon(26 * time.Hour)
	w.member.Do(t, relaunchDoc, map[string]any{"id": weekly.ID, "s": at}).Decode(t, &re)
	n := re.RelaunchMeeting
	if n.ID == weekly.ID || n.Number == weekly.Number || n.Name != weekly.Name || n.Participants != 5 || !n.Options.Live || !n.Start.Equal(at) ||
		n.DurationMinutes != weekly.DurationMinutes || n.TimeZone != weekly.TimeZone || n.Instant || n.RunInProgress != nil ||
		!slices.Equal(n.memberIDs(), []string{w.liID}) || !slices.Equal(n.Invitees.Emails, []string{"x@outside.example"}) {
		t.Errorf("relaunched %+v\nfrom %+v", n, weekly)
	}
	if occ := confOccsOf(confMyMeetings(t, w.li, at.Add(-time.Hour), at.Add(time.Hour)), n.ID); len(occ) != 1 {
		t.Errorf("the invitee's schedule lacks the relaunched meeting: %+v", occ)
	}
	w.member.Do(t, relaunchDoc, map[string]any{"id": weekly.ID}).Decode(t, &re)
	if d := time.Since(re.RelaunchMeeting.Start); d < -time.Second || d > time.Minute {
		t.Errorf("relaunched without a start: starts %v", re.RelaunchMeeting.Start)
	}
}

// TestHostStartsEarly: the host starts a meeting booked for tomorrow from its join
// (the meeting page's 开始会议) or startMeeting, as Tencent Meeting and Zoom allow;
// a guest before that is told the host has not started it and when it is booked;
// a run the host ended before the booked start leaves the booked meeting to be held;
// with --early-start the host's refusal says from when.
func TestHostStartsEarly(t *testing.T) {
	w := confSetup(t)
	tomorrow := confSoon(26 * time.Hour)
	m := confBook(t, w.member, map[string]any{"start": tomorrow, "participants": 3, "password": "135790"})
	guest := w.srv.Client()
	guestJoin := func() *xtest.Response {
		return guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": "135790", "d": "访客甲"})
	}

	e := confWantErr(t, "a guest before the host", guestJoin(), "CONFLICT", "number")
	if !strings.Contains(e.Message, "not started yet") || e.Extensions["startsAt"] != tomorrow.UTC().Format(time.RFC3339) {
		t.Errorf("the guest is not told when the meeting is booked: %+v", e)
	}
	var host struct{ JoinMeeting joinPayload }
	if r := w.member.Do(t, joinDoc, map[string]any{"n": m.Number}); r.Code() != "" {
		t.Fatalf("the host starting a meeting booked for tomorrow: %+v", r.Errors)
	} else {
		r.Decode(t, &host)
	}
	if host.JoinMeeting.Role != "HOST" || host.JoinMeeting.Token == "" {
		t.Fatalf("host join: %+v", host.JoinMeeting)
	}
	var gj struct{ JoinMeeting joinPayload }
	guestJoin().Decode(t, &gj)
	if gj.JoinMeeting.RunID != host.JoinMeeting.RunID {
		t.Errorf("the guest joined run %s, the host %s", gj.JoinMeeting.RunID, host.JoinMeeting.RunID)
	}

	// startMeeting three hours ahead; the host ends that early run and starts again:
	// the booked meeting is not used up by a try before its time.
	later := confBook(t, w.member, map[string]any{"start": confSoon(3 * time.Hour), "participants": 2})
	run := confRunOp(t, w.member, "startMeeting", later.ID)
	if !run.InProgress || !run.ScheduledStart.Equal(confSoon(3*time.Hour)) {
		t.Fatalf("started 3 hours early: %+v", run)
	}
	confRunOp(t, w.member, "endMeeting", later.ID)
	again := confRunOp(t, w.member, "startMeeting", later.ID)
	if !again.InProgress || again.ID == run.ID {
		t.Fatalf("starting again after an early run ended: %+v (first %s)", again, run.ID)
	}

	// A server that keeps a window: the host hears from when.
	w2 := confSetup(t, "--early-start", "30m")
	m2 := confBook(t, w2.member, map[string]any{"start": tomorrow, "participants": 2})
	for what, r := range map[string]*xtest.Response{
		"join":         w2.member.Do(t, joinDoc, map[string]any{"n": m2.Number}),
		"startMeeting": w2.member.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": m2.ID}),
	} {
		e := confWantErr(t, "host too early: "+what, r, "CONFLICT", "")
		if e.Extensions["startableFrom"] != tomorrow.Add(-30*time.Minute).UTC().Format(time.RFC3339) || e.Extensions["startsAt"] != tomorrow.UTC().Format(time.RFC3339) {
			t.Errorf("%s: the refusal does not say from when: %+v", what, e)
		}
	}
	// The meeting page reads from when.
	var got struct {
		Meeting struct{ StartableFrom *time.Time }
	}
	w2.member.Do(t, `query($id:ID!){meeting(id:$id){startableFrom}}`, map[string]any{"id": m2.ID}).Decode(t, &got)
	if f := got.Meeting.StartableFrom; f == nil || !f.Equal(tomorrow.Add(-30*time.Minute)) {
		t.Errorf("meeting.startableFrom with a 30m window: %v", f)
	}
	w.member.Do(t, `query($id:ID!){meeting(id:$id){startableFrom}}`, map[string]any{"id": later.ID}).Decode(t, &got)
	if got.Meeting.StartableFrom != nil {
		t.Errorf("meeting.startableFrom when the host may start at any time: %v", got.Meeting.StartableFrom)
	}
	soon := confBook(t, w2.member, map[string]any{"start": confSoon(20 * time.Minute), "participants": 2})
	if r := confRunOp(t, w2.member, "startMeeting", soon.ID); !r.InProgress {
		t.Errorf("inside the window: %+v", r)
	}
}
