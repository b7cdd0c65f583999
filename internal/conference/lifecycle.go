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
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/store"
)

// Run is one held occurrence of a meeting: live from its start until it ends. Its
// _id is "<meetingID>|<occurrence key>", so racing starts of the same occurrence
// (two hosts, two processes) create exactly one run.
type Run struct {
	ID             string     `bson:"_id"`
	MeetingID      string     `bson:"meetingId"`
	EnterpriseID   string     `bson:"enterpriseId"`
	Number         string     `bson:"number"`
	Name           string     `bson:"name"`
	HostID         string     `bson:"hostId"`
	HostName       string     `bson:"hostName"`
	RoomID         string     `bson:"roomId"`
	Occurrence     time.Time  `bson:"occurrence"`
	ScheduledStart time.Time  `bson:"scheduledStart"`
	ScheduledEnd   time.Time  `bson:"scheduledEnd"`
	Participants   int        `bson:"participants"`
	StartedAt      time.Time  `bson:"startedAt"`
	StartedBy      string     `bson:"startedBy"`
	EndedAt        *time.Time `bson:"endedAt,omitempty"`
	EndReason      string     `bson:"endReason,omitempty"`
	// Present counts who is in the meeting, as the media plane reports joins and
	// leaves; EmptySince is when it last became empty (the start, until someone
	// joins). A run in progress empty for Config.EmptyTimeout ends.
	Present int `bson:"present"`
	// Locked refuses new joins (the host's lock).
	Locked bool `bson:"locked"`
	// MuteOnEntry is the host's choice during the run; nil means the meeting's option.
	MuteOnEntry *bool `bson:"muteOnEntry,omitempty"`
	// AllowSelfUnmute is the host's self-unmute switch; nil means off.
	AllowSelfUnmute *bool      `bson:"allowSelfUnmute,omitempty"`
	EmptySince      *time.Time `bson:"emptySince,omitempty"`
	// Search is the lower-cased name and number, for history search.
	Search string `bson:"search"`
}

// InProgress reports whether the run has not ended.
func (r *Run) InProgress() bool { return r.EndedAt == nil }

// End reasons.
const (
	EndedByHost   = "host"
	EndedByWindow = "window"
	EndedEmpty    = "empty"
)

const (
	runsColl = "meeting_runs"
	// inProgressColl lists the IDs of the runs in progress {_id: runID, enterpriseId},
	// so the sweeper and the "now" resource status read a handful of documents, not the
	// whole history.
	inProgressColl = "runs_in_progress"
	// oldInProgressColl is inProgressColl's name before 2026-12 ("live" now means live
	// streaming only); migrateInProgress moves its documents at start.
	oldInProgressColl = "live_runs"
	// logsColl holds one document per run {_id: runID, entries: [...]}, appended by
	// _id.
	logsColl = "meeting_logs"
)

// LogEntry is one line of a meeting log.
type LogEntry struct {
	At time.Time `bson:"at"`
	// Kind: started, ended, joined, left, control, screen_started, screen_stopped,
	// live_started, live_stopped, recording_started, recording_stopped,
	// whiteboard_saved. Kind, Detail and Value are codes that readers word in their
	// language, never prose.
	Kind       string `bson:"kind"`
	ActorID    string `bson:"actorId,omitempty"`
	ActorName  string `bson:"actorName,omitempty"`
	SubjectID  string `bson:"subjectId,omitempty"`
	Subject    string `bson:"subject,omitempty"`
	ClientKind string `bson:"clientKind,omitempty"` // browser, sip, rtsp
	Address    string `bson:"address,omitempty"`
	// Detail is the control (live.Kind: muted, role, pinned …) of a control row, the
	// reason of an ended one.
	Detail string `bson:"detail,omitempty"`
	// Value is the control's argument: a role, a pane counted from 1, a layout mode,
	// on or off, the number muted; a whiteboard_saved row's element count.
	Value string `bson:"value,omitempty"`
}

