package conference

import (
	"context"
	"slices"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/notify"
	"github.com/jishitong/jishitong/internal/store"
)

// invitation builds the mail and iCalendar description of m.
func (s *Service) invitation(m *Meeting, method notify.Method) notify.Invitation {
	ser := m.series()
	inv := notify.Invitation{
		UID: m.ID + "@" + s.host, Sequence: m.Sequence, Method: method, Title: m.Name, Description: m.Description,
		Start: m.Start, Duration: m.Duration(), Zone: m.zone(), Organizer: notify.Person{Name: m.HostName},
		MeetingNumber: m.Number, Password: m.Password, JoinPath: "/join/" + m.Number,
	}
	if host, err := s.dir.MemberByID(context.Background(), m.HostID); err == nil {
		inv.Organizer.Email = host.Email
	}
	if m.rule != nil {
		inv.RRULE = m.RRule
		for _, k := range ser.ExDates() {
			inv.ExDates = append(inv.ExDates, k.Time())
		}
		for _, o := range ser.Moved() {
			inv.Overrides = append(inv.Overrides, notify.Override{RecurrenceID: o.Key.Time(), Start: o.Start, Duration: o.End.Sub(o.Start)})
		}
	}
	return inv
}

// attendees returns the people to mail (members and outside addresses) of ids and
// emails, each in their language; outside guests get the host's. Members without
// an email (a phone number only) get no mail, only the in-app notice.
func (s *Service) attendees(ctx context.Context, m *Meeting, ids, emails []string) []notify.Person {
	var out []notify.Person
	for _, id := range ids {
		mem, err := s.dir.MemberByID(ctx, id)
		if err != nil || mem.Status == "deleted" || mem.Email == "" {
			continue
		}
		out = append(out, notify.Person{Name: mem.Name, Email: mem.Email, Lang: mem.Lang()})
	}
	lang := "zh-CN"
	if host, err := s.dir.MemberByID(ctx, m.HostID); err == nil {
		lang = host.Lang()
	}
	for _, e := range emails {
		out = append(out, notify.Person{Email: e, Lang: lang})
	}
	return out
}

// invite queues the invitation (or update) mail to every invitee and notifies
// invited members in the app. It never fails the booking: a mail problem is logged
// and shows in the delivery status.
func (s *Service) invite(ctx context.Context, m *Meeting, update bool) {
	kind := NotificationInvited
	if update {
		kind = NotificationUpdated
	}
	s.notify(m, m.Invitees.MemberIDs, kind)
	if s.mail == nil {
		return
	}
	people := s.attendees(ctx, m, m.Invitees.MemberIDs, m.Invitees.Emails)
	if len(people) == 0 {
		return
	}
	if err := s.mail.Enqueue(ctx, "meeting", m.ID, s.invitation(m, notify.MethodRequest), people); err != nil {
		s.log.Error("queueing invitations", "meeting", m.ID, "err", err)
	}
}

// uninvite sends cancellations to those invited to old but not to m.
func (s *Service) uninvite(ctx context.Context, old, m *Meeting) {
	var ids, emails []string
	for _, id := range old.Invitees.MemberIDs {
		if !slices.Contains(m.Invitees.MemberIDs, id) {
			ids = append(ids, id)
		}
	}
	for _, e := range old.Invitees.Emails {
		if !slices.Contains(m.Invitees.Emails, e) {
			emails = append(emails, e)
		}
	}
	s.cancelMail(ctx, m, ids, emails)
}

func (s *Service) cancelMail(ctx context.Context, m *Meeting, ids, emails []string) {
	s.notify(m, ids, NotificationCancelled)
	if s.mail == nil {
		return
	}
	people := s.attendees(ctx, m, ids, emails)
	if len(people) == 0 {
		return
	}
	if err := s.mail.Enqueue(ctx, "meeting", m.ID, s.invitation(m, notify.MethodCancel), people); err != nil {
		s.log.Error("queueing cancellations", "meeting", m.ID, "err", err)
	}
}

