package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/xtest"
	"github.com/jishitong/jishitong/media/signal"
)

// send writes one client message to /rtc.
func (p *rtcPeer) send(ctx context.Context, t *testing.T, typ, id string, data map[string]any) {
	t.Helper()
	msg, _ := json.Marshal(map[string]any{"v": signal.Version, "id": id, "type": typ, "data": data})
	if err := p.ws.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
}

// event returns the next event of this kind of the meeting's state, as the
// participant follows it over GraphQL, within 10 seconds.
func (p *rtcPeer) event(t *testing.T, kind string) map[string]any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case u, ok := <-p.states:
			if !ok {
				t.Fatalf("the meeting state ended while waiting for %s", kind)
			}
			if e, ok := u["event"].(map[string]any); ok && e["kind"] == kind {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event within 10 s", kind)
		}
	}
}

// refused returns the code and message of the error answering the message id.
func (p *rtcPeer) refused(t *testing.T, id string) (string, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, _ := p.next(t, "error", time.Until(deadline))["data"].(map[string]any)
		if d["refId"] == id {
			code, _ := d["code"].(string)
			msg, _ := d["message"].(string)
			return code, msg
		}
	}
}

// chatText returns the text of a chat event, "" when the event carries none.
func chatText(e map[string]any) string {
	c, _ := e["chat"].(map[string]any)
	s, _ := c["text"].(string)
	return s
}

type chatPage struct {
	Messages []struct {
		Seq                             int
		FromName, Text, PrivateWithName string
		Private                         bool
	}
	HasMore bool
}

func (c chatPage) texts() string {
	var s []string
	for _, m := range c.Messages {
		s = append(s, m.Text)
	}
	return strings.Join(s, "|")
}

