package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/xtest"

	"github.com/jishitong/jishitong/media/signal"
)

// rtcPeer is one /rtc signaling connection whose frames a goroutine pumps into frames.
type rtcPeer struct {
	id string
	// stateToken follows the meeting's state over GraphQL without an account.
	stateToken string
	// states are the meeting's updates as this participant follows them over GraphQL
	// (meetingState with stateToken), from just after the join.
	states chan map[string]any
	ws     *websocket.Conn
	frames chan map[string]any
	closed chan websocket.StatusCode
}

// rtcJoin opens /rtc with a join token and waits for joined.
func rtcJoin(ctx context.Context, t *testing.T, srv *xtest.Server, j joinPayload) *rtcPeer {
	t.Helper()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	msg, _ := json.Marshal(map[string]any{"v": signal.Version, "id": "1", "type": "join", "data": map[string]any{"token": j.Token}})
	if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	p := &rtcPeer{ws: ws, frames: make(chan map[string]any, 64), closed: make(chan websocket.StatusCode, 1)}
	go func() {
		defer close(p.frames)
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				p.closed <- websocket.CloseStatus(err)
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				p.frames <- m
			}
		}
	}()
	m := p.next(t, "joined", 10*time.Second)
	data, _ := m["data"].(map[string]any)
	p.id, _ = data["participantId"].(string)
	p.stateToken, _ = data["stateToken"].(string)
	if p.id == "" {
		t.Fatalf("joined: %v", m)
	}
	p.followState(ctx, t, srv, j.MeetingID)
	return p
}

// peerStateDoc selects what the tests read of the meeting's updates.
const peerStateDoc = `subscription($id:ID!){meetingState(meetingId:$id){seq full{seq}
	event{seq kind actorId subjectId removedId mutedIds loweredIds setting on
	participant{id name role handRaised handRaisedAt mutedByHost selfMuted unmuteRequested}
	chat{seq fromId fromName text private privateWithName}}}}`

// followState subscribes the participant to their meeting's state over GraphQL with
// their meeting token, as the room does, and returns once the first full state came:
// every later update lands in p.states.
func (p *rtcPeer) followState(ctx context.Context, t *testing.T, srv *xtest.Server, meetingID string) {
	t.Helper()
	ws, code := guestWS(ctx, t, srv, p.stateToken)
	if ws == nil {
		t.Fatalf("meeting token refused: close %d", code)
	}
	if err := ws.Subscribe(ctx, "state", peerStateDoc, map[string]any{"id": meetingID}); err != nil {
		t.Fatal(err)
	}
	p.states = make(chan map[string]any, 256)
	first := make(chan struct{})
	go func() {
		defer close(p.states)
		full := false
		for {
			m, err := ws.Read(ctx)
			if err != nil || m.Type != "next" {
				return
			}
			var r struct {
				Data struct{ MeetingState map[string]any }
			}
			if json.Unmarshal(m.Payload, &r) != nil {
				return
			}
			if !full {
				full = true
				close(first)
				continue
			}
			p.states <- r.Data.MeetingState
		}
	}()
	select {
	case <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("no meeting state over GraphQL")
	}
}

// next returns the next frame of this type within d, skipping others.
func (p *rtcPeer) next(t *testing.T, typ string, d time.Duration) map[string]any {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-p.frames:
			if !ok {
				t.Fatalf("/rtc closed while waiting for %s", typ)
			}
			if m["type"] == typ {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s frame within %v", typ, d)
		}
	}
}

// liveView is a subscriber's copy of the meeting state, kept by applying updates.
type liveView struct {
	Seq          int
	Participants []participantOf
	Locked       bool
	Mode         string
	Panes        []livePane
}

type participantOf struct {
	ID, Name, Role string
	MutedByHost    bool
}

type livePane struct {
	Pane          int
	ParticipantID *string
	Source        string
}

const meetingStateDoc = `subscription($id:ID!){meetingState(meetingId:$id){seq
	full{seq participants{id name role mutedByHost} locked mode panes{pane participantId source}}
	event{seq kind participant{id name role mutedByHost} removedId setting on mode panes{pane participantId source}}}}`

