package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// hostState is what the host-control tests read of a MeetingState.
type hostState struct {
	Seq          int
	MuteOnEntry  bool
	Participants []struct {
		ID, Role    string
		MutedByHost bool
	}
	Pins    []struct{ Pane int }
	Polling struct {
		Enabled         bool
		IntervalSeconds int
		Panes           []int
		ParticipantIDs  []string `json:"participantIds"`
		SkipNoVideo     bool
		Epoch           *time.Time
	}
	Panes      []hostPane
	Whiteboard bool
}

// hostPane is one pane of a hostState.
type hostPane struct {
	Pane          int
	Polled        bool
	Source        string
	ParticipantID *string `json:"participantId"`
}

func (s hostState) role(id string) string {
	for _, p := range s.Participants {
		if p.ID == id {
			return p.Role
		}
	}
	return ""
}

const hostStateFields = `seq muteOnEntry participants{id role mutedByHost} pins{pane}
	polling{enabled intervalSeconds panes participantIds skipNoVideo epoch} panes{pane polled source participantId} whiteboard`

// hostEvent is a meetingState event as the host-control tests read it.
type hostEvent struct {
	Seq     int
	Kind    string
	Setting *string
	On      *bool
	Polling *struct {
		Enabled         bool
		IntervalSeconds int
		Panes           []int
	}
}

const hostEventsDoc = `subscription($id:ID!){meetingState(meetingId:$id){seq full{seq}
	event{seq kind setting on polling{enabled intervalSeconds panes}}}}`

// hostEvents reads a meetingState subscription's events.
type hostEvents struct {
	ch <-chan *xtest.WSMessage
}

// until returns the first event of this kind within 10 seconds. A "complete" after
// the event is left in the channel.
func (h *hostEvents) until(t *testing.T, kind string) hostEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := isoNextMsg(t, h.ch, time.Until(deadline), "host")
		if m == nil {
			t.Fatalf("no %s event", kind)
		}
		var u struct {
			MeetingState struct{ Event *hostEvent }
		}
		if !isoDecode(t, m, &u) {
			t.FailNow()
		}
		if e := u.MeetingState.Event; e != nil && e.Kind == kind {
			return *e
		}
	}
}

// notifySub subscribes c to its notifications and makes sure the subscription
// listens: warm(1), warm(2), ... send it notifications until one arrives; the rest
// are drained.
func notifySub(ctx context.Context, t *testing.T, c *xtest.Client, who string, warm func(n int)) <-chan *xtest.WSMessage {
	t.Helper()
	ch := isoSubscribeDoc(ctx, t, c, who, `subscription{notifications{kind meetingId}}`, nil)
	for n := 1; ; n++ {
		warm(n)
		if isoNextMsg(t, ch, 300*time.Millisecond, who) != nil {
			break
		}
		if n == 30 {
			t.Fatalf("%s never heard a notification", who)
		}
	}
	for isoNextMsg(t, ch, 200*time.Millisecond, who) != nil {
	}
	return ch
}

// nextNotification returns the next notification within d, or ok false.
func nextNotification(t *testing.T, ch <-chan *xtest.WSMessage, d time.Duration, who string) (kind, meetingID string, ok bool) {
	t.Helper()
	m := isoNextMsg(t, ch, d, who)
	if m == nil {
		return "", "", false
	}
	var n struct {
		Notifications struct{ Kind, MeetingID string }
	}
	if !isoDecode(t, m, &n) {
		return "", "", false
	}
	return n.Notifications.Kind, n.Notifications.MeetingID, true
}

