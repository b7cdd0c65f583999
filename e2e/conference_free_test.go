package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// Issue 11: a meeting the host ended frees what it reserved at once, and a booking
// that gives only a start time fits the enterprise's quota and the room.

const confDefaultsDoc = `query($r:ID){bookingDefaults(roomId:$r){participants participantsFrom}}`

type confDefaults struct {
	BookingDefaults struct {
		Participants     int
		ParticipantsFrom string
	}
}

func TestConfEndedMeetingFreesCapacity(t *testing.T) {
	w := confSetup(t)
	w.setQuota(t, 20)
	book := func(c *xtest.Client, in map[string]any) *xtest.Response {
		return c.Do(t, confBookDoc, map[string]any{"in": in})
	}

	// 产品评审会 holds the whole quota for the hour that has begun.
	start := time.Now().Truncate(time.Minute)
	a := confBook(t, w.member, map[string]any{"start": start, "name": "产品评审会", "participants": 20})
	e := confWantErr(t, "while 产品评审会 is booked", book(w.li, map[string]any{"start": start.Add(10 * time.Minute), "participants": 20}), "CONFLICT", "")
	if !strings.Contains(e.Message, "产品评审会") || !strings.Contains(e.Message, "20") {
		t.Errorf("the conflict does not name the meeting and the quota: %s", e.Message)
	}

	run := confRunOp(t, w.member, "startMeeting", a.ID)
	if st := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)); st.Enterprise.Booked != 20 || st.Enterprise.Free != 0 {
		t.Errorf("while live: %+v", st.Enterprise)
	}
	ended := confRunOp(t, w.member, "endMeeting", a.ID)
	if ended.ID != run.ID || ended.InProgress {
		t.Fatalf("ended: %+v", ended)
	}

	// The resource page's windows (the next hour, from the minute it is in) show the
	// quota and the room free again.
	for _, from := range []time.Time{time.Now().Truncate(time.Minute), start} {
		st := confResources(t, w.member, from, from.Add(time.Hour))
		if st.Enterprise != (confUsage{Capacity: 20, Booked: 0, Free: 20}) {
			t.Errorf("enterprise after the end, window from %s: %+v", from.Format("15:04:05"), st.Enterprise)
		}
		if ru := st.room("8000"); ru == nil || ru.Usage.Booked != 0 {
			t.Errorf("room 8000 after the end, window from %s: %+v", from.Format("15:04:05"), ru)
		}
	}

	// Booking again in the same hour works, even from the minute 产品评审会 began: that
	// time is past, nobody can use it any more.
	b := confBook(t, w.li, map[string]any{"start": start, "name": "复盘会", "participants": 20})
	if b.Participants != 20 {
		t.Errorf("second booking: %+v", b)
	}
	if st := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)); st.Enterprise.Booked != 20 {
		t.Errorf("after booking again: %+v", st.Enterprise)
	}

	// The ended occurrence is not held again: starting or joining it is refused, and a
	// relaunch is a new booking that must fit.
	confWantErr(t, "restart the ended meeting", w.member.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": a.ID}), "CONFLICT", "")
	confWantErr(t, "join the ended meeting", w.member.Do(t, `mutation($n:String!,$p:String){joinMeeting(number:$n,password:$p){runId}}`,
		map[string]any{"n": a.Number, "p": a.Password}), "CONFLICT", "")
	confWantErr(t, "relaunch into a full hour", w.member.Do(t, `mutation($id:ID!){relaunchMeeting(id:$id){id}}`, map[string]any{"id": a.ID}), "CONFLICT", "")

	// An edit of the ended meeting keeps its end: it does not take the quota back.
	w.member.Do(t, `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`,
		map[string]any{"id": a.ID, "in": map[string]any{"start": start, "name": "产品评审会（已开）", "participants": 20}}).Decode(t, &struct{}{})
	if st := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)); st.Enterprise.Booked != 20 {
		t.Errorf("after editing the ended meeting: %+v", st.Enterprise)
	}
}

