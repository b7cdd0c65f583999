package conference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// RoomScope says who may use a cloud meeting room.
type RoomScope string

// Room scopes.
const (
	// RoomShared rooms are shared by every enterprise of the platform.
	RoomShared RoomScope = "shared"
	// RoomEnterprise rooms are given to one enterprise.
	RoomEnterprise RoomScope = "enterprise"
	// RoomDedicated rooms belong to one user: only they (and admins) book or start
	// meetings there, and its capacity is theirs alone.
	RoomDedicated RoomScope = "dedicated"
)

// Room is a cloud meeting room: a virtual room with a fixed number and a capacity
// in participants, which the meetings booked in it share.
type Room struct {
	ID           string    `bson:"_id"`
	Number       string    `bson:"number"`
	Name         string    `bson:"name"`
	Password     string    `bson:"password"`
	Capacity     int       `bson:"capacity"`
	Scope        RoomScope `bson:"scope"`
	EnterpriseID string    `bson:"enterpriseId,omitempty"`
	OwnerID      string    `bson:"ownerId,omitempty"`
	CreatedAt    time.Time `bson:"createdAt"`
	UpdatedAt    time.Time `bson:"updatedAt"`
}

// RoomInput creates or replaces a room's settings.
type RoomInput struct {
	Number, Name, Password string
	Capacity               int
	Scope                  RoomScope
	EnterpriseID, OwnerID  string
}

// MaxRoomCapacity bounds a room's capacity.
const MaxRoomCapacity = 10_000

const roomsColl = "rooms"

// usableBy reports whether p may book or start meetings in r.
func (r *Room) usableBy(p *auth.Principal) bool {
	switch r.Scope {
	case RoomShared:
		return p.EnterpriseID != ""
	case RoomEnterprise:
		return r.EnterpriseID == p.EnterpriseID
	case RoomDedicated:
		return r.EnterpriseID == p.EnterpriseID && (r.OwnerID == p.UserID || p.Role == auth.RoleEnterpriseAdmin)
	}
	return false
}

// pickableFor reports whether the system may pick r for a meeting hosted by host:
// a room host may use, and no one else's dedicated room.
func (r *Room) pickableFor(host *auth.Principal) bool {
	return r.usableBy(host) && (r.Scope != RoomDedicated || r.OwnerID == host.UserID)
}

// visibleTo reports whether p may see r: platform admins see every room, enterprise
// admins their enterprise's rooms (dedicated ones included) and shared ones, members
// those they may use.
func (r *Room) visibleTo(p *auth.Principal) bool {
	if p.IsPlatformAdmin() {
		return true
	}
	return r.usableBy(p)
}

