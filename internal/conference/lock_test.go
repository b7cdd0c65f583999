package conference

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// TestScheduleLockOneWinner: bookings of the same slot made at once, from two
// services on one store (two processes) with four goroutines each, are decided
// one at a time under the schedule lock: exactly one is stored, and every other
// is refused naming it.
func TestScheduleLockOneWinner(t *testing.T) {
	const perService = 4
	at := slot(10, 0)
	cases := []struct {
		name  string
		quota int
		// in is the booking every goroutine makes; room is 张三's dedicated room.
		in func(room string) BookingInput
		// by is who books: the dedicated room is 张三's, the quota anyone's in 甲公司.
		by *auth.Principal
		// prefix starts every refusal.
		prefix string
	}{
		{name: "the same dedicated room", by: host,
			in:     func(room string) BookingInput { return BookingInput{Start: at, Participants: 2, RoomID: room} },
			prefix: "dedicated room 6001 (张三的会议室) is booked: "},
		{name: "the last seats of the quota", quota: 10, by: colleague,
			in:     func(string) BookingInput { return BookingInput{Start: at, Participants: 6} },
			prefix: "your enterprise's quota of 10 participants, 6 are already booked: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			dir := newPeople(c.quota).directory()
			s1, st := newService(t, Config{}, dir)
			room := bookingRooms(t, s1).dedicated.ID
			s2 := serviceOn(t, st, Config{}, dir, &fakeMailer{})

			type result struct {
				m   *Meeting
				err error
			}
			results := make(chan result, 2*perService)
			var wg sync.WaitGroup
			ready := make(chan struct{})
			for i := range 2 * perService {
				s := []*Service{s1, s2}[i%2]
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-ready
					m, err := s.Book(ctx, c.by, c.in(room))
					results <- result{m, err}
				}()
			}
			close(ready)
			wg.Wait()
			close(results)

			var won []*Meeting
			var lost []error
			for r := range results {
				if r.err == nil {
					won = append(won, r.m)
				} else {
					lost = append(lost, r.err)
				}
			}
			if len(won) != 1 {
				t.Fatalf("%d bookings won: %v; refusals: %v", len(won), won, lost)
			}
			w := won[0]
			for _, err := range lost {
				e, ok := errs.As(err)
				if !ok || e.Kind != errs.KindConflict || !strings.HasPrefix(e.Message, c.prefix) || e.Details["conflictMeetingId"] != w.ID {
					t.Errorf("refusal %v (%+v), want CONFLICT %q… naming %s", err, e, c.prefix, w.ID)
				}
			}
			if n := activeMeetings(t, st); n != 1 {
				t.Errorf("%d meetings stored", n)
			}
			// Both processes see the winner in their schedule.
			for i, s := range []*Service{s1, s2} {
				sc, err := s.read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(sc.meetings) != 1 || sc.meetings[w.ID] == nil {
					t.Errorf("service %d's schedule holds %d meetings", i+1, len(sc.meetings))
				}
			}
		})
	}
}

// TestAcquire: the schedule lock is taken when free, waited for while held, and
// taken over when its holder's lease ran out.
func TestAcquire(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		// held is the lease of a lock document already there; nil: none.
		held         *time.Duration
		wantTookOver bool
		wantErr      string
	}{
		{name: "free"},
		{name: "held", held: ptr(time.Minute), wantErr: "the schedule is busy; please try again"},
		{name: "lease ran out", held: ptr(-time.Second), wantTookOver: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, st := newService(t, Config{}, newPeople(0).directory())
			if c.held != nil {
				if _, err := st.W.Collection(locksColl).InsertOne(ctx, lockDoc{ID: "schedule", Owner: "other", LeaseUntil: time.Now().Add(*c.held)}); err != nil {
					t.Fatal(err)
				}
			}
			l, err := acquire(ctx, st, "schedule", time.Minute, 50*time.Millisecond)
			var holder lockDoc
			if derr := st.R.Collection(locksColl).FindOne(ctx, bson.M{"_id": "schedule"}).Decode(&holder); derr != nil {
				t.Fatal(derr)
			}
			if c.wantErr != "" {
				wantErr(t, err, errs.KindConflict, "", c.wantErr)
				if holder.Owner != "other" {
					t.Errorf("lock held by %q after a refusal", holder.Owner)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.tookOver != c.wantTookOver || holder.Owner != l.owner {
				t.Errorf("took over %v, lock held by %q, want %v by %q", l.tookOver, holder.Owner, c.wantTookOver, l.owner)
			}
			l.unlock(st)
			if n, _ := st.R.Collection(locksColl).CountDocuments(ctx, bson.M{}); n != 0 {
				t.Errorf("lock still held after unlock")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
