package conference

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/notify"
	"github.com/jishitong/jishitong/internal/store"
)

// fakeDirectory is a Directory whose answers are func fields; a nil field answers
// NOT_FOUND.
type fakeDirectory struct {
	member         func(ctx context.Context, p *auth.Principal, id string) (*directory.Member, error)
	group          func(ctx context.Context, p *auth.Principal, id string) (*directory.Group, error)
	memberByID     func(ctx context.Context, id string) (*directory.Member, error)
	enterpriseByID func(ctx context.Context, id string) (*directory.Enterprise, error)
}

func (d *fakeDirectory) Member(ctx context.Context, p *auth.Principal, id string) (*directory.Member, error) {
	if d.member == nil {
		return nil, errs.NotFound("member")
	}
	return d.member(ctx, p, id)
}

func (d *fakeDirectory) Group(ctx context.Context, p *auth.Principal, id string) (*directory.Group, error) {
	if d.group == nil {
		return nil, errs.NotFound("group")
	}
	return d.group(ctx, p, id)
}

func (d *fakeDirectory) MemberByID(ctx context.Context, id string) (*directory.Member, error) {
	if d.memberByID == nil {
		return nil, errs.NotFound("member")
	}
	return d.memberByID(ctx, id)
}

func (d *fakeDirectory) EnterpriseByID(ctx context.Context, id string) (*directory.Enterprise, error) {
	if d.enterpriseByID == nil {
		return nil, errs.NotFound("enterprise")
	}
	return d.enterpriseByID(ctx, id)
}

// fakeMailer is a Mailer whose answers are func fields; a nil field does nothing.
type fakeMailer struct {
	enqueue      func(ctx context.Context, refType, refID string, inv notify.Invitation, attendees []notify.Person) error
	deliveries   func(ctx context.Context, refType, refID string) ([]notify.Delivery, error)
	deliveriesOf func(ctx context.Context, refType string, refIDs []string) (map[string][]notify.Delivery, error)
}

func (m *fakeMailer) Enqueue(ctx context.Context, refType, refID string, inv notify.Invitation, attendees []notify.Person) error {
	if m.enqueue == nil {
		return nil
	}
	return m.enqueue(ctx, refType, refID, inv, attendees)
}

func (m *fakeMailer) Deliveries(ctx context.Context, refType, refID string) ([]notify.Delivery, error) {
	if m.deliveries == nil {
		return nil, nil
	}
	return m.deliveries(ctx, refType, refID)
}

func (m *fakeMailer) DeliveriesOf(ctx context.Context, refType string, refIDs []string) (map[string][]notify.Delivery, error) {
	if m.deliveriesOf == nil {
		return nil, nil
	}
	return m.deliveriesOf(ctx, refType, refIDs)
}

// people is a directory of a few enterprises and their members, served by a
// fakeDirectory.
type people struct {
	enterprises map[string]*directory.Enterprise
	members     map[string]*directory.Member
}

// Who the tests act as: 张三 (the host of most bookings), 李四 and the admin 王五 of
// 甲公司 (e1), 赵六 of 乙公司 (e2), and a platform administrator.
var (
	host      = &auth.Principal{UserID: "u1", EnterpriseID: "e1", Role: auth.RoleMember}
	colleague = &auth.Principal{UserID: "u2", EnterpriseID: "e1", Role: auth.RoleMember}
	admin     = &auth.Principal{UserID: "a1", EnterpriseID: "e1", Role: auth.RoleEnterpriseAdmin}
	outsider  = &auth.Principal{UserID: "v1", EnterpriseID: "e2", Role: auth.RoleMember}
	platform  = &auth.Principal{UserID: "p1", Role: auth.RolePlatformAdmin}
)

// newPeople returns 甲公司 with the given quota (0: none) and 乙公司 without one, and
// their members.
func newPeople(quota int) *people {
	p := &people{
		enterprises: map[string]*directory.Enterprise{
			"e1": {ID: "e1", Name: "甲公司", Quota: quota},
			"e2": {ID: "e2", Name: "乙公司"},
		},
		members: map[string]*directory.Member{},
	}
	for _, m := range []struct{ id, ent, name, email string }{
		{"u1", "e1", "张三", "zhang@example.com"},
		{"u2", "e1", "李四", "li@example.com"},
		{"a1", "e1", "王五", "wang@example.com"},
		{"v1", "e2", "赵六", "zhao@example.com"},
	} {
		p.members[m.id] = &directory.Member{ID: m.id, EnterpriseID: m.ent, Name: m.name, Email: m.email, Status: "active"}
	}
	return p
}

