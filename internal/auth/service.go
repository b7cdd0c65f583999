package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Config is the auth slice of the server configuration.
type Config struct {
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
}

// Account is what login needs to know of an account; the directory owns accounts.
type Account struct {
	UserID       string
	EnterpriseID string
	Role         Role
	PasswordHash string
	// Active is false when the account or its enterprise is frozen or deleted.
	Active bool
	// MustChangePassword is true while the account's password is one set for it
	// (generated at creation or by a reset): its sessions are restricted until
	// the account changes it (Principal.MustChangePassword).
	MustChangePassword bool
}

// Accounts finds accounts for login. The directory implements it.
type Accounts interface {
	// AccountByLogin returns the account whose sign-in name is login: a normalised
	// email (it holds '@') or a normalised phone number (NormalizePhone; it never
	// does), or an error matching errs.ErrNotFound.
	AccountByLogin(ctx context.Context, login string) (Account, error)
}

// Service logs accounts in and out and authenticates requests by session token.
type Service struct {
	cfg      Config
	st       *store.Store
	accounts Accounts
	bus      *bus.Bus
	log      *slog.Logger

	// Login throttles (see Login and docs/api.md).
	perSource  *Throttle
	perPair    *Throttle
	perAccount *Throttle
	perDevice  *Throttle
	known      knownSources
	deviceKey  []byte

	// checks counts password verifications, for tests and metrics.
	checks atomic.Uint64

	mu       sync.Mutex
	watchers map[string]map[*watcher]struct{} // by session ID
	stop     context.CancelFunc
	done     chan struct{}
}

type watcher struct{ cancel context.CancelCauseFunc }

const sessionsColl = "sessions"

// topicRevoked carries the IDs of sessions that were ended.
const topicRevoked = "auth.sessions.revoked"

// ErrSessionRevoked is the cause of a watched context ended by a revocation.
var ErrSessionRevoked = errors.New("session revoked")

// ErrSessionExpired is the cause of a watched context ended by expiry.
var ErrSessionExpired = errors.New("session expired")

type sessionDoc struct {
	ID           string    `bson:"_id"`
	UserID       string    `bson:"userId"`
	EnterpriseID string    `bson:"enterpriseId,omitempty"`
	Role         string    `bson:"role"`
	CreatedAt    time.Time `bson:"createdAt"`
	ExpiresAt    time.Time `bson:"expiresAt"`
	Source       string    `bson:"source,omitempty"`
	UserAgent    string    `bson:"userAgent,omitempty"`
	// MustChangePassword restricts the session until the password is changed.
	MustChangePassword bool `bson:"mustChangePassword,omitempty"`
}

// New creates the service and its indexes, and starts listening for revocations.
func New(ctx context.Context, cfg Config, st *store.Store, accounts Accounts, b *bus.Bus, log *slog.Logger) (*Service, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 72 * time.Hour
	}
	if err := st.EnsureIndexes(ctx, sessionsColl,
		mongo.IndexModel{Keys: bson.D{{Key: "userId", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "enterpriseId", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "expiresAt", Value: 1}}},
	); err != nil {
		return nil, err
	}
	key, err := deviceKey(ctx, st)
	if err != nil {
		return nil, err
	}
	s := &Service{
		cfg: cfg, st: st, accounts: accounts, bus: b, log: log,
		// Per source address: 20 failures in 15 minutes lock it for 5 minutes, doubling to 1 hour.
		perSource: &Throttle{Limit: 20, Window: 15 * time.Minute, BaseLock: 5 * time.Minute, MaxLock: time.Hour},
		// Per account and source, per account from unknown sources, and per known
		// device: 5 failures in 15 minutes lock it for 1 minute, doubling to 1 hour.
		perPair:    &Throttle{Limit: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour},
		perAccount: &Throttle{Limit: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour},
		perDevice:  &Throttle{Limit: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour},
		deviceKey:  key,
		watchers:   make(map[string]map[*watcher]struct{}),
		done:       make(chan struct{}),
	}
	rctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	events := b.Subscribe(rctx, topicRevoked, 256)
	go s.run(rctx, events)
	return s, nil
}

// Close stops the service's goroutine and returns when it has exited.
func (s *Service) Close() {
	s.stop()
	<-s.done
}

// run ends watchers of revoked sessions and sweeps expired sessions hourly.
func (s *Service) run(ctx context.Context, events <-chan bus.Event) {
	defer close(s.done)
	sweep := time.NewTicker(time.Hour)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			ids, _ := ev.Payload.([]string)
			s.endWatchers(ids, ErrSessionRevoked)
		case <-sweep.C:
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if _, err := s.st.W.Collection(sessionsColl).DeleteMany(dctx, bson.M{"expiresAt": bson.M{"$lt": time.Now()}}); err != nil {
				s.log.Warn("sweeping expired sessions", "err", err)
			}
			cancel()
		}
	}
}