func runID(meetingID string, key recur.Key) string { return meetingID + "|" + key.String() }

// Start makes the caller's meeting live: its current occurrence, or the next one
// (see Config.EarlyStart for how early). Host and admins only.
func (s *Service) Start(ctx context.Context, p *auth.Principal, id string) (*Run, error) {
	m, err := s.controllable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	cur := nextOccurrence(m, now)
	if cur == nil {
		return nil, errs.Conflict("id", "the meeting has no occurrence now: its booked time is over")
	}
	if !s.hostMayStart(*cur, now) {
		return nil, s.tooEarly("id", *cur)
	}
	existing, rid, err := s.occurrenceRun(ctx, m, *cur)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if !existing.InProgress() {
			return nil, errs.Conflict("id", "this meeting was ended; relaunch it to meet again")
		}
		return existing, nil
	}
	return s.startRun(ctx, m, *cur, rid, p.UserID)
}

// nextOccurrence returns the occurrence a start or a join now is about: the first
// that has not ended (the one on now, else the next), or nil when all are over.
func nextOccurrence(m *Meeting, now time.Time) *recur.Occurrence {
	from := now.Add(-recur.MaxDuration)
	for span := 24 * time.Hour; ; span *= 8 {
		to := now.Add(span)
		for _, o := range m.Occurrences(from, to) {
			if o.End.After(now) {
				return &o
			}
		}
		if !to.Before(m.WindowEnd) {
			return nil
		}
	}
}

// hostMayStart reports whether the host may start occurrence o now: at any time
// before its end, or from Config.EarlyStart before its start when that is set.
func (s *Service) hostMayStart(o recur.Occurrence, now time.Time) bool {
	return s.cfg.EarlyStart <= 0 || !now.Before(o.Start.Add(-s.cfg.EarlyStart))
}

// StartableFrom returns from when the host may start m's current or next
// occurrence, or nil when at any time (Config.EarlyStart is 0) or when every
// occurrence is over.
func (s *Service) StartableFrom(m *Meeting) *time.Time {
	if s.cfg.EarlyStart <= 0 {
		return nil
	}
	o := nextOccurrence(m, time.Now())
	if o == nil {
		return nil
	}
	t := o.Start.Add(-s.cfg.EarlyStart)
	return &t
}

// tooEarly is the answer to a host who starts occurrence o before Config.EarlyStart
// allows: CONFLICT saying from when, with startableFrom and startsAt (RFC 3339) in
// the details.
func (s *Service) tooEarly(field string, o recur.Occurrence) error {
	from := o.Start.Add(-s.cfg.EarlyStart).UTC().Format(time.RFC3339)
	start := o.Start.UTC().Format(time.RFC3339)
	e := errs.Conflict(field, "the host may start this meeting from %s (%v before its start at %s)", from, s.cfg.EarlyStart, start)
	e.Details = map[string]any{"startableFrom": from, "startsAt": start}
	return e
}

// maxEarlyRuns bounds how many runs started early and ended before the booked start
// one occurrence may have.
const maxEarlyRuns = 50

// occurrenceRun returns the latest run of occurrence o (nil when it has none) and
// the ID a new run of it takes. A run that ended before the occurrence's booked
// start (a host who started early to try the room and left) does not use the
// occurrence up: the next start makes another run, "<meeting>|<key>|2", "|3", …, so
// that racing starts still make exactly one.
func (s *Service) occurrenceRun(ctx context.Context, m *Meeting, o recur.Occurrence) (*Run, string, error) {
	base := runID(m.ID, o.Key)
	id := base
	for n := 2; n <= maxEarlyRuns+1; n++ {
		r, err := s.run(ctx, id)
		if e, ok := errs.As(err); ok && e.Kind == errs.KindNotFound {
			return nil, id, nil
		}
		if err != nil {
			return nil, "", err
		}
		if r.InProgress() || !r.EndedAt.Before(o.Start) || n > maxEarlyRuns {
			return r, "", nil
		}
		id = fmt.Sprintf("%s|%d", base, n)
	}
	return nil, "", errs.Conflict("id", "this meeting was ended; relaunch it to meet again")
}

