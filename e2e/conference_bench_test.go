package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The conference benchmarks run against a schedule of 10,000 meetings, 1,000 of
// them weekly series, in one enterprise of 50 members: on the embedded store, or on
// the MongoDB of JISHITONG_TEST_MONGO_URI when set. Seeding goes through the
// conference service (the same Book as the API, without HTTP) and its time is
// reported as seed-s. Run:
//
//	go test ./internal/app -run '^$' -bench 'BookMeeting|MyMeetings' -benchtime 100x

const (
	bench2Meetings = 10_000
	bench2Series   = 1_000
	bench2Members  = 50
	bench2Weeks    = 12 // singles spread over this many weeks; series repeat 26 times
)

// bench2World is a seeded server.
type bench2World struct {
	srv     *xtest.Server
	admin   *xtest.Client
	members []bench2Member
	from    time.Time // the first week of the schedule starts here (a Monday, UTC)
	seed    time.Duration
}

type bench2Member struct {
	ID     string
	Client *xtest.Client
}

// bench2Setup starts a server, creates an unlimited enterprise with members and
// books the meetings, reporting how long seeding took.
func bench2Setup(b *testing.B) *bench2World {
	b.Helper()
	srv := xtest.StartServer(b, xtest.Options{Args: []string{"--capacity", "10000000"}})
	root := srv.Admin(b)
	var e struct{ CreateEnterprise struct{ ID string } }
	root.Do(b, `mutation{createEnterprise(input:{name:"Bench 基准",code:"bench",quota:0}){id}}`, nil).Decode(b, &e)
	entID := e.CreateEnterprise.ID
	root.Do(b, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"管理员",email:"boss@bench.example",password:"boss-password-1"}){member{id}}}`,
		map[string]any{"id": entID}).Decode(b, &struct{}{})
	w := &bench2World{srv: srv, admin: srv.Login(b, "boss@bench.example", "boss-password-1")}
	for i := range bench2Members {
		var m struct {
			CreateMember struct{ Member struct{ ID string } }
		}
		email := fmt.Sprintf("m%02d@bench.example", i)
		w.admin.Do(b, `mutation($n:String!,$e:String!){createMember(input:{name:$n,email:$e,password:"member-password-1"}){member{id}}}`,
			map[string]any{"n": fmt.Sprintf("成员%02d", i), "e": email}).Decode(b, &m)
		w.members = append(w.members, bench2Member{ID: m.CreateMember.Member.ID})
	}
	// Logins are slow (argon2id): only the members the benchmarks act as.
	for i := range 5 {
		w.members[i].Client = srv.Login(b, fmt.Sprintf("m%02d@bench.example", i), "member-password-1")
	}
	now := time.Now().UTC()
	w.from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for w.from.Weekday() != time.Monday {
		w.from = w.from.AddDate(0, 0, 1)
	}

	conf := srv.Conference()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	lap := start
	for i := range bench2Meetings {
		host := w.members[rng.IntN(bench2Members)]
		p := &auth.Principal{UserID: host.ID, EnterpriseID: entID, Role: auth.RoleMember}
		in := bench2Input(rng, w, i < bench2Series)
		if _, err := conf.Book(ctx, p, in); err != nil {
			b.Fatalf("seed meeting %d: %v", i, err)
		}
		if (i+1)%2500 == 0 {
			b.Logf("seeded %d meetings; the last 2,500 took %v", i+1, time.Since(lap).Round(time.Millisecond))
			lap = time.Now()
		}
	}
	seed := time.Since(start)
	store := "embedded store"
	if os.Getenv("JISHITONG_TEST_MONGO_URI") != "" {
		store = "MongoDB"
	}
	b.Logf("seeded %d meetings (%d weekly series) on the %s in %v (%.1f ms per booking)", bench2Meetings, bench2Series, store,
		seed.Round(time.Millisecond), float64(seed)/float64(time.Millisecond)/bench2Meetings)
	w.seed = seed
	return w
}

// bench2Input is a random booking: an hour or less at a half hour of a working day
// (Asia/Shanghai) within the schedule's weeks, 2 to 10 participants, two invitees;
// a series repeats weekly 26 times.
func bench2Input(rng *rand.Rand, w *bench2World, series bool) conference.BookingInput {
	day := rng.IntN(bench2Weeks * 7)
	if series {
		day = rng.IntN(14)
	}
	start := w.from.AddDate(0, 0, day).Add(time.Duration(rng.IntN(24)) * 30 * time.Minute) // 08:00-20:00 in Shanghai
	in := conference.BookingInput{
		Start: start, Duration: time.Duration(30+30*rng.IntN(2)) * time.Minute, TimeZone: "Asia/Shanghai",
		Participants: 2 + rng.IntN(9),
	}
	for len(in.MemberIDs) < 2 {
		if id := w.members[rng.IntN(bench2Members)].ID; !slices.Contains(in.MemberIDs, id) {
			in.MemberIDs = append(in.MemberIDs, id)
		}
	}
	if series {
		in.Recurrence = &recur.Rule{Freq: recur.Weekly, Count: 26}
	}
	return in
}

// BenchmarkBookMeeting measures bookMeeting over GraphQL (validation, the conflict
// check against the whole schedule, the store writes) with 10,000 meetings booked.
func BenchmarkBookMeeting(b *testing.B) {
	w := bench2Setup(b)
	c := w.members[0].Client
	rng := rand.New(rand.NewPCG(3, 4))
	const doc = `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id number}}`
	var lat []time.Duration
	for b.Loop() {
		in := bench2Input(rng, w, false)
		vars := map[string]any{"in": map[string]any{"start": in.Start.Format(time.RFC3339), "durationMinutes": int(in.Duration / time.Minute),
			"timeZone": in.TimeZone, "participants": in.Participants, "memberIds": in.MemberIDs}}
		t0 := time.Now()
		r := c.Do(b, doc, vars)
		lat = append(lat, time.Since(t0))
		if len(r.Errors) > 0 {
			b.Fatalf("bookMeeting: %+v", r.Errors)
		}
	}
	bench2Report(b, w, lat)
}

// BenchmarkMyMeetings measures myMeetings for one week, for members who host or are
// invited to about 10 to 30 occurrences a week, with 10,000 meetings booked.
func BenchmarkMyMeetings(b *testing.B) {
	w := bench2Setup(b)
	const doc = `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id number name} occurrence{key start end}}}`
	var lat []time.Duration
	counts := map[int]int{}
	i := 0
	for b.Loop() {
		m := w.members[i%5]
		week := w.from.AddDate(0, 0, 7*(i%bench2Weeks))
		i++
		t0 := time.Now()
		var out struct {
			MyMeetings []struct{ Meeting struct{ ID string } }
		}
		m.Client.Do(b, doc, map[string]any{"f": week, "t": week.AddDate(0, 0, 7)}).Decode(b, &out)
		lat = append(lat, time.Since(t0))
		counts[len(out.MyMeetings)/10*10]++
	}
	b.Logf("occurrences per answer (by tens): %v", counts)
	bench2Report(b, w, lat)
}

// bench2Report reports the median and 99th percentile latency in milliseconds, and
// the seeding time (after the loop: resetting the timer drops reported metrics).
func bench2Report(b *testing.B, w *bench2World, lat []time.Duration) {
	b.Helper()
	b.ReportMetric(w.seed.Seconds(), "seed-s")
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p int) float64 {
		i := min(len(lat)-1, (len(lat)*p+99)/100-1)
		return float64(lat[max(i, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
}
