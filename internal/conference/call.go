package conference

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// CallCooldown is how long after an invitee was called into a run (by CallAbsent, or
// by an invitation during the run) CallAbsent leaves them alone, so that a host who
// presses "call the absent" again and again does not flood anyone.
const CallCooldown = time.Minute

// Dialer calls an absent invitee into a run in progress through a channel besides the in-app
// notice, such as SIP dial-out to the member's registered terminal. Dial starts the
// call and returns; it does not wait for an answer.
type Dialer interface {
	Dial(ctx context.Context, r *Run, member *directory.Member) error
}

// SetDialer adds a dial-out channel to CallAbsent. Call it before serving.
func (s *Service) SetDialer(d Dialer) { s.dialer = d }

// CallResult is who CallAbsent reached, by user ID.
type CallResult = meeting.CallResult

// CallAbsent implements meeting.Bookings: it calls every invited member of the run in
// progress who is not in it: the members invited by name and through groups (as the
// invitations resolved them), active, not among present (the user IDs of the members in
// the meeting, from its owner), and not the caller. Each gets an in-app "join now"
// notification and, when a Dialer is set, a dial-out; the calls go into the meeting
// log. Outside guests (email invitees) have no in-app channel and are not called. The
// coordinator has checked that the caller moderates the meeting.
func (s *Service) CallAbsent(ctx context.Context, p *auth.Principal, runID string, present []string) (CallResult, error) {
	r, err := s.run(ctx, runID)
	if err != nil || !r.InProgress() {
		return CallResult{}, errs.NotFound("running meeting")
	}
	m, err := s.loadMeeting(ctx, r.MeetingID)
	if err != nil {
		return CallResult{}, err
	}
	in := make(map[string]bool, len(present)+1)
	for _, id := range present {
		in[id] = true
	}
	in[p.UserID] = true
	var absent []*directory.Member
	for _, id := range m.Invitees.MemberIDs {
		if in[id] {
			continue
		}
		mem, err := s.dir.MemberByID(ctx, id)
		if err != nil || mem.Status != directory.StatusActive || mem.EnterpriseID != m.EnterpriseID {
			continue
		}
		absent = append(absent, mem)
	}
	res := CallResult{Called: []string{}, Skipped: []string{}}
	absentIDs := make([]string, len(absent))
	for i, mem := range absent {
		absentIDs[i] = mem.ID
	}
	claimed := s.claimCalls(r.ID, absentIDs, time.Now())
	var called []*directory.Member
	for _, mem := range absent {
		if claimed[mem.ID] {
			called = append(called, mem)
			res.Called = append(res.Called, mem.ID)
		} else {
			res.Skipped = append(res.Skipped, mem.ID)
		}
	}
	if len(called) == 0 {
		return res, nil
	}
	ids := res.Called
	s.notify(m, ids, NotificationStartedNow)
	actor := ""
	if a, err := s.dir.MemberByID(ctx, p.UserID); err == nil {
		actor = a.Name
	}
	entries := make([]LogEntry, 0, len(called))
	for _, mem := range called {
		if s.dialer != nil {
			if err := s.dialer.Dial(ctx, r, mem); err != nil {
				s.log.Warn("dialing out to an absent invitee", "run", r.ID, "member", mem.ID, "err", err)
			}
		}
		entries = append(entries, LogEntry{Kind: "control", ActorID: p.UserID, ActorName: actor, SubjectID: mem.ID, Subject: mem.Name, Detail: "called"})
	}
	s.logAll(ctx, r.ID, entries)
	return res, nil
}

// claimCalls returns which of the members may be called into run at now (nobody
// called them there within CallCooldown), and records those calls. The record is in
// memory: after a restart, or on another process, a member may be called once more.
func (s *Service) claimCalls(runID string, memberIDs []string, now time.Time) map[string]bool {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	if s.calls == nil {
		s.calls = map[string]time.Time{}
	}
	for k, at := range s.calls {
		if now.Sub(at) >= CallCooldown {
			delete(s.calls, k)
		}
	}
	out := make(map[string]bool, len(memberIDs))
	for _, id := range memberIDs {
		k := runID + "\x00" + id
		if _, ok := s.calls[k]; ok {
			continue
		}
		s.calls[k] = now
		out[id] = true
	}
	return out
}

// logAll appends entries to a run's meeting log in one write.
func (s *Service) logAll(ctx context.Context, runID string, entries []LogEntry) {
	now := time.Now().UTC()
	for i := range entries {
		if entries[i].At.IsZero() {
			entries[i].At = now
		}
	}
	_, err := s.st.W.Collection(logsColl).UpdateByID(ctx, runID, bson.M{"$push": bson.M{"entries": bson.M{"$each": entries}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Error("writing the meeting log", "run", runID, "err", err)
	}
}
