package conference

import (
	"context"
	"slices"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

// Meeting returns a meeting the caller may see.
func (s *Service) Meeting(ctx context.Context, p *auth.Principal, id string) (*Meeting, error) {
	return s.meetingFor(ctx, p, id)
}

// Scheduled is one occurrence of a meeting in a schedule.
type Scheduled struct {
	Meeting *Meeting
	recur.Occurrence
}

// MaxWindow bounds schedule and resource queries.
const MaxWindow = 366 * 24 * time.Hour

func checkWindow(from, to time.Time) error {
	if !to.After(from) {
		return errs.Invalid("to", "the window must end after it starts")
	}
	if to.Sub(from) > MaxWindow {
		return errs.Invalid("to", "the window is at most 366 days")
	}
	return nil
}

// MyMeetings returns the occurrences in [from, to) of meetings the caller hosts or
// is invited to, by start.
func (s *Service) MyMeetings(ctx context.Context, p *auth.Principal, from, to time.Time) ([]Scheduled, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	if err := checkWindow(from, to); err != nil {
		return nil, err
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	var out []Scheduled
	for _, o := range sc.overlapping(sc.byEntView(p.EnterpriseID), from, to, "") {
		m := sc.meetings[o.meetingID]
		if m.HostID == p.UserID || slices.Contains(m.Invitees.MemberIDs, p.UserID) {
			out = append(out, Scheduled{Meeting: m, Occurrence: recur.Occurrence{Key: o.key, Start: o.start, End: o.end, Moved: o.moved}})
		}
	}
	return out, nil
}

// Usage is booked against available capacity.
type Usage struct {
	Capacity int // 0: unlimited
	// Booked is the peak of participants booked at any instant of the window that
	// is still ahead: what a booking in the window is checked against.
	Booked int
}

// Free returns the capacity left at the peak, or -1 when unlimited.
func (u Usage) Free() int {
	if u.Capacity == 0 {
		return -1
	}
	return max(u.Capacity-u.Booked, 0)
}

// RoomUsage is one room's booking in a window.
type RoomUsage struct {
	Room *Room
	Usage
	// Bookings are the caller's enterprise's occurrences in the room; other
	// enterprises' bookings count in Booked but are not listed.
	Bookings []Scheduled
}

// ResourceStatus is booked versus free capacity for a window, and what is in use now.
type ResourceStatus struct {
	From, To   time.Time
	Enterprise Usage
	Platform   Usage
	Rooms      []RoomUsage
	Now        NowStatus
}

// NowStatus is what is in use at this moment.
type NowStatus struct {
	// Participants are those present in running meetings of the caller's enterprise,
	// as the media plane reports joins and leaves.
	Participants int
	Meetings     int
	RoomsInUse   int
	// PlatformParticipants is the same across the platform.
	PlatformParticipants int
}

// ResourceStatus answers, for [from, to), booked versus free capacity per room the
// caller may use and for the enterprise and platform, and what is in progress now.
func (s *Service) ResourceStatus(ctx context.Context, p *auth.Principal, from, to time.Time) (*ResourceStatus, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	if err := checkWindow(from, to); err != nil {
		return nil, err
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	ent, err := s.dir.EnterpriseByID(ctx, p.EnterpriseID)
	if err != nil {
		return nil, err
	}
	st := &ResourceStatus{From: from, To: to}
	// Booked and free count the part of the window still ahead, as booking checks
	// it: the past cannot be booked, and a meeting ended early holds nothing after
	// its end (a window from the current minute would otherwise still show it).
	ahead := maxTime(from, time.Now())
	booked := func(l []occ) int {
		if !to.After(ahead) {
			return 0
		}
		n, _ := peak(sc.overlapping(l, ahead, to, ""), ahead, to)
		return n
	}
	st.Enterprise.Capacity = ent.Quota
	st.Enterprise.Booked = booked(sc.byEntView(p.EnterpriseID))
	st.Platform.Capacity = s.cfg.PlatformCapacity
	st.Platform.Booked = booked(sc.allView())
	rooms, err := s.Rooms(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		if !r.usableBy(p) {
			continue
		}
		ru := RoomUsage{Room: r, Usage: Usage{Capacity: r.Capacity}}
		ru.Booked = booked(sc.byRoom[r.ID])
		for _, o := range sc.overlapping(sc.byRoom[r.ID], from, to, "") {
			if m := sc.meetings[o.meetingID]; m.EnterpriseID == p.EnterpriseID {
				ru.Bookings = append(ru.Bookings, Scheduled{Meeting: m, Occurrence: recur.Occurrence{Key: o.key, Start: o.start, End: o.end, Moved: o.moved}})
			}
		}
		st.Rooms = append(st.Rooms, ru)
	}
	rooms2 := map[string]bool{}
	for _, r := range s.runsInProgress(ctx) {
		st.Now.PlatformParticipants += max(r.Present, 0)
		if r.EnterpriseID == p.EnterpriseID {
			st.Now.Participants += max(r.Present, 0)
			st.Now.Meetings++
			rooms2[r.RoomID] = true
		}
	}
	st.Now.RoomsInUse = len(rooms2)
	return st, nil
}

func resourcesTopic(enterpriseID string) string { return "resources." + enterpriseID }

// publishResources tells subscribers of an enterprise's resource status (and the
// platform's, under "resources.") that it changed.
func (s *Service) publishResources(enterpriseID string) {
	s.bus.Publish(bus.Event{Topic: resourcesTopic(enterpriseID), Payload: struct{}{}})
}

// SubscribeResources signals every change of the caller's enterprise resource
// status (bookings, meetings starting or ending, later joins and leaves) until ctx
// ends.
func (s *Service) SubscribeResources(ctx context.Context, p *auth.Principal) (<-chan struct{}, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	in := s.bus.Subscribe(ctx, resourcesTopic(p.EnterpriseID), 16)
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for range in {
			select {
			case out <- struct{}{}:
			default: // a signal is already pending
			}
		}
	}()
	return out, nil
}