func TestConfEndedOccurrenceFreesOnlyItself(t *testing.T) {
	w := confSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	small := confCreateRoom(t, w.root, map[string]any{"number": "6620", "name": "小会议室", "capacity": 20, "scope": "ENTERPRISE", "enterpriseId": w.enterpriseID})
	book := func(c *xtest.Client, in map[string]any) *xtest.Response {
		return c.Do(t, confBookDoc, map[string]any{"in": in})
	}

	// A daily series fills the small room; its first meeting has begun, is started,
	// then ended. (One started early and ended before its booked start keeps its
	// reservation: internal/conference TestCapacity and TestEarlyRunStartsAgain.)
	soon := time.Now().Truncate(time.Minute)
	series := confBook(t, w.member, map[string]any{"start": soon, "name": "站会", "participants": 20, "roomId": small.ID,
		"recurrence": map[string]any{"frequency": "DAILY", "count": 3}})
	confWantErr(t, "the small room while the series is booked", book(w.li, map[string]any{"start": soon, "participants": 20, "roomId": small.ID}), "CONFLICT", "")
	confRunOp(t, w.member, "startMeeting", series.ID)
	confRunOp(t, w.member, "endMeeting", series.ID)

	if ru := confResources(t, w.member, soon, soon.Add(time.Hour)).room("6620"); ru == nil || ru.Usage.Booked != 0 || ru.Usage.Free != 20 {
		t.Errorf("the small room after the end: %+v", ru)
	}
	confBook(t, w.li, map[string]any{"start": soon, "participants": 20, "roomId": small.ID})
	// Tomorrow's meeting of the series still holds the room.
	tomorrow := soon.AddDate(0, 0, 1)
	if ru := confResources(t, w.member, tomorrow, tomorrow.Add(time.Hour)).room("6620"); ru == nil || ru.Usage.Booked != 20 {
		t.Errorf("the small room tomorrow: %+v", ru)
	}
	e := confWantErr(t, "tomorrow's meeting of the series", book(w.li, map[string]any{"start": tomorrow, "participants": 20, "roomId": small.ID}), "CONFLICT", "")
	if !strings.Contains(e.Message, "站会") {
		t.Errorf("tomorrow's conflict does not name the series: %s", e.Message)
	}
	// The schedule keeps the first meeting as it happened, ended now; the others whole.
	if occ := confOccsOf(confMyMeetings(t, w.member, soon.Add(-time.Hour), soon.AddDate(0, 0, 3)), series.ID); len(occ) != 3 ||
		occ[0].End.After(time.Now()) || occ[1].End.Sub(occ[1].Start) != time.Hour {
		t.Errorf("the series' meetings in the schedule: %+v", occ)
	}

	// A meeting nobody joined ends after the empty timeout; that frees it too. (The
	// booking in the small room takes 20 of the quota.)
	w.setQuota(t, 30)
	later := time.Now().Truncate(time.Minute)
	idle := confBook(t, w.member, map[string]any{"start": later, "participants": 10, "name": "无人会议"})
	confWantErr(t, "while the idle meeting is booked", book(w.li, map[string]any{"start": later, "participants": 2}), "CONFLICT", "")
	confRunOp(t, w.member, "startMeeting", idle.ID)
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	w.srv.Conference().SweepOnce(sctx, time.Now().Add(11*time.Minute))
	scancel()
	if r := confGetMeeting(t, w.member, idle.ID); r.RunInProgress != nil {
		t.Fatalf("the empty meeting still runs: %+v", r.RunInProgress)
	}
	confBook(t, w.li, map[string]any{"start": later, "participants": 10})

	// Instant meetings, too.
	w.setQuota(t, 0)
	im, _ := confInstant(t, w.member, map[string]any{"participants": 20, "name": "快速会议"})
	if im.Room == nil || im.Room.Number != "8000" {
		t.Fatalf("instant meeting room: %+v", im.Room)
	}
	confRunOp(t, w.member, "endMeeting", im.ID)
	if ru := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)).room("8000"); ru == nil || ru.Usage.Booked != 10 {
		t.Errorf("room 8000 after the instant meeting ended: %+v", ru)
	}
}

