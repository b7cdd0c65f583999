// Package conference holds cloud meeting rooms, bookings (single meetings and
// recurring series), capacity and resource status, invitations, the lifecycle of
// meetings (scheduled, live, ended), history and meeting logs.
package conference

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/notify"
	"github.com/jishitong/jishitong/internal/store"
)

// Config is the conference slice of the server configuration.
type Config struct {
	// PlatformCapacity is how many participants the platform serves at once.
	PlatformCapacity int
	// DefaultParticipants is a booking's capacity when none is given.
	DefaultParticipants int
	// DefaultDuration is a booking's length when none is given.
	DefaultDuration time.Duration
	// DefaultTimeZone is used when a booking names none.
	DefaultTimeZone string
	// EarlyStart is how long before its start the host (and the enterprise's admins)
	// may start an occurrence of a meeting; 0 means at any time before its end, as
	// Tencent Meeting and Zoom allow.
	EarlyStart time.Duration
	// Grace is how long a running meeting may run past its booked end before it ends.
	Grace time.Duration
	// EmptyTimeout ends a running meeting nobody has been in for this long.
	EmptyTimeout time.Duration
	// PublicURL is the base of join links in mails.
	PublicURL string
	// Runs, when set, is told synchronously, after the `meeting.<id>` bus event, when a
	// run starts or ends: the registry of running meetings (meeting.Registry), so that
	// it knows each meeting's run and ends a run's owner at once. Its methods must not
	// block.
	Runs RunObserver
}

// RunObserver is told of run starts and ends (Config.Runs); *meeting.Registry
// implements it.
type RunObserver interface {
	Started(meetingID, runID string)
	End(ctx context.Context, runID string)
}

func (c *Config) defaults() {
	if c.PlatformCapacity <= 0 {
		c.PlatformCapacity = 1000
	}
	if c.DefaultParticipants <= 0 {
		c.DefaultParticipants = 25
	}
	if c.DefaultDuration <= 0 {
		c.DefaultDuration = time.Hour
	}
	if c.DefaultTimeZone == "" {
		c.DefaultTimeZone = "Asia/Shanghai"
	}
	if c.Grace <= 0 {
		c.Grace = 15 * time.Minute
	}
	if c.EmptyTimeout <= 0 {
		c.EmptyTimeout = 10 * time.Minute
	}
}

// Directory is what the conference domain needs of the directory.
type Directory interface {
	Member(ctx context.Context, p *auth.Principal, id string) (*directory.Member, error)
	Group(ctx context.Context, p *auth.Principal, id string) (*directory.Group, error)
	MemberByID(ctx context.Context, id string) (*directory.Member, error)
	EnterpriseByID(ctx context.Context, id string) (*directory.Enterprise, error)
}

// Mailer queues invitation mails; notify.Outbox implements it.
type Mailer interface {
	Enqueue(ctx context.Context, refType, refID string, inv notify.Invitation, attendees []notify.Person) error
	Deliveries(ctx context.Context, refType, refID string) ([]notify.Delivery, error)
	DeliveriesOf(ctx context.Context, refType string, refIDs []string) (map[string][]notify.Delivery, error)
}

// Service is the conference domain.
type Service struct {
	cfg  Config
	st   *store.Store
	dir  Directory
	mail Mailer
	bus  *bus.Bus
	log  *slog.Logger
	host string // public URL host, for iCalendar UIDs

	mu    sync.Mutex
	sched *schedule

	// Wrong meeting passwords: per source 20 in 15 minutes, per (meeting, source)
	// 10; per meeting 10, refusing only sources that have failed for it (Join).
	joinThrottleSource  *auth.Throttle
	joinThrottlePair    *auth.Throttle
	joinThrottleMeeting *auth.Throttle
	// joinDecoy is the ID of a meeting Join found before; an unknown number reads
	// it instead (joinGate).
	joinDecoy atomic.Pointer[string]

	// dialer calls absent invitees besides the in-app notice (SetDialer).
	dialer Dialer
	// calls holds when each member was last called into each run ("<run>\x00<member>"),
	// for CallCooldown.
	callMu sync.Mutex
	calls  map[string]time.Time

	stop context.CancelFunc
	done chan struct{}
}

// New creates the service and its indexes, and starts the lifecycle sweeper.
func New(ctx context.Context, cfg Config, st *store.Store, dir Directory, mail Mailer, b *bus.Bus, log *slog.Logger) (*Service, error) {
	cfg.defaults()
	for _, c := range []string{roomsColl, meetingsColl, numbersColl, locksColl, countersColl, runsColl, inProgressColl, logsColl, historyColl, joinTokensColl, chatColl} {
		if err := st.EnsureIndexes(ctx, c); err != nil {
			return nil, err
		}
	}
	// Whiteboards are read by run ID; the enterprise index serves per-tenant work
	// (listing, retention, removing an enterprise).
	if err := st.EnsureIndexes(ctx, whiteboardsColl, mongo.IndexModel{Keys: bson.D{{Key: "enterpriseId", Value: 1}}}); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, st: st, dir: dir, mail: mail, bus: b, log: log, done: make(chan struct{}),
		joinThrottleSource:  &auth.Throttle{Limit: 20, Window: 15 * time.Minute, BaseLock: 5 * time.Minute, MaxLock: time.Hour},
		joinThrottlePair:    &auth.Throttle{Limit: 10, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: 15 * time.Minute},
		joinThrottleMeeting: &auth.Throttle{Limit: 10, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: 15 * time.Minute}}
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		s.host = u.Hostname()
	}
	var any struct {
		ID string `bson:"_id"`
	}
	if err := st.R.Collection(meetingsColl).FindOne(ctx, bson.M{}, options.FindOne().SetProjection(bson.M{"_id": 1})).Decode(&any); err == nil {
		s.joinDecoy.Store(&any.ID)
	}
	if err := s.migrateInProgress(ctx); err != nil {
		return nil, err
	}
	if err := s.bootstrapRoom(ctx); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go s.sweep(sctx)
	return s, nil
}

// Close stops the sweeper and returns when it has exited.
func (s *Service) Close() {
	s.stop()
	<-s.done
}