// TestHostControls drives the remaining host controls through GraphQL on a meeting
// whose participants joined over /rtc: roles, unpinning, polling, mute on entry,
// calling the absent, inviting during the meeting and ending it for everyone. An
// invited member may do none of them.
func TestHostControls(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	liID := isoCreateMember(t, f.admin, map[string]any{"name": "李四", "email": "li@acme.example", "password": "li-password-1"})
	wangID := isoCreateMember(t, f.admin, map[string]any{"name": "王五", "email": "wang@acme.example", "password": "wang-password-1"})
	zhaoID := isoCreateMember(t, f.admin, map[string]any{"name": "赵六", "email": "zhao@acme.example", "password": "zhao-password-1"})
	frozenID := isoCreateMember(t, f.admin, map[string]any{"name": "冻结", "email": "frozen@acme.example"})
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	wangC := srv.Login(t, "wang@acme.example", "wang-password-1")
	zhaoC := srv.Login(t, "zhao@acme.example", "zhao-password-1")
	var g struct{ CreateGroup struct{ ID string } }
	f.admin.Do(t, `mutation($m:[ID!]){createGroup(name:"二组",memberIds:$m){id}}`, map[string]any{"m": []string{wangID, frozenID}}).Decode(t, &g)
	f.admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){id}}`, map[string]any{"id": frozenID}).Decode(t, &struct{}{})

	// 王五 is invited through a group, 李四 by name, and an outside guest by mail.
	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!,$m:[ID!],$g:[ID!]){bookMeeting(input:{start:$s,participants:8,memberIds:$m,groupIds:$g,
		emails:["guest@outside.example"]}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "m": []string{liID}, "g": []string{g.CreateGroup.ID}}).Decode(t, &b)
	mt := b.BookMeeting
	var hj, lj, gj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	host := rtcJoin(ctx, t, srv, hj.JoinMeeting)
	liC.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &lj)
	li := rtcJoin(ctx, t, srv, lj.JoinMeeting)
	srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客甲"}).Decode(t, &gj)
	guest := rtcJoin(ctx, t, srv, gj.JoinMeeting)
	events := &hostEvents{ch: isoSubscribeDoc(ctx, t, f.member, "host", hostEventsDoc, map[string]any{"id": mt.ID})}

	// do runs a control as c; it returns the state, or the error code and field.
	do := func(c *xtest.Client, op, args string, vars map[string]any) (hostState, string, string) {
		t.Helper()
		v := map[string]any{"id": mt.ID}
		for k, x := range vars {
			v[k] = x
		}
		r := c.Do(t, `mutation($id:ID!`+args+`){x:`+op+`{`+hostStateFields+`}}`, v)
		var out struct{ X hostState }
		if r.Code() != "" {
			field, _ := r.Errors[0].Extensions["field"].(string)
			return out.X, r.Code(), field
		}
		r.Decode(t, &out)
		return out.X, "", ""
	}
	mustDo := func(c *xtest.Client, op, args string, vars map[string]any) hostState {
		t.Helper()
		st, code, field := do(c, op, args, vars)
		if code != "" {
			t.Fatalf("%s: %s (field %q)", op, code, field)
		}
		return st
	}
	const roleArgs, roleOp = `,$p:ID!,$r:ParticipantRole!`, `setParticipantRole(meetingId:$id,participantId:$p,role:$r)`
	const pollArgs, pollOp = `,$in:PollingInput!`, `setPolling(meetingId:$id,input:$in)`

	// An invited member in the meeting controls nothing.
	for op, x := range map[string]struct {
		args string
		vars map[string]any
	}{
		roleOp:                                   {roleArgs, map[string]any{"p": guest.id, "r": "PRESENTER"}},
		`unpinParticipant(meetingId:$id,pane:0)`: {},
		pollOp:                                   {pollArgs, map[string]any{"in": map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{1}}}},
		`setMuteOnEntry(meetingId:$id,on:true)`:  {},
		`setWhiteboard(meetingId:$id,on:true)`:   {},
	} {
		if _, code, _ := do(liC, op, x.args, x.vars); code != "FORBIDDEN" {
			t.Errorf("%s as an invited member: %q", op, code)
		}
	}
	if r := liC.Do(t, `mutation($id:ID!){callAbsentInvitees(meetingId:$id){called{id}}}`, map[string]any{"id": mt.ID}); r.Code() != "FORBIDDEN" {
		t.Errorf("callAbsentInvitees as an invited member: %q", r.Code())
	}

	t.Run("role", func(t *testing.T) {
		if st := mustDo(f.member, roleOp, roleArgs, map[string]any{"p": guest.id, "r": "PRESENTER"}); st.role(guest.id) != "PRESENTER" {
			t.Fatalf("presenter: %+v", st.Participants)
		}
		events.until(t, "role")
		if st := mustDo(f.admin, roleOp, roleArgs, map[string]any{"p": guest.id, "r": "PARTICIPANT"}); st.role(guest.id) != "PARTICIPANT" {
			t.Fatalf("back to participant: %+v", st.Participants)
		}
		if _, code, field := do(f.member, roleOp, roleArgs, map[string]any{"p": guest.id, "r": "HOST"}); code != "BAD_USER_INPUT" || field != "role" {
			t.Errorf("make someone host: %q %q", code, field)
		}
		if _, code, _ := do(f.admin, roleOp, roleArgs, map[string]any{"p": host.id, "r": "PARTICIPANT"}); code != "CONFLICT" {
			t.Errorf("demote the host: %q", code)
		}
		if _, code, _ := do(f.member, roleOp, roleArgs, map[string]any{"p": "nobody", "r": "PRESENTER"}); code != "NOT_FOUND" {
			t.Errorf("an absent participant: %q", code)
		}
		// setPresenter still works.
		if st := mustDo(f.member, `setPresenter(meetingId:$id,participantId:$p)`, `,$p:ID!`, map[string]any{"p": li.id}); st.role(li.id) != "PRESENTER" {
			t.Fatalf("setPresenter: %+v", st.Participants)
		}
	})

	// A presenter (李四, since "role") shows the whiteboard to everyone: it takes the big
	// pane; a pin there wins; the host puts the panes back.
	t.Run("whiteboard", func(t *testing.T) {
		st := mustDo(liC, `setWhiteboard(meetingId:$id,on:true)`, "", nil)
		if !st.Whiteboard || st.Panes[0].Source != "whiteboard" || st.Panes[0].ParticipantID != nil {
			t.Fatalf("shown by the presenter: whiteboard %v, pane 0 %+v", st.Whiteboard, st.Panes[0])
		}
		if e := events.until(t, "whiteboard"); e.Setting == nil || *e.Setting != "whiteboard" || e.On == nil || !*e.On {
			t.Fatalf("event %+v", e)
		}
		st = mustDo(f.member, `pinParticipant(meetingId:$id,pane:0,participantId:$p)`, `,$p:ID!`, map[string]any{"p": guest.id})
		if p := st.Panes[0]; p.Source != "camera" || p.ParticipantID == nil || *p.ParticipantID != guest.id || st.Panes[1].Source != "whiteboard" {
			t.Fatalf("a pin in the big pane: %+v", st.Panes[:2])
		}
		mustDo(f.member, `unpinParticipant(meetingId:$id,pane:0)`, "", nil)
		st = mustDo(f.member, `setWhiteboard(meetingId:$id,on:false)`, "", nil)
		for _, p := range st.Panes {
			if st.Whiteboard || p.Source == "whiteboard" {
				t.Fatalf("hidden by the host: whiteboard %v, panes %+v", st.Whiteboard, st.Panes)
			}
		}
	})

	t.Run("unpin", func(t *testing.T) {
		mustDo(f.member, `pinParticipant(meetingId:$id,pane:2,participantId:$p)`, `,$p:ID!`, map[string]any{"p": guest.id})
		if st := mustDo(f.member, `unpinParticipant(meetingId:$id,pane:2)`, "", nil); len(st.Pins) != 0 {
			t.Fatalf("pins after unpin: %+v", st.Pins)
		}
		events.until(t, "unpinned")
		if _, code, _ := do(f.member, `unpinParticipant(meetingId:$id,pane:2)`, "", nil); code != "NOT_FOUND" {
			t.Errorf("unpin a free pane: %q", code)
		}
	})

	t.Run("polling", func(t *testing.T) {
		before := mustDo(f.member, `setLayout(meetingId:$id,mode:ONE_PLUS_SEVEN)`, "", nil)
		for _, c := range []struct {
			in    map[string]any
			field string
		}{
			{map[string]any{"enabled": true, "intervalSeconds": 4, "panes": []int{1}}, "intervalSeconds"},
			{map[string]any{"enabled": true, "intervalSeconds": 301, "panes": []int{1}}, "intervalSeconds"},
			{map[string]any{"enabled": true, "panes": []int{1}}, "intervalSeconds"},
			{map[string]any{"enabled": true, "intervalSeconds": 10}, "panes"},
			{map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{8}}, "panes"},
			{map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{1, 1}}, "panes"},
			{map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{1}, "participantIds": []string{guest.id, guest.id}}, "participantIds"},
			{map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{1}, "participantIds": []string{""}}, "participantIds"},
		} {
			if _, code, field := do(f.member, pollOp, pollArgs, map[string]any{"in": c.in}); code != "BAD_USER_INPUT" || field != c.field {
				t.Errorf("polling %v: %q field %q, want BAD_USER_INPUT on %s", c.in, code, field, c.field)
			}
		}
		// The refusals changed nothing.
		if st := mustDo(f.member, `setLayout(meetingId:$id,mode:ONE_PLUS_SEVEN)`, "", nil); st.Seq != before.Seq || st.Polling.Enabled {
			t.Fatalf("refused polling changed the state: %d -> %d, %+v", before.Seq, st.Seq, st.Polling)
		}

		at := time.Now()
		st := mustDo(f.member, pollOp, pollArgs, map[string]any{"in": map[string]any{"enabled": true, "intervalSeconds": 5,
			"panes": []int{2, 1}, "participantIds": []string{guest.id, li.id}, "skipNoVideo": false}})
		p := st.Polling
		if !p.Enabled || p.IntervalSeconds != 5 || !slices.Equal(p.Panes, []int{2, 1}) || !slices.Equal(p.ParticipantIDs, []string{guest.id, li.id}) ||
			p.Epoch == nil || p.Epoch.Before(at.Add(-time.Second)) {
			t.Fatalf("polling on: %+v", p)
		}
		for _, pane := range st.Panes {
			if pane.Polled != (pane.Pane == 1 || pane.Pane == 2) {
				t.Errorf("pane %d polled %v", pane.Pane, pane.Polled)
			}
		}
		if e := events.until(t, "polling"); e.Polling == nil || !e.Polling.Enabled || e.Polling.IntervalSeconds != 5 || !slices.Equal(e.Polling.Panes, []int{2, 1}) {
			t.Errorf("polling event: %+v", e.Polling)
		}
		// Everyone not in a fixed pane: an empty set.
		if st := mustDo(f.admin, pollOp, pollArgs, map[string]any{"in": map[string]any{"enabled": true, "intervalSeconds": 300, "panes": []int{7}}}); !st.Polling.Enabled ||
			len(st.Polling.ParticipantIDs) != 0 || st.Polling.IntervalSeconds != 300 {
			t.Fatalf("polling everyone: %+v", st.Polling)
		}
		// A layout without pane 7 drops it, and the state says so.
		if st := mustDo(f.member, `setLayout(meetingId:$id,mode:GRID_2X2)`, "", nil); st.Polling.Enabled {
			t.Errorf("polling survived a layout without its pane: %+v", st.Polling)
		}
		mustDo(f.member, pollOp, pollArgs, map[string]any{"in": map[string]any{"enabled": true, "intervalSeconds": 60, "panes": []int{3}}})
		st = mustDo(f.member, pollOp, pollArgs, map[string]any{"in": map[string]any{"enabled": false, "intervalSeconds": 1}})
		if st.Polling.Enabled || st.Polling.Epoch != nil || slices.ContainsFunc(st.Panes, func(p hostPane) bool {
			return p.Polled
		}) {
			t.Fatalf("polling off: %+v %+v", st.Polling, st.Panes)
		}
		// Every polling event carries the settings, up to the last one: off.
		for {
			e := events.until(t, "polling")
			if e.Polling == nil {
				t.Fatalf("a polling event without the settings: %+v", e)
			}
			if !e.Polling.Enabled {
				break
			}
		}
	})

	t.Run("mute on entry", func(t *testing.T) {
		if st := mustDo(f.member, `setMuteOnEntry(meetingId:$id,on:true)`, "", nil); !st.MuteOnEntry {
			t.Fatal("muteOnEntry stays off")
		}
		if e := events.until(t, "mute_on_entry"); e.Setting == nil || *e.Setting != "muteOnEntry" || e.On == nil || !*e.On {
			t.Errorf("mute_on_entry event: %+v", e)
		}
		// A guest joining now is told and host-muted; those in the meeting are not.
		var g2 struct{ JoinMeeting joinPayload }
		srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客乙"}).Decode(t, &g2)
		if !g2.JoinMeeting.Options.MuteOnEntry {
			t.Errorf("join payload: %+v", g2.JoinMeeting.Options)
		}
		late := rtcJoin(ctx, t, srv, g2.JoinMeeting)
		if n := late.next(t, "notice", 10*time.Second); n["data"].(map[string]any)["kind"] != "mutedByHost" {
			t.Fatalf("late guest notice: %v", n)
		}
		st := mustDo(f.admin, `setMuteOnEntry(meetingId:$id,on:false)`, "", nil)
		for _, p := range st.Participants {
			if p.MutedByHost != (p.ID == late.id) {
				t.Errorf("participant %s mutedByHost %v", p.ID, p.MutedByHost)
			}
		}
		if st.MuteOnEntry {
			t.Error("muteOnEntry stays on")
		}
	})

	t.Run("call absent and invite during the meeting", func(t *testing.T) {
		warm := func(who string) func(n int) {
			return func(n int) {
				f.admin.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:2,memberIds:$m}){id}}`,
					map[string]any{"s": time.Now().Add(time.Duration(n)*24*time.Hour + 3*time.Hour).Truncate(time.Minute), "m": []string{who}}).Decode(t, &struct{}{})
			}
		}
		wangN := notifySub(ctx, t, wangC, "王五", warm(wangID))
		zhaoN := notifySub(ctx, t, zhaoC, "赵六", warm(zhaoID))
		liN := notifySub(ctx, t, liC, "李四", warm(liID))

		// Inviting 赵六 now asks them to join now, and mails them.
		f.member.Do(t, `mutation($id:ID!,$m:[ID!]){inviteToMeeting(id:$id,memberIds:$m){id}}`, map[string]any{"id": mt.ID, "m": []string{zhaoID}}).Decode(t, &struct{}{})
		if kind, id, ok := nextNotification(t, zhaoN, 5*time.Second, "赵六"); !ok || kind != "STARTED_NOW" || id != mt.ID {
			t.Fatalf("赵六 invited during the meeting: %q %q %v", kind, id, ok)
		}
		var d struct {
			Meeting struct {
				Deliveries []struct{ Email, Method string }
			}
		}
		f.member.Do(t, `query($id:ID!){meeting(id:$id){deliveries{email method}}}`, map[string]any{"id": mt.ID}).Decode(t, &d)
		if !slices.ContainsFunc(d.Meeting.Deliveries, func(x struct{ Email, Method string }) bool {
			return x.Email == "zhao@acme.example" && x.Method == "REQUEST"
		}) {
			t.Errorf("赵六 was not mailed: %+v", d.Meeting.Deliveries)
		}

		// Calling the absent: 王五 (through the group) now; 赵六 was just asked; 李四 is
		// here, 冻结 is frozen, the guest has no account.
		const callDoc = `mutation($id:ID!){callAbsentInvitees(meetingId:$id){called{id name} skipped{id}}}`
		type call struct {
			CallAbsentInvitees struct{ Called, Skipped []struct{ ID string } }
		}
		ids := func(xs []struct{ ID string }) []string {
			var out []string
			for _, x := range xs {
				out = append(out, x.ID)
			}
			slices.Sort(out)
			return out
		}
		var c1 call
		f.member.Do(t, callDoc, map[string]any{"id": mt.ID}).Decode(t, &c1)
		if got := ids(c1.CallAbsentInvitees.Called); !slices.Equal(got, []string{wangID}) {
			t.Errorf("called %v, want 王五 %s", got, wangID)
		}
		if got := ids(c1.CallAbsentInvitees.Skipped); !slices.Equal(got, []string{zhaoID}) {
			t.Errorf("skipped %v, want 赵六 %s", got, zhaoID)
		}
		if kind, id, ok := nextNotification(t, wangN, 5*time.Second, "王五"); !ok || kind != "STARTED_NOW" || id != mt.ID {
			t.Fatalf("王五 called: %q %q %v", kind, id, ok)
		}
		// Again at once (by an admin): nobody is called twice within a minute.
		var c2 call
		f.admin.Do(t, callDoc, map[string]any{"id": mt.ID}).Decode(t, &c2)
		want := []string{wangID, zhaoID}
		slices.Sort(want)
		if len(c2.CallAbsentInvitees.Called) != 0 || !slices.Equal(ids(c2.CallAbsentInvitees.Skipped), want) {
			t.Errorf("second call: %+v", c2.CallAbsentInvitees)
		}
		quiet := time.Now().Add(time.Second)
		for who, ch := range map[string]<-chan *xtest.WSMessage{"王五": wangN, "赵六": zhaoN, "李四": liN} {
			if kind, _, ok := nextNotification(t, ch, time.Until(quiet), who); ok {
				t.Errorf("%s notified again: %s", who, kind)
			}
		}
		// The call is in the meeting log.
		var lg struct {
			MeetingRun struct {
				Log []struct{ Kind, Detail, SubjectID, Subject, ActorID string }
			}
		}
		f.member.Do(t, `query($id:ID!){meetingRun(id:$id){log{kind detail subjectId subject actorId}}}`, map[string]any{"id": hj.JoinMeeting.RunID}).Decode(t, &lg)
		if !slices.ContainsFunc(lg.MeetingRun.Log, func(e struct{ Kind, Detail, SubjectID, Subject, ActorID string }) bool {
			return e.Kind == "control" && e.Detail == "called" && e.SubjectID == wangID && e.Subject == "王五" && e.ActorID == f.memberID
		}) {
			t.Errorf("the meeting log lacks the call: %+v", lg.MeetingRun.Log)
		}
	})

	t.Run("end for all", func(t *testing.T) {
		if r := liC.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": mt.ID}); r.Code() != "FORBIDDEN" {
			t.Fatalf("endMeeting as an invited member: %q", r.Code())
		}
		var out struct{ EndMeeting struct{ InProgress bool } }
		f.admin.Do(t, `mutation($id:ID!){endMeeting(id:$id){inProgress}}`, map[string]any{"id": mt.ID}).Decode(t, &out)
		if out.EndMeeting.InProgress {
			t.Fatal("the run is still live")
		}
		events.until(t, "ended")
		// The subscription completes after the ended event.
		select {
		case m, ok := <-events.ch:
			if ok && m.Type != "complete" {
				t.Errorf("after ended: %s %s", m.Type, m.Payload)
			}
		case <-time.After(10 * time.Second):
			t.Error("the meetingState subscription stayed open after the meeting ended")
		}
		for _, p := range []*rtcPeer{host, li, guest} {
			if bye := p.next(t, "bye", 10*time.Second); bye["data"].(map[string]any)["reason"] != "meetingEnded" {
				t.Errorf("bye: %v", bye)
			}
		}
		// Controls and calls answer NOT_FOUND: there is no running meeting any more.
		if _, code, _ := do(f.member, `setMuteOnEntry(meetingId:$id,on:true)`, "", nil); code != "NOT_FOUND" {
			t.Errorf("control after the end: %q", code)
		}
		r := f.member.Do(t, `mutation($id:ID!){callAbsentInvitees(meetingId:$id){called{id}}}`, map[string]any{"id": mt.ID})
		if r.Code() != "NOT_FOUND" {
			t.Errorf("callAbsentInvitees after the end: %q", r.Code())
		}
		// A new subscription is refused too.
		ch := isoSubscribeDoc(ctx, t, f.member, "host", hostEventsDoc, map[string]any{"id": mt.ID})
		select {
		case m := <-ch:
			if m == nil || !json.Valid(m.Payload) || !containsCode(m.Payload, "NOT_FOUND") {
				t.Errorf("subscribing to an ended meeting: %+v", m)
			}
		case <-time.After(5 * time.Second):
			t.Error("subscribing to an ended meeting: no answer")
		}
	})
}