// TestChatAndHands drives chat and raised hands as people do: guests over /rtc, the
// host and members over GraphQL and /rtc. It covers the abuse cases: markup kept as
// text, private messages reaching only their participant and the hosts, a
// participant naming someone else privately, oversize messages, the rate limit, hand
// lowering rights, and another tenant's member reading or posting.
func TestChatAndHands(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	liC, mt := bookWithLi(t, srv, f)
	join := func(c *xtest.Client, name string) (*rtcPeer, joinPayload) {
		var j struct{ JoinMeeting joinPayload }
		c.Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": name}).Decode(t, &j)
		return rtcJoin(ctx, t, srv, j.JoinMeeting), j.JoinMeeting
	}
	host, hj := join(f.member, "")
	li, _ := join(liC, "")
	guest, _ := join(srv.Client(), "访客甲")
	guest2, _ := join(srv.Client(), "访客乙")

	// The meetingState subscriptions of the host and of a member in the meeting.
	const subDoc = `subscription($id:ID!){meetingState(meetingId:$id){seq full{seq} event{seq kind chat{text private privateWithName}}}}`
	hostSub := isoSubscribeDoc(ctx, t, f.member, "host", subDoc, map[string]any{"id": mt.ID})
	liSub := isoSubscribeDoc(ctx, t, liC, "member", subDoc, map[string]any{"id": mt.ID})
	for who, ch := range map[string]<-chan *xtest.WSMessage{"host": hostSub, "member": liSub} {
		if isoNextMsg(t, ch, 10*time.Second, who) == nil { // the full state: subscribed
			t.Fatalf("%s: no meetingState", who)
		}
	}
	// nextChat returns the next chat event of a subscription: its text, "" without one.
	nextChat := func(t *testing.T, ch <-chan *xtest.WSMessage, who string) (string, bool) {
		t.Helper()
		for {
			m := isoNextMsg(t, ch, 10*time.Second, who)
			if m == nil {
				t.Fatalf("%s: no chat event", who)
			}
			var u struct {
				MeetingState struct {
					Event *struct {
						Kind string
						Chat *struct{ Text string }
					}
				}
			}
			if !isoDecode(t, m, &u) {
				t.FailNow()
			}
			if e := u.MeetingState.Event; e != nil && e.Kind == "chat" {
				if e.Chat == nil {
					return "", true
				}
				return e.Chat.Text, true
			}
		}
	}

	const markup = `<img src=x onerror="alert(1)"> & <script>alert(2)</script>`
	t.Run("markup to everyone", func(t *testing.T) {
		guest.send(ctx, t, "sendChat", "c1", map[string]any{"text": markup})
		for who, p := range map[string]*rtcPeer{"host": host, "guest2": guest2, "sender": guest, "member": li} {
			if got := chatText(p.event(t, "chat")); got != markup {
				t.Errorf("%s reads %q", who, got)
			}
		}
	})

	t.Run("private to the hosts", func(t *testing.T) {
		guest.send(ctx, t, "sendChat", "c2", map[string]any{"text": "只给主持人", "toHosts": true})
		// Over GraphQL too: the host reads it, the member gets the event without it.
		for _, c := range []struct {
			ch        <-chan *xtest.WSMessage
			who, want string
		}{{hostSub, "host", markup}, {hostSub, "host", "只给主持人"}, {liSub, "member", markup}, {liSub, "member", ""}} {
			if got, _ := nextChat(t, c.ch, c.who); got != c.want {
				t.Errorf("%s's meetingState chat event: %q, want %q", c.who, got, c.want)
			}
		}
		if e := host.event(t, "chat"); chatText(e) != "只给主持人" || e["chat"].(map[string]any)["privateWithName"] != "访客甲" {
			t.Errorf("host reads %v", e)
		}
		if got := chatText(guest.event(t, "chat")); got != "只给主持人" {
			t.Errorf("the sender reads %q", got)
		}
		// Others get the event (their sequence has no gap) without the message.
		for who, p := range map[string]*rtcPeer{"guest2": guest2, "member": li} {
			if e := p.event(t, "chat"); e["chat"] != nil || e["subjectId"] != nil || e["actorId"] != nil {
				t.Errorf("%s reads the private message: %v", who, e)
			}
		}
		// A participant may not write privately to another participant.
		guest.send(ctx, t, "sendChat", "c3", map[string]any{"text": "psst", "to": guest2.id})
		if code, msg := guest.refused(t, "c3"); code != "invalid_field" || !strings.Contains(msg, "host") {
			t.Errorf("private to a guest: %s %q", code, msg)
		}
		// The host answers one participant.
		host.send(ctx, t, "sendChat", "c4", map[string]any{"text": "收到", "to": guest.id})
		if got := chatText(guest.event(t, "chat")); got != "收到" {
			t.Errorf("the guest reads the host's answer as %q", got)
		}
		if e := guest2.event(t, "chat"); e["chat"] != nil {
			t.Errorf("guest2 reads the host's answer to another: %v", e)
		}
	})

	t.Run("limits", func(t *testing.T) {
		long := strings.Repeat("长", 2001)
		guest2.send(ctx, t, "sendChat", "big", map[string]any{"text": long})
		if code, msg := guest2.refused(t, "big"); code != "invalid_field" || !strings.Contains(msg, "2000") {
			t.Errorf("oversize over /rtc: %s %q", code, msg)
		}
		r := f.member.Do(t, `mutation($id:ID!,$p:ID!,$t:String!){sendChatMessage(meetingId:$id,participantId:$p,text:$t){seq}}`,
			map[string]any{"id": mt.ID, "p": host.id, "t": long})
		if r.Code() != "BAD_USER_INPUT" {
			t.Errorf("oversize over GraphQL: %q", r.Code())
		}
		// A burst of five, then refused.
		for i := range 5 {
			guest2.send(ctx, t, "sendChat", "r"+string(rune('0'+i)), map[string]any{"text": "burst"})
		}
		guest2.send(ctx, t, "sendChat", "r5", map[string]any{"text": "one too many"})
		if code, msg := guest2.refused(t, "r5"); code != "rate_limited" || !strings.Contains(msg, "too fast") {
			t.Errorf("the sixth message: %s %q", code, msg)
		}
	})

	t.Run("hands", func(t *testing.T) {
		guest.send(ctx, t, "raiseHand", "h1", map[string]any{"raised": true})
		e := host.event(t, "hand_raised")
		if p, _ := e["participant"].(map[string]any); p["id"] != guest.id || p["handRaised"] != true || p["handRaisedAt"] == nil {
			t.Fatalf("hand_raised: %v", e)
		}
		const lower = `mutation($id:ID!,$p:ID!){lowerHand(meetingId:$id,participantId:$p){participants{id handRaised}}}`
		// A member in the meeting cannot lower someone else's hand, nor raise it.
		if r := liC.Do(t, lower, map[string]any{"id": mt.ID, "p": guest.id}); r.Code() != "FORBIDDEN" {
			t.Errorf("a member lowers a guest's hand: %q", r.Code())
		}
		if r := liC.Do(t, `mutation($id:ID!,$p:ID!){raiseHand(meetingId:$id,participantId:$p){seq}}`, map[string]any{"id": mt.ID, "p": guest.id}); r.Code() != "FORBIDDEN" {
			t.Errorf("a member raises a guest's hand: %q", r.Code())
		}
		var st struct {
			LowerHand struct {
				Participants []struct {
					ID         string
					HandRaised bool
				}
			}
		}
		f.member.Do(t, lower, map[string]any{"id": mt.ID, "p": guest.id}).Decode(t, &st)
		for _, p := range st.LowerHand.Participants {
			if p.HandRaised {
				t.Errorf("%s's hand is up after the host lowered it", p.ID)
			}
		}
		if e := guest.event(t, "hand_lowered"); e["participant"].(map[string]any)["handRaised"] != false {
			t.Errorf("hand_lowered: %v", e)
		}
		// A member raises and lowers their own hand over GraphQL; the host lowers all.
		liC.Do(t, `mutation($id:ID!,$p:ID!){raiseHand(meetingId:$id,participantId:$p){seq}}`, map[string]any{"id": mt.ID, "p": li.id}).Decode(t, &struct{}{})
		guest2.send(ctx, t, "raiseHand", "h2", map[string]any{"raised": true})
		host.event(t, "hand_raised")
		host.event(t, "hand_raised")
		if r := liC.Do(t, `mutation($id:ID!){lowerAllHands(meetingId:$id){seq}}`, map[string]any{"id": mt.ID}); r.Code() != "FORBIDDEN" {
			t.Errorf("a member lowers all hands: %q", r.Code())
		}
		f.member.Do(t, `mutation($id:ID!){lowerAllHands(meetingId:$id){seq}}`, map[string]any{"id": mt.ID}).Decode(t, &struct{}{})
		if e := guest2.event(t, "hands_lowered"); len(e["loweredIds"].([]any)) != 2 {
			t.Errorf("hands_lowered: %v", e)
		}
	})

	t.Run("late joiner and GraphQL reads", func(t *testing.T) {
		late, _ := join(srv.Client(), "访客丙")
		// The chat so far, as the room reads it: meetingChat with the meeting token.
		ws, _ := guestWS(ctx, t, srv, late.stateToken)
		if err := ws.Subscribe(ctx, "c", `query($id:ID!){meetingChat(meetingId:$id){messages{text}}}`, map[string]any{"id": mt.ID}); err != nil {
			t.Fatal(err)
		}
		var h struct {
			Data struct {
				MeetingChat struct{ Messages []struct{ Text string } }
			}
		}
		if m := guestRead(ctx, t, ws); m.Type != "next" || json.Unmarshal(m.Payload, &h) != nil {
			t.Fatalf("meetingChat: %s %s", m.Type, m.Payload)
		}
		var texts []string
		for _, m := range h.Data.MeetingChat.Messages {
			texts = append(texts, m.Text)
		}
		if got := strings.Join(texts, "|"); got != markup+"|burst|burst|burst|burst|burst" {
			t.Errorf("a late guest reads %q", got)
		}
		const q = `query($id:ID!){meetingChat(meetingId:$id){messages{seq fromName text private privateWithName} hasMore}}`
		var hc, lc struct{ MeetingChat chatPage }
		f.member.Do(t, q, map[string]any{"id": mt.ID}).Decode(t, &hc)
		if got := hc.MeetingChat.texts(); !strings.HasPrefix(got, markup+"|只给主持人|收到|burst") {
			t.Errorf("the host reads %q", got)
		}
		liC.Do(t, q, map[string]any{"id": mt.ID}).Decode(t, &lc)
		if got := lc.MeetingChat.texts(); strings.Contains(got, "只给主持人") || strings.Contains(got, "收到") || !strings.HasPrefix(got, markup) {
			t.Errorf("a member reads %q", got)
		}
		// Another tenant's admin neither reads nor posts.
		var e struct{ CreateEnterprise struct{ ID string } }
		f.root.Do(t, `mutation{createEnterprise(input:{name:"Other 其他",code:"other",quota:5}){id}}`, nil).Decode(t, &e)
		f.root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"别家",email:"boss@other.example",password:"other-password-1"}){member{id}}}`,
			map[string]any{"id": e.CreateEnterprise.ID}).Decode(t, &struct{}{})
		other := srv.Login(t, "boss@other.example", "other-password-1")
		if r := other.Do(t, q, map[string]any{"id": mt.ID}); r.Code() != "NOT_FOUND" {
			t.Errorf("another tenant reads the chat: %q", r.Code())
		}
		if r := other.Do(t, `mutation($id:ID!,$p:ID!){sendChatMessage(meetingId:$id,participantId:$p,text:"hi"){seq}}`,
			map[string]any{"id": mt.ID, "p": guest.id}); r.Code() != "NOT_FOUND" {
			t.Errorf("another tenant posts: %q", r.Code())
		}
		if r := other.Do(t, `query($id:ID!){meetingRun(id:$id){chat{messages{text}}}}`, map[string]any{"id": hj.RunID}); r.Code() != "NOT_FOUND" {
			t.Errorf("another tenant reads the run's chat: %q", r.Code())
		}
		// A member posting as someone else's connection is refused.
		if r := liC.Do(t, `mutation($id:ID!,$p:ID!){sendChatMessage(meetingId:$id,participantId:$p,text:"as the guest"){seq}}`,
			map[string]any{"id": mt.ID, "p": guest.id}); r.Code() != "FORBIDDEN" {
			t.Errorf("a member posts as a guest: %q", r.Code())
		}
	})

	t.Run("kept with the history", func(t *testing.T) {
		// The member's own private message, to find it in the history.
		liC.Do(t, `mutation($id:ID!,$p:ID!){sendChatMessage(meetingId:$id,participantId:$p,text:"李四问主持人",toHosts:true){seq}}`,
			map[string]any{"id": mt.ID, "p": li.id}).Decode(t, &struct{}{})
		host.event(t, "chat")
		confRunOp(t, f.member, "endMeeting", mt.ID)
		const q = `query($id:ID!){meetingRun(id:$id){chat(first:200){messages{seq fromName text private privateWithName} hasMore}}}`
		var hc, lc struct{ MeetingRun struct{ Chat chatPage } }
		// The chat is written behind the meeting; poll for it.
		deadline := time.Now().Add(10 * time.Second)
		for {
			f.member.Do(t, q, map[string]any{"id": hj.RunID}).Decode(t, &hc)
			if strings.HasSuffix(hc.MeetingRun.Chat.texts(), "李四问主持人") || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := hc.MeetingRun.Chat.texts(); !strings.HasPrefix(got, markup+"|只给主持人|收到|burst") || !strings.HasSuffix(got, "李四问主持人") {
			t.Errorf("the host reads the run's chat as %q", got)
		}
		if m := hc.MeetingRun.Chat.Messages[1]; !m.Private || m.PrivateWithName != "访客甲" || m.FromName != "访客甲" {
			t.Errorf("the private message as kept: %+v", m)
		}
		liC.Do(t, q, map[string]any{"id": hj.RunID}).Decode(t, &lc)
		if got := lc.MeetingRun.Chat.texts(); got != markup+"|burst|burst|burst|burst|burst|李四问主持人" {
			t.Errorf("the member reads the run's chat as %q", got)
		}
		// Paged.
		var p1 struct{ MeetingRun struct{ Chat chatPage } }
		f.member.Do(t, `query($id:ID!){meetingRun(id:$id){chat(first:2){messages{seq text} hasMore}}}`, map[string]any{"id": hj.RunID}).Decode(t, &p1)
		if len(p1.MeetingRun.Chat.Messages) != 2 || !p1.MeetingRun.Chat.HasMore {
			t.Fatalf("first page: %+v", p1.MeetingRun.Chat)
		}
		var p2 struct{ MeetingRun struct{ Chat chatPage } }
		f.member.Do(t, `query($id:ID!,$a:Int){meetingRun(id:$id){chat(first:200,after:$a){messages{seq text} hasMore}}}`,
			map[string]any{"id": hj.RunID, "a": p1.MeetingRun.Chat.Messages[1].Seq}).Decode(t, &p2)
		if got := p2.MeetingRun.Chat.texts(); !strings.HasPrefix(got, "收到|burst") || p2.MeetingRun.Chat.HasMore {
			t.Errorf("second page %q", got)
		}
	})
}
