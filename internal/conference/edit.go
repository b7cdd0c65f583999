package conference

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

// meetingFor returns the meeting with id as the caller may see it: the host, its
// invitees and the enterprise's admins see it; anyone else gets NOT_FOUND.
func (s *Service) meetingFor(ctx context.Context, p *auth.Principal, id string) (*Meeting, error) {
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	m := sc.meetings[id]
	if m == nil {
		if m, err = s.loadMeeting(ctx, id); err != nil {
			return nil, err
		}
	}
	if !canSee(p, m) {
		return nil, errs.NotFound("meeting")
	}
	return m, nil
}

func canSee(p *auth.Principal, m *Meeting) bool {
	if p.EnterpriseID != m.EnterpriseID {
		return false
	}
	return p.UserID == m.HostID || p.Role == auth.RoleEnterpriseAdmin || slices.Contains(m.Invitees.MemberIDs, p.UserID)
}

// canControl reports whether p may edit and control m: its host (booker) and the
// enterprise's admins.
func canControl(p *auth.Principal, m *Meeting) bool {
	return p.EnterpriseID == m.EnterpriseID && (p.UserID == m.HostID || p.Role == auth.RoleEnterpriseAdmin)
}

// controllable returns the meeting for a change by p.
func (s *Service) controllable(ctx context.Context, p *auth.Principal, id string) (*Meeting, error) {
	m, err := s.meetingFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !canControl(p, m) {
		return nil, errs.New(errs.KindForbidden, "only the host and administrators may change this meeting")
	}
	if m.Status == StatusCancelled {
		return nil, errs.Conflict("id", "the meeting was cancelled")
	}
	return m, nil
}