// Attempt is one login attempt. Exactly one of Email and Phone names the account.
type Attempt struct {
	Email, Phone, Password string
	// Source is the client's address; UserAgent is kept with the session.
	Source, UserAgent string
	// Device is the device cookie the client presented, if any.
	Device string
}

// LoginResult is a successful login.
type LoginResult struct {
	Token     string
	Principal *Principal
	// Device is a fresh device cookie for the client to keep (DeviceCookieName).
	Device string
}

// Login checks the email or phone number and the password and opens a session.
// Unknown accounts, wrong passwords and inactive accounts all answer
// errs.KindUnauthenticated with the same message; repeated failures answer
// errs.KindRateLimited; an attempt naming neither or both of email and phone
// answers errs.KindInvalid.
//
// Every attempt is reserved with the throttles before its password is checked, and
// refused attempts never reach the hash. A login with a valid device cookie for
// the account is limited only by its device's own failures; other logins by the
// failures of their source and of the (account, source) pair, and, when the
// account never logged in from that source, by the account's failures from
// everywhere. Every throttle keys on the normalised sign-in name (LoginName), so
// the spellings of one phone number are one account to them.
func (s *Service) Login(ctx context.Context, a Attempt) (*LoginResult, error) {
	name, known, err := LoginName(a.Email, a.Phone)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	device := s.deviceOf(a.Device, name, now)
	var keys []ThrottleKey
	if device != "" {
		keys = []ThrottleKey{{Throttle: s.perDevice, Key: device + "\x00" + name}}
	} else {
		keys = []ThrottleKey{
			{Throttle: s.perSource, Key: a.Source, KeepOnSuccess: true},
			{Throttle: s.perPair, Key: name + "\x00" + a.Source},
		}
		if !s.known.has(name, a.Source, now) {
			keys = append(keys, ThrottleKey{Throttle: s.perAccount, Key: name})
		}
	}
	ticket, wait := ReserveAll(keys...)
	if ticket == nil {
		return nil, RateLimited(wait)
	}
	defer ticket.Release() // when the password was not checked
	acc, err := Account{}, errs.ErrNotFound
	if known {
		acc, err = s.accounts.AccountByLogin(ctx, name)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
	}
	if device != "" {
		// A known device does not queue behind others' guesses for a hash slot.
		ctx = withHashPriority(ctx)
	}
	s.checks.Add(1)
	ok, verr := VerifyPassword(ctx, a.Password, acc.PasswordHash)
	if verr != nil {
		return nil, verr
	}
	if err != nil || !ok || !acc.Active || acc.Role == RoleUnknown {
		ticket.Fail()
		return nil, errs.New(errs.KindUnauthenticated, "wrong email, phone number or password")
	}
	ticket.Succeed()
	s.known.add(name, a.Source, now)
	token, p, err := s.openSession(ctx, acc, a.Source, a.UserAgent)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, Principal: p, Device: s.deviceCookie(name, now)}, nil
}

// PasswordChecks returns how many passwords Login has verified (hashed) since the
// service started.
func (s *Service) PasswordChecks() uint64 { return s.checks.Load() }

// RateLimited is the errs.KindRateLimited error of an attempt that must wait, with
// retryAfterSeconds.
func RateLimited(wait time.Duration) error {
	e := errs.New(errs.KindRateLimited, "too many failed attempts; try again in %d seconds", int(math.Ceil(wait.Seconds())))
	e.Details = map[string]any{"retryAfterSeconds": int(math.Ceil(wait.Seconds()))}
	return e
}

const tokenPrefix = "jst_"

func (s *Service) openSession(ctx context.Context, acc Account, source, userAgent string) (string, *Principal, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("auth: token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now().UTC()
	doc := sessionDoc{
		ID: hashToken(token), UserID: acc.UserID, EnterpriseID: acc.EnterpriseID, Role: acc.Role.String(),
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), Source: source, UserAgent: truncate(userAgent, 256),
		MustChangePassword: acc.MustChangePassword,
	}
	if _, err := s.st.W.Collection(sessionsColl).InsertOne(ctx, doc); err != nil {
		return "", nil, fmt.Errorf("auth: open session: %w", err)
	}
	return token, doc.principal(), nil
}

func (d *sessionDoc) principal() *Principal {
	return &Principal{UserID: d.UserID, EnterpriseID: d.EnterpriseID, Role: ParseRole(d.Role), SessionID: d.ID, MustChangePassword: d.MustChangePassword}
}

// Authenticate returns the principal of a session token. Revoked, expired and
// malformed tokens answer errs.KindUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, time.Time, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return nil, time.Time{}, errs.New(errs.KindUnauthenticated, "invalid or expired session")
	}
	var d sessionDoc
	err := s.st.R.Collection(sessionsColl).FindOne(ctx, bson.M{"_id": hashToken(token)}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && !time.Now().Before(d.ExpiresAt)) {
		return nil, time.Time{}, errs.New(errs.KindUnauthenticated, "invalid or expired session")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("auth: find session: %w", err)
	}
	return d.principal(), d.ExpiresAt, nil
}