// directory returns the fake directory that answers from p.
func (p *people) directory() *fakeDirectory {
	return &fakeDirectory{
		member: func(_ context.Context, by *auth.Principal, id string) (*directory.Member, error) {
			m := p.members[id]
			if m == nil || m.EnterpriseID != by.EnterpriseID {
				return nil, errs.NotFound("member")
			}
			return m, nil
		},
		memberByID: func(_ context.Context, id string) (*directory.Member, error) {
			if m := p.members[id]; m != nil {
				return m, nil
			}
			return nil, errs.NotFound("member")
		},
		enterpriseByID: func(_ context.Context, id string) (*directory.Enterprise, error) {
			if e := p.enterprises[id]; e != nil {
				return e, nil
			}
			return nil, errs.NotFound("enterprise")
		},
	}
}

// newService opens a fresh embedded store and the conference service on it, with
// the directory dir and a mailer that accepts everything. Both close at the end of
// the test.
func newService(t *testing.T, cfg Config, dir Directory) (*Service, *store.Store) {
	t.Helper()
	return newServiceMail(t, cfg, dir, &fakeMailer{})
}

// newServiceMail is newService with the mailer mail.
func newServiceMail(t *testing.T, cfg Config, dir Directory, mail Mailer) (*Service, *store.Store) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	s := serviceOn(t, st, cfg, dir, mail)
	return s, st
}

// serviceOn starts another conference service on st (as a second process would).
func serviceOn(t *testing.T, st *store.Store, cfg Config, dir Directory, mail Mailer) *Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(context.Background(), cfg, st, dir, mail, bus.New(log), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// slot returns a fixed time on a day well ahead (2 days from now, at h:min UTC):
// bookings must lie ahead of the clock, and the tests place them at whole hours of
// that day so that their overlaps are exact.
func slot(h, min int) time.Time {
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	return day.Add(time.Duration(h)*time.Hour + time.Duration(min)*time.Minute)
}

// book books a meeting named name for p from start for d with n participants in
// room (empty: the system picks), failing the test on error.
func book(t *testing.T, s *Service, p *auth.Principal, name string, start time.Time, d time.Duration, n int, room string) *Meeting {
	t.Helper()
	m, err := s.Book(context.Background(), p, BookingInput{Start: start, Duration: d, TimeZone: "UTC", Name: &name, Participants: n, RoomID: room})
	if err != nil {
		t.Fatalf("book %s: %v", name, err)
	}
	return m
}

// newRoom creates a room as a platform administrator, failing the test on error.
func newRoom(t *testing.T, s *Service, in RoomInput) *Room {
	t.Helper()
	r, err := s.CreateRoom(context.Background(), platform, in)
	if err != nil {
		t.Fatalf("create room %s: %v", in.Number, err)
	}
	return r
}

// wantErr checks that err is a domain error of kind, about field, whose message
// is msg exactly (or, when msg ends in "…", starts with the rest).
func wantErr(t *testing.T, err error, kind errs.Kind, field, msg string) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error %v, want %v %q", err, kind, msg)
	}
	if e.Kind != kind || e.Field != field {
		t.Errorf("error %v on field %q (%q), want %v on %q", e.Kind, e.Field, e.Message, kind, field)
	}
	if p, ok := strings.CutSuffix(msg, "…"); ok {
		if !strings.HasPrefix(e.Message, p) {
			t.Errorf("message %q, want it to start with %q", e.Message, p)
		}
	} else if e.Message != msg {
		t.Errorf("message %q,\nwant    %q", e.Message, msg)
	}
	return e
}

// stored reads meeting id from the store as the next process would.
func stored(t *testing.T, s *Service, id string) *Meeting {
	t.Helper()
	m, err := s.loadMeeting(context.Background(), id)
	if err != nil {
		t.Fatalf("load meeting %s: %v", id, err)
	}
	return m
}

// span is how a conflict message names occurrence [from, to) of a UTC meeting.
func span(from, to time.Time) string {
	return "from " + fmtTime(from, time.UTC) + " to " + to.UTC().Format("15:04")
}

// TestMain fails the package's tests when a goroutine outlives them: every
// service's sweeper, lock wait and store client must stop when the test closes it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// endNow ends the meeting's run in progress as p, as the coordinator of running
// meetings does (meeting.Service.End: it has checked that p moderates it).
func endNow(ctx context.Context, s *Service, p *auth.Principal, meetingID string) (*Run, error) {
	r, err := s.RunInProgress(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	if err := s.EndRun(ctx, r.ID, p.UserID); err != nil {
		return nil, err
	}
	return s.run(ctx, r.ID)
}