// containsCode reports whether a subscription's error payload (an error message's
// list, or a next message's errors) carries this extensions code.
func containsCode(payload []byte, code string) bool {
	var list []xtest.GQLError
	if json.Unmarshal(payload, &list) != nil {
		var p struct{ Errors []xtest.GQLError }
		_ = json.Unmarshal(payload, &p)
		list = p.Errors
	}
	return slices.ContainsFunc(list, func(e xtest.GQLError) bool { return e.Extensions["code"] == code })
}

// TestHostSwitchesSurviveRestart: the host's mute on entry and self-unmute switch
// belong to the run, so a new meeting owner after a restart keeps them instead of the
// booking's option and the default.
func TestHostSwitchesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	first := xtest.StartServer(t, xtest.Options{DataDir: dir})
	f := newAuthFixture(t, first)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:3}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	mt := b.BookMeeting
	var hj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	rtcJoin(ctx, t, first, hj.JoinMeeting)
	var st struct{ SetMuteOnEntry struct{ MuteOnEntry bool } }
	f.member.Do(t, `mutation($id:ID!){setMuteOnEntry(meetingId:$id,on:true){muteOnEntry}}`, map[string]any{"id": mt.ID}).Decode(t, &st)
	if !st.SetMuteOnEntry.MuteOnEntry {
		t.Fatal("muteOnEntry stays off")
	}
	var su struct {
		SetAllowSelfUnmute struct{ AllowSelfUnmute bool }
	}
	f.member.Do(t, `mutation($id:ID!){setAllowSelfUnmute(meetingId:$id,on:true){allowSelfUnmute}}`, map[string]any{"id": mt.ID}).Decode(t, &su)
	if !su.SetAllowSelfUnmute.AllowSelfUnmute {
		t.Fatal("allowSelfUnmute stays off")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := xtest.StartServer(t, xtest.Options{DataDir: dir})
	var gj struct{ JoinMeeting joinPayload }
	second.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客"}).Decode(t, &gj)
	if gj.JoinMeeting.RunID != hj.JoinMeeting.RunID || !gj.JoinMeeting.Options.MuteOnEntry {
		t.Fatalf("join after the restart: %+v", gj.JoinMeeting)
	}
	guest := rtcJoin(ctx, t, second, gj.JoinMeeting)
	if n := guest.next(t, "notice", 10*time.Second); n["data"].(map[string]any)["kind"] != "mutedByHost" {
		t.Fatalf("guest notice after the restart: %v", n)
	}
	var ms struct {
		MuteParticipant struct{ AllowSelfUnmute bool }
	}
	second.Login(t, "zhang@acme.example", "zhang-password-1").Do(t, `mutation($id:ID!,$p:ID!){muteParticipant(meetingId:$id,participantId:$p){allowSelfUnmute}}`,
		map[string]any{"id": mt.ID, "p": guest.id}).Decode(t, &ms)
	if !ms.MuteParticipant.AllowSelfUnmute {
		t.Error("the self-unmute switch was lost in the restart")
	}
}

