package conference

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/store"
)

// commandLog records the commands a client sends to the store, as
// "<command> <collection>".
type commandLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.cmds
	l.cmds = nil
	return out
}

// TestJoinRefusalsDoTheSameWork: an unknown meeting number and a wrong password run
// the same store commands, so that their time does not tell them apart.
func TestJoinRefusalsDoTheSameWork(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	real, err := store.Open(ctx, store.Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { real.Close(context.Background()) })
	// The service talks to the real store through a client that logs its commands.
	cl := &commandLog{}
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		cl.mu.Lock()
		cl.cmds = append(cl.cmds, e.CommandName+" "+coll)
		cl.mu.Unlock()
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(real.URI).SetDirect(true).SetRetryWrites(false).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(context.Background()) })
	db := c.Database("jishitong")
	st := &store.Store{R: db, W: db, Embedded: true, URI: real.URI}
	b := bus.New(log)
	s, err := New(ctx, Config{}, st, nil, nil, b, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)

	m := Meeting{ID: store.NewID(), Number: "123456789", EnterpriseID: "e1", HostID: "h1", Name: "周会", Password: "654321",
		Start: time.Now().Add(time.Hour).UTC(), DurationSec: 3600, TimeZone: "Asia/Shanghai", Participants: 5, Status: StatusActive}
	if _, err := db.Collection(meetingsColl).InsertOne(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(numbersColl).InsertOne(ctx, bson.M{"_id": m.Number, "kind": "meeting", "refId": m.ID}); err != nil {
		t.Fatal(err)
	}
	cl.take()

	join := func(number, source string) []string {
		t.Helper()
		_, err := s.Join(ctx, nil, JoinInput{Number: number, Password: "000000", DisplayName: "x", Source: source})
		if err == nil || err.Error() != errWrongNumberOrPassword().Error() {
			t.Fatalf("join %s: %v", number, err)
		}
		return cl.take()
	}
	wrong := join(m.Number, "192.0.2.1")
	unknown := join("987654321", "192.0.2.2")
	t.Logf("wrong password: %q; unknown number: %q", wrong, unknown)
	if len(wrong) == 0 || !slices.Equal(wrong, unknown) {
		t.Fatalf("wrong password ran %q, unknown number %q", wrong, unknown)
	}
}

