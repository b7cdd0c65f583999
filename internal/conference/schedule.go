package conference

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

// The schedule is every room and every booked meeting with its occurrences expanded,
// held in memory. Conflict checks, "my meetings" and resource status read it
// instead of querying the store: the embedded store answers only _id lookups from
// an index, and a capacity check over 10,000 meetings must not read them all.
//
// The store stays the truth. A counter document {_id: "schedule", version} is bumped
// by every change to rooms or meetings; a reader compares it (an _id lookup) with
// the version of its copy and reloads when they differ. Changes are made under the
// schedule lock (locks/_id "schedule"), so a writer knows the version it will
// produce: when its bump returns exactly its copy's version + 1, nobody else wrote
// and it applies its change to its copy instead of reloading.
type schedule struct {
	version  int64
	rooms    map[string]*Room
	meetings map[string]*Meeting
	occs     map[string][]occ // by meeting ID

	// Derived from occs, each sorted by start; rebuilt by index().
	all     []occ
	byRoom  map[string][]occ
	byEnt   map[string][]occ
	maxDur  time.Duration
	indexed bool
}

// occ is one occurrence of a booked meeting, reserving participants in a room.
type occ struct {
	meetingID    string
	key          recur.Key
	start, end   time.Time
	roomID       string
	enterpriseID string
	participants int
	moved        bool // an exception changed its start or duration
}

const countersColl = "counters"

func newSchedule() *schedule {
	return &schedule{rooms: map[string]*Room{}, meetings: map[string]*Meeting{}, occs: map[string][]occ{}}
}

// clone returns a copy whose maps can be changed without touching sc. Values, and
// the sorted views, are shared: they are replaced, never modified in place.
func (sc *schedule) clone() *schedule {
	return &schedule{version: sc.version, rooms: maps.Clone(sc.rooms), meetings: maps.Clone(sc.meetings), occs: maps.Clone(sc.occs),
		all: sc.all, byRoom: sc.byRoom, byEnt: sc.byEnt, maxDur: sc.maxDur, indexed: sc.indexed}
}

func (sc *schedule) putRoom(r *Room) { sc.rooms[r.ID] = r; sc.indexed = false }

func (sc *schedule) removeRoom(id string) { delete(sc.rooms, id); sc.indexed = false }

// putMeeting adds or replaces a meeting and its occurrences; cancelled meetings are
// removed.
func (sc *schedule) putMeeting(m *Meeting) {
	old := sc.occs[m.ID]
	var now []occ
	if m.Status == StatusCancelled {
		delete(sc.meetings, m.ID)
		delete(sc.occs, m.ID)
	} else {
		sc.meetings[m.ID] = m
		now = occurrencesOf(m, m.series().All())
		sc.occs[m.ID] = now
	}
	if sc.indexed {
		sc.reindex(m.ID, old, now)
	}
}

// reindex updates the sorted views for meeting id, whose occurrences were old and
// are now (sorted by start), by merging in linear time: rebuilding them with index
// re-sorts every occurrence, which with 10,000 meetings (35,000 occurrences) made
// each booking spend most of its time sorting while holding the schedule lock. The
// views may be shared with the installed schedule, so new slices and maps are
// built; nothing is changed in place.
func (sc *schedule) reindex(id string, old, now []occ) {
	if len(old) == 0 && len(now) == 0 {
		return
	}
	sc.all = replaceOccs(sc.all, id, now)
	sc.byRoom, sc.byEnt = maps.Clone(sc.byRoom), maps.Clone(sc.byEnt)
	// A meeting's occurrences share its room and enterprise; an edit may move it to
	// another room.
	rooms, ents := map[string]bool{}, map[string]bool{}
	for _, o := range slices.Concat(old, now) {
		rooms[o.roomID], ents[o.enterpriseID] = true, true
	}
	for r := range rooms {
		sc.byRoom[r] = replaceOccs(sc.byRoom[r], id, filterOccs(now, func(o occ) bool { return o.roomID == r }))
	}
	for e := range ents {
		sc.byEnt[e] = replaceOccs(sc.byEnt[e], id, filterOccs(now, func(o occ) bool { return o.enterpriseID == e }))
	}
	for _, o := range now {
		sc.maxDur = max(sc.maxDur, o.end.Sub(o.start))
	}
}

