package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/jishitong/jishitong/internal/xtest"
)

// guestWS opens /graphql as a websocket authenticated by a meeting token only (no
// session cookie or token), and returns it after connection_ack; or the close status
// when the server refuses it.
func guestWS(ctx context.Context, t *testing.T, srv *xtest.Server, meetingToken string) (*xtest.WS, websocket.StatusCode) {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	p, _ := json.Marshal(map[string]any{"meetingToken": meetingToken})
	if err := wsjson.Write(ctx, conn, xtest.WSMessage{Type: "connection_init", Payload: p}); err != nil {
		t.Fatal(err)
	}
	var ack xtest.WSMessage
	if err := wsjson.Read(ctx, conn, &ack); err != nil {
		return nil, websocket.CloseStatus(err)
	}
	if ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v", ack)
	}
	return &xtest.WS{Conn: conn}, -1
}

// guestRead returns the next message of ws within 10 s.
func guestRead(ctx context.Context, t *testing.T, ws *xtest.WS) *xtest.WSMessage {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := ws.Read(rctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// TestGuestFollowsMeetingState: a guest without an account follows their own meeting's
// state over GraphQL with the meeting token /rtc gave them: the roster and every
// change, chat meant for them and no private chat of others, the chat so far; nothing
// else on that socket; and nothing once the host hangs them up. Forged tokens are
// refused at connection_init.
func TestGuestFollowsMeetingState(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	liC, mt := bookWithLi(t, srv, f)
	join := func(c *xtest.Client, name string) *rtcPeer {
		var j struct{ JoinMeeting joinPayload }
		c.Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": name}).Decode(t, &j)
		return rtcJoin(ctx, t, srv, j.JoinMeeting)
	}
	host := join(f.member, "")
	li := join(liC, "")
	guest := join(srv.Client(), "访客甲")
	if !strings.HasPrefix(guest.stateToken, "jms_") {
		t.Fatalf("joined carries no state token: %q", guest.stateToken)
	}

	ws, _ := guestWS(ctx, t, srv, guest.stateToken)
	const doc = `subscription($id:ID!){meetingState(meetingId:$id){seq full{participants{id name}} event{kind subjectId chat{text private}}}}`
	if err := ws.Subscribe(ctx, "g", doc, map[string]any{"id": mt.ID}); err != nil {
		t.Fatal(err)
	}
	type upd struct {
		MeetingState struct {
			Full *struct {
				Participants []struct{ ID, Name string }
			}
			Event *struct {
				Kind, SubjectID string
				Chat            *struct {
					Text    string
					Private bool
				}
			}
		}
	}
	next := func(who string) upd {
		t.Helper()
		m := guestRead(ctx, t, ws)
		var p struct {
			Data   upd
			Errors []struct{ Message string }
		}
		if m.Type != "next" || json.Unmarshal(m.Payload, &p) != nil || len(p.Errors) > 0 {
			t.Fatalf("%s: %s %s", who, m.Type, m.Payload)
		}
		return p.Data
	}
	first := next("full state")
	if first.MeetingState.Full == nil || len(first.MeetingState.Full.Participants) != 3 {
		t.Fatalf("the guest's first update: %+v", first)
	}
	f.member.Do(t, `mutation($id:ID!){setLayout(meetingId:$id,mode:GRID_2X2){mode}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
	if u := next("layout"); u.MeetingState.Event == nil || u.MeetingState.Event.Kind != "layout_mode" {
		t.Fatalf("layout change: %+v", u)
	}
	// The host writes privately to 李四, then to the guest: the guest reads only theirs.
	send := func(to, text string) {
		f.member.Do(t, `mutation($id:ID!,$p:ID!,$t:String!,$to:ID){sendChatMessage(meetingId:$id,participantId:$p,text:$t,toParticipantId:$to){seq}}`,
			map[string]any{"id": mt.ID, "p": host.id, "t": text, "to": to}).Decode(t, &struct{}{})
	}
	send(li.id, "只给李四")
	send(guest.id, "只给访客")
	for i, want := range []string{"", "只给访客"} {
		u := next("chat")
		text := ""
		if e := u.MeetingState.Event; e != nil && e.Chat != nil {
			text = e.Chat.Text
		}
		if e := u.MeetingState.Event; e == nil || e.Kind != "chat" || text != want {
			t.Fatalf("chat %d: %+v, want %q", i, u.MeetingState.Event, want)
		}
	}
	// The chat so far, over the same socket.
	if err := ws.Subscribe(ctx, "c", `query($id:ID!){meetingChat(meetingId:$id){messages{text}}}`, map[string]any{"id": mt.ID}); err != nil {
		t.Fatal(err)
	}
	if m := guestRead(ctx, t, ws); m.Type != "next" || !strings.Contains(string(m.Payload), "只给访客") || strings.Contains(string(m.Payload), "只给李四") {
		t.Fatalf("meetingChat: %s %s", m.Type, m.Payload)
	}
	guestRead(ctx, t, ws) // complete
	// Nothing else: no account, no other meeting.
	for id, q := range map[string]string{
		"me":    `{me{id}}`,
		"other": `subscription{meetingState(meetingId:"000000000000000000000000"){seq}}`,
	} {
		if err := ws.Subscribe(ctx, id, q, nil); err != nil {
			t.Fatal(err)
		}
		m := guestRead(ctx, t, ws)
		code := map[string]string{"me": "UNAUTHENTICATED", "other": "NOT_FOUND"}[id]
		if !strings.Contains(string(m.Payload), code) {
			t.Errorf("%s over the guest's socket: %s %s, want %s", id, m.Type, m.Payload, code)
		}
		if m.Type == "next" {
			guestRead(ctx, t, ws) // complete
		}
	}

	// Hung up: the event reaches the guest, then their subscription ends, and the
	// token opens nothing any more.
	f.member.Do(t, `mutation($id:ID!,$p:ID!){hangupParticipant(meetingId:$id,participantId:$p){seq}}`, map[string]any{"id": mt.ID, "p": guest.id}).Decode(t, &struct{}{})
	if u := next("hangup"); u.MeetingState.Event == nil || u.MeetingState.Event.Kind != "hung_up" || u.MeetingState.Event.SubjectID != guest.id {
		t.Fatalf("hangup: %+v", u)
	}
	if m := guestRead(ctx, t, ws); m.Type != "complete" || m.ID != "g" {
		t.Fatalf("after the hangup: %s %s %s", m.Type, m.ID, m.Payload)
	}
	again, _ := guestWS(ctx, t, srv, guest.stateToken)
	if err := again.Subscribe(ctx, "g", doc, map[string]any{"id": mt.ID}); err != nil {
		t.Fatal(err)
	}
	if m := guestRead(ctx, t, again); !strings.Contains(string(m.Payload), "NOT_FOUND") {
		t.Errorf("a hung-up guest's token: %s %s", m.Type, m.Payload)
	}
	for name, bad := range map[string]string{"forged": "jms_eA.eA", "altered": guest.stateToken[:len(guest.stateToken)-3] + "abc", "empty": ""} {
		if _, code := guestWS(ctx, t, srv, bad); code != 4401 {
			t.Errorf("%s token: close %d, want 4401", name, code)
		}
	}
}