// Logout ends the session with that ID.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return s.revoke(ctx, bson.M{"_id": sessionID})
}

// RevokeUser ends every session of the user, including open subscriptions.
func (s *Service) RevokeUser(ctx context.Context, userID string) error {
	return s.revoke(ctx, bson.M{"userId": userID})
}

// RevokeOtherSessions ends every session of the user but keep (the caller's own).
func (s *Service) RevokeOtherSessions(ctx context.Context, userID, keep string) error {
	return s.revoke(ctx, bson.M{"userId": userID, "_id": bson.M{"$ne": keep}})
}

// PasswordChanged is told that the user changed their own password in session
// keep: every other session of the user ends, and keep is no longer restricted
// (Principal.MustChangePassword).
func (s *Service) PasswordChanged(ctx context.Context, userID, keep string) error {
	if err := s.RevokeOtherSessions(ctx, userID, keep); err != nil {
		return err
	}
	if _, err := s.st.W.Collection(sessionsColl).UpdateByID(ctx, keep, bson.M{"$unset": bson.M{"mustChangePassword": ""}}); err != nil {
		return fmt.Errorf("auth: lift password change: %w", err)
	}
	return nil
}

// RevokeEnterprise ends every session of the enterprise's accounts.
func (s *Service) RevokeEnterprise(ctx context.Context, enterpriseID string) error {
	return s.revoke(ctx, bson.M{"enterpriseId": enterpriseID})
}

func (s *Service) revoke(ctx context.Context, filter bson.M) error {
	c := s.st.W.Collection(sessionsColl)
	cur, err := c.Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return fmt.Errorf("auth: find sessions: %w", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("auth: read sessions: %w", err)
	}
	if _, err := c.DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("auth: delete sessions: %w", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	if len(ids) > 0 {
		s.bus.Publish(bus.Event{Topic: topicRevoked, Payload: ids})
	}
	return nil
}

// Watch returns a context derived from ctx that ends when p's session is revoked or
// expires (at expiresAt). Long-lived connections (websocket subscriptions) run under
// it so that ending a session closes them.
func (s *Service) Watch(ctx context.Context, p *Principal, expiresAt time.Time) context.Context {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &watcher{cancel: cancel}
	s.mu.Lock()
	m := s.watchers[p.SessionID]
	if m == nil {
		m = make(map[*watcher]struct{})
		s.watchers[p.SessionID] = m
	}
	m[w] = struct{}{}
	s.mu.Unlock()
	timer := time.AfterFunc(time.Until(expiresAt), func() { cancel(ErrSessionExpired) })
	go func() {
		<-wctx.Done()
		timer.Stop()
		s.mu.Lock()
		delete(s.watchers[p.SessionID], w)
		if len(s.watchers[p.SessionID]) == 0 {
			delete(s.watchers, p.SessionID)
		}
		s.mu.Unlock()
	}()
	return wctx
}

func (s *Service) endWatchers(ids []string, cause error) {
	var cancels []context.CancelCauseFunc
	s.mu.Lock()
	for _, id := range ids {
		for w := range s.watchers[id] {
			cancels = append(cancels, w.cancel)
		}
	}
	s.mu.Unlock()
	for _, c := range cancels {
		c(cause)
	}
}

// NormalizeEmail returns the canonical form of an email used for lookups.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

var (
	chinaMobile   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	international = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	phoneNoise    = strings.NewReplacer(" ", "", "\u3000", "", "-", "", "(", "", ")", "")
)

// NormalizePhone returns the canonical form of a phone number and whether it is
// one: an 11-digit mainland China mobile number (a +86 prefix is dropped), or +
// and an international number of 8 to 15 digits (E.164). Spaces, dashes and
// brackets are ignored. The canonical form never holds '@', so it cannot be
// mistaken for an email.
func NormalizePhone(v string) (string, bool) {
	v = phoneNoise.Replace(strings.TrimSpace(v))
	if rest, ok := strings.CutPrefix(v, "+86"); ok && chinaMobile.MatchString(rest) {
		return rest, true
	}
	return v, chinaMobile.MatchString(v) || international.MatchString(v)
}

// LoginName returns the normalised sign-in name of an attempt that gives email or
// phone (exactly one of them), and whether it can name an account at all (a
// malformed phone number or an email without '@' cannot; it is still a throttle
// key, so such attempts are limited like any other).
func LoginName(email, phone string) (name string, valid bool, err error) {
	email, phone = strings.TrimSpace(email), strings.TrimSpace(phone)
	switch {
	case email != "" && phone != "":
		return "", false, errs.Invalid("phone", "sign in with an email address or a phone number, not both")
	case email != "":
		name = NormalizeEmail(email)
		return name, strings.Contains(name, "@"), nil
	case phone != "":
		name, valid = NormalizePhone(phone)
		if !valid {
			// Kept apart from every real sign-in name.
			name = "?" + strings.ReplaceAll(name, "@", "")
		}
		return name, valid, nil
	}
	return "", false, errs.Invalid("email", "an email address or a phone number is required to sign in")
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