// replaceOccs returns a new list with l's occurrences (sorted by start) except
// meeting id's, merged with add (sorted by start).
func replaceOccs(l []occ, id string, add []occ) []occ {
	out := make([]occ, 0, len(l)+len(add))
	j := 0
	for _, o := range l {
		if o.meetingID == id {
			continue
		}
		for j < len(add) && add[j].start.Before(o.start) {
			out = append(out, add[j])
			j++
		}
		out = append(out, o)
	}
	return append(out, add[j:]...)
}

func filterOccs(os []occ, keep func(occ) bool) []occ {
	var out []occ
	for _, o := range os {
		if keep(o) {
			out = append(out, o)
		}
	}
	return out
}

// occurrencesOf returns the reservations of m's occurrences os. An occurrence whose
// run ended before its booked end reserves until then; one that ended before its
// booked start reserves nothing (no longer written: such a run keeps the reservation,
// see release); one started early reserves from its start.
func occurrencesOf(m *Meeting, os []recur.Occurrence) []occ {
	ended, early := byKey(m.Ended), byKey(m.Early)
	out := make([]occ, 0, len(os))
	for _, o := range os {
		if at, ok := ended[o.Key]; ok && at.Before(o.End) {
			o.End = at
		}
		if m.ReleasedAt != nil && m.ReleasedAt.Before(o.End) {
			o.End = *m.ReleasedAt
		}
		if !o.End.After(o.Start) {
			continue
		}
		if at, ok := early[o.Key]; ok && at.Before(o.Start) {
			o.Start = at
		}
		out = append(out, occ{meetingID: m.ID, key: o.Key, start: o.Start, end: o.End, roomID: m.RoomID, enterpriseID: m.EnterpriseID, participants: m.Participants, moved: o.Moved})
	}
	return out
}

// byKey maps occurrence keys to their instants; nil when l is empty.
func byKey(l []endedDoc) map[recur.Key]time.Time {
	if len(l) == 0 {
		return nil
	}
	out := make(map[recur.Key]time.Time, len(l))
	for _, e := range l {
		out[recur.KeyOf(e.Key)] = e.At
	}
	return out
}

// aheadOf returns the parts of os after now: each starts at now at the earliest;
// those over by now are left out.
func aheadOf(os []occ, now time.Time) []occ {
	out := make([]occ, 0, len(os))
	for _, o := range os {
		o.start = maxTime(o.start, now)
		if o.end.After(o.start) {
			out = append(out, o)
		}
	}
	return out
}

// index rebuilds the sorted views.
func (sc *schedule) index() {
	if sc.indexed {
		return
	}
	sc.all = nil // the old views may be shared with another copy
	sc.byRoom = map[string][]occ{}
	sc.byEnt = map[string][]occ{}
	sc.maxDur = 0
	for _, os := range sc.occs {
		for _, o := range os {
			sc.all = append(sc.all, o)
			sc.byRoom[o.roomID] = append(sc.byRoom[o.roomID], o)
			sc.byEnt[o.enterpriseID] = append(sc.byEnt[o.enterpriseID], o)
			sc.maxDur = max(sc.maxDur, o.end.Sub(o.start))
		}
	}
	byStart := func(a, b occ) int { return a.start.Compare(b.start) }
	slices.SortFunc(sc.all, byStart)
	for _, l := range sc.byRoom {
		slices.SortFunc(l, byStart)
	}
	for _, l := range sc.byEnt {
		slices.SortFunc(l, byStart)
	}
	sc.indexed = true
}

// overlapping returns the occurrences of l (sorted by start) that overlap
// [from, to), except those of meeting skip.
func (sc *schedule) overlapping(l []occ, from, to time.Time, skip string) []occ {
	sc.index()
	i, _ := slices.BinarySearchFunc(l, from.Add(-sc.maxDur), func(o occ, t time.Time) int { return o.start.Compare(t) })
	var out []occ
	for ; i < len(l) && l[i].start.Before(to); i++ {
		if l[i].end.After(from) && l[i].meetingID != skip {
			out = append(out, l[i])
		}
	}
	return out
}

