package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// bookedMeeting is a booking as the tests read it back.
type bookedMeeting struct{ ID, Number, Password string }

// bookWithLi adds the member 李四 to f's enterprise and has f.member book a meeting for
// 8 that invites him, starting in a minute: the set-up of the meeting-log and chat
// tests. It returns 李四's signed-in client and the meeting.
func bookWithLi(t *testing.T, srv *xtest.Server, f *authFixture) (*xtest.Client, bookedMeeting) {
	t.Helper()
	liID := isoCreateMember(t, f.admin, map[string]any{"name": "李四", "email": "li@acme.example", "password": "li-password-1"})
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	var b struct{ BookMeeting bookedMeeting }
	f.member.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:8,memberIds:$m}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "m": []string{liID}}).Decode(t, &b)
	return liC, b.BookMeeting
}

// TestMeetingLogAudit runs a meeting in which the host uses the controls and checks
// that every control row of its log names who did it and to whom, with the control's
// argument as a code (never prose) for the web app and the CSV to word in the reader's
// language.
func TestMeetingLogAudit(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	liC, mt := bookWithLi(t, srv, f)
	var hj, lj, gj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	rtcJoin(ctx, t, srv, hj.JoinMeeting)
	liC.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &lj)
	li := rtcJoin(ctx, t, srv, lj.JoinMeeting)
	srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客甲"}).Decode(t, &gj)
	guest := rtcJoin(ctx, t, srv, gj.JoinMeeting)

	do := func(op string, vars map[string]any) {
		t.Helper()
		v := map[string]any{"id": mt.ID}
		args := ""
		for k, x := range vars {
			v[k] = x
			switch k {
			case "p":
				args += ",$p:ID!"
			case "r":
				args += ",$r:ParticipantRole!"
			case "in":
				args += ",$in:PollingInput!"
			}
		}
		if r := f.member.Do(t, `mutation($id:ID!`+args+`){x:`+op+`{seq}}`, v); r.Code() != "" {
			t.Fatalf("%s: %s", op, r.Code())
		}
	}
	do(`muteParticipant(meetingId:$id,participantId:$p)`, map[string]any{"p": li.id})
	do(`unmuteParticipant(meetingId:$id,participantId:$p)`, map[string]any{"p": li.id})
	do(`setParticipantRole(meetingId:$id,participantId:$p,role:$r)`, map[string]any{"p": guest.id, "r": "PRESENTER"})
	do(`pinParticipant(meetingId:$id,pane:2,participantId:$p)`, map[string]any{"p": li.id})
	do(`setLayout(meetingId:$id,mode:GRID_2X2)`, nil)
	do(`setPolling(meetingId:$id,input:$in)`, map[string]any{"in": map[string]any{"enabled": true, "intervalSeconds": 10, "panes": []int{1}}})
	do(`setPolling(meetingId:$id,input:$in)`, map[string]any{"in": map[string]any{"enabled": false, "intervalSeconds": 10, "panes": []int{1}}})
	do(`lockMeeting(meetingId:$id)`, nil)
	do(`muteAll(meetingId:$id,allowSelfUnmute:false)`, nil)
	do(`setAllowSelfUnmute(meetingId:$id,on:true)`, nil)
	guest.send(ctx, t, "raiseHand", "h1", map[string]any{"raised": true})
	guest.event(t, "hand_raised")
	do(`lowerHand(meetingId:$id,participantId:$p)`, map[string]any{"p": guest.id})
	liC.Do(t, `mutation($id:ID!,$p:ID!){raiseHand(meetingId:$id,participantId:$p){seq}}`, map[string]any{"id": mt.ID, "p": li.id}).Decode(t, &struct{}{})
	do(`lowerAllHands(meetingId:$id)`, nil)
	do(`hangupParticipant(meetingId:$id,participantId:$p)`, map[string]any{"p": guest.id})

	type row struct{ Kind, ActorName, Subject, Detail, Value string }
	want := []row{
		{"control", "张三", "李四", "muted", ""},
		{"control", "张三", "李四", "unmute_requested", ""},
		{"control", "张三", "访客甲", "role", "presenter"},
		{"control", "张三", "李四", "pinned", "3"},
		{"control", "张三", "", "layout_mode", "2x2"},
		{"control", "张三", "", "polling", "10"},
		{"control", "张三", "", "polling", "off"},
		{"control", "张三", "", "locked", ""},
		{"control", "张三", "", "muted_all", "2"},
		{"control", "张三", "", "self_unmute", "on"},
		{"control", "访客甲", "访客甲", "hand_raised", ""},
		{"control", "张三", "访客甲", "hand_lowered", ""},
		{"control", "李四", "李四", "hand_raised", ""},
		{"control", "张三", "", "hands_lowered", "1"},
		{"control", "张三", "访客甲", "hung_up", ""},
	}
	var got []row
	deadline := time.Now().Add(10 * time.Second)
	for {
		var lg struct {
			MeetingRun struct {
				Log []struct{ Kind, ActorName, Subject, Detail, Value *string }
			}
		}
		f.member.Do(t, `query($id:ID!){meetingRun(id:$id){log{kind actorName subject detail value}}}`, map[string]any{"id": hj.JoinMeeting.RunID}).Decode(t, &lg)
		got = got[:0]
		s := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		for _, e := range lg.MeetingRun.Log {
			if s(e.Kind) == "control" {
				got = append(got, row{s(e.Kind), s(e.ActorName), s(e.Subject), s(e.Detail), s(e.Value)})
			}
		}
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(got) != len(want) {
		t.Fatalf("control rows:\n%+v\nwant\n%+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	// The CSV words them in the reader's language.
	var run struct{ MeetingRun struct{ LogCsvURL string } }
	f.member.Do(t, `query($id:ID!){meetingRun(id:$id){logCsvUrl}}`, map[string]any{"id": hj.JoinMeeting.RunID}).Decode(t, &run)
	for lang, rows := range map[string][]string{
		"zh-CN": {",会控,张三,李四,,,静音\r\n", ",会控,张三,访客甲,,,更改角色：主讲人\r\n", ",会控,张三,李四,,,固定画面：画面 3\r\n",
			",会控,张三,,,,切换布局：2x2\r\n", ",会控,张三,,,,轮询设置：每 10 秒\r\n", ",会控,张三,,,,轮询设置：关\r\n", ",会控,张三,,,,全体静音：2 人\r\n", ",会控,张三,,,,允许自行解除静音：开\r\n", ",会控,张三,访客甲,,,挂断参会人\r\n",
			",会控,访客甲,访客甲,,,举手\r\n", ",会控,张三,访客甲,,,手放下\r\n", ",会控,张三,,,,全部放下举手：1 人\r\n"},
		"en": {",Control,张三,李四,,,Muted\r\n", ",Control,张三,访客甲,,,Role changed: Presenter\r\n", ",Control,张三,李四,,,Pinned: pane 3\r\n",
			",Control,张三,,,,Participants may unmute themselves: on\r\n", ",Control,张三,,,,Lowered all hands: 1 hand(s)\r\n", ",Control,张三,,,,Polling: every 10 s\r\n"},
	} {
		_, body := f.member.Get(t, run.MeetingRun.LogCsvURL+"?lang="+lang)
		for _, row := range rows {
			if !strings.Contains(string(body), row) {
				t.Errorf("log.csv in %s lacks %q:\n%s", lang, row, body)
			}
		}
	}
}
