package conference

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/i18n"
	"github.com/jishitong/jishitong/internal/store"
)

// BookingInput books a meeting. Only Start is required.
type BookingInput struct {
	Start    time.Time
	Duration time.Duration // 0: Config.DefaultDuration
	TimeZone string        // IANA name; empty: Config.DefaultTimeZone
	Name     *string       // nil: generated from the host's name
	Password *string       // nil: 6 random digits; "" for none
	// Participants is the capacity reserved; 0: the default that fits (see
	// Service.BookingDefaults).
	Participants int
	Recurrence   *recur.Rule
	Options      Options
	Description  string
	PresenterID  string
	MemberIDs    []string
	GroupIDs     []string
	Emails       []string
	// RoomID picks a room; empty lets the system pick one that fits.
	RoomID string
	// Lang is the booker's language for generated text: "zh-CN" (default) or "en".
	Lang string
}

// Limits on a booking.
const (
	MaxInvitees     = 1000
	MaxParticipants = 10_000
)

// Book books a meeting for the caller. Over capacity, or overlapping another meeting
// in the same dedicated room, it answers CONFLICT naming the clashing meeting and
// time.
func (s *Service) Book(ctx context.Context, p *auth.Principal, in BookingInput) (*Meeting, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	m, err := s.newMeeting(ctx, p, in)
	if err != nil {
		return nil, err
	}
	if err := s.save(ctx, p, m, nil); err != nil {
		return nil, err
	}
	s.invite(ctx, m, false)
	return m, nil
}

func requireMember(p *auth.Principal) error {
	if p == nil {
		return errs.ErrUnauthenticated
	}
	if p.EnterpriseID == "" {
		return errs.New(errs.KindForbidden, "meetings are booked by enterprise accounts")
	}
	return nil
}

// newMeeting validates in and builds the meeting (without number or room yet).
func (s *Service) newMeeting(ctx context.Context, p *auth.Principal, in BookingInput) (*Meeting, error) {
	host, err := s.dir.MemberByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	m := &Meeting{ID: store.NewID(), EnterpriseID: p.EnterpriseID, HostID: p.UserID, HostName: host.Name,
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, Password: randomDigits(6)}
	if err := s.applyInput(ctx, p, m, in, host.Name); err != nil {
		return nil, err
	}
	return m, nil
}

// ParticipantsLimit names what set the participants a booking reserves when it
// names none.
type ParticipantsLimit string

// What sets a booking's default participants.
const (
	// LimitDefault is Config.DefaultParticipants, when nothing below limits it.
	LimitDefault ParticipantsLimit = "default"
	// LimitQuota is the enterprise's concurrency quota.
	LimitQuota ParticipantsLimit = "quota"
	// LimitRoom is the capacity of the chosen room or, when the system picks the
	// room, of the largest room it may pick.
	LimitRoom ParticipantsLimit = "room"
)

// BookingDefaults is what a booking reserves when it names no participants.
type BookingDefaults struct {
	Participants int
	// ParticipantsFrom says what set Participants.
	ParticipantsFrom ParticipantsLimit
}

// BookingDefaults answers what a booking by p in room roomID (empty: a room the
// system picks) reserves when it names no participants: Config.DefaultParticipants,
// lowered to the enterprise's quota and to the room's capacity, so that a booking
// that gives only a start time fits where nothing else is booked.
func (s *Service) BookingDefaults(ctx context.Context, p *auth.Principal, roomID string) (*BookingDefaults, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	return s.bookingDefaults(ctx, p, roomID)
}