// startRun creates the run of occurrence o with this ID (occurrenceRun), or returns
// the one a racing start created.
func (s *Service) startRun(ctx context.Context, m *Meeting, o recur.Occurrence, id, by string) (*Run, error) {
	if now := time.Now().UTC(); now.Before(o.Start) {
		if err := s.reserveEarly(ctx, m, o, now); err != nil {
			return nil, err
		}
	}
	actor, _ := s.dir.MemberByID(ctx, by)
	r := &Run{ID: id, MeetingID: m.ID, EnterpriseID: m.EnterpriseID, Number: m.Number, Name: m.Name,
		HostID: m.HostID, HostName: m.HostName, RoomID: m.RoomID, Occurrence: o.Key.Time(), ScheduledStart: o.Start, ScheduledEnd: o.End,
		Participants: m.Participants, StartedAt: time.Now().UTC(), StartedBy: by, Search: strings.ToLower(m.Name + " " + m.Number)}
	r.EmptySince = &r.StartedAt
	_, err := s.st.W.Collection(runsColl).InsertOne(ctx, r)
	if isDuplicate(err) {
		existing, err := s.run(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if !existing.InProgress() {
			return nil, errs.Conflict("id", "this meeting was ended; relaunch it to meet again")
		}
		return existing, nil
	}
	if err != nil {
		return nil, fmt.Errorf("conference: start run: %w", err)
	}
	if _, err := s.st.W.Collection(inProgressColl).InsertOne(ctx, bson.M{"_id": r.ID, "enterpriseId": r.EnterpriseID}); err != nil && !isDuplicate(err) {
		return nil, fmt.Errorf("conference: mark the run in progress: %w", err)
	}
	name := ""
	if actor != nil {
		name = actor.Name
	}
	s.Log(ctx, r.ID, LogEntry{Kind: "started", ActorID: by, ActorName: name})
	s.publishResources(m.EnterpriseID)
	s.bus.Publish(bus.Event{Topic: "meeting." + m.ID, Payload: RunEvent{RunID: r.ID, MeetingID: m.ID, InProgress: true}})
	s.notifyRun(RunEvent{RunID: r.ID, MeetingID: m.ID, InProgress: true})
	return r, nil
}

// reserveEarly reserves occurrence o of m from now, its early start, checked like a
// booking of [now, booked start): against the enterprise's quota, the platform's
// capacity and the room. A refusal is a CONFLICT naming what is booked then.
func (s *Service) reserveEarly(ctx context.Context, m *Meeting, o recur.Occurrence, now time.Time) error {
	err := s.underLock(ctx, func(sc *schedule) error {
		cur := sc.meetings[m.ID]
		if cur == nil {
			return errs.NotFound("meeting")
		}
		if at, ok := byKey(cur.Early)[o.Key]; ok && !at.After(now) {
			return nil // a racing start reserved it
		}
		ent, err := s.dir.EnterpriseByID(ctx, cur.EnterpriseID)
		if err != nil {
			return err
		}
		e := occ{meetingID: cur.ID, key: o.Key, start: now, end: o.Start, roomID: cur.RoomID, enterpriseID: cur.EnterpriseID, participants: cur.Participants}
		if err := s.capacityFits(sc, ent, e, cur, "starting now, before the booked time, exceeds "); err != nil {
			return err
		}
		if r := sc.rooms[cur.RoomID]; r != nil {
			if err := sc.roomFits(r, []occ{e}, cur); err != nil {
				return err
			}
		}
		n := copyMeeting(cur)
		n.Early = slices.DeleteFunc(n.Early, func(d endedDoc) bool { return recur.KeyOf(d.Key) == o.Key })
		n.Early = append(n.Early, endedDoc{Key: o.Key.Time(), At: now})
		if err := s.replace(ctx, n); err != nil {
			return err
		}
		return s.commit(ctx, sc, func(sc *schedule) { sc.putMeeting(n) })
	})
	if err == nil {
		s.publishResources(m.EnterpriseID)
	}
	return err
}

// presenceEntry is the meeting log's entry of a presence (its Kind set by the caller).
func presenceEntry(p meeting.Presence) LogEntry {
	e := LogEntry{At: p.At, ActorID: p.UserID, ActorName: p.Name, SubjectID: string(p.Participant), Address: p.Address}
	if p.Client != meeting.ClientUnknown {
		e.ClientKind = p.Client.String()
	}
	return e
}

// RunEvent tells planes that a meeting's run started or ended.
type RunEvent struct {
	RunID, MeetingID string
	InProgress       bool
}

func (s *Service) run(ctx context.Context, id string) (*Run, error) {
	var r Run
	err := s.st.R.Collection(runsColl).FindOne(ctx, bson.M{"_id": id}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("meeting run")
	}
	if err != nil {
		return nil, fmt.Errorf("conference: read run: %w", err)
	}
	return &r, nil
}

// RunInProgress returns the run in progress of a meeting, or NOT_FOUND.
func (s *Service) RunInProgress(ctx context.Context, p *auth.Principal, meetingID string) (*Run, error) {
	m, err := s.meetingFor(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	for _, r := range s.runsInProgress(ctx) {
		if r.MeetingID == m.ID {
			return r, nil
		}
	}
	return nil, errs.NotFound("running meeting")
}

// EndRun implements meeting.Bookings: it ends a run in progress for everyone, by the
// host or an admin the coordinator has checked (by: their user ID). A run that is
// not in progress answers NOT_FOUND.
func (s *Service) EndRun(ctx context.Context, runID, by string) error {
	r, err := s.run(ctx, runID)
	if err != nil || !r.InProgress() {
		return errs.NotFound("running meeting")
	}
	_, err = s.endRun(ctx, r, EndedByHost, by)
	return err
}

// Run returns a run of a meeting the caller may see (NOT_FOUND otherwise).
func (s *Service) Run(ctx context.Context, p *auth.Principal, runID string) (*Run, error) {
	return s.runFor(ctx, p, runID)
}

// endRun ends the run in progress r and frees what its occurrence reserved after now.
func (s *Service) endRun(ctx context.Context, r *Run, reason, by string) (*Run, error) {
	now := time.Now().UTC()
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, r.ID, bson.M{"$set": bson.M{"endedAt": now, "endReason": reason}}); err != nil {
		return nil, fmt.Errorf("conference: end run: %w", err)
	}
	if _, err := s.st.W.Collection(inProgressColl).DeleteOne(ctx, bson.M{"_id": r.ID}); err != nil {
		return nil, fmt.Errorf("conference: unmark the run in progress: %w", err)
	}
	r.EndedAt, r.EndReason = &now, reason
	if err := s.indexEnded(ctx, r); err != nil {
		return nil, err
	}
	e := LogEntry{Kind: "ended", ActorID: by, Detail: reason}
	if by != "" {
		if a, err := s.dir.MemberByID(ctx, by); err == nil {
			e.ActorName = a.Name
		}
	}
	s.Log(ctx, r.ID, e)
	// The run has ended whatever happens here: a failure leaves the rest of the
	// booked time reserved, which is what it was before, so it is logged.
	if err := s.release(ctx, r); err != nil {
		s.log.Error("freeing the rest of an ended meeting's reservation", "run", r.ID, "err", err)
	}
	s.publishResources(r.EnterpriseID)
	s.bus.Publish(bus.Event{Topic: "meeting." + r.MeetingID, Payload: RunEvent{RunID: r.ID, MeetingID: r.MeetingID, InProgress: false}})
	s.notifyRun(RunEvent{RunID: r.ID, MeetingID: r.MeetingID, InProgress: false})
	return r, nil
}

// migrateInProgress moves the documents of oldInProgressColl into inProgressColl and
// drops it. Copying is idempotent, so a start interrupted half-way finishes the move
// at the next one.
func (s *Service) migrateInProgress(ctx context.Context) error {
	cur, err := s.st.R.Collection(oldInProgressColl).Find(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("conference: list %s: %w", oldInProgressColl, err)
	}
	var docs []bson.M
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("conference: read %s: %w", oldInProgressColl, err)
	}
	if len(docs) == 0 {
		return nil
	}
	for _, d := range docs {
		if _, err := s.st.W.Collection(inProgressColl).ReplaceOne(ctx, bson.M{"_id": d["_id"]}, d, options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("conference: move a run in progress: %w", err)
		}
	}
	if err := s.st.W.Collection(oldInProgressColl).Drop(ctx); err != nil {
		return fmt.Errorf("conference: drop %s: %w", oldInProgressColl, err)
	}
	s.log.Info("moved the runs in progress to their new collection", "from", oldInProgressColl, "to", inProgressColl, "runs", len(docs))
	return nil
}