// peak returns the highest sum of participants of os at any instant in [from, to).
func peak(os []occ, from, to time.Time) (int, *occ) {
	type edge struct {
		at    time.Time
		delta int
		o     *occ
	}
	var edges []edge
	for i := range os {
		o := &os[i]
		edges = append(edges, edge{maxTime(o.start, from), o.participants, o}, edge{minTime(o.end, to), -o.participants, o})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta // ends before starts at the same instant
	})
	best, cur := 0, 0
	var at *occ
	for _, e := range edges {
		cur += e.delta
		if cur > best {
			best, at = cur, e.o
		}
	}
	return best, at
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// checkRoomChange refuses a room edit (old becoming r) that future bookings in it
// do not survive.
func (sc *schedule) checkRoomChange(old, r *Room, now time.Time) error {
	// A dedicated room also holds its enterprise admins' meetings: they block only a
	// change of owner (or of scope to dedicated), not a rename or a new password.
	sameOwner := old.Scope == RoomDedicated && old.OwnerID == r.OwnerID
	sc.index()
	for _, o := range sc.byRoom[r.ID] {
		if !o.end.After(now) {
			continue
		}
		m := sc.meetings[o.meetingID]
		if m.EnterpriseID != r.EnterpriseID && r.Scope != RoomShared {
			return errs.Conflict("scope", "meeting %q of another enterprise is booked in this room at %s", m.Name, fmtTime(o.start, m.zone()))
		}
		if r.Scope == RoomDedicated && m.HostID != r.OwnerID && !sameOwner {
			return errs.Conflict("ownerId", "meeting %q of another host is booked in this room at %s", m.Name, fmtTime(o.start, m.zone()))
		}
		if p, _ := peak(sc.overlapping(sc.byRoom[r.ID], o.start, o.end, ""), o.start, o.end); p > r.Capacity {
			return errs.Conflict("capacity", "%d participants are booked in this room at %s", p, fmtTime(o.start, m.zone()))
		}
	}
	return nil
}

func fmtTime(t time.Time, zone *time.Location) string {
	return t.In(zone).Format("2006-01-02 15:04 MST")
}

// lockSchedule takes the schedule lock; every change to rooms or meetings holds it.
func (s *Service) lockSchedule(ctx context.Context) (*lock, error) {
	return acquire(ctx, s.st, "schedule", 30*time.Second, 10*time.Second)
}

// storedVersion reads the schedule version from the store.
func (s *Service) storedVersion(ctx context.Context) (int64, error) {
	var c struct {
		Version int64 `bson:"version"`
	}
	err := s.st.R.Collection(countersColl).FindOne(ctx, bson.M{"_id": "schedule"}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("conference: read schedule version: %w", err)
	}
	return c.Version, nil
}

// read returns an up-to-date schedule for reading. It must not be modified.
func (s *Service) read(ctx context.Context) (*schedule, error) {
	v, err := s.storedVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	sc := s.sched
	s.mu.Unlock()
	if sc != nil && sc.version == v {
		return sc, nil
	}
	return s.reload(ctx, v)
}

// current returns a private copy of the up-to-date schedule for a change, under the
// schedule lock l. After a lock take-over the copy is reloaded from the store.
func (s *Service) current(ctx context.Context, l *lock) (*schedule, error) {
	var sc *schedule
	var err error
	if l.tookOver {
		var v int64
		if v, err = s.storedVersion(ctx); err == nil {
			sc, err = s.reload(ctx, v)
		}
	} else {
		sc, err = s.read(ctx)
	}
	if err != nil {
		return nil, err
	}
	return sc.clone(), nil
}

// reload reads every room and active meeting from the store as of version v.
func (s *Service) reload(ctx context.Context, v int64) (*schedule, error) {
	sc := newSchedule()
	sc.version = v
	rooms, err := loadRooms(ctx, s.st)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		sc.rooms[r.ID] = r
	}
	cur, err := s.st.R.Collection(meetingsColl).Find(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("conference: list meetings: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var m Meeting
		if err := cur.Decode(&m); err != nil {
			return nil, fmt.Errorf("conference: read meeting: %w", err)
		}
		if err := m.prepare(); err != nil {
			s.log.Error("skipping unreadable meeting", "meeting", m.ID, "err", err)
			continue
		}
		sc.putMeeting(&m)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("conference: list meetings: %w", err)
	}
	sc.index()
	s.mu.Lock()
	if s.sched == nil || s.sched.version <= v {
		s.sched = sc
	}
	s.mu.Unlock()
	return sc, nil
}