// TestJoinRules: who may enter a meeting, when, and with what: the password (which
// the host, admins and invitees skip), the lock, guests who may start it or wait,
// the host, admins and members before the booked start, an ended or full meeting.
// A join that is let in gets a token whose grant says who entered which run; one
// that is refused stores no token and starts nothing.
func TestJoinRules(t *testing.T) {
	ctx := context.Background()
	const password = "123456"
	invitee := &auth.Principal{UserID: "u3", EnterpriseID: "e1", Role: auth.RoleMember}
	// prep steps, run before the join under test.
	start := func(t *testing.T, s *Service, m *Meeting) *Run {
		t.Helper()
		r, err := s.Start(ctx, host, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name string
		cfg  Config
		// started books the meeting from 10 minutes ago; else it starts in two days.
		started, guestsMayStart bool
		prep                    func(t *testing.T, s *Service, m *Meeting)
		who                     *auth.Principal // nil: a guest
		password                string
		// kind, field and msg are the refusal; kind 0: let in as role, moderating
		// or not.
		kind      errs.Kind
		field     string
		msg       string
		role      ParticipantRole
		moderator bool
	}{
		{name: "guest with the password starts a meeting guests may start", started: true, guestsMayStart: true, password: password, role: RoleParticipant},
		{name: "guest waits for the host", started: true, password: password,
			kind: errs.KindConflict, field: "number", msg: "the meeting has not started yet; please wait for the host (booked to start at …"},
		{name: "guest enters once the host started", started: true, password: password, prep: func(t *testing.T, s *Service, m *Meeting) { start(t, s, m) }, role: RoleParticipant},
		{name: "guest may not start it before its booked start", guestsMayStart: true, password: password,
			kind: errs.KindConflict, field: "number", msg: "the meeting has not started yet; please wait for the host (booked to start at …"},
		{name: "guest with a wrong password", started: true, guestsMayStart: true, password: "654321",
			kind: errs.KindNotFound, msg: "wrong meeting number or password"},
		{name: "guest without a password", started: true, guestsMayStart: true,
			kind: errs.KindNotFound, msg: "wrong meeting number or password"},
		{name: "host before the start, without the password", who: host, role: RoleHost, moderator: true},
		{name: "host before EarlyStart allows", cfg: Config{EarlyStart: 10 * time.Minute}, who: host,
			kind: errs.KindConflict, field: "number", msg: "the host may start this meeting from …"},
		{name: "admin before the start", who: admin, role: RoleParticipant, moderator: true},
		{name: "member before the start waits", who: colleague, password: password,
			kind: errs.KindConflict, field: "number", msg: "the meeting has not started yet; please wait for the host (booked to start at …"},
		{name: "member starts it from its start", started: true, who: colleague, password: password, role: RoleParticipant},
		{name: "member not invited needs the password", started: true, who: colleague,
			kind: errs.KindNotFound, msg: "wrong meeting number or password"},
		{name: "invitee skips the password", started: true, who: invitee, role: RolePresenter},
		{name: "member of another enterprise needs the password", started: true, who: outsider, prep: func(t *testing.T, s *Service, m *Meeting) { start(t, s, m) },
			kind: errs.KindNotFound, msg: "wrong meeting number or password"},
		{name: "locked meeting refuses a guest", started: true, password: password, prep: func(t *testing.T, s *Service, m *Meeting) {
			locked := true
			if err := s.SaveSwitches(ctx, start(t, s, m).ID, meeting.Switches{Locked: &locked}); err != nil {
				t.Fatal(err)
			}
		}, kind: errs.KindForbidden, msg: "the meeting is locked"},
		{name: "locked meeting lets the host in", started: true, who: host, prep: func(t *testing.T, s *Service, m *Meeting) {
			locked := true
			if err := s.SaveSwitches(ctx, start(t, s, m).ID, meeting.Switches{Locked: &locked}); err != nil {
				t.Fatal(err)
			}
		}, role: RoleHost, moderator: true},
		{name: "ended meeting", started: true, guestsMayStart: true, password: password, prep: func(t *testing.T, s *Service, m *Meeting) {
			start(t, s, m)
			if _, err := endNow(ctx, s, host, m.ID); err != nil {
				t.Fatal(err)
			}
		}, kind: errs.KindConflict, field: "number", msg: "the meeting has ended"},
		{name: "full meeting refuses a guest", started: true, password: password, prep: func(t *testing.T, s *Service, m *Meeting) {
			r := start(t, s, m)
			for range m.Participants {
				if err := s.Joined(ctx, meeting.Presence{RunID: r.ID, Name: "访客"}); err != nil {
					t.Fatal(err)
				}
			}
		}, kind: errs.KindConflict, field: "number", msg: "the meeting is full (3 participants)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pp := newPeople(0)
			pp.members["u3"] = &directory.Member{ID: "u3", EnterpriseID: "e1", Name: "孙七", Status: "active"}
			s, st := newService(t, c.cfg, pp.directory())
			at := slot(10, 0)
			if c.started {
				at = time.Now().Add(-10 * time.Minute)
			}
			name, pw := "周会", password
			m, err := s.Book(ctx, host, BookingInput{Start: at, Duration: time.Hour, Name: &name, Password: &pw, Participants: 3,
				MemberIDs: []string{"u3"}, PresenterID: "u3", Options: Options{GuestsMayStart: c.guestsMayStart}})
			if err != nil {
				t.Fatal(err)
			}
			if c.prep != nil {
				c.prep(t, s, m)
			}
			runs, _ := st.R.Collection(runsColl).CountDocuments(ctx, bson.M{})
			j, err := s.Join(ctx, c.who, JoinInput{Number: m.Number, Password: c.password, DisplayName: "来宾", Source: "192.0.2.7"})
			if c.kind != errs.KindUnknown {
				wantErr(t, err, c.kind, c.field, c.msg)
				if n, _ := st.R.Collection(joinTokensColl).CountDocuments(ctx, bson.M{}); n != 0 {
					t.Errorf("%d join tokens stored after the refusal", n)
				}
				if n, _ := st.R.Collection(runsColl).CountDocuments(ctx, bson.M{}); n != runs {
					t.Errorf("%d runs after the refusal, %d before", n, runs)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			g, err := s.Redeem(ctx, j.Token)
			if err != nil {
				t.Fatal(err)
			}
			wantUser := ""
			if c.who != nil {
				wantUser = c.who.UserID
			}
			if g.RunID != j.Run.ID || g.MeetingID != m.ID || g.UserID != wantUser || g.Role.String() != string(c.role) || g.Moderator != c.moderator {
				t.Errorf("grant %+v, want user %q as %s (moderator %v) in run %s", g, wantUser, c.role, c.moderator, j.Run.ID)
			}
			r, err := s.RunInProgress(ctx, host, m.ID)
			if err != nil || r.ID != j.Run.ID {
				t.Errorf("run in progress %v (%v), joined %s", r, err, j.Run.ID)
			}
		})
	}
}

// TestJoinThrottle: ten wrong passwords from one address lock that address out of
// the meeting, even with the right password, and say for how long; another address
// with the right password, and the host, still enter.
func TestJoinThrottle(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, Config{}, newPeople(0).directory())
	name, pw := "周会", "123456"
	m, err := s.Book(ctx, host, BookingInput{Start: time.Now().Add(-10 * time.Minute), Duration: time.Hour, Name: &name, Password: &pw,
		Participants: 5, Options: Options{GuestsMayStart: true}})
	if err != nil {
		t.Fatal(err)
	}
	join := func(p *auth.Principal, source, password string) error {
		_, err := s.Join(ctx, p, JoinInput{Number: m.Number, Password: password, DisplayName: "来宾", Source: source})
		return err
	}
	for i := range 10 {
		if err := join(nil, "192.0.2.1", "000000"); errs.KindOf(err) != errs.KindNotFound {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	steps := []struct {
		name             string
		who              *auth.Principal
		source, password string
		kind             errs.Kind // 0: let in
	}{
		{"the guessing address, wrong", nil, "192.0.2.1", "000000", errs.KindRateLimited},
		{"the guessing address, right", nil, "192.0.2.1", pw, errs.KindRateLimited},
		{"another address, right", nil, "192.0.2.2", pw, errs.KindUnknown},
		{"the host from the guessing address", host, "192.0.2.1", "", errs.KindUnknown},
	}
	for _, c := range steps {
		t.Run(c.name, func(t *testing.T) {
			err := join(c.who, c.source, c.password)
			if c.kind == errs.KindUnknown {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := wantErr(t, err, c.kind, "", "too many wrong passwords; try again in …")
			if secs, _ := e.Details["retryAfterSeconds"].(int); secs <= 0 || secs > 15*60 {
				t.Errorf("retry after %v seconds", e.Details["retryAfterSeconds"])
			}
		})
	}
}