// Deliveries returns the invitation mail status per recipient of a meeting. Host
// and admins only.
func (s *Service) Deliveries(ctx context.Context, p *auth.Principal, meetingID string) ([]notify.Delivery, error) {
	m, err := s.meetingFor(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	if !canControl(p, m) {
		return nil, errs.New(errs.KindForbidden, "only the host and administrators see invitation status")
	}
	if s.mail == nil {
		return nil, nil
	}
	return s.mail.Deliveries(ctx, "meeting", m.ID)
}

// NotificationKind says why a member is notified.
type NotificationKind int

// Notification kinds.
const (
	NotificationUnknown NotificationKind = iota
	NotificationInvited
	NotificationUpdated
	NotificationCancelled
	// NotificationStartedNow: an instant meeting started, or the host calls people
	// who are not present: join now.
	NotificationStartedNow
)

// Notification is an in-app notice for one member.
type Notification struct {
	Kind      NotificationKind
	MeetingID string
	Number    string
	Name      string
	HostName  string
	Start     time.Time
	At        time.Time
}

func userTopic(userID string) string { return "user." + userID }

// notify sends an in-app notification to each member.
func (s *Service) notify(m *Meeting, ids []string, kind NotificationKind) {
	n := Notification{Kind: kind, MeetingID: m.ID, Number: m.Number, Name: m.Name, HostName: m.HostName, Start: m.Start, At: time.Now().UTC()}
	for _, id := range ids {
		s.bus.Publish(bus.Event{Topic: userTopic(id), Payload: n})
	}
}

// Notifications streams the caller's in-app notifications until ctx ends.
func (s *Service) Notifications(ctx context.Context, p *auth.Principal) (<-chan Notification, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	in := s.bus.Subscribe(ctx, userTopic(p.UserID), 32)
	out := make(chan Notification, 8)
	go func() {
		defer close(out)
		for ev := range in {
			n, _ := ev.Payload.(Notification)
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// InstantInput starts a meeting now.
type InstantInput struct {
	Name         *string
	MemberIDs    []string
	GroupIDs     []string
	Emails       []string
	Participants int
	Duration     time.Duration
	TimeZone     string
	Options      Options
	Lang         string
}

// StartInstant books a meeting starting now, makes it live, and notifies the
// invitees in the app and by mail so they can join with one click.
func (s *Service) StartInstant(ctx context.Context, p *auth.Principal, in InstantInput) (*Meeting, *Run, error) {
	if err := requireMember(p); err != nil {
		return nil, nil, err
	}
	b := BookingInput{Start: time.Now().Truncate(time.Second), Duration: in.Duration, TimeZone: in.TimeZone, Name: in.Name,
		Participants: in.Participants, Options: in.Options, MemberIDs: in.MemberIDs, GroupIDs: in.GroupIDs, Emails: in.Emails, Lang: in.Lang}
	m, err := s.newMeeting(ctx, p, b)
	if err != nil {
		return nil, nil, err
	}
	m.Instant = true
	if err := s.save(ctx, p, m, nil); err != nil {
		return nil, nil, err
	}
	os := m.series().All()
	r, err := s.startRun(ctx, m, os[0], runID(m.ID, os[0].Key), p.UserID)
	if err != nil {
		return nil, nil, err
	}
	s.notify(m, m.Invitees.MemberIDs, NotificationStartedNow)
	if s.mail != nil {
		if people := s.attendees(ctx, m, m.Invitees.MemberIDs, m.Invitees.Emails); len(people) > 0 {
			if err := s.mail.Enqueue(ctx, "meeting", m.ID, s.invitation(m, notify.MethodRequest), people); err != nil {
				s.log.Error("queueing instant meeting invitations", "meeting", m.ID, "err", err)
			}
		}
	}
	return m, r, nil
}

// bootstrapRoom creates a shared room on a platform that has none, so that a fresh
// installation can book meetings at once.
func (s *Service) bootstrapRoom(ctx context.Context) error {
	rooms, err := loadRooms(ctx, s.st)
	if err != nil || len(rooms) > 0 {
		return err
	}
	now := time.Now().UTC()
	r := &Room{ID: store.NewID(), Number: "8000", Name: "公共会议室", Capacity: min(s.cfg.PlatformCapacity, MaxRoomCapacity),
		Scope: RoomShared, CreatedAt: now, UpdatedAt: now}
	if err := claimNumber(ctx, s.st, r.Number, "room", r.ID); err != nil {
		if errs.KindOf(err) == errs.KindConflict {
			return nil // another process is bootstrapping
		}
		return err
	}
	if _, err := s.st.W.Collection(roomsColl).InsertOne(ctx, r); err != nil {
		return err
	}
	s.log.Info("created the default shared meeting room", "number", r.Number, "capacity", r.Capacity)
	return s.changed(ctx, func(sc *schedule) { sc.putRoom(r) })
}

// Invite adds invitees to a meeting (before or during it). The new invitees get the
// invitation and an in-app notice; the others are not mailed again.
func (s *Service) Invite(ctx context.Context, p *auth.Principal, id string, memberIDs, groupIDs, emails []string) (*Meeting, error) {
	old, err := s.controllable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	add, err := s.invitees(ctx, p, BookingInput{MemberIDs: memberIDs, GroupIDs: groupIDs, Emails: emails})
	if err != nil {
		return nil, err
	}
	m := copyMeeting(old)
	var newIDs, newEmails []string
	for _, mid := range add.MemberIDs {
		if mid != m.HostID && !slices.Contains(m.Invitees.MemberIDs, mid) {
			m.Invitees.MemberIDs = append(m.Invitees.MemberIDs, mid)
			newIDs = append(newIDs, mid)
		}
	}
	for _, g := range add.GroupIDs {
		if !slices.Contains(m.Invitees.GroupIDs, g) {
			m.Invitees.GroupIDs = append(m.Invitees.GroupIDs, g)
		}
	}
	for _, e := range add.Emails {
		if !slices.Contains(m.Invitees.Emails, e) {
			m.Invitees.Emails = append(m.Invitees.Emails, e)
			newEmails = append(newEmails, e)
		}
	}
	if len(m.Invitees.MemberIDs)+len(m.Invitees.Emails) > MaxInvitees {
		return nil, errs.Invalid("memberIds", "at most %d invitees", MaxInvitees)
	}
	if len(newIDs)+len(newEmails) == 0 {
		return old, nil
	}
	m.Sequence = old.Sequence + 1
	if err := s.storeVersion(ctx, old, m); err != nil {
		return nil, err
	}
	// During the meeting the new invitees are asked to join now; a call of the absent
	// right after leaves them alone.
	kind := NotificationInvited
	if r, lerr := s.RunInProgress(ctx, p, m.ID); lerr == nil {
		kind = NotificationStartedNow
		s.claimCalls(r.ID, newIDs, time.Now())
	}
	s.notify(m, newIDs, kind)
	if s.mail != nil {
		if people := s.attendees(ctx, m, newIDs, newEmails); len(people) > 0 {
			if err := s.mail.Enqueue(ctx, "meeting", m.ID, s.invitation(m, notify.MethodRequest), people); err != nil {
				s.log.Error("queueing invitations", "meeting", m.ID, "err", err)
			}
		}
	}
	return m, nil
}
