package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// TestInviteMoreAndLanguage checks that invitations are written in each member's
// language (outside guests get the host's) and that inviteToMeeting reaches only the
// new invitees, in the app and by mail.
func TestInviteMoreAndLanguage(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	var li struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"李四",email:"li@acme.example",password:"li-password-1"}){member{id}}}`, nil).Decode(t, &li)
	liID := li.CreateMember.Member.ID
	liC := srv.Login(t, "li@acme.example", "li-password-1")

	// 张三 prefers English; an admin cannot be outdone by a member setting someone else's.
	var me struct{ SetLanguage struct{ Language string } }
	f.member.Do(t, `mutation{setLanguage(language:"en"){language}}`, nil).Decode(t, &me)
	if me.SetLanguage.Language != "en" {
		t.Fatalf("language = %q", me.SetLanguage.Language)
	}
	if r := f.member.Do(t, `mutation($id:ID!){setLanguage(memberId:$id,language:"en"){id}}`, map[string]any{"id": liID}); r.Code() != "FORBIDDEN" {
		t.Fatalf("member setting another's language: %q", r.Code())
	}
	if r := f.member.Do(t, `mutation{setLanguage(language:"fr"){id}}`, nil); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("unknown language: %q", r.Code())
	}

	start := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
	var b struct{ BookMeeting struct{ ID string } }
	f.admin.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,memberIds:$m,emails:["guest@outside.example"]}){id}}`,
		map[string]any{"s": start, "m": []string{f.memberID}}).Decode(t, &b)
	type delivery struct {
		Email, Language, Method string
		Sequence                int
	}
	deliveries := func() []delivery {
		var out struct {
			Meeting struct{ Deliveries []delivery }
		}
		f.admin.Do(t, `query($id:ID!){meeting(id:$id){deliveries{email language method sequence}}}`, map[string]any{"id": b.BookMeeting.ID}).Decode(t, &out)
		return out.Meeting.Deliveries
	}
	langs := map[string]string{}
	for _, d := range deliveries() {
		langs[d.Email] = d.Language
	}
	if langs["zhang@acme.example"] != "en" || langs["guest@outside.example"] != "zh-CN" {
		t.Fatalf("languages: %v", langs)
	}

	// Invite 李四 later: only 李四 is mailed (sequence 1) and notified.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := liC.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "n", `subscription{notifications{kind meetingId}}`, nil); err != nil {
		t.Fatal(err)
	}
	msgs := make(chan *xtest.WSMessage, 16)
	go func() {
		defer close(msgs)
		for {
			m, err := ws.Read(ctx)
			if err != nil {
				return
			}
			msgs <- m
		}
	}()
	// Prove the subscription is registered: a booking inviting 李四 is notified.
	for i := 0; ; i++ {
		f.admin.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,memberIds:$m,participants:2}){id}}`,
			map[string]any{"s": start.Add(time.Duration(i+1) * 24 * time.Hour), "m": []string{liID}}).Decode(t, &struct{}{})
		select {
		case m := <-msgs:
			if m == nil || m.Type != "next" {
				t.Fatalf("notification: %+v", m)
			}
		case <-time.After(500 * time.Millisecond):
			if i == 5 {
				t.Fatal("the notifications subscription never delivered")
			}
			continue
		}
		break
	}
	var inv struct {
		InviteToMeeting struct {
			Invitees struct{ Members []struct{ ID string } }
		}
	}
	f.admin.Do(t, `mutation($id:ID!,$m:[ID!]){inviteToMeeting(id:$id,memberIds:$m){invitees{members{id}}}}`,
		map[string]any{"id": b.BookMeeting.ID, "m": []string{liID, f.memberID}}).Decode(t, &inv)
	if n := len(inv.InviteToMeeting.Invitees.Members); n != 2 {
		t.Fatalf("invitees after inviting more: %d", n)
	}
	select {
	case m := <-msgs:
		if m == nil || m.Type != "next" {
			t.Fatalf("notification: %+v", m)
		}
	case <-ctx.Done():
		t.Fatal("no notification for the new invitee")
	}
	var li2 int
	for _, d := range deliveries() {
		if d.Email == "li@acme.example" {
			li2++
			if d.Sequence != 1 || d.Method != "REQUEST" || d.Language != "zh-CN" {
				t.Errorf("li's invitation: %+v", d)
			}
		}
		if d.Email == "zhang@acme.example" && d.Sequence != 0 {
			t.Errorf("an existing invitee was mailed again: %+v", d)
		}
	}
	if li2 != 1 {
		t.Fatalf("li got %d invitations", li2)
	}
	// Inviting nobody new changes nothing.
	f.admin.Do(t, `mutation($id:ID!,$m:[ID!]){inviteToMeeting(id:$id,memberIds:$m){id}}`,
		map[string]any{"id": b.BookMeeting.ID, "m": []string{liID}}).Decode(t, &struct{}{})
	if n := len(deliveries()); n != 3 {
		t.Fatalf("deliveries after a no-op invite: %d", n)
	}
}
