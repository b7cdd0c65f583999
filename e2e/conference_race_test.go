package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/app"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The race tests prove that booking is decided in the store, not in one process:
// racers on one server, and racers on two server instances sharing one database
// (the second reaching the embedded FerretDB of the first through a pooled client,
// whose conditional updates are not atomic across connections), each get exactly
// one winner for the last capacity and for a dedicated room's time slot.

const (
	raceBookDoc  = `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id number room{id}}}`
	raceRounds   = 10
	raceCapacity = 10
)

// raceGQL posts an operation without touching t, so it may run on any goroutine.
func raceGQL(c *xtest.Client, query string, vars map[string]any) (*xtest.Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	return c.Post(body)
}

// raceBooking is the input of a booking of participants at start for an hour.
func raceBooking(start time.Time, participants int, name, roomID string) map[string]any {
	in := map[string]any{"start": start.UTC().Format(time.RFC3339), "durationMinutes": 60, "participants": participants, "name": name}
	if roomID != "" {
		in["roomId"] = roomID
	}
	return map[string]any{"in": in}
}

// raceBook books and fails the test unless it succeeds; it returns the meeting ID.
func raceBook(t *testing.T, c *xtest.Client, vars map[string]any) string {
	t.Helper()
	var out struct{ BookMeeting struct{ ID string } }
	c.Do(t, raceBookDoc, vars).Decode(t, &out)
	return out.BookMeeting.ID
}

// raceOutcome is one racer's answer.
type raceOutcome struct {
	who  string
	resp *xtest.Response
	err  error
}

// raceAll runs every op at once (released together) and returns their outcomes.
func raceAll(ops map[string]func() (*xtest.Response, error)) []raceOutcome {
	var wg sync.WaitGroup
	start := make(chan struct{})
	out := make([]raceOutcome, 0, len(ops))
	var mu sync.Mutex
	for who, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := op()
			mu.Lock()
			out = append(out, raceOutcome{who: who, resp: r, err: err})
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// raceOneWinner checks that exactly one racer booked and every other got CONFLICT
// with a message containing why; it returns the winner.
func raceOneWinner(t *testing.T, round string, outs []raceOutcome, why string) string {
	t.Helper()
	winner := ""
	for _, o := range outs {
		switch {
		case o.err != nil:
			t.Errorf("%s: %s: transport error %v", round, o.who, o.err)
		case len(o.resp.Errors) == 0:
			if winner != "" {
				t.Errorf("%s: both %s and %s booked", round, winner, o.who)
			}
			winner = o.who
		case o.resp.Code() != "CONFLICT":
			t.Errorf("%s: %s: code %q, want CONFLICT: %+v", round, o.who, o.resp.Code(), o.resp.Errors)
		case !strings.Contains(o.resp.Errors[0].Message, why):
			t.Errorf("%s: %s: conflict %q does not mention %q", round, o.who, o.resp.Errors[0].Message, why)
		}
	}
	if winner == "" {
		t.Errorf("%s: nobody booked: %+v", round, outs)
	}
	return winner
}

// raceSlot is the start of round i's slot: whole hours, days ahead.
func raceSlot(base time.Time, i int) time.Time { return base.Add(time.Duration(i) * 24 * time.Hour) }

func raceBase() time.Time { return time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour) }

// TestRaceLastSeatOneServer races two bookings on one server for the last seats,
// of the platform's capacity and of the enterprise's quota: exactly one wins, the
// other gets CONFLICT.
func TestRaceLastSeatOneServer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		capacity int
		quota    int
		why      string
	}{
		{"platform capacity", raceCapacity, 50, "capacity"},
		{"enterprise quota", 1000, raceCapacity, "quota"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := xtest.StartServer(t, xtest.Options{Args: []string{"--capacity", fmt.Sprint(tc.capacity)}})
			f := newAuthFixture(t, srv)
			f.root.Do(t, `mutation($id:ID!,$q:Int!){updateEnterprise(id:$id,input:{quota:$q}){quota}}`,
				map[string]any{"id": f.enterpriseID, "q": tc.quota}).Decode(t, &struct{}{})
			base := raceBase()
			wins := map[string]int{}
			for i := range raceRounds {
				slot := raceSlot(base, i)
				raceBook(t, f.member, raceBooking(slot, raceCapacity-6, "filler", ""))
				outs := raceAll(map[string]func() (*xtest.Response, error){
					"admin": func() (*xtest.Response, error) {
						return raceGQL(f.admin, raceBookDoc, raceBooking(slot, 6, "racer admin", ""))
					},
					"member": func() (*xtest.Response, error) {
						return raceGQL(f.member, raceBookDoc, raceBooking(slot, 6, "racer member", ""))
					},
				})
				wins[raceOneWinner(t, fmt.Sprintf("round %d", i), outs, tc.why)]++
			}
			t.Logf("winners over %d rounds: %v", raceRounds, wins)
			// Every slot is full: exactly the limit is booked, no more.
			st := raceResources(t, f.member, base, raceSlot(base, raceRounds))
			if st.Platform.Booked != raceCapacity || st.Enterprise.Booked != raceCapacity {
				t.Errorf("booked: platform %d, enterprise %d; want %d", st.Platform.Booked, st.Enterprise.Booked, raceCapacity)
			}
		})
	}
}