// runsInProgress returns every run in progress.
func (s *Service) runsInProgress(ctx context.Context) []*Run {
	cur, err := s.st.R.Collection(inProgressColl).Find(ctx, bson.M{})
	if err != nil {
		s.log.Error("listing the runs in progress", "err", err)
		return nil
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		s.log.Error("listing the runs in progress", "err", err)
		return nil
	}
	var out []*Run
	for _, id := range ids {
		r, err := s.run(ctx, id.ID)
		if err == nil && r.InProgress() {
			out = append(out, r)
		}
	}
	return out
}

// sweep ends running meetings past their booked end plus grace.
func (s *Service) sweep(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.SweepOnce(ctx, time.Now())
		}
	}
}

// SweepOnce ends the running meetings whose booked end plus grace is before now, and
// those nobody has been in for Config.EmptyTimeout.
func (s *Service) SweepOnce(ctx context.Context, now time.Time) {
	for _, r := range s.runsInProgress(ctx) {
		reason := ""
		switch {
		case now.After(r.ScheduledEnd.Add(s.cfg.Grace)):
			reason = EndedByWindow
		case r.Present <= 0 && r.EmptySince != nil && now.Sub(*r.EmptySince) >= s.cfg.EmptyTimeout:
			reason = EndedEmpty
		}
		if reason == "" {
			continue
		}
		if _, err := s.endRun(ctx, r, reason, ""); err != nil {
			s.log.Error("ending a meeting", "run", r.ID, "reason", reason, "err", err)
		}
	}
}

