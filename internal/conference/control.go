package conference

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/meeting"
)

// notifyRun tells Config.Runs, if any. The end waits at most 5 s for the owner to
// tell its subscribers.
func (s *Service) notifyRun(e RunEvent) {
	if s.cfg.Runs == nil {
		return
	}
	if e.InProgress {
		s.cfg.Runs.Started(e.MeetingID, e.RunID)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.cfg.Runs.End(ctx, e.RunID)
}

// Access implements meeting.Bookings: whether p moderates the meeting (its host or an
// admin of its enterprise). Meetings p may not see answer NOT_FOUND; what a
// non-moderator may do in a running meeting is its owner's decision.
func (s *Service) Access(ctx context.Context, p *auth.Principal, meetingID string) (bool, error) {
	m, err := s.meetingFor(ctx, p, meetingID)
	if err != nil {
		return false, err
	}
	return canControl(p, m), nil
}

// RunsInProgress implements meeting.Bookings: the run in progress of every meeting
// that has one, by meeting ID.
func (s *Service) RunsInProgress(ctx context.Context) (map[string]string, error) {
	cur, err := s.st.R.Collection(inProgressColl).Find(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("conference: list the runs in progress: %w", err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return nil, fmt.Errorf("conference: read the runs in progress: %w", err)
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		r, err := s.run(ctx, id.ID)
		if err != nil {
			return nil, err
		}
		if r.InProgress() {
			out[r.MeetingID] = r.ID
		}
	}
	return out, nil
}

// SaveSwitches implements meeting.Bookings: it records the run's lock and the host's
// switches, so that a new meeting owner of the run (after a restart) keeps them. The
// coordinator has checked that its caller moderates the meeting.
func (s *Service) SaveSwitches(ctx context.Context, runID string, sw meeting.Switches) error {
	set := bson.M{}
	for k, v := range map[string]*bool{"locked": sw.Locked, "muteOnEntry": sw.MuteOnEntry, "allowSelfUnmute": sw.AllowSelfUnmute} {
		if v != nil {
			set[k] = *v
		}
	}
	if len(set) == 0 {
		return nil
	}
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, runID, bson.M{"$set": set}); err != nil {
		return fmt.Errorf("conference: save the run's switches: %w", err)
	}
	return nil
}

// RunSettings implements meeting.Bookings: what a new meeting owner of the run (after
// a restart) starts from: the meeting's mute on entry unless the host changed it for
// the run, the run's lock and its self-unmute switch.
func (s *Service) RunSettings(ctx context.Context, runID string) (meeting.Settings, error) {
	r, err := s.run(ctx, runID)
	if err != nil {
		return meeting.Settings{}, err
	}
	m, err := s.loadMeeting(ctx, r.MeetingID)
	if err != nil {
		return meeting.Settings{}, err
	}
	st := meeting.Settings{MuteOnEntry: m.Options.MuteOnEntry, Locked: r.Locked}
	if r.MuteOnEntry != nil {
		st.MuteOnEntry = *r.MuteOnEntry
	}
	if r.AllowSelfUnmute != nil {
		st.AllowSelfUnmute = *r.AllowSelfUnmute
	}
	return st, nil
}