// raceStartPeer starts a second server instance on the store of a, as a second
// process would: its own HTTP listener, data folder and caches, a pooled client
// to a's database.
func raceStartPeer(t *testing.T, a *xtest.Server, args ...string) *xtest.Server {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"JISHITONG_ADMIN_EMAIL": xtest.AdminEmail, "JISHITONG_ADMIN_PASSWORD": xtest.AdminPassword}
	all := append([]string{"--http", "127.0.0.1:0", "--data", dir, "--shutdown-timeout", "5s", "--mongo-uri", a.StoreURI()}, args...)
	cfg, err := config.Parse(all, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("peer config: %v", err)
	}
	cfg.Store.Database = a.Config.Store.Database // a's, also when it runs on JISHITONG_TEST_MONGO_URI
	log := slog.New(slog.NewTextHandler(raceLogWriter{t, "peer: "}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := app.Start(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start peer: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close peer: %v", err)
		}
	})
	return &xtest.Server{Server: s, URL: "http://" + s.Addr(), DataDir: dir, Config: cfg}
}

type raceLogWriter struct {
	t      testing.TB
	prefix string
}

func (w raceLogWriter) Write(p []byte) (int, error) {
	w.t.Log(w.prefix + strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// raceScheduled is one myMeetings entry.
type raceScheduled struct {
	Meeting    struct{ ID, Name string }
	Occurrence struct{ Start, End time.Time }
}

func raceMyMeetings(t *testing.T, c *xtest.Client, from, to time.Time) []raceScheduled {
	t.Helper()
	var out struct{ MyMeetings []raceScheduled }
	c.Do(t, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id name} occurrence{start end}}}`,
		map[string]any{"f": from, "t": to}).Decode(t, &out)
	return out.MyMeetings
}

// raceStatus is the part of resourceStatus compared between instances.
type raceStatus struct {
	Enterprise struct{ Capacity, Booked, Free int }
	Platform   struct{ Capacity, Booked, Free int }
	Rooms      []raceRoomUsage
}

type raceRoomUsage struct {
	Room     struct{ ID, Number string }
	Usage    struct{ Capacity, Booked, Free int }
	Bookings []raceBooked
}

type raceBooked struct {
	Meeting    struct{ ID string }
	Occurrence struct{ Start time.Time }
}

func raceResources(t *testing.T, c *xtest.Client, from, to time.Time) raceStatus {
	t.Helper()
	var out struct{ ResourceStatus raceStatus }
	c.Do(t, `query($f:Time!,$t:Time!){resourceStatus(from:$f,to:$t){
		enterprise{capacity booked free} platform{capacity booked free}
		rooms{room{id number} usage{capacity booked free} bookings{meeting{id} occurrence{start}}}}}`,
		map[string]any{"f": from, "t": to}).Decode(t, &out)
	// Occurrences starting at the same instant come in no particular order.
	slices.SortFunc(out.ResourceStatus.Rooms, func(a, b raceRoomUsage) int { return strings.Compare(a.Room.ID, b.Room.ID) })
	for _, r := range out.ResourceStatus.Rooms {
		slices.SortFunc(r.Bookings, func(a, b raceBooked) int {
			if c := a.Occurrence.Start.Compare(b.Occurrence.Start); c != 0 {
				return c
			}
			return strings.Compare(a.Meeting.ID, b.Meeting.ID)
		})
	}
	return out.ResourceStatus
}

func raceIDs(ss []raceScheduled) []string {
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.Meeting.ID+"@"+s.Occurrence.Start.UTC().Format(time.RFC3339))
	}
	slices.Sort(ids)
	return ids
}

// raceEventually polls cond every 20 ms for at most d.
func raceEventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRaceTwoInstances races two server instances on one store for the last
// capacity and for a dedicated room; afterwards both show the same schedule. A
// stale schedule lock left by a dead process is taken over.
func TestRaceTwoInstances(t *testing.T) {
	capArg := []string{"--capacity", fmt.Sprint(raceCapacity)}
	a := xtest.StartServer(t, xtest.Options{Args: capArg})
	f := newAuthFixture(t, a)
	var room struct{ CreateRoom struct{ ID string } }
	f.root.Do(t, `mutation($o:ID!){createRoom(input:{number:"66001",name:"张三的会议室",capacity:4,scope:DEDICATED,ownerId:$o}){id}}`,
		map[string]any{"o": f.memberID}).Decode(t, &room)
	roomID := room.CreateRoom.ID

	b := raceStartPeer(t, a, capArg...)
	memberB := b.Login(t, "zhang@acme.example", "zhang-password-1")
	adminB := b.Login(t, "boss@acme.example", "boss-password-1")
	memberA, adminA := f.member, f.admin
	base := raceBase()
	end := raceSlot(base, 2*raceRounds+2)

	// Each instance sees the other's booking at once: the version counter makes it
	// reload.
	onA := raceBook(t, memberA, raceBooking(base.Add(-6*time.Hour), 2, "booked on A", ""))
	if !slices.ContainsFunc(raceMyMeetings(t, memberB, base.Add(-12*time.Hour), base), func(s raceScheduled) bool { return s.Meeting.ID == onA }) {
		t.Fatal("instance B does not list the meeting just booked on A")
	}
	onB := raceBook(t, memberB, raceBooking(base.Add(-4*time.Hour), 2, "booked on B", ""))
	if !slices.ContainsFunc(raceMyMeetings(t, memberA, base.Add(-12*time.Hour), base), func(s raceScheduled) bool { return s.Meeting.ID == onB }) {
		t.Fatal("instance A does not list the meeting just booked on B")
	}

	t.Run("last capacity", func(t *testing.T) {
		wins := map[string]int{}
		for i := range raceRounds {
			slot := raceSlot(base, i)
			filler := memberA
			if i%2 == 1 {
				filler = memberB
			}
			raceBook(t, filler, raceBooking(slot, raceCapacity-6, "filler", ""))
			outs := raceAll(map[string]func() (*xtest.Response, error){
				"admin on A": func() (*xtest.Response, error) {
					return raceGQL(adminA, raceBookDoc, raceBooking(slot, 6, "racer A", ""))
				},
				"member on B": func() (*xtest.Response, error) {
					return raceGQL(memberB, raceBookDoc, raceBooking(slot, 6, "racer B", ""))
				},
			})
			wins[raceOneWinner(t, fmt.Sprintf("round %d", i), outs, "capacity")]++
		}
		t.Logf("winners over %d rounds: %v", raceRounds, wins)
	})

	t.Run("dedicated room", func(t *testing.T) {
		wins := map[string]int{}
		for i := range raceRounds {
			slot := raceSlot(base, raceRounds+1+i)
			outs := raceAll(map[string]func() (*xtest.Response, error){
				"on A": func() (*xtest.Response, error) {
					return raceGQL(memberA, raceBookDoc, raceBooking(slot, 2, "room A", roomID))
				},
				"on B": func() (*xtest.Response, error) {
					return raceGQL(memberB, raceBookDoc, raceBooking(slot, 2, "room B", roomID))
				},
			})
			wins[raceOneWinner(t, fmt.Sprintf("round %d", i), outs, "dedicated room")]++
		}
		t.Logf("winners over %d rounds: %v", raceRounds, wins)
	})

	// Both instances show the same schedule and the same resource use.
	from := base.Add(-12 * time.Hour)
	myA, myB := raceIDs(raceMyMeetings(t, memberA, from, end)), raceIDs(raceMyMeetings(t, memberB, from, end))
	if !slices.Equal(myA, myB) {
		t.Errorf("myMeetings differ:\nA %v\nB %v", myA, myB)
	}
	// The member booked 2 + 10 fillers (A and B alternately) + their capacity wins + 10 room wins.
	if len(myA) < 2+raceRounds+raceRounds {
		t.Errorf("member has %d occurrences, want at least %d", len(myA), 2+2*raceRounds)
	}
	for _, c := range []struct {
		name     string
		onA, onB *xtest.Client
	}{{"member", memberA, memberB}, {"admin", adminA, adminB}} {
		stA, stB := raceResources(t, c.onA, from, end), raceResources(t, c.onB, from, end)
		ja, _ := json.Marshal(stA)
		jb, _ := json.Marshal(stB)
		if string(ja) != string(jb) {
			t.Errorf("resourceStatus for %s differs:\nA %s\nB %s", c.name, ja, jb)
		}
		if stA.Platform.Booked != raceCapacity {
			t.Errorf("platform booked %d, want %d", stA.Platform.Booked, raceCapacity)
		}
	}
	stA := raceResources(t, memberA, raceSlot(base, raceRounds+1), end)
	for _, r := range stA.Rooms {
		if r.Room.ID == roomID && len(r.Bookings) != raceRounds {
			t.Errorf("dedicated room has %d bookings, want one per round (%d)", len(r.Bookings), raceRounds)
		}
	}

	t.Run("stale lock", func(t *testing.T) {
		locks := raceLocks(t, a)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		// A process died holding the schedule lock long ago.
		if _, err := locks.InsertOne(ctx, bson.M{"_id": "schedule", "owner": "dead", "leaseUntil": time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		slot := raceSlot(base, 2*raceRounds+1)
		start := time.Now()
		id := raceBook(t, memberB, raceBooking(slot, 2, "after a dead holder", ""))
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("booking past an expired lock took %v", d)
		}
		// A process stalled holding it: its lease runs out in 1.5 s, then it is taken over.
		if _, err := locks.InsertOne(ctx, bson.M{"_id": "schedule", "owner": "stalled", "leaseUntil": time.Now().Add(1500 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		id2 := raceBook(t, memberA, raceBooking(slot.Add(2*time.Hour), 2, "after a stalled holder", ""))
		if d := time.Since(start); d < time.Second || d > 8*time.Second {
			t.Errorf("booking behind a lock with 1.5 s of lease left took %v", d)
		}
		if n, err := locks.CountDocuments(ctx, bson.M{"_id": "schedule"}); err != nil || n != 0 {
			t.Errorf("schedule lock documents after the bookings: %d (%v), want 0", n, err)
		}
		for _, c := range []*xtest.Client{memberA, memberB} {
			got := raceIDs(raceMyMeetings(t, c, slot.Add(-time.Hour), slot.Add(4*time.Hour)))
			if len(got) != 2 || !strings.HasPrefix(got[0], id) && !strings.HasPrefix(got[1], id) || !strings.Contains(strings.Join(got, " "), id2) {
				t.Errorf("after take-over: %v, want %s and %s", got, id, id2)
			}
		}
	})
}

// raceLocks returns the locks collection of a's store, through a client of its own.
func raceLocks(t *testing.T, a *xtest.Server) *mongo.Collection {
	t.Helper()
	opts := options.Client().ApplyURI(a.StoreURI()).SetServerSelectionTimeout(10 * time.Second)
	if strings.Contains(a.StoreURI(), "127.0.0.1") {
		opts.SetDirect(true).SetRetryWrites(false)
	}
	c, err := mongo.Connect(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Disconnect(ctx)
	})
	return c.Database(a.Config.Store.Database).Collection("locks")
}

// TestRaceCancelVersusUpdate races cancelMeeting on one instance with
// updateMeeting on the other: a cancellation that succeeded must stay cancelled
// (an update that read the meeting before it was cancelled must not bring it
// back), and every answer is a success or CONFLICT.
func TestRaceCancelVersusUpdate(t *testing.T) {
	a := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, a)
	b := raceStartPeer(t, a)
	memberB := b.Login(t, "zhang@acme.example", "zhang-password-1")
	base := raceBase()
	const updateDoc = `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`
	const meetingDoc = `query($id:ID!){meeting(id:$id){name cancelled}}`
	resurrected, updated := 0, 0
	for i := range raceRounds {
		slot := raceSlot(base, i)
		id := raceBook(t, f.member, raceBooking(slot, 2, "to cancel", ""))
		upd := raceBooking(slot, 3, fmt.Sprintf("updated %d", i), "")
		upd["id"] = id
		outs := raceAll(map[string]func() (*xtest.Response, error){
			"cancel": func() (*xtest.Response, error) {
				return raceGQL(f.member, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": id})
			},
			"update": func() (*xtest.Response, error) { return raceGQL(memberB, updateDoc, upd) },
		})
		ok := map[string]bool{}
		for _, o := range outs {
			switch {
			case o.err != nil:
				t.Fatalf("round %d %s: %v", i, o.who, o.err)
			case len(o.resp.Errors) == 0:
				ok[o.who] = true
			case o.resp.Code() != "CONFLICT":
				t.Errorf("round %d %s: code %q: %+v", i, o.who, o.resp.Code(), o.resp.Errors)
			}
		}
		if ok["update"] {
			updated++
		}
		for _, c := range []*xtest.Client{f.member, memberB} {
			var m struct {
				Meeting struct {
					Name      string
					Cancelled bool
				}
			}
			c.Do(t, meetingDoc, map[string]any{"id": id}).Decode(t, &m)
			if ok["cancel"] && !m.Meeting.Cancelled {
				resurrected++
				t.Errorf("round %d: the cancellation succeeded but the meeting is active again (%q)", i, m.Meeting.Name)
				break
			}
		}
		// The schedule agrees: a cancelled meeting holds no capacity.
		mine := raceMyMeetings(t, memberB, slot, slot.Add(time.Hour))
		if ok["cancel"] && len(mine) != 0 {
			t.Errorf("round %d: cancelled meeting still scheduled: %+v", i, mine)
		}
	}
	t.Logf("%d rounds: updates succeeded %d, cancellations undone %d", raceRounds, updated, resurrected)
}
