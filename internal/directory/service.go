// Package directory holds enterprises (tenants), their members and groups, bulk
// import and export, and branding.
package directory

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Config is the directory's slice of the server configuration.
type Config struct {
	// DataDir is where uploaded files (logos) are kept, under DataDir/branding.
	DataDir string
	// MaxLogoBytes bounds logo uploads.
	MaxLogoBytes int64
}

// Revoker ends sessions; the auth service implements it.
type Revoker interface {
	RevokeUser(ctx context.Context, userID string) error
	// PasswordChanged ends the user's other sessions and lifts the password-change
	// restriction from keep.
	PasswordChanged(ctx context.Context, userID, keep string) error
	RevokeEnterprise(ctx context.Context, enterpriseID string) error
}

// Service is the directory. Every method takes the caller and scopes what it reads
// and writes to the caller's enterprise; an object of another enterprise answers
// errs.ErrNotFound exactly like a missing one.
type Service struct {
	cfg     Config
	st      *store.Store
	bus     *bus.Bus
	revoker Revoker
	log     *slog.Logger
	members memberIndex
	// pwChange limits guesses of the current password in ChangePassword, per
	// account: a stolen session must not become an unlimited password oracle.
	pwChange *auth.Throttle
}

const (
	enterprisesColl = "enterprises"
	usersColl       = "users"
	groupsColl      = "groups"
	domainsColl     = "domains"
)

// New creates the service and its indexes.
func New(ctx context.Context, cfg Config, st *store.Store, b *bus.Bus, log *slog.Logger) (*Service, error) {
	if cfg.MaxLogoBytes <= 0 {
		cfg.MaxLogoBytes = 1 << 20
	}
	idx := []struct {
		coll   string
		models []mongo.IndexModel
	}{
		{enterprisesColl, []mongo.IndexModel{
			{Keys: bson.D{{Key: "codeKey", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "nameKey", Value: 1}, {Key: "_id", Value: 1}}},
		}},
		{usersColl, []mongo.IndexModel{
			{Keys: bson.D{{Key: "emailKey", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "empKey", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "enterpriseId", Value: 1}, {Key: "nameKey", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "role", Value: 1}}},
		}},
		{groupsColl, []mongo.IndexModel{
			{Keys: bson.D{{Key: "nameKey", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "enterpriseId", Value: 1}, {Key: "sortKey", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "enterpriseId", Value: 1}, {Key: "orderKey", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "memberIds", Value: 1}}},
		}},
		{domainsColl, []mongo.IndexModel{
			{Keys: bson.D{{Key: "enterpriseId", Value: 1}}},
		}},
		{loginsColl, nil},
	}
	for _, i := range idx {
		if err := st.EnsureIndexes(ctx, i.coll, i.models...); err != nil {
			return nil, err
		}
	}
	s := &Service{cfg: cfg, st: st, bus: b, log: log,
		pwChange: &auth.Throttle{Limit: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}}
	// Accounts stored before phone numbers were sign-in names get their key
	// before the unique index on it exists.
	if err := s.migratePhoneKeys(ctx); err != nil {
		return nil, err
	}
	if err := st.EnsureIndexes(ctx, usersColl,
		mongo.IndexModel{Keys: bson.D{{Key: "phoneKey", Value: 1}}, Options: options.Index().SetUnique(true)}); err != nil {
		return nil, err
	}
	if err := s.reconcileLogins(ctx); err != nil {
		return nil, err
	}
	if err := s.reorderGroups(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// SetRevoker wires the session revoker (auth is built after the directory because it
// reads accounts from it).
func (s *Service) SetRevoker(r Revoker) { s.revoker = r }

// EventKind says what changed in a directory.
type EventKind int

// Directory event kinds.
const (
	EventUnknown EventKind = iota
	EventMemberChanged
	EventMemberDeleted
	EventGroupChanged
	EventGroupDeleted
	EventImported
	EventBrandingChanged
)

// String names the kind.
func (k EventKind) String() string {
	return [...]string{"UNKNOWN", "MEMBER_CHANGED", "MEMBER_DELETED", "GROUP_CHANGED", "GROUP_DELETED", "IMPORTED", "BRANDING_CHANGED"}[k]
}

// Event tells subscribers of an enterprise's directory what changed.
type Event struct {
	Kind EventKind
	// ID is the member or group concerned; empty for imports and branding.
	ID string
}

func topic(enterpriseID string) string { return "directory." + enterpriseID }

func (s *Service) publish(enterpriseID string, kind EventKind, id string) {
	s.bus.Publish(bus.Event{Topic: topic(enterpriseID), Payload: Event{Kind: kind, ID: id}})
}

// Subscribe streams the caller's enterprise directory events until ctx ends.
func (s *Service) Subscribe(ctx context.Context, p *auth.Principal) (<-chan Event, error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	in := s.bus.Subscribe(ctx, topic(p.EnterpriseID), 64)
	out := make(chan Event, 16)
	go func() {
		defer close(out)
		for ev := range in {
			e, _ := ev.Payload.(Event)
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// requireSignedIn fails for anonymous callers.
func requireSignedIn(p *auth.Principal) error {
	if p == nil {
		return errs.ErrUnauthenticated
	}
	return nil
}

// requireEnterprise fails unless the caller belongs to an enterprise.
func requireEnterprise(p *auth.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if p.EnterpriseID == "" {
		return errs.New(errs.KindForbidden, "this operation is for enterprise accounts")
	}
	return nil
}

// requireEnterpriseAdmin fails unless the caller administers an enterprise.
func requireEnterpriseAdmin(p *auth.Principal) error {
	if err := requireEnterprise(p); err != nil {
		return err
	}
	if p.Role != auth.RoleEnterpriseAdmin {
		return errs.New(errs.KindForbidden, "only enterprise administrators may do this")
	}
	return nil
}

// requirePlatformAdmin fails unless the caller administers the platform.
func requirePlatformAdmin(p *auth.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.IsPlatformAdmin() {
		return errs.New(errs.KindForbidden, "only platform administrators may do this")
	}
	return nil
}

func dbErr(op string, err error) error {
	return fmt.Errorf("directory: %s: %w", op, err)
}