// bookingDefaults is BookingDefaults for a booking hosted by host.
func (s *Service) bookingDefaults(ctx context.Context, host *auth.Principal, roomID string) (*BookingDefaults, error) {
	d := &BookingDefaults{Participants: s.cfg.DefaultParticipants, ParticipantsFrom: LimitDefault}
	ent, err := s.dir.EnterpriseByID(ctx, host.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if ent.Quota > 0 && ent.Quota < d.Participants {
		d.Participants, d.ParticipantsFrom = ent.Quota, LimitQuota
	}
	sc, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	room := 0
	if roomID != "" {
		r := sc.rooms[roomID]
		if r == nil || !r.usableBy(host) {
			return nil, errs.NotFound("room")
		}
		room = r.Capacity
	} else {
		for _, r := range sc.rooms {
			if r.pickableFor(host) {
				room = max(room, r.Capacity)
			}
		}
	}
	if room > 0 && room < d.Participants {
		d.Participants, d.ParticipantsFrom = room, LimitRoom
	}
	// A meeting is for two at least; below that the quota or room refuses it.
	d.Participants = max(d.Participants, 2)
	return d, nil
}

// MaxBookAhead is how far ahead a meeting may start: a start years away is a typo
// (or a probe), not a plan.
const MaxBookAhead = 5 * 365 * 24 * time.Hour

// checkStart refuses a missing start, or one more than MaxBookAhead from now, as
// invalid input in field.
func checkStart(field string, start time.Time) error {
	if start.IsZero() {
		return errs.Invalid(field, "a start time is required")
	}
	if start.After(time.Now().Add(MaxBookAhead)) {
		return errs.Invalid(field, "a meeting may start at most %d years ahead", int(MaxBookAhead/(365*24*time.Hour)))
	}
	return nil
}

// applyInput validates the booking fields of in and writes them into m.
func (s *Service) applyInput(ctx context.Context, p *auth.Principal, m *Meeting, in BookingInput, hostName string) error {
	if err := checkStart("start", in.Start); err != nil {
		return err
	}
	lang := i18n.Chinese
	if in.Lang != "" {
		var ok bool
		if lang, ok = i18n.Parse(in.Lang); !ok {
			return errs.Invalid("lang", "lang must be zh-CN or en")
		}
	}
	tz := in.TimeZone
	if tz == "" {
		tz = s.cfg.DefaultTimeZone
	}
	zone, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return errs.Invalid("timeZone", "%q is not an IANA time zone", tz)
	}
	d := in.Duration
	if d == 0 {
		d = s.cfg.DefaultDuration
	}
	if d < time.Minute || d > recur.MaxDuration {
		return errs.Invalid("duration", "a meeting lasts between 1 minute and %v", recur.MaxDuration)
	}
	series := recur.Series{Start: in.Start.Truncate(time.Second).UTC(), Duration: d.Truncate(time.Second), Zone: zone, Rule: in.Recurrence}
	if err := series.Validate(); err != nil {
		return err
	}
	if _, end := series.Window(); !end.After(time.Now()) {
		return errs.Invalid("start", "the meeting would be over before it is booked")
	}
	m.setSeries(series)

	if in.Name != nil {
		m.Name = strings.TrimSpace(*in.Name)
		if m.Name == "" || utf8.RuneCountInString(m.Name) > 100 {
			return errs.Invalid("name", "name is required, at most 100 characters")
		}
	} else if m.Name == "" {
		m.Name = hostName + "的会议"
		if lang == i18n.English {
			m.Name = hostName + "'s meeting"
		}
	}
	if in.Password != nil {
		if err := validPassword(*in.Password); err != nil {
			return err
		}
		m.Password = *in.Password
	}
	m.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(m.Description) > 4000 {
		return errs.Invalid("description", "description is at most 4000 characters")
	}
	m.Participants = in.Participants
	if m.Participants == 0 {
		d, err := s.bookingDefaults(ctx, &auth.Principal{UserID: m.HostID, EnterpriseID: m.EnterpriseID, Role: p.Role}, in.RoomID)
		if err != nil {
			return err
		}
		m.Participants = d.Participants
	}
	if m.Participants < 2 || m.Participants > MaxParticipants {
		return errs.Invalid("participants", "participants must be between 2 and %d", MaxParticipants)
	}
	m.Options = in.Options
	m.RoomID = in.RoomID
	inv, err := s.invitees(ctx, p, in)
	if err != nil {
		return err
	}
	m.Invitees = inv
	m.PresenterID = in.PresenterID
	if m.PresenterID != "" && m.PresenterID != m.HostID && !slices.Contains(inv.MemberIDs, m.PresenterID) {
		return errs.Invalid("presenterId", "the presenter must be the host or an invited member")
	}
	return nil
}