func (s *Service) validRoom(ctx context.Context, in RoomInput) (RoomInput, error) {
	in.Number = strings.TrimSpace(in.Number)
	if !roomNumberRe.MatchString(in.Number) {
		return in, errs.Invalid("number", "room number must be 4 to 11 digits, not starting with 0")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 64 {
		return in, errs.Invalid("name", "name is required, at most 64 characters")
	}
	if err := validPassword(in.Password); err != nil {
		return in, err
	}
	if in.Capacity < 1 || in.Capacity > MaxRoomCapacity {
		return in, errs.Invalid("capacity", "capacity must be between 1 and %d", MaxRoomCapacity)
	}
	switch in.Scope {
	case RoomShared:
		in.EnterpriseID, in.OwnerID = "", ""
	case RoomEnterprise:
		in.OwnerID = ""
		if _, err := s.dir.EnterpriseByID(ctx, in.EnterpriseID); err != nil {
			return in, errs.Invalid("enterpriseId", "unknown enterprise")
		}
	case RoomDedicated:
		m, err := s.dir.MemberByID(ctx, in.OwnerID)
		if err != nil || m.Status != "active" || m.EnterpriseID == "" {
			return in, errs.Invalid("ownerId", "a dedicated room needs an active member of an enterprise as owner")
		}
		in.EnterpriseID = m.EnterpriseID
	default:
		return in, errs.Invalid("scope", "scope must be shared, enterprise or dedicated")
	}
	return in, nil
}

// validPassword accepts empty (no password) or 4 to 16 digits, so that SIP
// terminals can key it in.
func validPassword(pw string) error {
	if pw == "" {
		return nil
	}
	if len(pw) < 4 || len(pw) > 16 || strings.Trim(pw, "0123456789") != "" {
		return errs.Invalid("password", "password must be 4 to 16 digits")
	}
	return nil
}

// CreateRoom creates a cloud meeting room. Platform admins only.
func (s *Service) CreateRoom(ctx context.Context, p *auth.Principal, in RoomInput) (*Room, error) {
	if !p.IsPlatformAdmin() {
		return nil, forbiddenOrAnon(p, "only platform administrators manage cloud rooms")
	}
	in, err := s.validRoom(ctx, in)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r := &Room{ID: store.NewID(), Number: in.Number, Name: in.Name, Password: in.Password, Capacity: in.Capacity,
		Scope: in.Scope, EnterpriseID: in.EnterpriseID, OwnerID: in.OwnerID, CreatedAt: now, UpdatedAt: now}
	if err := claimNumber(ctx, s.st, r.Number, "room", r.ID); err != nil {
		return nil, err
	}
	if _, err := s.st.W.Collection(roomsColl).InsertOne(ctx, r); err != nil {
		releaseNumber(ctx, s.st, r.Number)
		return nil, fmt.Errorf("conference: create room: %w", err)
	}
	if err := s.changed(ctx, func(sc *schedule) { sc.putRoom(r) }); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRoom edits a room. Platform admins only. Shrinking a room below what is
// booked in it, or reassigning it away from meetings booked in it, is refused.
func (s *Service) UpdateRoom(ctx context.Context, p *auth.Principal, id string, in RoomInput) (*Room, error) {
	if !p.IsPlatformAdmin() {
		return nil, forbiddenOrAnon(p, "only platform administrators manage cloud rooms")
	}
	in, err := s.validRoom(ctx, in)
	if err != nil {
		return nil, err
	}
	var updated Room
	err = s.underLock(ctx, func(sc *schedule) error {
		old := sc.rooms[id]
		if old == nil {
			return errs.NotFound("room")
		}
		updated = *old
		updated.Name, updated.Password, updated.Capacity = in.Name, in.Password, in.Capacity
		updated.Scope, updated.EnterpriseID, updated.OwnerID = in.Scope, in.EnterpriseID, in.OwnerID
		updated.UpdatedAt = time.Now().UTC()
		if err := sc.checkRoomChange(old, &updated, time.Now()); err != nil {
			return err
		}
		if in.Number != old.Number {
			if err := claimNumber(ctx, s.st, in.Number, "room", id); err != nil {
				return err
			}
			updated.Number = in.Number
		}
		if _, err := s.st.W.Collection(roomsColl).ReplaceOne(ctx, bson.M{"_id": id}, &updated); err != nil {
			return fmt.Errorf("conference: update room: %w", err)
		}
		if in.Number != old.Number {
			releaseNumber(ctx, s.st, old.Number)
		}
		return s.commit(ctx, sc, func(sc *schedule) { sc.putRoom(&updated) })
	})
	if err != nil {
		return nil, err
	}
	return &updated, nil
}

// DeleteRoom removes a room with no future bookings. Platform admins only.
func (s *Service) DeleteRoom(ctx context.Context, p *auth.Principal, id string) error {
	if !p.IsPlatformAdmin() {
		return forbiddenOrAnon(p, "only platform administrators manage cloud rooms")
	}
	return s.underLock(ctx, func(sc *schedule) error {
		r := sc.rooms[id]
		if r == nil {
			return errs.NotFound("room")
		}
		// byRoom is valid only once indexed; a copy from current() may not be.
		sc.index()
		for _, o := range sc.byRoom[id] {
			if o.end.After(time.Now()) {
				m := sc.meetings[o.meetingID]
				return errs.Conflict("id", "meeting %q is booked in this room at %s", m.Name, o.start.Format(time.RFC3339))
			}
		}
		if _, err := s.st.W.Collection(roomsColl).DeleteOne(ctx, bson.M{"_id": id}); err != nil {
			return fmt.Errorf("conference: delete room: %w", err)
		}
		releaseNumber(ctx, s.st, r.Number)
		return s.commit(ctx, sc, func(sc *schedule) { sc.removeRoom(id) })
	})
}

// Room returns a room the caller may see.
func (s *Service) Room(ctx context.Context, p *auth.Principal, id string) (*Room, error) {
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	r := sc.rooms[id]
	if r == nil || !r.visibleTo(p) {
		return nil, errs.NotFound("room")
	}
	return r, nil
}

// Rooms lists the rooms the caller may see, by number.
func (s *Service) Rooms(ctx context.Context, p *auth.Principal) ([]*Room, error) {
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Room
	for _, r := range sc.rooms {
		if r.visibleTo(p) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *Room) int {
		if len(a.Number) != len(b.Number) {
			return len(a.Number) - len(b.Number)
		}
		return strings.Compare(a.Number, b.Number)
	})
	return out, nil
}

func loadRooms(ctx context.Context, st *store.Store) ([]*Room, error) {
	cur, err := st.R.Collection(roomsColl).Find(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("conference: list rooms: %w", err)
	}
	var rs []*Room
	if err := cur.All(ctx, &rs); err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("conference: read rooms: %w", err)
	}
	return rs, nil
}

func forbiddenOrAnon(p *auth.Principal, msg string) error {
	if p == nil {
		return errs.ErrUnauthenticated
	}
	return errs.New(errs.KindForbidden, "%s", msg)
}
