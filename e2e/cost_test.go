package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The cost tests count the store commands (round trips) one GraphQL request sends,
// through the store's command monitor, and check that they do not grow with the
// number of items the request lists: every list field that reaches the store is
// batched per request (graph/loaders.go). See "Cost of a request" in docs/api.md.

// costWorld is an enterprise whose member zhang hosts meetings, one an hour from
// from on, each inviting the admin, the member wang and three outside addresses,
// so that every meeting has five invitation deliveries.
type costWorld struct {
	srv                                     *xtest.Server
	admin                                   *xtest.Client
	enterpriseID, adminID, memberID, wangID string
	from                                    time.Time
	meetings                                []*conference.Meeting
}

func costSetup(t testing.TB, n int) *costWorld {
	t.Helper()
	srv := xtest.StartServer(t, xtest.Options{Args: []string{"--capacity", "10000000"}})
	w := &costWorld{srv: srv}
	root := srv.Admin(t)
	var e struct{ CreateEnterprise struct{ ID string } }
	root.Do(t, `mutation{createEnterprise(input:{name:"Acme 测试",code:"acme",quota:0}){id}}`, nil).Decode(t, &e)
	w.enterpriseID = e.CreateEnterprise.ID
	var a struct {
		CreateEnterpriseAdmin struct{ Member struct{ ID string } }
	}
	root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"管理员",email:"boss@acme.example",password:"boss-password-1"}){member{id}}}`,
		map[string]any{"id": w.enterpriseID}).Decode(t, &a)
	w.adminID = a.CreateEnterpriseAdmin.Member.ID
	w.admin = srv.Login(t, "boss@acme.example", "boss-password-1")
	member := func(name, email string) string {
		var m struct {
			CreateMember struct{ Member struct{ ID string } }
		}
		w.admin.Do(t, `mutation($n:String!,$e:String!){createMember(input:{name:$n,email:$e,password:"member-password-1"}){member{id}}}`,
			map[string]any{"n": name, "e": email}).Decode(t, &m)
		return m.CreateMember.Member.ID
	}
	w.memberID = member("张三", "zhang@acme.example")
	w.wangID = member("王五", "wang@acme.example")
	w.from = time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	w.book(t, n)
	return w
}

// book books n more meetings after the ones booked, through the conference service
// (the Book the API calls, without HTTP).
func (w *costWorld) book(t testing.TB, n int) {
	t.Helper()
	p := &auth.Principal{UserID: w.memberID, EnterpriseID: w.enterpriseID, Role: auth.RoleMember}
	for range n {
		i := len(w.meetings)
		in := conference.BookingInput{Start: w.from.Add(time.Duration(i) * time.Hour), Duration: 30 * time.Minute, TimeZone: "Asia/Shanghai",
			Participants: 2, MemberIDs: []string{w.adminID, w.wangID},
			Emails: []string{fmt.Sprintf("a%d@outside.example", i), fmt.Sprintf("b%d@outside.example", i), fmt.Sprintf("c%d@outside.example", i)}}
		m, err := w.srv.Conference().Book(context.Background(), p, in)
		if err != nil {
			t.Fatalf("book meeting %d: %v", i, err)
		}
		w.meetings = append(w.meetings, m)
	}
}

// window is the time range holding the first n meetings.
func (w *costWorld) window(n int) map[string]any {
	return map[string]any{"f": w.from.Add(-time.Minute), "t": w.from.Add(time.Duration(n-1)*time.Hour + time.Minute)}
}

// costDeliveriesDoc is the reported query: the invitation delivery states of every
// meeting of a window.
const costDeliveriesDoc = `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id deliveries{email status}}}}`

type costScheduled struct {
	Meeting struct {
		ID         string
		Deliveries []struct{ Email, Status string }
	}
}

// commands runs doc as c and returns the store commands it sent and its answer.
func (w *costWorld) commands(t testing.TB, c *xtest.Client, doc string, vars map[string]any, out any) int64 {
	t.Helper()
	before, t0 := w.srv.StoreCommands(), time.Now()
	r := c.Do(t, doc, vars)
	n := w.srv.StoreCommands() - before
	t.Logf("%d store commands in %v", n, time.Since(t0).Round(time.Millisecond))
	r.Decode(t, out)
	return n
}

// TestCostDeliveriesBatched is the reported case: listing the invitation delivery
// states of the meetings of a window cost one store read per meeting (and each a
// scan of the whole mail outbox on the embedded store). The round trips of the query
// must not grow with the number of meetings listed.
func TestCostDeliveriesBatched(t *testing.T) {
	w := costSetup(t, 200)
	c := w.srv.Login(t, "zhang@acme.example", "member-password-1")
	var few, many struct{ MyMeetings []costScheduled }
	nFew := w.commands(t, c, costDeliveriesDoc, w.window(10), &few)
	nMany := w.commands(t, c, costDeliveriesDoc, w.window(200), &many)
	if len(few.MyMeetings) != 10 || len(many.MyMeetings) != 200 {
		t.Fatalf("listed %d and %d meetings, want 10 and 200", len(few.MyMeetings), len(many.MyMeetings))
	}
	for _, s := range many.MyMeetings {
		if len(s.Meeting.Deliveries) != 5 {
			t.Fatalf("meeting %s has %d deliveries, want 5: %+v", s.Meeting.ID, len(s.Meeting.Deliveries), s.Meeting.Deliveries)
		}
	}
	t.Logf("store commands: %d for 10 meetings, %d for 200", nFew, nMany)
	if nMany > nFew {
		t.Errorf("listing the deliveries of 200 meetings sent %d store commands, of 10 meetings %d: the reads grow with the meetings", nMany, nFew)
	}
}

// BenchmarkCostDeliveries times the reported query over 200 meetings and reports its
// store commands. Run: go test ./internal/app -run '^$' -bench CostDeliveries -benchtime 5x
func BenchmarkCostDeliveries(b *testing.B) {
	w := costSetup(b, 200)
	c := w.srv.Login(b, "zhang@acme.example", "member-password-1")
	var lat []time.Duration
	var cmds int64
	body := costBody(w)
	for b.Loop() {
		before, t0 := w.srv.StoreCommands(), time.Now()
		r, err := c.Post(body)
		lat = append(lat, time.Since(t0))
		cmds = w.srv.StoreCommands() - before
		switch {
		case err != nil:
			b.Logf("after %v: %v", time.Since(t0).Round(time.Millisecond), err)
		case len(r.Errors) > 0:
			b.Logf("after %v: %d errors, the first %+v", time.Since(t0).Round(time.Millisecond), len(r.Errors), r.Errors[0])
		}
	}
	b.ReportMetric(float64(cmds), "store-cmds/op")
	benchReportLatency(b, lat)
}

// BenchmarkCostBookingUnderLoad times bookMeeting while two clients run the reported
// query over 200 meetings without pause (the reported attack).
// Run: go test ./internal/app -run '^$' -bench CostBookingUnderLoad -benchtime 10x
func BenchmarkCostBookingUnderLoad(b *testing.B) {
	w := costSetup(b, 200)
	c := w.srv.Login(b, "zhang@acme.example", "member-password-1")
	attackers := []*xtest.Client{w.srv.Login(b, "zhang@acme.example", "member-password-1"), w.admin}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	queries := 0
	for _, a := range attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := costBody(w)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := a.Post([]byte(body)); err == nil {
					mu.Lock()
					queries++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(time.Second) // the attack is under way
	const doc = `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}`
	var lat []time.Duration
	i, failed := 0, 0
	for b.Loop() {
		start := w.from.Add(time.Duration(300+i) * time.Hour)
		i++
		t0 := time.Now()
		r := c.Do(b, doc, map[string]any{"in": map[string]any{"start": start.Format(time.RFC3339), "durationMinutes": 30, "participants": 2}})
		lat = append(lat, time.Since(t0))
		if len(r.Errors) > 0 {
			failed++
			b.Logf("bookMeeting after %v: %+v", time.Since(t0).Round(time.Millisecond), r.Errors)
		}
	}
	b.ReportMetric(float64(failed), "failed")
	close(stop)
	wg.Wait()
	b.Logf("%d attack queries answered during the run", queries)
	slices.Sort(lat)
	b.Logf("booking latencies: %v", lat)
	benchReportLatency(b, lat)
}

// costBody is the reported query over the 200 meetings of w as a request body.
func costBody(w *costWorld) []byte {
	return []byte(fmt.Sprintf(`{"query":%q,"variables":{"f":%q,"t":%q}}`, costDeliveriesDoc,
		w.from.Add(-time.Minute).Format(time.RFC3339), w.from.Add(200*time.Hour).Format(time.RFC3339)))
}

// TestCostMeetingFieldsBatched lists meetings with every field of a meeting that
// reads the store (host, room, invitees, run in progress, invitation status), through
// myMeetings and through resourceStatus: the store commands of each must not grow
// with the number of meetings.
func TestCostMeetingFieldsBatched(t *testing.T) {
	w := costSetup(t, 60)
	host := w.srv.Login(t, "zhang@acme.example", "member-password-1")
	const fields = `host{name} room{number} invitees{members{name}} runInProgress{id} deliveries{status}`
	lists := []struct {
		name string
		c    *xtest.Client
		doc  string
		n    func(out map[string]any) int
	}{
		{"myMeetings", host, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{` + fields + `}}}`,
			func(out map[string]any) int { return len(out["myMeetings"].([]any)) }},
		{"resourceStatus", w.admin, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){rooms{bookings{meeting{host{name} room{number} runInProgress{id} invitees{emails}}}}}}`,
			func(out map[string]any) int {
				n := 0
				for _, r := range out["resourceStatus"].(map[string]any)["rooms"].([]any) {
					n += len(r.(map[string]any)["bookings"].([]any))
				}
				return n
			}},
	}
	for _, l := range lists {
		var few, many map[string]any
		nFew := w.commands(t, l.c, l.doc, w.window(5), &few)
		nMany := w.commands(t, l.c, l.doc, w.window(60), &many)
		if l.n(few) != 5 || l.n(many) != 60 {
			t.Fatalf("%s listed %d and %d meetings, want 5 and 60", l.name, l.n(few), l.n(many))
		}
		t.Logf("%s: %d store commands for 5 meetings, %d for 60", l.name, nFew, nMany)
		if nMany > nFew {
			t.Errorf("%s: 60 meetings cost %d store commands, 5 meetings %d: the reads grow with the meetings", l.name, nMany, nFew)
		}
	}
}

// TestCostDeliveriesBatchedOverWebsocket sends the reported query over the
// websocket, where an operation has no HTTP request of its own: its reads must be
// batched all the same.
func TestCostDeliveriesBatchedOverWebsocket(t *testing.T) {
	w := costSetup(t, 60)
	c := w.srv.Login(t, "zhang@acme.example", "member-password-1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	run := func(id string, n int) int64 {
		before := w.srv.StoreCommands()
		if err := ws.Subscribe(ctx, id, costDeliveriesDoc, w.window(n)); err != nil {
			t.Fatal(err)
		}
		m, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data   struct{ MyMeetings []costScheduled }
			Errors []xtest.GQLError
		}
		if err := json.Unmarshal(m.Payload, &out); err != nil || m.Type != "next" || len(out.Errors) > 0 {
			t.Fatalf("%s %.300s (%v)", m.Type, m.Payload, err)
		}
		cmds := w.srv.StoreCommands() - before
		if len(out.Data.MyMeetings) != n {
			t.Fatalf("listed %d meetings, want %d", len(out.Data.MyMeetings), n)
		}
		for _, s := range out.Data.MyMeetings {
			if len(s.Meeting.Deliveries) != 5 {
				t.Fatalf("meeting %s has %d deliveries, want 5", s.Meeting.ID, len(s.Meeting.Deliveries))
			}
		}
		if m, err := ws.Read(ctx); err != nil || m.Type != "complete" {
			t.Fatalf("after the answer: %v %v", m, err)
		}
		return cmds
	}
	nFew, nMany := run("few", 5), run("many", 60)
	t.Logf("over the websocket: %d store commands for 5 meetings, %d for 60", nFew, nMany)
	if nMany > nFew {
		t.Errorf("60 meetings cost %d store commands, 5 meetings %d: the reads grow with the meetings", nMany, nFew)
	}
}
