package meeting

import (
	"context"
	"errors"
	"log/slog"
)

// AccessReason says why a member lost their access to running meetings.
type AccessReason int

// Access reasons.
const (
	AccessUnknown AccessReason = iota
	// AccessDisabled: the account was frozen or deleted, or its enterprise frozen.
	AccessDisabled
	// AccessRoleChanged: the account's role changed; the member rejoins with the new
	// role's rights.
	AccessRoleChanged
)

// String returns "disabled", "roleChanged" or "unknown".
func (r AccessReason) String() string {
	switch r {
	case AccessDisabled:
		return "disabled"
	case AccessRoleChanged:
		return "roleChanged"
	}
	return "unknown"
}

// RevokeAccess takes every participant of the given members (by UserID; guests have
// none) out of the meeting: one access_revoked event each, after which the media plane
// ends their connections. Like a hangup, the removed participants may not rejoin under
// the same ID; the members may with a new join token. It returns the participants
// removed. The system only. users is only read, and may be shared by several calls.
func (m *Owner) RevokeAccess(ctx context.Context, a Actor, users map[string]struct{}, why AccessReason) ([]ParticipantID, error) {
	return call(ctx, m, func(o *loop) ([]ParticipantID, error) {
		if !a.System {
			return nil, forbidden("only the server revokes access")
		}
		var ids []ParticipantID
		for _, p := range o.st.Participants {
			if _, ok := users[p.UserID]; ok && p.UserID != "" {
				ids = append(ids, p.ID)
			}
		}
		for _, id := range ids {
			d := RemovedDelta{ID: id, HungUp: true, Access: why}
			o.hungUp[id] = d
			o.emit(KindAccessRevoked, a, id, d)
		}
		return ids, nil
	})
}

// Removed reports whether the participant was hung up or lost their access, and how.
// An edge that admits a participant asks once it can hear the meeting's events, to
// catch a removal that came before (the participant is then on no connection yet).
func (m *Owner) Removed(ctx context.Context, id ParticipantID) (RemovedDelta, bool, error) {
	type result struct {
		d  RemovedDelta
		ok bool
	}
	r, err := call(ctx, m, func(o *loop) (result, error) {
		d, ok := o.hungUp[id]
		return result{d, ok}, nil
	})
	return r.d, r.ok, err
}

// RevokeAccess takes the given members' participants out of every running meeting
// (Owner.RevokeAccess) and returns how many it removed. A meeting that ends or does
// not answer within ctx is skipped and logged to log (nil for slog.Default).
func (r *Registry) RevokeAccess(ctx context.Context, userIDs []string, why AccessReason, log *slog.Logger) int {
	if len(userIDs) == 0 {
		return 0
	}
	users := make(map[string]struct{}, len(userIDs))
	for _, id := range userIDs {
		users[id] = struct{}{}
	}
	r.mu.Lock()
	ms := make(map[string]*Owner, len(r.meetings))
	for id, m := range r.meetings {
		ms[id] = m
	}
	r.mu.Unlock()
	n := 0
	for runID, m := range ms {
		ids, err := m.RevokeAccess(ctx, System, users, why)
		if err != nil && !errors.Is(err, ErrEnded) {
			if log == nil {
				log = slog.Default()
			}
			log.Warn("live: revoking access", "run", runID, "err", err)
		}
		n += len(ids)
	}
	return n
}