// Joiner is who asks to enter a meeting: a member (with a principal) or a guest.
type Joiner struct {
	// Principal is the signed-in member; nil for a guest.
	Principal *auth.Principal
	Name      string
}

// Admit returns the run in progress a joiner of the meeting with this number enters,
// making the meeting's current or next occurrence live when the joiner may start
// it: the host and the enterprise's admins at any time before its end (or from
// Config.EarlyStart before its start), other members (and guests when the meeting
// lets guests start it) from its start. Others wait: CONFLICT "not started", with
// the booked start in the details (startsAt). Password, lock and capacity are the
// join's own checks.
func (s *Service) Admit(ctx context.Context, number string, j Joiner) (*Meeting, *Run, error) {
	m, err := s.meetingByNumber(ctx, number)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	cur := nextOccurrence(m, now)
	if cur == nil {
		return m, nil, errs.Conflict("number", "the meeting is not on now: its booked time is over")
	}
	existing, id, err := s.occurrenceRun(ctx, m, *cur)
	if err != nil {
		return m, nil, err
	}
	if existing != nil {
		if !existing.InProgress() {
			return m, nil, errs.Conflict("number", "the meeting has ended")
		}
		return m, existing, nil
	}
	p := j.Principal
	host := p != nil && canControl(p, m)
	member := p != nil && p.EnterpriseID == m.EnterpriseID
	started := !now.Before(cur.Start)
	switch {
	case host && s.hostMayStart(*cur, now):
	case host:
		return m, nil, s.tooEarly("number", *cur)
	case member && started:
	case p == nil && started && m.Options.GuestsMayStart:
	default:
		start := cur.Start.UTC().Format(time.RFC3339)
		e := errs.Conflict("number", "the meeting has not started yet; please wait for the host (booked to start at %s)", start)
		e.Details = map[string]any{"startsAt": start}
		return m, nil, e
	}
	by := ""
	if p != nil {
		by = p.UserID
	}
	r, err := s.startRun(ctx, m, *cur, id, by)
	return m, r, err
}

