package directory

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/bus"
)

// TopicAccessRevoked is the bus topic of AccessRevoked events. The running-meeting
// and join-token planes listen to it (internal/app wires them).
const TopicAccessRevoked = "directory.access.revoked"

// RevokeReason says why accounts lost the access they had.
type RevokeReason int

// Revoke reasons.
const (
	RevokeUnknown RevokeReason = iota
	RevokeFrozen
	RevokeDeleted
	RevokeEnterpriseFrozen
	RevokeRoleChanged
)

// String names the reason.
func (r RevokeReason) String() string {
	return [...]string{"unknown", "frozen", "deleted", "enterpriseFrozen", "roleChanged"}[r]
}

// Disabled reports whether the accounts may no longer sign in (as opposed to a role
// change, after which they sign in again with the new role).
func (r RevokeReason) Disabled() bool {
	return r == RevokeFrozen || r == RevokeDeleted || r == RevokeEnterpriseFrozen
}

// AccessRevoked tells the other planes that accounts lost their access: frozen,
// deleted, their enterprise frozen, or their role changed. It is published after the
// change is stored and the accounts' sessions are ended; listeners end the accounts'
// media sessions and void their unused join tokens. A listener that misses one (the
// bus drops events for slow subscribers) still refuses the accounts at /rtc, which
// checks the stored account (conference.Service.Confirm).
type AccessRevoked struct {
	Reason RevokeReason
	// UserIDs are the accounts concerned; for an enterprise freeze, every account of
	// the enterprise that is not deleted.
	UserIDs []string
	// EnterpriseID is the frozen enterprise; empty for the other reasons.
	EnterpriseID string
}

// revokeAccess publishes the accounts' AccessRevoked event.
func (s *Service) revokeAccess(reason RevokeReason, userIDs ...string) {
	if len(userIDs) == 0 {
		return
	}
	s.bus.Publish(bus.Event{Topic: TopicAccessRevoked, Payload: AccessRevoked{Reason: reason, UserIDs: userIDs}})
}

// revokeEnterpriseAccess publishes the AccessRevoked event of every account of a
// frozen enterprise.
func (s *Service) revokeEnterpriseAccess(ctx context.Context, enterpriseID string) error {
	var ids []string
	err := s.forEachUser(ctx, bson.M{"enterpriseId": enterpriseID, "status": bson.M{"$ne": StatusDeleted}}, func(m *Member) {
		ids = append(ids, m.ID)
	})
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		s.bus.Publish(bus.Event{Topic: TopicAccessRevoked, Payload: AccessRevoked{Reason: RevokeEnterpriseFrozen, UserIDs: ids, EnterpriseID: enterpriseID}})
	}
	return nil
}