// invitees validates and expands the invitees of in: groups become their members.
func (s *Service) invitees(ctx context.Context, p *auth.Principal, in BookingInput) (Invitees, error) {
	out := Invitees{MemberIDs: []string{}, GroupIDs: []string{}, Emails: []string{}}
	seen := map[string]bool{p.UserID: true}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out.MemberIDs = append(out.MemberIDs, id)
		}
	}
	for _, id := range in.MemberIDs {
		m, err := s.dir.Member(ctx, p, id)
		if err != nil {
			return out, err
		}
		if m.Status == "deleted" {
			return out, errs.NotFound("member " + id)
		}
		add(m.ID)
	}
	for _, id := range in.GroupIDs {
		g, err := s.dir.Group(ctx, p, id)
		if err != nil {
			return out, err
		}
		if !slices.Contains(out.GroupIDs, g.ID) {
			out.GroupIDs = append(out.GroupIDs, g.ID)
		}
		for _, mid := range g.MemberIDs {
			add(mid)
		}
	}
	for _, e := range in.Emails {
		e = strings.ToLower(strings.TrimSpace(e))
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || !strings.Contains(e[strings.IndexByte(e, '@')+1:], ".") {
			return out, errs.Invalid("emails", "%q is not a valid email address", e)
		}
		if !slices.Contains(out.Emails, e) {
			out.Emails = append(out.Emails, e)
		}
	}
	if len(out.MemberIDs)+len(out.Emails) > MaxInvitees {
		return out, errs.Invalid("memberIds", "at most %d invitees", MaxInvitees)
	}
	return out, nil
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

// save checks m against the schedule and stores it: a new booking when old is nil,
// else a new version of old. It runs under the schedule lock.
func (s *Service) save(ctx context.Context, p *auth.Principal, m *Meeting, old *Meeting) error {
	err := s.underLock(ctx, func(sc *schedule) error {
		if old != nil {
			if err := unchanged(sc, old); err != nil {
				return err
			}
			keepEnded(sc, m)
		}
		if err := s.place(ctx, sc, p, m); err != nil {
			return err
		}
		if old != nil {
			if err := s.replace(ctx, m); err != nil {
				return err
			}
		} else {
			var err error
			if m.Number, err = newMeetingNumber(ctx, s.st, m.ID); err != nil {
				return err
			}
			if _, err := s.st.W.Collection(meetingsColl).InsertOne(ctx, m); err != nil {
				releaseNumber(ctx, s.st, m.Number)
				return fmt.Errorf("conference: store meeting: %w", err)
			}
		}
		return s.commit(ctx, sc, func(sc *schedule) { sc.putMeeting(m) })
	})
	if err != nil {
		return err
	}
	s.publishResources(m.EnterpriseID)
	return nil
}