func (s *Service) loadMeeting(ctx context.Context, id string) (*Meeting, error) {
	var m Meeting
	err := s.st.R.Collection(meetingsColl).FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	if err != nil {
		return nil, errs.NotFound("meeting")
	}
	if err := m.prepare(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (s *Service) replace(ctx context.Context, m *Meeting) error {
	m.UpdatedAt = time.Now().UTC()
	if _, err := s.st.W.Collection(meetingsColl).ReplaceOne(ctx, bson.M{"_id": m.ID}, m); err != nil {
		return fmt.Errorf("conference: update meeting: %w", err)
	}
	return nil
}

// unchanged refuses a change built on old when the meeting was changed or
// cancelled after old was read. Edits read the meeting before they take the
// schedule lock; checking again under the lock keeps a concurrent edit (in this or
// another process) from undoing a cancellation or another edit. Every stored
// change bumps Sequence.
func unchanged(sc *schedule, old *Meeting) error {
	cur := sc.meetings[old.ID]
	if cur == nil {
		return errs.Conflict("id", "the meeting was cancelled")
	}
	if cur.Sequence != old.Sequence {
		return errs.Conflict("id", "the meeting was changed meanwhile; reload it and try again")
	}
	return nil
}

// Update changes a booked meeting (the whole series): times, options, invitees,
// room, capacity. Invitees get an update mail; people no longer invited get a
// cancellation.
func (s *Service) Update(ctx context.Context, p *auth.Principal, id string, in BookingInput) (*Meeting, error) {
	old, err := s.controllable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	m := copyMeeting(old)
	if in.Password == nil {
		in.Password = &old.Password
	}
	if in.Name == nil {
		in.Name = &old.Name
	}
	if err := s.applyInput(ctx, p, m, in, old.HostName); err != nil {
		return nil, err
	}
	// Exceptions of the old series apply only while the times stay the same.
	if !m.Start.Equal(old.Start) || m.RRule != old.RRule || m.TimeZone != old.TimeZone {
		m.Exceptions, m.except = nil, nil
	} else {
		m.Exceptions, m.except = old.Exceptions, old.except
	}
	m.Sequence = old.Sequence + 1
	if err := s.save(ctx, p, m, old); err != nil {
		return nil, err
	}
	s.uninvite(ctx, old, m)
	s.invite(ctx, m, true)
	return m, nil
}

// SplitFrom implements "this and following": the series ends before the occurrence
// key and a new series with in's settings starts there.
func (s *Service) SplitFrom(ctx context.Context, p *auth.Principal, id string, key time.Time, in BookingInput) (*Meeting, error) {
	old, err := s.controllable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	before, _, err := old.series().SplitAt(recur.KeyOf(key))
	if err != nil {
		return nil, errs.Invalid("occurrence", "%s", err.Error())
	}
	head := copyMeeting(old)
	head.setSeries(before)
	head.Sequence = old.Sequence + 1
	tail, err := s.newMeeting(ctx, p, in)
	if err != nil {
		return nil, err
	}
	tail.HostID, tail.HostName, tail.SeriesOf = old.HostID, old.HostName, old.ID
	if in.Password == nil {
		tail.Password = old.Password
	}
	// Shorten the old series first, so the new one does not clash with it.
	if err := s.save(ctx, p, head, old); err != nil {
		return nil, err
	}
	if err := s.save(ctx, p, tail, nil); err != nil {
		// Put the old series back as it was.
		if rerr := s.save(ctx, p, old, head); rerr != nil {
			s.log.Error("restoring a series after a failed split", "meeting", old.ID, "err", rerr)
		}
		return nil, err
	}
	s.invite(ctx, head, true)
	s.invite(ctx, tail, false)
	return tail, nil
}

// MoveOccurrence moves one occurrence of a series without changing the others.
func (s *Service) MoveOccurrence(ctx context.Context, p *auth.Principal, id string, key, start time.Time, duration time.Duration) (*Meeting, error) {
	return s.except(ctx, p, id, key, func(e *recur.Exception) error {
		if err := checkStart("start", start); err != nil {
			return err
		}
		e.Cancelled, e.Start, e.Duration = false, start.Truncate(time.Second).UTC(), duration.Truncate(time.Second)
		return nil
	})
}

// CancelOccurrence cancels one occurrence of a series.
func (s *Service) CancelOccurrence(ctx context.Context, p *auth.Principal, id string, key time.Time) (*Meeting, error) {
	return s.except(ctx, p, id, key, func(e *recur.Exception) error {
		e.Cancelled = true
		return nil
	})
}

func (s *Service) except(ctx context.Context, p *auth.Principal, id string, key time.Time, change func(*recur.Exception) error) (*Meeting, error) {
	old, err := s.controllable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !old.Recurring() {
		return nil, errs.Invalid("occurrence", "a single meeting has no occurrences to change; edit the meeting")
	}
	k := recur.KeyOf(key)
	ser := old.series()
	if !ser.Has(k) {
		return nil, errs.NotFound("occurrence")
	}
	ex := make(map[recur.Key]recur.Exception, len(ser.Exceptions)+1)
	for kk, v := range ser.Exceptions {
		ex[kk] = v
	}
	e := ex[k]
	if err := change(&e); err != nil {
		return nil, err
	}
	ex[k] = e
	ser.Exceptions = ex
	if err := ser.Validate(); err != nil {
		return nil, err
	}
	m := copyMeeting(old)
	m.setSeries(ser)
	m.Sequence = old.Sequence + 1
	if err := s.save(ctx, p, m, old); err != nil {
		return nil, err
	}
	s.invite(ctx, m, true)
	return m, nil
}

// Cancel deletes a booked meeting (every occurrence); invitees get a cancellation.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id string) error {
	old, err := s.controllable(ctx, p, id)
	if err != nil {
		return err
	}
	m := copyMeeting(old)
	m.Status = StatusCancelled
	m.Sequence = old.Sequence + 1
	if err := s.storeVersion(ctx, old, m); err != nil {
		return err
	}
	s.publishResources(m.EnterpriseID)
	s.cancelMail(ctx, m, m.Invitees.MemberIDs, m.Invitees.Emails)
	for _, r := range s.runsInProgress(ctx) {
		if r.MeetingID == m.ID {
			if _, err := s.endRun(ctx, r, EndedByHost, p.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Relaunch books a new meeting with the settings and invitees of a past one,
// starting at start (now when zero).
func (s *Service) Relaunch(ctx context.Context, p *auth.Principal, id string, start time.Time) (*Meeting, error) {
	old, err := s.meetingFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !canControl(p, old) {
		return nil, errs.New(errs.KindForbidden, "only the host and administrators may relaunch this meeting")
	}
	if start.IsZero() {
		start = time.Now()
	}
	name := old.Name
	// People and groups removed since are left out rather than failing the relaunch.
	var members, groups []string
	for _, id := range old.Invitees.MemberIDs {
		if m, err := s.dir.Member(ctx, p, id); err == nil && m.Status != "deleted" {
			members = append(members, id)
		}
	}
	for _, id := range old.Invitees.GroupIDs {
		if _, err := s.dir.Group(ctx, p, id); err == nil {
			groups = append(groups, id)
		}
	}
	password := old.Password
	in := BookingInput{Start: start, Duration: old.Duration(), TimeZone: old.TimeZone, Name: &name, Password: &password,
		Participants: old.Participants, Options: old.Options, Description: old.Description, PresenterID: old.PresenterID,
		MemberIDs: members, GroupIDs: groups, Emails: old.Invitees.Emails}
	if r := sc0(s, ctx).rooms[old.RoomID]; r != nil {
		in.RoomID = r.ID
	}
	m, err := s.Book(ctx, p, in)
	if err != nil && in.RoomID != "" && errs.KindOf(err) == errs.KindConflict {
		// The old room is busy: let the system pick another.
		in.RoomID = ""
		m, err = s.Book(ctx, p, in)
	}
	return m, err
}

// sc0 returns the current schedule or an empty one.
func sc0(s *Service, ctx context.Context) *schedule {
	sc, err := s.read(ctx)
	if err != nil {
		return newSchedule()
	}
	return sc
}