type liveUpdate struct {
	MeetingState struct {
		Seq  int
		Full *liveView
		// Event has the fields of an event that matter here.
		Event *struct {
			Seq         int
			Kind        string
			Participant *participantOf
			RemovedID   *string
			Setting     *string
			On          *bool
			Mode        *string
			Panes       []livePane
		}
	}
}

// apply brings v up to date with one update, checking the order.
func (v *liveView) apply(t *testing.T, u liveUpdate) {
	t.Helper()
	s := u.MeetingState
	if s.Full != nil {
		*v = *s.Full
		return
	}
	e := s.Event
	if e == nil || e.Seq != v.Seq+1 || s.Seq != e.Seq {
		t.Fatalf("update %+v does not follow seq %d", s, v.Seq)
	}
	v.Seq = e.Seq
	if p := e.Participant; p != nil {
		if i := slices.IndexFunc(v.Participants, func(q participantOf) bool { return q.ID == p.ID }); i >= 0 {
			v.Participants[i] = *p
		} else {
			v.Participants = append(v.Participants, *p)
		}
	}
	if e.RemovedID != nil {
		v.Participants = slices.DeleteFunc(v.Participants, func(q participantOf) bool { return q.ID == *e.RemovedID })
	}
	if e.Setting != nil && *e.Setting == "locked" {
		v.Locked = *e.On
	}
	if e.Mode != nil {
		v.Mode = *e.Mode
	}
	if e.Panes != nil {
		v.Panes = e.Panes
	}
}

// liveSub is one meetingState subscription and its view.
type liveSub struct {
	who string
	ch  <-chan *xtest.WSMessage
	v   liveView
}

// until applies updates until ok holds of the view, or fails after 10 seconds.
func (s *liveSub) until(t *testing.T, what string, ok func(v *liveView) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(&s.v) {
		m := isoNextMsg(t, s.ch, time.Until(deadline), s.who)
		if m == nil {
			t.Fatalf("%s: never saw %s; state %+v", s.who, what, s.v)
		}
		var u liveUpdate
		if !isoDecode(t, m, &u) {
			t.FailNow()
		}
		s.v.apply(t, u)
	}
}

func (v *liveView) participant(id string) *participantOf {
	for i := range v.Participants {
		if v.Participants[i].ID == id {
			return &v.Participants[i]
		}
	}
	return nil
}