// place chooses m's room (unless given) and checks every occurrence against rooms,
// the enterprise quota and the platform capacity.
func (s *Service) place(ctx context.Context, sc *schedule, p *auth.Principal, m *Meeting) error {
	ent, err := s.dir.EnterpriseByID(ctx, m.EnterpriseID)
	if err != nil {
		return err
	}
	all := occurrencesOf(m, m.series().All())
	if len(all) == 0 {
		return errs.Invalid("recurrence", "the series has no occurrence")
	}
	// Only what is still ahead is checked: the past cannot be booked by anyone, so a
	// meeting booked from the minute that has begun does not clash with one that
	// ended a few seconds into it.
	os := aheadOf(all, time.Now())
	// Enterprise quota and platform capacity do not depend on the room.
	for _, o := range os {
		if err := s.capacityFits(sc, ent, o, m, ""); err != nil {
			return err
		}
	}
	host := &auth.Principal{UserID: m.HostID, EnterpriseID: m.EnterpriseID, Role: p.Role}
	if m.RoomID != "" {
		r := sc.rooms[m.RoomID]
		if r == nil || !r.usableBy(host) {
			return errs.NotFound("room")
		}
		return sc.roomFits(r, os, m)
	}
	var candidates []*Room
	for _, r := range sc.rooms {
		if r.pickableFor(host) {
			candidates = append(candidates, r)
		}
	}
	rank := map[RoomScope]int{RoomDedicated: 0, RoomEnterprise: 1, RoomShared: 2}
	slices.SortFunc(candidates, func(a, b *Room) int {
		if a.Scope != b.Scope {
			return rank[a.Scope] - rank[b.Scope]
		}
		if a.Capacity != b.Capacity {
			return a.Capacity - b.Capacity
		}
		return strings.Compare(a.Number, b.Number)
	})
	var firstErr error
	for _, r := range candidates {
		err := sc.roomFits(r, os, m)
		if err == nil {
			m.RoomID = r.ID
			return nil
		}
		if firstErr == nil && r.Capacity >= m.Participants {
			firstErr = err
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return errs.Conflict("participants", "no meeting room you may use holds %d participants", m.Participants)
}

// capacityFits checks occurrence o of m against the enterprise's quota and the
// platform's capacity; why, when not empty, says what is checked before the limit
// ("starting now, before the booked time, exceeds ").
func (s *Service) capacityFits(sc *schedule, ent *directory.Enterprise, o occ, m *Meeting, why string) error {
	if ent.Quota > 0 {
		if err := sc.fits(sc.byEntView(m.EnterpriseID), o, m, ent.Quota, why+"your enterprise's quota of %d participants"); err != nil {
			return err
		}
	}
	return sc.fits(sc.allView(), o, m, s.cfg.PlatformCapacity, why+"the platform's capacity of %d participants")
}

func (sc *schedule) byEntView(id string) []occ { sc.index(); return sc.byEnt[id] }
func (sc *schedule) allView() []occ            { sc.index(); return sc.all }

// roomFits checks the occurrences os of m against room r.
func (sc *schedule) roomFits(r *Room, os []occ, m *Meeting) error {
	if m.Participants > r.Capacity {
		return errs.Conflict("participants", "room %s (%s) holds %d participants, not %d", r.Number, r.Name, r.Capacity, m.Participants)
	}
	sc.index()
	for _, o := range os {
		if r.Scope == RoomDedicated {
			if clash := sc.overlapping(sc.byRoom[r.ID], o.start, o.end, m.ID); len(clash) > 0 {
				return conflictWith(sc, clash[0], m, fmt.Sprintf("dedicated room %s (%s) is booked", r.Number, r.Name))
			}
			continue
		}
		if err := sc.fits(sc.byRoom[r.ID], o, m, r.Capacity, fmt.Sprintf("room %s (%s) holds %%d participants", r.Number, r.Name)); err != nil {
			return err
		}
	}
	return nil
}

// fits checks that adding occurrence o of m to the reservations l keeps the peak
// within limit. what describes the limit, with one %d for it.
func (sc *schedule) fits(l []occ, o occ, m *Meeting, limit int, what string) error {
	overlap := sc.overlapping(l, o.start, o.end, m.ID)
	booked, at := peak(overlap, o.start, o.end)
	if booked+o.participants <= limit {
		return nil
	}
	msg := fmt.Sprintf(what, limit)
	if at == nil {
		return errs.Conflict("participants", "%s: %d participants do not fit", msg, o.participants)
	}
	return conflictWith(sc, *at, m, fmt.Sprintf("%s, %d are already booked", msg, booked))
}

// conflictWith builds the CONFLICT error naming the clashing occurrence, as seen by
// booking b: meetings of other enterprises are not named.
func conflictWith(sc *schedule, o occ, b *Meeting, why string) error {
	m := sc.meetings[o.meetingID]
	z := b.zone()
	span := fmt.Sprintf("from %s to %s", fmtTime(o.start, z), o.end.In(z).Format("15:04"))
	if m.EnterpriseID != b.EnterpriseID {
		e := errs.Conflict("start", "%s: another enterprise's meeting %s", why, span)
		e.Details = map[string]any{"conflictStart": o.start.Format(time.RFC3339), "conflictEnd": o.end.Format(time.RFC3339)}
		return e
	}
	e := errs.Conflict("start", "%s: %q (%s) %s", why, m.Name, m.Number, span)
	e.Details = map[string]any{"conflictMeetingId": m.ID, "conflictMeetingName": m.Name,
		"conflictStart": o.start.Format(time.RFC3339), "conflictEnd": o.end.Format(time.RFC3339)}
	return e
}
