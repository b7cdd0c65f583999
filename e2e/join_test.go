package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/xtest"
)

const joinDoc = `mutation($n:String!,$p:String,$d:String){joinMeeting(number:$n,password:$p,displayName:$d){token expiresAt role displayName meetingId number runId iceServers{urls} options{muteOnEntry}}}`

type joinPayload struct {
	Token, Role, DisplayName, MeetingID, Number, RunID string
	ExpiresAt                                          time.Time
	Options                                            struct{ MuteOnEntry bool }
}

func TestJoinMeeting(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx := context.Background()
	var li struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"李四",email:"li@acme.example",password:"li-password-1"}){member{id}}}`, nil).Decode(t, &li)
	liC := srv.Login(t, "li@acme.example", "li-password-1")

	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!,$m:[ID!]){bookMeeting(input:{start:$s,participants:3,memberIds:$m,options:{muteOnEntry:true}}){id number password}}`,
		map[string]any{"s": time.Now().Add(5 * time.Minute).Truncate(time.Second), "m": []string{li.CreateMember.Member.ID}}).Decode(t, &b)
	m := b.BookMeeting
	guest := srv.Client()

	// Before the start a guest waits for the host.
	if r := guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客甲"}); r.Code() != "CONFLICT" {
		t.Fatalf("guest before the host: %q %+v", r.Code(), r.Errors)
	}
	// The host joins without a password and makes it live.
	var host struct{ JoinMeeting joinPayload }
	f.member.Do(t, joinDoc, map[string]any{"n": m.Number}).Decode(t, &host)
	if host.JoinMeeting.Role != "HOST" || host.JoinMeeting.DisplayName != "张三" || !host.JoinMeeting.Options.MuteOnEntry ||
		time.Until(host.JoinMeeting.ExpiresAt) > time.Minute || host.JoinMeeting.Token == "" {
		t.Fatalf("host join: %+v", host.JoinMeeting)
	}
	// An invited member needs no password either; a guest needs it.
	var invitee, g struct{ JoinMeeting joinPayload }
	liC.Do(t, joinDoc, map[string]any{"n": m.Number}).Decode(t, &invitee)
	guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客甲"}).Decode(t, &g)
	if invitee.JoinMeeting.RunID != host.JoinMeeting.RunID || g.JoinMeeting.RunID != host.JoinMeeting.RunID || g.JoinMeeting.Role != "PARTICIPANT" {
		t.Fatalf("joins: %+v %+v", invitee.JoinMeeting, g.JoinMeeting)
	}

	// Unknown numbers and wrong passwords answer alike.
	wrong := guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": "000000", "d": "x"})
	unknown := guest.Do(t, joinDoc, map[string]any{"n": "1000000001", "p": "000000", "d": "x"})
	if wrong.Code() != "NOT_FOUND" || unknown.Code() != "NOT_FOUND" || wrong.Errors[0].Message != unknown.Errors[0].Message {
		t.Fatalf("wrong password %+v, unknown number %+v", wrong.Errors, unknown.Errors)
	}
	if r := guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("guest without a name: %q", r.Code())
	}

	// The token is single-use.
	conf := srv.Conference()
	grant, err := conf.Redeem(ctx, g.JoinMeeting.Token)
	if err != nil || grant.Name != "访客甲" || grant.UserID != "" || grant.RunID != g.JoinMeeting.RunID {
		t.Fatalf("redeem: %+v %v", grant, err)
	}
	if _, err := conf.Redeem(ctx, g.JoinMeeting.Token); err == nil {
		t.Fatal("a join token was redeemed twice")
	}
	if _, err := conf.Redeem(ctx, "jjt_forged"); err == nil {
		t.Fatal("a forged token was redeemed")
	}

	// Capacity: with 3 present, a guest is refused; the host still gets in.
	for range 3 {
		if err := conf.Joined(ctx, meeting.Presence{RunID: host.JoinMeeting.RunID, Name: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if r := guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客乙"}); r.Code() != "CONFLICT" {
		t.Fatalf("join a full meeting: %q", r.Code())
	}
	f.member.Do(t, joinDoc, map[string]any{"n": m.Number}).Decode(t, &host)

	// Throttling: 10 wrong passwords lock the meeting for the guesser, not for
	// invitees nor for guests elsewhere.
	for range 10 {
		guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": "111111", "d": "x"})
	}
	if r := guest.Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客丙"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("after 10 wrong passwords: %q", r.Code())
	}
	if err := conf.Left(ctx, meeting.Presence{RunID: host.JoinMeeting.RunID, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	liC.Do(t, joinDoc, map[string]any{"n": m.Number}).Decode(t, &invitee)
	if err := conf.Left(ctx, meeting.Presence{RunID: host.JoinMeeting.RunID, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	clientFrom(srv, "127.0.0.7").Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客丁"}).Decode(t, &g)
}

// TestJoinGuessingDoesNotLockOutGuests: wrong meeting passwords from many sources
// lock out the sources that guessed, never a guest who has not.
func TestJoinGuessingDoesNotLockOutGuests(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	var b struct {
		BookMeeting struct{ Number, Password string }
	}
	f.member.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:10}){number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	m := b.BookMeeting
	f.member.Do(t, joinDoc, map[string]any{"n": m.Number}).Decode(t, &struct{}{}) // the host makes it live

	// Six sources guess twice each: 12 wrong passwords for the meeting.
	for i := range 6 {
		c := clientFrom(srv, fmt.Sprintf("127.0.4.%d", i+1))
		for range 2 {
			if r := c.Do(t, joinDoc, map[string]any{"n": m.Number, "p": "999999", "d": "x"}); r.Code() != "NOT_FOUND" && r.Code() != "RATE_LIMITED" {
				t.Fatalf("guess: %q", r.Code())
			}
		}
	}
	// A guesser is now refused even with the right password...
	if r := clientFrom(srv, "127.0.4.1").Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "x"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("guessing source with the right password: %q, want RATE_LIMITED", r.Code())
	}
	// ...while a guest who has not guessed gets in.
	var g struct{ JoinMeeting joinPayload }
	clientFrom(srv, "127.0.5.1").Do(t, joinDoc, map[string]any{"n": m.Number, "p": m.Password, "d": "访客"}).Decode(t, &g)
	if g.JoinMeeting.Token == "" {
		t.Fatal("no join token")
	}
}
