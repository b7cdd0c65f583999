package conference

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// ErrAccountDisabled refuses a join token whose member was frozen or deleted, or whose
// enterprise was frozen, after it was issued.
var ErrAccountDisabled = errs.New(errs.KindForbidden, "your account is disabled")

// ErrAccountChanged refuses a join token whose member's account role changed after it
// was issued: they sign in again and rejoin with the new role.
var ErrAccountChanged = errs.New(errs.KindForbidden, "your account changed; sign in again to join")

// VoidJoinTokens deletes the unused join tokens of these members, so that none of
// them can be redeemed at /rtc, and returns how many it deleted.
func (s *Service) VoidJoinTokens(ctx context.Context, userIDs []string) (int64, error) {
	if len(userIDs) == 0 {
		return 0, nil
	}
	r, err := s.st.W.Collection(joinTokensColl).DeleteMany(ctx, bson.M{"userId": bson.M{"$in": userIDs}})
	if err != nil {
		return 0, fmt.Errorf("conference: void join tokens: %w", err)
	}
	return r.DeletedCount, nil
}

// Confirm implements meeting.Bookings: it checks that a redeemed grant still admits its holder, by the stored
// account: a guest always; a member while their account and enterprise are active
// and their account role is the one the token was issued for (else
// ErrAccountDisabled or ErrAccountChanged). The media plane calls it once the
// participant is on the meeting's roster: a revocation stored before the check is
// seen here, and one stored after it finds them on the roster
// (directory.AccessRevoked), so a join racing with a freeze cannot slip through.
func (s *Service) Confirm(ctx context.Context, g *meeting.Grant) error {
	if g.UserID == "" {
		return nil
	}
	m, err := s.dir.MemberByID(ctx, g.UserID)
	if errs.KindOf(err) == errs.KindNotFound {
		return ErrAccountDisabled
	}
	if err != nil {
		return err
	}
	if m.Status != directory.StatusActive {
		return ErrAccountDisabled
	}
	if g.AccountRole != "" && m.Role != g.AccountRole {
		return ErrAccountChanged
	}
	if m.EnterpriseID != "" {
		e, err := s.dir.EnterpriseByID(ctx, m.EnterpriseID)
		if err != nil {
			return err
		}
		if e.Frozen {
			return ErrAccountDisabled
		}
	}
	return nil
}
