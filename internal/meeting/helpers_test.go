package meeting

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a Clock whose time moves only by Advance, which runs due timers.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	f  func()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	return true
}

// Advance moves the time on by d and runs the timers then due, outside the lock.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if !t.at.After(c.now) {
			due = append(due, t)
			return true
		}
		return false
	})
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// pending returns how many timers are armed.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// recorder collects the events a meeting logs.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) log(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

type fixture struct {
	m     *Owner
	clock *fakeClock
	rec   *recorder
}

// start runs a meeting on a fake clock for the test; cfg.Clock and cfg.Log are set.
func start(t *testing.T, cfg Config) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock(), rec: &recorder{}}
	cfg.Clock, cfg.Log = f.clock, f.rec.log
	if cfg.RunID == "" {
		cfg.RunID = "m1|run"
	}
	f.m = Start(context.Background(), cfg)
	t.Cleanup(f.m.Close)
	return f
}

var (
	host  = Actor{ParticipantID: "h", UserID: "u-host", IsModerator: true}
	admin = Actor{UserID: "u-admin", IsModerator: true} // not in the meeting
)

func as(id ParticipantID) Actor { return Actor{ParticipantID: id, UserID: "u-" + string(id)} }

func person(id ParticipantID) Participant {
	return Participant{ID: id, Name: "Name " + string(id), Client: ClientBrowser, Audio: true, Video: true}
}

// join adds the host "h" and participants ids, failing the test on error.
func (f *fixture) join(t *testing.T, ids ...ParticipantID) {
	t.Helper()
	for _, id := range ids {
		a, p := as(id), person(id)
		if id == "h" {
			a, p.Role = host, RoleHost
		}
		if err := f.m.Join(context.Background(), a, p); err != nil {
			t.Fatalf("join %s: %v", id, err)
		}
	}
}

func (f *fixture) state(t *testing.T) State {
	t.Helper()
	s, err := f.m.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) participant(t *testing.T, id ParticipantID) Participant {
	t.Helper()
	s := f.state(t)
	p, ok := s.Participant(id)
	if !ok {
		t.Fatalf("%s is not in the meeting", id)
	}
	return p
}

// checkErr fails unless err is of kind want (KindUnknown: no error).
func checkErr(t *testing.T, err error, want errs.Kind) {
	t.Helper()
	switch {
	case want == errs.KindUnknown && err != nil:
		t.Fatalf("unexpected error %v", err)
	case want != errs.KindUnknown && errs.KindOf(err) != want:
		t.Fatalf("error %v, want %s", err, want)
	}
}

// checkSeqs fails unless events are numbered 1, 2, 3, ...
func checkSeqs(t *testing.T, events []Event) {
	t.Helper()
	for i, e := range events {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d (%s) has seq %d", i, e.Kind, e.Seq)
		}
	}
}

// client is a subscriber keeping a State current from its updates.
type client struct {
	ch     <-chan Update
	st     State
	fulls  int
	first  uint64 // the seq of the first update
	deltas []Event
}

// next applies one update, failing the test when none comes within a deadline. It
// returns false when the channel is closed.
func (c *client) next(t *testing.T) (Update, bool) {
	t.Helper()
	select {
	case u, ok := <-c.ch:
		if !ok {
			return Update{}, false
		}
		if c.fulls == 0 && len(c.deltas) == 0 {
			c.first = u.Seq()
		}
		if u.Full != nil {
			c.fulls++
			c.st = u.Full.Clone()
		} else {
			c.deltas = append(c.deltas, *u.Event)
			if err := c.st.Apply(*u.Event); err != nil {
				t.Fatal(err)
			}
		}
		return u, true
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5s")
		return Update{}, false
	}
}

// until applies updates until the client is at seq.
func (c *client) until(t *testing.T, seq uint64) {
	t.Helper()
	for c.st.Seq < seq {
		if _, ok := c.next(t); !ok {
			t.Fatalf("subscription closed at %d, want %d", c.st.Seq, seq)
		}
	}
}

func subscribe(t *testing.T, m *Owner, since uint64) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := m.Subscribe(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	return &client{ch: ch}
}
