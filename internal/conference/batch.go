package conference

import (
	"context"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/notify"
)

// The batch reads below serve the API's per-request loaders: a list of meetings
// asking each for its room, invitation status or run in progress costs a fixed number of
// store reads, whatever the length of the list. Each returns its results and errors
// aligned with the IDs asked for, with the error the single read would give.

// meetingsFor returns the meetings of ids the caller may see, reading the schedule
// once. Meetings not in it (cancelled) are read one by one by _id: the lists that
// announce meetings (schedules, resource status) hold only scheduled ones.
func (s *Service) meetingsFor(ctx context.Context, p *auth.Principal, ids []string) ([]*Meeting, []error) {
	out, errOut := make([]*Meeting, len(ids)), make([]error, len(ids))
	sc, err := s.batchSchedule(ctx, p)
	if err != nil {
		fill(errOut, err)
		return out, errOut
	}
	for i, id := range ids {
		m := sc.meetings[id]
		if m == nil {
			if m, err = s.loadMeeting(ctx, id); err != nil {
				errOut[i] = err
				continue
			}
		}
		if !canSee(p, m) {
			errOut[i] = errs.NotFound("meeting")
			continue
		}
		out[i] = m
	}
	return out, errOut
}

func fill(es []error, err error) {
	for i := range es {
		es[i] = err
	}
}

// DeliveriesOf is Deliveries for several meetings: one schedule read and one
// outbox read for all of them.
func (s *Service) DeliveriesOf(ctx context.Context, p *auth.Principal, meetingIDs []string) ([][]notify.Delivery, []error) {
	ms, errOut := s.meetingsFor(ctx, p, meetingIDs)
	out := make([][]notify.Delivery, len(meetingIDs))
	var want []string
	for i, m := range ms {
		if m == nil {
			continue
		}
		if !canControl(p, m) {
			ms[i], errOut[i] = nil, errs.New(errs.KindForbidden, "only the host and administrators see invitation status")
			continue
		}
		want = append(want, m.ID)
	}
	if s.mail == nil || len(want) == 0 {
		return out, errOut
	}
	byID, err := s.mail.DeliveriesOf(ctx, "meeting", want)
	for i, m := range ms {
		if m == nil {
			continue
		}
		if err != nil {
			errOut[i] = err
			continue
		}
		out[i] = byID[m.ID]
	}
	return out, errOut
}

// RunsInProgressOf is RunInProgress for several meetings: one schedule read and one read of
// the runs in progress for all of them. A meeting that is not live has a nil run and no
// error.
func (s *Service) RunsInProgressOf(ctx context.Context, p *auth.Principal, meetingIDs []string) ([]*Run, []error) {
	ms, errOut := s.meetingsFor(ctx, p, meetingIDs)
	out := make([]*Run, len(meetingIDs))
	var live map[string]*Run
	for i, m := range ms {
		if m == nil {
			continue
		}
		if live == nil {
			live = map[string]*Run{}
			for _, r := range s.runsInProgress(ctx) {
				live[r.MeetingID] = r
			}
		}
		out[i] = live[m.ID]
	}
	return out, errOut
}

// RoomsOf is Room for several rooms: one schedule read for all of them.
func (s *Service) RoomsOf(ctx context.Context, p *auth.Principal, ids []string) ([]*Room, []error) {
	out, errOut := make([]*Room, len(ids)), make([]error, len(ids))
	sc, err := s.batchSchedule(ctx, p)
	if err != nil {
		fill(errOut, err)
		return out, errOut
	}
	for i, id := range ids {
		r := sc.rooms[id]
		if r == nil || !r.visibleTo(p) {
			errOut[i] = errs.NotFound("room")
			continue
		}
		out[i] = r
	}
	return out, errOut
}

// batchSchedule is the one schedule read a batch shares, for a signed-in caller.
func (s *Service) batchSchedule(ctx context.Context, p *auth.Principal) (*schedule, error) {
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	return s.read(ctx)
}