// Joined implements meeting.Bookings: it records that someone entered a run in
// progress, and logs it.
func (s *Service) Joined(ctx context.Context, p meeting.Presence) error {
	runID, e := p.RunID, presenceEntry(p)
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, runID, bson.M{"$inc": bson.M{"present": 1}, "$unset": bson.M{"emptySince": ""}}); err != nil {
		return fmt.Errorf("conference: record join: %w", err)
	}
	e.Kind = "joined"
	s.Log(ctx, runID, e)
	if r, err := s.run(ctx, runID); err == nil {
		s.publishResources(r.EnterpriseID)
	}
	return nil
}

// Left implements meeting.Bookings: it records that someone left a run in progress,
// and logs it. When the last one leaves the empty timer starts.
func (s *Service) Left(ctx context.Context, p meeting.Presence) error {
	runID, e := p.RunID, presenceEntry(p)
	if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, runID, bson.M{"$inc": bson.M{"present": -1}}); err != nil {
		return fmt.Errorf("conference: record leave: %w", err)
	}
	e.Kind = "left"
	s.Log(ctx, runID, e)
	r, err := s.run(ctx, runID)
	if err != nil {
		return err
	}
	if r.Present <= 0 {
		now := time.Now().UTC()
		if _, err := s.st.W.Collection(runsColl).UpdateByID(ctx, runID, bson.M{"$set": bson.M{"emptySince": now, "present": 0}}); err != nil {
			return fmt.Errorf("conference: record empty meeting: %w", err)
		}
	}
	s.publishResources(r.EnterpriseID)
	return nil
}

// Log appends an entry to a run's meeting log. A member actor without a name (an
// administrator acting from outside the meeting, who ended it) is named from the
// directory, so that every row says who did it.
func (s *Service) Log(ctx context.Context, runID string, e LogEntry) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if e.ActorName == "" && e.ActorID != "" {
		if m, err := s.dir.MemberByID(ctx, e.ActorID); err == nil {
			e.ActorName = m.Name
		}
	}
	_, err := s.st.W.Collection(logsColl).UpdateByID(ctx, runID, bson.M{"$push": bson.M{"entries": e}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Error("writing the meeting log", "run", runID, "err", err)
	}
}

// MeetingLog returns a run's log. Those who could see the meeting may read it.
func (s *Service) MeetingLog(ctx context.Context, p *auth.Principal, runID string) (*Run, []LogEntry, error) {
	r, err := s.runFor(ctx, p, runID)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Entries []LogEntry `bson:"entries"`
	}
	err = s.st.R.Collection(logsColl).FindOne(ctx, bson.M{"_id": runID}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil, fmt.Errorf("conference: read log: %w", err)
	}
	return r, doc.Entries, nil
}

func (s *Service) runFor(ctx context.Context, p *auth.Principal, runID string) (*Run, error) {
	if p == nil {
		return nil, errs.ErrUnauthenticated
	}
	r, err := s.run(ctx, runID)
	if err != nil {
		return nil, err
	}
	m, err := s.loadMeeting(ctx, r.MeetingID)
	if err != nil || !canSee(p, m) {
		return nil, errs.NotFound("meeting run")
	}
	return r, nil
}

func isDuplicate(err error) bool { return err != nil && store.IsDuplicateKey(err) }