func TestConfDefaultParticipantsFit(t *testing.T) {
	w := confSetup(t)
	w.setQuota(t, 20)
	at := confSoon(24 * time.Hour)

	// Only a start time: the default of 25 is lowered to the quota, and said so.
	m := confBook(t, w.member, map[string]any{"start": at})
	if m.Participants != 20 {
		t.Errorf("booked with only a start under a quota of 20: %d participants", m.Participants)
	}
	var d confDefaults
	w.member.Do(t, confDefaultsDoc, nil).Decode(t, &d)
	if d.BookingDefaults.Participants != 20 || d.BookingDefaults.ParticipantsFrom != "QUOTA" {
		t.Errorf("defaults under a quota of 20: %+v", d.BookingDefaults)
	}
	im, _ := confInstant(t, w.li, map[string]any{})
	if im.Participants != 20 {
		t.Errorf("instant meeting under a quota of 20: %d participants", im.Participants)
	}

	// A chosen room smaller than that sets the default.
	w.setQuota(t, 0)
	small := confCreateRoom(t, w.root, map[string]any{"number": "6610", "name": "洽谈室", "capacity": 10, "scope": "ENTERPRISE", "enterpriseId": w.enterpriseID})
	w.member.Do(t, confDefaultsDoc, map[string]any{"r": small.ID}).Decode(t, &d)
	if d.BookingDefaults.Participants != 10 || d.BookingDefaults.ParticipantsFrom != "ROOM" {
		t.Errorf("defaults in a room for 10: %+v", d.BookingDefaults)
	}
	if m := confBook(t, w.member, map[string]any{"start": at.Add(2 * time.Hour), "roomId": small.ID}); m.Participants != 10 || m.Room == nil || m.Room.Number != "6610" {
		t.Errorf("booked in a room for 10 with only a start: %+v", m)
	}
	w.member.Do(t, confDefaultsDoc, nil).Decode(t, &d)
	if d.BookingDefaults.Participants != 25 || d.BookingDefaults.ParticipantsFrom != "DEFAULT" {
		t.Errorf("defaults without quota or room: %+v", d.BookingDefaults)
	}
	// When the system picks the room, the largest room one may use bounds it: on a
	// platform for 12, the room made at installation holds 12.
	w2 := confSetup(t, "--capacity", "12")
	w2.member.Do(t, confDefaultsDoc, nil).Decode(t, &d)
	if d.BookingDefaults.Participants != 12 || d.BookingDefaults.ParticipantsFrom != "ROOM" {
		t.Errorf("defaults when the largest room holds 12: %+v", d.BookingDefaults)
	}
	if m := confBook(t, w2.member, map[string]any{"start": at}); m.Participants != 12 || m.Room == nil || m.Room.Number != "8000" {
		t.Errorf("booked with only a start when the largest room holds 12: %+v", m)
	}
	// An explicit number is kept (and checked) as before.
	confWantErr(t, "explicit 25 over every room", w2.member.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": at.Add(2 * time.Hour), "participants": 25}}), "CONFLICT", "")
}

// TestConfEarlyStartIsReserved: a run the host starts before its booked time uses the
// enterprise's quota from then, so it is checked like a booking of that time: refused
// (naming what holds the quota) when it does not fit, and once it runs others cannot
// book into it. Ended before its booked start, it frees what it took early and keeps
// its booked time.
func TestConfEarlyStartIsReserved(t *testing.T) {
	w := confSetup(t)
	w.setQuota(t, 20)
	confBook(t, w.li, map[string]any{"start": time.Now().Truncate(time.Minute), "name": "产品评审会", "participants": 15})
	later := confSoon(2 * time.Hour)
	big := confBook(t, w.member, map[string]any{"start": later, "name": "大会", "participants": 10})
	small := confBook(t, w.member, map[string]any{"start": later.Add(10 * time.Minute), "name": "小会", "participants": 5})

	e := confWantErr(t, "early start over the quota", w.member.Do(t, `mutation($id:ID!){startMeeting(id:$id){id}}`, map[string]any{"id": big.ID}), "CONFLICT", "")
	if !strings.Contains(e.Message, "产品评审会") || !strings.Contains(e.Message, "quota of 20") {
		t.Errorf("the refusal does not name the meeting and the quota: %s", e.Message)
	}
	if r := confRunOp(t, w.member, "startMeeting", small.ID); !r.InProgress {
		t.Fatalf("early start that fits: %+v", r)
	}
	if st := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)); st.Enterprise.Booked != 20 {
		t.Errorf("the next hour with the early run: %+v", st.Enterprise)
	}
	book := func(what string) *xtest.Response {
		return w.li.Do(t, confBookDoc, map[string]any{"in": map[string]any{"start": confSoon(10 * time.Minute), "name": what, "participants": 2}})
	}
	confWantErr(t, "a booking into the early run's time", book("插会"), "CONFLICT", "")

	confRunOp(t, w.member, "endMeeting", small.ID)
	if st := confResources(t, w.member, time.Now(), time.Now().Add(time.Hour)); st.Enterprise.Booked != 15 {
		t.Errorf("the next hour after the early run ended: %+v", st.Enterprise)
	}
	if r := book("插会"); r.Code() != "" {
		t.Errorf("booking after the early run ended: %v", r.Errors)
	}
	if st := confResources(t, w.member, later.Add(10*time.Minute), later.Add(time.Hour)); st.Enterprise.Booked != 15 {
		t.Errorf("the booked time of 小会 and 大会 after the early run: %+v", st.Enterprise)
	}
}
