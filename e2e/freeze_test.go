package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/xtest"
	"github.com/jishitong/jishitong/media/signal"
)

// TestAccessRevokedEndsMediaSessions freezes, deletes, promotes and freezes the
// enterprise of members who are in a running meeting over /rtc: each one's socket gets
// bye with the reason at once, the roster the host watches drops them, a join token
// they had not used yet is refused at /rtc, and the host and a guest stay connected.
// The cases share one server and one meeting; the times are logged, not asserted.
func TestAccessRevokedEndsMediaSessions(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	f.admin.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:10}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	mt := b.BookMeeting
	var hj, gj struct{ JoinMeeting joinPayload }
	f.admin.Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &hj)
	host := rtcJoin(ctx, t, srv, hj.JoinMeeting)
	srv.Client().Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password, "d": "访客甲"}).Decode(t, &gj)
	guest := rtcJoin(ctx, t, srv, gj.JoinMeeting)
	roster := &liveSub{who: "host", ch: isoSubscribeDoc(ctx, t, f.admin, "host", meetingStateDoc, map[string]any{"id": mt.ID})}

	// A second enterprise whose member joins Acme's meeting with its password.
	var e struct{ CreateEnterprise struct{ ID string } }
	f.root.Do(t, `mutation{createEnterprise(input:{name:"Beta 测试",code:"beta",quota:10}){id}}`, nil).Decode(t, &e)
	betaID := e.CreateEnterprise.ID
	var ba struct {
		CreateEnterpriseAdmin struct{ Member struct{ ID string } }
	}
	f.root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Beta 管理员",email:"boss@beta.example",password:"boss-password-1"}){member{id}}}`,
		map[string]any{"id": betaID}).Decode(t, &ba)

	// member is one member who joined the meeting, and a join token they keep unused.
	type member struct {
		id     string
		peer   *rtcPeer
		unused string
	}
	join := func(t *testing.T, c *xtest.Client) member {
		t.Helper()
		var j1, j2 struct{ JoinMeeting joinPayload }
		c.Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password}).Decode(t, &j1)
		c.Do(t, joinDoc, map[string]any{"n": mt.Number, "p": mt.Password}).Decode(t, &j2)
		p := rtcJoin(ctx, t, srv, j1.JoinMeeting)
		roster.until(t, p.id+" on the roster", func(v *liveView) bool { return v.participant(p.id) != nil })
		return member{peer: p, unused: j2.JoinMeeting.Token}
	}
	newMember := func(t *testing.T, name, email string) member {
		t.Helper()
		id := isoCreateMember(t, f.admin, map[string]any{"name": name, "email": email, "password": "member-password-1"})
		m := join(t, srv.Login(t, email, "member-password-1"))
		m.id = id
		return m
	}

	cases := []struct {
		// reason is the bye; role the account role the member joined with, and
		// refused how Confirm refuses a grant issued before.
		name, reason, role string
		refused            error
		setup              func(t *testing.T) member
		revoke             func(t *testing.T, m member)
		// after checks what the member may do afterwards; nil for nothing.
		after func(t *testing.T, m member)
	}{
		{
			name: "freeze", reason: "accountDisabled", role: "member", refused: conference.ErrAccountDisabled,
			setup: func(t *testing.T) member { return newMember(t, "冻结甲", "frozen@acme.example") },
			revoke: func(t *testing.T, m member) {
				f.admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){id}}`, map[string]any{"id": m.id}).Decode(t, &struct{}{})
			},
		},
		{
			name: "delete", reason: "accountDisabled", role: "member", refused: conference.ErrAccountDisabled,
			setup: func(t *testing.T) member { return newMember(t, "删除乙", "deleted@acme.example") },
			revoke: func(t *testing.T, m member) {
				f.admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": m.id}).Decode(t, &struct{}{})
			},
		},
		{
			name: "role change", reason: "roleChanged", role: "member", refused: conference.ErrAccountChanged,
			setup: func(t *testing.T) member { return newMember(t, "升职丙", "promoted@acme.example") },
			revoke: func(t *testing.T, m member) {
				f.admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{role:ENTERPRISE_ADMIN}){id}}`, map[string]any{"id": m.id}).Decode(t, &struct{}{})
			},
			// They sign in again and rejoin with their new rights: as a moderator, who
			// needs no password.
			after: func(t *testing.T, _ member) {
				var j struct{ JoinMeeting joinPayload }
				srv.Login(t, "promoted@acme.example", "member-password-1").Do(t, joinDoc, map[string]any{"n": mt.Number}).Decode(t, &j)
				again := rtcJoin(ctx, t, srv, j.JoinMeeting)
				roster.until(t, "the promoted member back", func(v *liveView) bool { return v.participant(again.id) != nil })
			},
		},
		{
			name: "enterprise freeze", reason: "accountDisabled", role: "enterprise_admin", refused: conference.ErrAccountDisabled,
			setup: func(t *testing.T) member {
				m := join(t, srv.Login(t, "boss@beta.example", "boss-password-1"))
				m.id = ba.CreateEnterpriseAdmin.Member.ID
				return m
			},
			revoke: func(t *testing.T, _ member) {
				f.root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{frozen:true}){id}}`, map[string]any{"id": betaID}).Decode(t, &struct{}{})
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.setup(t)
			// The bye is timed as it arrives, whether before or after the mutation's
			// answer.
			type arrival struct {
				at    time.Duration
				frame map[string]any
			}
			byes := make(chan arrival, 1)
			start := time.Now()
			go func() {
				for fr := range m.peer.frames {
					if fr["type"] == "bye" {
						byes <- arrival{time.Since(start), fr}
						return
					}
				}
			}()
			tc.revoke(t, m)
			returned := time.Since(start)
			var bye arrival
			select {
			case bye = <-byes:
			case <-time.After(5 * time.Second):
				t.Fatal("no bye within 5s")
			}
			if data, _ := bye.frame["data"].(map[string]any); data["reason"] != tc.reason {
				t.Errorf("bye %v, want reason %s", bye.frame, tc.reason)
			}
			select {
			case code := <-m.peer.closed:
				if code != 4403 {
					t.Errorf("closed %d, want 4403", code)
				}
			case <-time.After(5 * time.Second):
				t.Error("the socket stayed open after bye")
			}
			roster.until(t, m.peer.id+" off the roster", func(v *liveView) bool { return v.participant(m.peer.id) == nil })
			t.Logf("%s: bye after %v, mutation answered after %v, off the host's roster (meetingState) after %v",
				tc.name, bye.at.Round(time.Millisecond), returned.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			if code := rtcRefused(ctx, t, srv, m.unused); code != 4401 {
				t.Errorf("a join token issued before: close %d, want 4401", code)
			}
			// A token redeemed just before the revocation is refused by the stored
			// account once its holder is on the roster.
			g := &meeting.Grant{UserID: m.id, AccountRole: tc.role}
			if err := srv.Conference().Confirm(ctx, g); !errors.Is(err, tc.refused) || err.Error() != tc.refused.Error() {
				t.Errorf("Confirm of a grant issued before: %v, want %v", err, tc.refused)
			}
			if err := srv.Conference().Confirm(ctx, &meeting.Grant{}); err != nil {
				t.Errorf("Confirm of a guest's grant: %v", err)
			}
			for _, p := range []*rtcPeer{host, guest} {
				select {
				case code := <-p.closed:
					t.Fatalf("participant %s closed %d", p.id, code)
				default:
				}
				if roster.v.participant(p.id) == nil {
					t.Fatalf("participant %s left the roster", p.id)
				}
			}
			if tc.after != nil {
				tc.after(t, m)
			}
		})
	}
}

// rtcRefused joins /rtc with token and returns the close code (-1 when joined).
func rtcRefused(ctx context.Context, t *testing.T, srv *xtest.Server, token string) websocket.StatusCode {
	t.Helper()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	msg, _ := json.Marshal(map[string]any{"v": signal.Version, "id": "1", "type": "join", "data": map[string]any{"token": token}})
	if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return websocket.CloseStatus(err)
		}
		var m struct{ Type string }
		if json.Unmarshal(data, &m) == nil && m.Type == "joined" {
			return -1
		}
	}
}

// BenchmarkConfirm measures what checking the stored account adds to every member's
// join at /rtc (conference.Service.Confirm: the member and their enterprise, two reads
// by ID) on the embedded store.
func BenchmarkConfirm(b *testing.B) {
	srv := xtest.StartServer(b, xtest.Options{})
	tn := dirNewTenant(b, srv, srv.Admin(b), "bench")
	m, _ := dirCreate(b, tn.Admin, map[string]any{"name": "Bench Member", "email": "m@bench.example.com", "password": dirPassword})
	ctx := context.Background()
	g := &meeting.Grant{UserID: m.ID, AccountRole: "member"}
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if err := srv.Conference().Confirm(ctx, g); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	benchReportLatency(b, lat)
}