// TestMeetingControls drives the control path end to end: joins over /rtc fill the
// roster of the meetingState subscription; the host's mute, lock, layout and hangup
// reach the state, the muted participant's /rtc socket and joinMeeting.
func TestMeetingControls(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var li struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"李四",email:"li@acme.example",password:"li-password-1"}){member{id}}}`, nil).Decode(t, &li)
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:5,memberIds:$m}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "m": []string{li.CreateMember.Member.ID}}).Decode(t, &b)
	mt := b.BookMeeting

	// The host joins (making the meeting live), then a guest.
	var hj, gj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	host := rtcJoin(ctx, t, srv, hj.JoinMeeting)
	guest := srv.Client()
	guest.Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客甲"}).Decode(t, &gj)
	guestRTC := rtcJoin(ctx, t, srv, gj.JoinMeeting)

	// The host and the admin watch the state; both see both in the roster.
	subs := []*liveSub{
		{who: "host", ch: isoSubscribeDoc(ctx, t, f.member, "host", meetingStateDoc, map[string]any{"id": mt.ID})},
		{who: "admin", ch: isoSubscribeDoc(ctx, t, f.admin, "admin", meetingStateDoc, map[string]any{"id": mt.ID})},
	}
	for _, s := range subs {
		s.until(t, "both joined", func(v *liveView) bool {
			h, g := v.participant(host.id), v.participant(guestRTC.id)
			return h != nil && g != nil && h.Role == "HOST" && h.Name == "张三" && g.Name == "访客甲" && g.Role == "PARTICIPANT"
		})
	}

	const muteDoc = `mutation($id:ID!,$p:ID!){muteParticipant(meetingId:$id,participantId:$p){seq participants{id mutedByHost}}}`
	// An invited member sees the meeting but may not control it.
	for doc, vars := range map[string]map[string]any{
		muteDoc: {"id": mt.ID, "p": guestRTC.id},
		`mutation($id:ID!){lockMeeting(meetingId:$id){seq}}`:                               {"id": mt.ID},
		`mutation($id:ID!,$p:ID!){hangupParticipant(meetingId:$id,participantId:$p){seq}}`: {"id": mt.ID, "p": guestRTC.id},
		`mutation($id:ID!){setLayout(meetingId:$id,mode:SINGLE){seq}}`:                     {"id": mt.ID},
	} {
		if r := liC.Do(t, doc, vars); r.Code() != "FORBIDDEN" {
			t.Errorf("%s as an invited member: %q %s", doc, r.Code(), r.Data)
		}
	}

	// The host mutes the guest: the state shows it, the guest's socket is told.
	f.member.Do(t, muteDoc, map[string]any{"id": mt.ID, "p": guestRTC.id}).Decode(t, &struct{}{})
	for _, s := range subs {
		s.until(t, "the guest muted by the host", func(v *liveView) bool {
			g := v.participant(guestRTC.id)
			return g != nil && g.MutedByHost
		})
	}
	n := guestRTC.next(t, "notice", 10*time.Second)
	if d, _ := n["data"].(map[string]any); d["kind"] != "mutedByHost" {
		t.Fatalf("guest notice: %v", n)
	}

	// Locked: a third joiner is refused; the host still gets in.
	f.member.Do(t, `mutation($id:ID!){lockMeeting(meetingId:$id){locked}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
	if r := srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客乙"}); r.Code() != "FORBIDDEN" {
		t.Fatalf("join a locked meeting: %q %+v", r.Code(), r.Errors)
	}
	for _, s := range subs {
		s.until(t, "locked", func(v *liveView) bool { return v.Locked })
	}

	// Layout: 1+7 reaches both subscribers alike.
	f.member.Do(t, `mutation($id:ID!){setLayout(meetingId:$id,mode:SINGLE){mode}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
	f.member.Do(t, `mutation($id:ID!){setLayout(meetingId:$id,mode:ONE_PLUS_SEVEN){mode}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
	for _, s := range subs {
		s.until(t, "1+7", func(v *liveView) bool { return v.Mode == "ONE_PLUS_SEVEN" && len(v.Panes) == 8 })
	}
	if a, b := subs[0].v, subs[1].v; a.Seq != b.Seq || !slices.EqualFunc(a.Panes, b.Panes, func(x, y livePane) bool {
		return x.Pane == y.Pane && x.Source == y.Source && (x.ParticipantID == nil) == (y.ParticipantID == nil) &&
			(x.ParticipantID == nil || *x.ParticipantID == *y.ParticipantID)
	}) {
		t.Fatalf("subscribers disagree: %+v vs %+v", a, b)
	}

	// Hangup: bye removed, the socket closes, the roster drops the guest.
	f.member.Do(t, `mutation($id:ID!,$p:ID!){hangupParticipant(meetingId:$id,participantId:$p){seq}}`,
		map[string]any{"id": mt.ID, "p": guestRTC.id}).Decode(t, &struct{}{})
	bye := guestRTC.next(t, "bye", 10*time.Second)
	if d, _ := bye["data"].(map[string]any); d["reason"] != "removed" {
		t.Fatalf("guest bye: %v", bye)
	}
	select {
	case code := <-guestRTC.closed:
		if code != 4403 {
			t.Logf("guest socket closed with %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the guest's /rtc socket stayed open after the hangup")
	}
	for _, s := range subs {
		s.until(t, "the guest gone", func(v *liveView) bool { return v.participant(guestRTC.id) == nil && v.participant(host.id) != nil })
	}
	t.Logf("state as seen by the host: %+v", subs[0].v)

	// The host ends the meeting: the /rtc sockets get bye meetingEnded, and the
	// controls are in the meeting log.
	f.member.Do(t, `mutation($id:ID!){endMeeting(id:$id){id}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
	if bye := host.next(t, "bye", 10*time.Second); bye["data"].(map[string]any)["reason"] != "meetingEnded" {
		t.Fatalf("host bye: %v", bye)
	}
	// The end is one row, kind ended with its actor and reason, not also a control.
	want := []string{"muted", "locked", "layout_mode", "hung_up", "ended by 张三: host"}
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out struct {
			MeetingRun struct {
				Log []struct{ Kind, Detail, ActorName string }
			}
		}
		f.member.Do(t, `query($id:ID!){meetingRun(id:$id){log{kind detail actorName}}}`, map[string]any{"id": hj.JoinMeeting.RunID}).Decode(t, &out)
		got = got[:0]
		for _, e := range out.MeetingRun.Log {
			switch e.Kind {
			case "control":
				got = append(got, e.Detail)
			case "ended":
				got = append(got, "ended by "+e.ActorName+": "+e.Detail)
			}
		}
		if len(got) >= 6 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("meeting log controls %v lack %q", got, k)
		}
	}
	if slices.Contains(got, "ended") {
		t.Errorf("the end is logged twice, also as a control without its actor: %v", got)
	}
}

// TestMeetingMuteOnEntry: a meeting booked muted on entry host-mutes guests as they join
// over /rtc (state and notice), not the host.
func TestMeetingMuteOnEntry(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:3,options:{muteOnEntry:true}}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	mt := b.BookMeeting
	var hj, gj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	host := rtcJoin(ctx, t, srv, hj.JoinMeeting)
	srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客"}).Decode(t, &gj)
	guest := rtcJoin(ctx, t, srv, gj.JoinMeeting)
	if n := guest.next(t, "notice", 10*time.Second); n["data"].(map[string]any)["kind"] != "mutedByHost" {
		t.Fatalf("guest notice: %v", n)
	}
	s := &liveSub{who: "host", ch: isoSubscribeDoc(ctx, t, f.member, "host", meetingStateDoc, map[string]any{"id": mt.ID})}
	s.until(t, "the guest muted on entry", func(v *liveView) bool {
		g, h := v.participant(guest.id), v.participant(host.id)
		return g != nil && h != nil && g.MutedByHost && !h.MutedByHost
	})
}

// TestMeetingSelfMute: a member in the meeting mutes and unmutes their own connection
// through GraphQL, and may not mute anyone else's.
func TestMeetingSelfMute(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var li struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"李四",email:"li@acme.example",password:"li-password-1"}){member{id}}}`, nil).Decode(t, &li)
	liC := srv.Login(t, "li@acme.example", "li-password-1")
	var b struct{ BookMeeting struct{ ID, Number string } }
	f.member.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:3,memberIds:$m}){id number}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "m": []string{li.CreateMember.Member.ID}}).Decode(t, &b)
	mt := b.BookMeeting
	var hj, lj struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	host := rtcJoin(ctx, t, srv, hj.JoinMeeting)
	liC.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &lj)
	liRTC := rtcJoin(ctx, t, srv, lj.JoinMeeting)

	const doc = `mutation($id:ID!,$p:ID!){%s(meetingId:$id,participantId:$p){participants{id selfMuted mutedByHost}}}`
	type state struct {
		Participants []struct {
			ID                     string
			SelfMuted, MutedByHost bool
		}
	}
	do := func(op, id string) (state, string) {
		r := liC.Do(t, strings.Replace(doc, "%s", op, 1), map[string]any{"id": mt.ID, "p": id})
		var out map[string]state
		if r.Code() == "" {
			r.Decode(t, &out)
		}
		return out[op], r.Code()
	}
	st, code := do("muteParticipant", liRTC.id)
	if code != "" || len(st.Participants) != 2 || !slices.ContainsFunc(st.Participants, func(p struct {
		ID                     string
		SelfMuted, MutedByHost bool
	}) bool {
		return p.ID == liRTC.id && p.SelfMuted && !p.MutedByHost
	}) {
		t.Fatalf("self mute: %q %+v", code, st)
	}
	if _, code := do("muteParticipant", host.id); code != "FORBIDDEN" {
		t.Fatalf("a member muting the host: %q", code)
	}
	if st, code := do("unmuteParticipant", liRTC.id); code != "" || st.Participants[1].SelfMuted {
		t.Fatalf("self unmute: %q %+v", code, st)
	}
}