// commit records a change made under the schedule lock: it bumps the stored
// version and installs sc with the change applied. When another process bumped the
// version meanwhile (it cannot hold the lock, so only after a take-over), the copy
// is dropped and the next read reloads.
func (s *Service) commit(ctx context.Context, sc *schedule, apply func(*schedule)) error {
	var c struct {
		Version int64 `bson:"version"`
	}
	err := s.st.W.Collection(countersColl).FindOneAndUpdate(ctx, bson.M{"_id": "schedule"}, bson.M{"$inc": bson.M{"version": 1}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		s.mu.Lock()
		s.sched = nil
		s.mu.Unlock()
		return fmt.Errorf("conference: bump schedule version: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Version != sc.version+1 {
		s.sched = nil
		return nil
	}
	apply(sc)
	sc.version = c.Version
	sc.index()
	s.sched = sc
	return nil
}

// underLock runs change on a private, up-to-date copy of the schedule while holding
// the schedule lock. Every change to rooms or bookings goes through it.
func (s *Service) underLock(ctx context.Context, change func(sc *schedule) error) error {
	l, err := s.lockSchedule(ctx)
	if err != nil {
		return err
	}
	defer l.unlock(s.st)
	sc, err := s.current(ctx, l)
	if err != nil {
		return err
	}
	return change(sc)
}

// storeVersion stores m as the next version of old without a capacity check (for
// changes that reserve nothing new: invitees, cancellation), refusing when old was
// changed meanwhile so that a concurrent edit or cancellation is not undone.
func (s *Service) storeVersion(ctx context.Context, old, m *Meeting) error {
	return s.underLock(ctx, func(sc *schedule) error {
		if err := unchanged(sc, old); err != nil {
			return err
		}
		keepEnded(sc, m)
		if err := s.replace(ctx, m); err != nil {
			return err
		}
		return s.commit(ctx, sc, func(sc *schedule) { sc.putMeeting(m) })
	})
}

// keepEnded gives m, a new version of a stored meeting built from a copy read
// before the schedule lock, the ended occurrences of the stored version: a run may
// have ended meanwhile, and an edit must not take its freed capacity back. Ends are
// not edits (they bump no Sequence), so unchanged lets them through.
func keepEnded(sc *schedule, m *Meeting) {
	if cur := sc.meetings[m.ID]; cur != nil {
		m.Ended = append([]endedDoc(nil), cur.Ended...)
		m.Early = append([]endedDoc(nil), cur.Early...)
	}
}

// release frees what run r's occurrence reserved after r ended: the occurrence
// reserves only until then (see Meeting.Ended), or, for a run ended before its booked
// start, only its booked time (Meeting.Early). A run that ended after its booked end,
// or of a cancelled meeting, frees nothing more.
func (s *Service) release(ctx context.Context, r *Run) error {
	if r.EndedAt == nil {
		return nil
	}
	key, at := recur.KeyOf(r.Occurrence), r.EndedAt.UTC()
	return s.underLock(ctx, func(sc *schedule) error {
		cur := sc.meetings[r.MeetingID]
		if cur == nil {
			return nil
		}
		m := copyMeeting(cur)
		if at.Before(r.ScheduledStart) {
			// A run that ended before the booked start did not use the occurrence up
			// (the host may start it again, lifecycle.go): its booked reservation stays
			// whole, and what it reserved early is free from now.
			n := len(m.Early)
			m.Early = slices.DeleteFunc(m.Early, func(e endedDoc) bool { return recur.KeyOf(e.Key) == key })
			if len(m.Early) == n {
				return nil
			}
		} else {
			if !slices.ContainsFunc(sc.occs[cur.ID], func(o occ) bool { return o.key == key && o.end.After(at) }) {
				return nil
			}
			m.Ended = append(m.Ended, endedDoc{Key: key.Time(), At: at})
		}
		if err := s.replace(ctx, m); err != nil {
			return err
		}
		return s.commit(ctx, sc, func(sc *schedule) { sc.putMeeting(m) })
	})
}

// changed applies a change that needs no checks (a new room) under the lock.
func (s *Service) changed(ctx context.Context, apply func(*schedule)) error {
	return s.underLock(ctx, func(sc *schedule) error { return s.commit(ctx, sc, apply) })
}
