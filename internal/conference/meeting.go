package conference

import (
	"fmt"
	"time"

	"github.com/jishitong/jishitong/internal/conference/recur"
)

// Meeting statuses of a booking (a single meeting or a series).
const (
	StatusActive    = "active"
	StatusCancelled = "cancelled"
)

// Meeting is a booking: a single meeting or a recurring series, in one room.
type Meeting struct {
	ID           string `bson:"_id"`
	Number       string `bson:"number"`
	EnterpriseID string `bson:"enterpriseId"`
	HostID       string `bson:"hostId"`
	HostName     string `bson:"hostName"`
	Name         string `bson:"name"`
	Password     string `bson:"password"`
	Description  string `bson:"description,omitempty"`

	// Start is the first occurrence's start (UTC); the series repeats at its
	// wall-clock time in TimeZone.
	Start       time.Time      `bson:"start"`
	DurationSec int64          `bson:"durationSec"`
	TimeZone    string         `bson:"timeZone"`
	RRule       string         `bson:"rrule,omitempty"`
	Exceptions  []exceptionDoc `bson:"exceptions,omitempty"`
	WindowStart time.Time      `bson:"windowStart"`
	WindowEnd   time.Time      `bson:"windowEnd"`
	Options     Options        `bson:"options"`
	Invitees    Invitees       `bson:"invitees"`

	Participants int    `bson:"participants"`
	RoomID       string `bson:"roomId"`
	PresenterID  string `bson:"presenterId,omitempty"`
	Instant      bool   `bson:"instant,omitempty"`
	Status       string `bson:"status"`
	// Sequence is the iCalendar SEQUENCE, bumped by every change mailed to invitees.
	Sequence int `bson:"sequence"`
	// Ended lists the occurrences whose run ended before their booked end: each
	// reserves capacity only until then. An ended occurrence is not held again
	// (see Start), so what it booked after its end is free for others at once.
	Ended []endedDoc `bson:"ended,omitempty"`
	// Early lists the occurrences whose run the host started before their booked
	// start (At is when): each also reserves from then, checked like a booking when
	// it starts (startRun), so an early run never uses capacity it did not reserve.
	Early []endedDoc `bson:"early,omitempty"`
	// ReleasedAt is how earlier versions stored an ended instant meeting (every
	// occurrence ends its reservation then); read, no longer written.
	ReleasedAt *time.Time `bson:"releasedAt,omitempty"`
	// SeriesOf names the series this one was split from ("this and following").
	SeriesOf  string    `bson:"seriesOf,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`

	zoneLoc *time.Location
	rule    *recur.Rule
	except  map[recur.Key]recur.Exception
}

// Options are a meeting's switches.
type Options struct {
	MuteOnEntry bool `bson:"muteOnEntry"`
	Live        bool `bson:"live"`
	Record      bool `bson:"record"`
	// GuestsMayStart lets a guest's join start the meeting; otherwise guests wait
	// for the host or a member.
	GuestsMayStart bool `bson:"guestsMayStart"`
}

// Invitees are who a meeting is for. Groups are expanded into MemberIDs when the
// meeting is booked or edited (that is when invitations go out); the groups are kept
// to show how people were picked.
type Invitees struct {
	MemberIDs []string `bson:"memberIds"`
	GroupIDs  []string `bson:"groupIds"`
	Emails    []string `bson:"emails"`
}

type exceptionDoc struct {
	Key         time.Time `bson:"key"`
	Cancelled   bool      `bson:"cancelled,omitempty"`
	Start       time.Time `bson:"start,omitempty"`
	DurationSec int64     `bson:"durationSec,omitempty"`
}

// endedDoc is an occurrence (by its key, the original start) whose run ended at At
// (Meeting.Ended) or started early at At (Meeting.Early).
type endedDoc struct {
	Key time.Time `bson:"key"`
	At  time.Time `bson:"at"`
}

const meetingsColl = "meetings"

// Duration is the meeting's (each occurrence's) length.
func (m *Meeting) Duration() time.Duration { return time.Duration(m.DurationSec) * time.Second }

// Recurring reports whether the meeting is a series.
func (m *Meeting) Recurring() bool { return m.RRule != "" }

// Rule returns the recurrence rule, nil for a single meeting.
func (m *Meeting) Rule() *recur.Rule { return m.rule }

func (m *Meeting) zone() *time.Location {
	if m.zoneLoc == nil {
		return time.UTC
	}
	return m.zoneLoc
}

// Zone returns the meeting's time zone.
func (m *Meeting) Zone() *time.Location { return m.zone() }

// prepare fills the parsed fields after loading from the store.
func (m *Meeting) prepare() error {
	z, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		return fmt.Errorf("meeting %s: time zone %q: %w", m.ID, m.TimeZone, err)
	}
	m.zoneLoc = z
	m.rule = nil
	if m.RRule != "" {
		r, err := recur.ParseRRULE(m.RRule, z)
		if err != nil {
			return fmt.Errorf("meeting %s: rule %q: %w", m.ID, m.RRule, err)
		}
		m.rule = &r
	}
	m.except = map[recur.Key]recur.Exception{}
	for _, e := range m.Exceptions {
		m.except[recur.KeyOf(e.Key)] = recur.Exception{Cancelled: e.Cancelled, Start: e.Start, Duration: time.Duration(e.DurationSec) * time.Second}
	}
	return nil
}

// series returns the meeting as a recur.Series.
func (m *Meeting) series() recur.Series {
	return recur.Series{Start: m.Start, Duration: m.Duration(), Zone: m.zone(), Rule: m.rule, Exceptions: m.except}
}

// setSeries stores s into the meeting's fields.
func (m *Meeting) setSeries(s recur.Series) {
	m.Start = s.Start.UTC()
	m.DurationSec = int64(s.Duration / time.Second)
	m.TimeZone = s.Zone.String()
	m.zoneLoc = s.Zone
	m.rule = s.Rule
	m.RRule = ""
	if s.Rule != nil {
		m.RRule = s.Rule.RRULE(s.Zone)
	}
	m.except = s.Exceptions
	m.Exceptions = nil
	for k, e := range s.Exceptions {
		m.Exceptions = append(m.Exceptions, exceptionDoc{Key: k.Time(), Cancelled: e.Cancelled, Start: e.Start.UTC(), DurationSec: int64(e.Duration / time.Second)})
	}
	m.WindowStart, m.WindowEnd = s.Window()
}

// Occurrences returns the meeting's occurrences overlapping [from, to).
func (m *Meeting) Occurrences(from, to time.Time) []recur.Occurrence {
	return m.series().Between(from, to)
}

// copyMeeting returns a deep enough copy of m to change and store as a new version.
func copyMeeting(m *Meeting) *Meeting {
	c := *m
	c.Invitees.MemberIDs = append([]string(nil), m.Invitees.MemberIDs...)
	c.Invitees.GroupIDs = append([]string(nil), m.Invitees.GroupIDs...)
	c.Invitees.Emails = append([]string(nil), m.Invitees.Emails...)
	c.Exceptions = append([]exceptionDoc(nil), m.Exceptions...)
	c.Ended = append([]endedDoc(nil), m.Ended...)
	c.Early = append([]endedDoc(nil), m.Early...)
	return &c
}