// TestSelfUnmuteSwitch: the host's switch 允许参会者自行解除静音 is the meeting's, set
// on its own (not only with mute all), and covers a host mute made before it was
// turned on: the muted participant's own unmute then succeeds; with it off it is
// refused with a message that says why.
func TestSelfUnmuteSwitch(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	liID := isoCreateMember(t, f.admin, map[string]any{"name": "李四", "email": "li@acme.example", "password": "li-password-1"})
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	var b struct{ BookMeeting struct{ ID, Number string } }
	f.member.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:3,memberIds:$m}){id number}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "m": []string{liID}}).Decode(t, &b)
	mt := b.BookMeeting
	var hj, lj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	rtcJoin(ctx, t, srv, hj.JoinMeeting)
	liC.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &lj)
	li := rtcJoin(ctx, t, srv, lj.JoinMeeting)

	type state struct {
		AllowSelfUnmute bool
		Participants    []struct {
			ID          string
			MutedByHost bool
		}
	}
	mutedByHost := func(st state) bool {
		for _, p := range st.Participants {
			if p.ID == li.id {
				return p.MutedByHost
			}
		}
		t.Fatalf("李四 is not in %+v", st)
		return false
	}
	do := func(c *xtest.Client, op string) (state, *xtest.Response) {
		t.Helper()
		args, vars := "", map[string]any{"id": mt.ID}
		if strings.Contains(op, "$p") {
			args, vars["p"] = ",$p:ID!", li.id
		}
		r := c.Do(t, `mutation($id:ID!`+args+`){x:`+op+`{allowSelfUnmute participants{id mutedByHost}}}`, vars)
		var out struct{ X state }
		if r.Code() == "" {
			r.Decode(t, &out)
		}
		return out.X, r
	}
	const (
		mute    = `muteParticipant(meetingId:$id,participantId:$p)`
		unmute  = `unmuteParticipant(meetingId:$id,participantId:$p)`
		allowOn = `setAllowSelfUnmute(meetingId:$id,on:true)`
		allowNo = `setAllowSelfUnmute(meetingId:$id,on:false)`
	)
	events := &hostEvents{ch: isoSubscribeDoc(ctx, t, f.member, "host", hostEventsDoc, map[string]any{"id": mt.ID})}
	// The full state first: the subscription listens before the switch is turned.
	if isoNextMsg(t, events.ch, 10*time.Second, "host") == nil {
		t.Fatal("no meeting state")
	}

	if st, r := do(f.member, mute); r.Code() != "" || !mutedByHost(st) || st.AllowSelfUnmute {
		t.Fatalf("host mute: %q %+v", r.Code(), st)
	}
	if _, r := do(liC, unmute); r.Code() != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "ask the host") {
		t.Fatalf("own unmute while host-muted, switch off: %q %v", r.Code(), r.Errors)
	}
	// A participant may not turn the switch.
	if _, r := do(liC, allowOn); r.Code() != "FORBIDDEN" {
		t.Fatalf("a participant turning the switch on: %q", r.Code())
	}
	// The host turns the switch on: nobody is muted or unmuted by it.
	if st, r := do(f.member, allowOn); r.Code() != "" || !st.AllowSelfUnmute || !mutedByHost(st) {
		t.Fatalf("switch on: %q %+v", r.Code(), st)
	}
	if e := events.until(t, "self_unmute"); e.Setting == nil || *e.Setting != "allowSelfUnmute" || e.On == nil || !*e.On {
		t.Errorf("switch event: %+v", e)
	}
	if st, r := do(liC, unmute); r.Code() != "" || mutedByHost(st) {
		t.Fatalf("own unmute with the switch on: %q %v %+v", r.Code(), r.Errors, st)
	}
	// Switched off again, a new host mute holds.
	do(f.member, mute)
	if st, r := do(f.member, allowNo); r.Code() != "" || st.AllowSelfUnmute || !mutedByHost(st) {
		t.Fatalf("switch off: %q %+v", r.Code(), st)
	}
	if _, r := do(liC, unmute); r.Code() != "FORBIDDEN" {
		t.Fatalf("own unmute with the switch off again: %q", r.Code())
	}
}
