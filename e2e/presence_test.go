package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/xtest"
)

// TestAdmitAndPresence checks the lifecycle rules that joins drive: the first
// member to join at or after the start makes a meeting live (guests only when the
// meeting allows it), the host may start early, and a running meeting nobody is in
// ends after the empty timeout.
func TestAdmitAndPresence(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	conf := srv.Conference()
	ctx := context.Background()

	book := func(start time.Time, guests bool) (id, number string) {
		var out struct{ BookMeeting struct{ ID, Number string } }
		f.member.Do(t, `mutation($s:Time!,$g:Boolean){bookMeeting(input:{start:$s,participants:3,options:{guestsMayStart:$g}}){id number}}`,
			map[string]any{"s": start, "g": guests}).Decode(t, &out)
		return out.BookMeeting.ID, out.BookMeeting.Number
	}
	var zhang, boss struct{ Me struct{ ID string } }
	f.member.Do(t, `{me{id}}`, nil).Decode(t, &zhang)
	f.admin.Do(t, `{me{id}}`, nil).Decode(t, &boss)
	host := &auth.Principal{UserID: zhang.Me.ID, EnterpriseID: f.enterpriseID, Role: auth.RoleMember}
	admin := &auth.Principal{UserID: boss.Me.ID, EnterpriseID: f.enterpriseID, Role: auth.RoleEnterpriseAdmin}
	guest := conference.Joiner{Name: "访客"}

	// In 10 minutes: the host may start it early; nobody else may yet.
	_, soon := book(time.Now().Add(10*time.Minute), true)
	if _, _, err := conf.Admit(ctx, soon, guest); err == nil {
		t.Fatal("a guest started a meeting before its start")
	}
	_, run, err := conf.Admit(ctx, soon, conference.Joiner{Principal: host})
	if err != nil || run == nil || !run.InProgress() {
		t.Fatalf("host start: %+v %v", run, err)
	}
	// Now everyone enters the same run.
	if _, r2, err := conf.Admit(ctx, soon, guest); err != nil || r2.ID != run.ID {
		t.Fatalf("guest after the host started: %v %v", r2, err)
	}

	// Started a minute ago, guests may not start it: a guest waits, a member starts it.
	_, now := book(time.Now().Add(-time.Minute).Truncate(time.Second), false)
	if _, _, err := conf.Admit(ctx, now, guest); err == nil {
		t.Fatal("a guest started a meeting that does not allow it")
	}
	_, live, err := conf.Admit(ctx, now, conference.Joiner{Principal: admin})
	if err != nil || !live.InProgress() {
		t.Fatalf("member start: %v", err)
	}
	if _, _, err := conf.Admit(ctx, "1234567890", guest); err == nil {
		t.Fatal("unknown number admitted")
	}

	// Presence: while someone is in, the empty timeout does not end it.
	if err := conf.Joined(ctx, meeting.Presence{RunID: live.ID, Name: "访客", Client: meeting.ClientBrowser, Address: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	var st struct {
		ResourceStatus struct {
			Now struct{ Participants, Meetings int }
		}
	}
	f.admin.Do(t, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){now{participants meetings}}}`,
		map[string]any{"f": time.Now(), "t": time.Now().Add(time.Hour)}).Decode(t, &st)
	if st.ResourceStatus.Now.Participants != 1 || st.ResourceStatus.Now.Meetings != 2 {
		t.Fatalf("now: %+v", st.ResourceStatus.Now)
	}
	conf.SweepOnce(ctx, time.Now().Add(11*time.Minute))
	if !isLive(t, f, live.ID) {
		t.Fatal("an occupied meeting ended as empty")
	}
	if err := conf.Left(ctx, meeting.Presence{RunID: live.ID, Name: "访客"}); err != nil {
		t.Fatal(err)
	}
	conf.SweepOnce(ctx, time.Now().Add(9*time.Minute))
	if !isLive(t, f, live.ID) {
		t.Fatal("ended before the empty timeout")
	}
	conf.SweepOnce(ctx, time.Now().Add(10*time.Minute+time.Second))
	if isLive(t, f, live.ID) {
		t.Fatal("an empty meeting did not end after the timeout")
	}
	var log struct {
		MeetingRun struct {
			EndReason string
			Log       []struct{ Kind, ActorName, ClientKind, Address string }
		}
	}
	f.admin.Do(t, `query($id:ID!){meetingRun(id:$id){endReason log{kind actorName clientKind address}}}`, map[string]any{"id": live.ID}).Decode(t, &log)
	kinds := ""
	for _, e := range log.MeetingRun.Log {
		kinds += e.Kind + " "
	}
	if log.MeetingRun.EndReason != "empty" || kinds != "started joined left ended " || log.MeetingRun.Log[1].Address != "127.0.0.1" {
		t.Fatalf("run: %+v", log.MeetingRun)
	}
}

func isLive(t *testing.T, f *authFixture, runID string) bool {
	t.Helper()
	var out struct{ MeetingRun struct{ InProgress bool } }
	f.admin.Do(t, `query($id:ID!){meetingRun(id:$id){inProgress}}`, map[string]any{"id": runID}).Decode(t, &out)
	return out.MeetingRun.InProgress
}
