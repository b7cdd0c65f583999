package graph

import (
	"fmt"
	"time"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/conference/recur"
	"github.com/jishitong/jishitong/internal/errs"
)

var weekdays = map[model.Weekday]time.Weekday{
	model.WeekdaySunday: time.Sunday, model.WeekdayMonday: time.Monday, model.WeekdayTuesday: time.Tuesday,
	model.WeekdayWednesday: time.Wednesday, model.WeekdayThursday: time.Thursday, model.WeekdayFriday: time.Friday,
	model.WeekdaySaturday: time.Saturday,
}

func weekdayModel(d time.Weekday) model.Weekday {
	for k, v := range weekdays {
		if v == d {
			return k
		}
	}
	return model.WeekdaySunday
}

func ruleFromInput(in *model.RecurrenceInput) (*recur.Rule, error) {
	if in == nil {
		return nil, nil
	}
	r := &recur.Rule{}
	switch in.Frequency {
	case model.FrequencyDaily:
		r.Freq = recur.Daily
	case model.FrequencyWeekly:
		r.Freq = recur.Weekly
	case model.FrequencyMonthly:
		r.Freq = recur.Monthly
	}
	if in.Interval != nil {
		// The domain reads 0 as 1; an interval the client sent must be at least 1.
		if *in.Interval < 1 {
			return nil, errs.Invalid("interval", "the interval must be at least 1")
		}
		r.Interval = *in.Interval
	}
	for _, d := range in.Weekdays {
		r.Weekdays = append(r.Weekdays, weekdays[d])
	}
	if in.MonthDay != nil {
		r.MonthDay = *in.MonthDay
	}
	if in.Ordinal != nil {
		r.Ordinal = *in.Ordinal
	}
	if in.Weekday != nil {
		r.Weekday = weekdays[*in.Weekday]
	}
	if in.Until != nil {
		u, err := time.Parse("2006-01-02", *in.Until)
		if err != nil {
			return nil, errs.Invalid("until", "until must be a date like 2027-01-31")
		}
		r.Until = u
	}
	if in.Count != nil {
		// The domain reads 0 as "no count"; a count the client sent must be a number
		// of meetings.
		if *in.Count < 1 {
			return nil, errs.Invalid("count", "the number of meetings must be at least 1")
		}
		r.Count = *in.Count
	}
	return r, nil
}

func ruleModel(m *conference.Meeting) *model.Recurrence {
	r := m.Rule()
	if r == nil {
		return nil
	}
	out := &model.Recurrence{Interval: max(r.Interval, 1), Weekdays: []model.Weekday{}, Rrule: m.RRule}
	switch r.Freq {
	case recur.Daily:
		out.Frequency = model.FrequencyDaily
	case recur.Weekly:
		out.Frequency = model.FrequencyWeekly
	case recur.Monthly:
		out.Frequency = model.FrequencyMonthly
	}
	for _, d := range r.Weekdays {
		out.Weekdays = append(out.Weekdays, weekdayModel(d))
	}
	if r.MonthDay != 0 {
		out.MonthDay = &r.MonthDay
	}
	if r.Ordinal != 0 {
		out.Ordinal = &r.Ordinal
		wd := weekdayModel(r.Weekday)
		out.Weekday = &wd
	}
	if !r.Until.IsZero() {
		u := r.Until.Format("2006-01-02")
		out.Until = &u
	}
	if r.Count != 0 {
		out.Count = &r.Count
	}
	return out
}

func optionsFrom(in *model.MeetingOptionsInput) conference.Options {
	var o conference.Options
	if in == nil {
		return o
	}
	b := func(p *bool) bool { return p != nil && *p }
	return conference.Options{MuteOnEntry: b(in.MuteOnEntry), Live: b(in.Live), Record: b(in.Record), GuestsMayStart: b(in.GuestsMayStart)}
}

func minutes(p *int) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	if *p < 1 || *p > 24*60 {
		return 0, errs.Invalid("durationMinutes", "durationMinutes must be between 1 and 1440")
	}
	return time.Duration(*p) * time.Minute, nil
}

func bookingInput(in model.BookMeetingInput) (conference.BookingInput, error) {
	d, err := minutes(in.DurationMinutes)
	if err != nil {
		return conference.BookingInput{}, err
	}
	rule, err := ruleFromInput(in.Recurrence)
	if err != nil {
		return conference.BookingInput{}, err
	}
	b := conference.BookingInput{Start: in.Start, Duration: d, TimeZone: str(in.TimeZone), Name: in.Name, Password: in.Password,
		Recurrence: rule, Options: optionsFrom(in.Options), Description: str(in.Description), PresenterID: str(in.PresenterID),
		MemberIDs: in.MemberIds, GroupIDs: in.GroupIds, Emails: in.Emails, RoomID: str(in.RoomID), Lang: str(in.Lang)}
	if in.Participants != nil {
		b.Participants = *in.Participants
		if b.Participants == 0 {
			return b, errs.Invalid("participants", "participants must be at least 2")
		}
	}
	return b, nil
}

func occurrenceModel(o recur.Occurrence) *model.Occurrence {
	return &model.Occurrence{Key: o.Key.Time(), Start: o.Start, End: o.End, Moved: o.Moved}
}

func scheduledModels(ss []conference.Scheduled) []*model.ScheduledMeeting {
	out := make([]*model.ScheduledMeeting, len(ss))
	for i, s := range ss {
		out[i] = &model.ScheduledMeeting{Meeting: s.Meeting, Occurrence: occurrenceModel(s.Occurrence)}
	}
	return out
}

func usageModel(u conference.Usage) *model.Usage {
	return &model.Usage{Capacity: u.Capacity, Booked: u.Booked, Free: u.Free()}
}

func resourceModel(st *conference.ResourceStatus) *model.ResourceStatus {
	out := &model.ResourceStatus{From: st.From, To: st.To, Enterprise: usageModel(st.Enterprise), Platform: usageModel(st.Platform),
		Rooms: []*model.RoomUsage{}, Now: &model.NowStatus{Participants: st.Now.Participants, Meetings: st.Now.Meetings,
			RoomsInUse: st.Now.RoomsInUse, PlatformParticipants: st.Now.PlatformParticipants}}
	for _, r := range st.Rooms {
		out.Rooms = append(out.Rooms, &model.RoomUsage{Room: r.Room, Usage: usageModel(r.Usage), Bookings: scheduledModels(r.Bookings)})
	}
	return out
}

var participantsLimits = map[conference.ParticipantsLimit]model.ParticipantsLimit{
	conference.LimitDefault: model.ParticipantsLimitDefault, conference.LimitQuota: model.ParticipantsLimitQuota, conference.LimitRoom: model.ParticipantsLimitRoom,
}

var roomScopes = map[model.RoomScope]conference.RoomScope{
	model.RoomScopeShared: conference.RoomShared, model.RoomScopeEnterprise: conference.RoomEnterprise, model.RoomScopeDedicated: conference.RoomDedicated,
}

func roomInput(in model.RoomInput) conference.RoomInput {
	return conference.RoomInput{Number: in.Number, Name: in.Name, Password: str(in.Password), Capacity: in.Capacity,
		Scope: roomScopes[in.Scope], EnterpriseID: str(in.EnterpriseID), OwnerID: str(in.OwnerID)}
}

var notificationKinds = map[conference.NotificationKind]model.NotificationKind{
	conference.NotificationInvited: model.NotificationKindInvited, conference.NotificationUpdated: model.NotificationKindUpdated,
	conference.NotificationCancelled: model.NotificationKindCancelled, conference.NotificationStartedNow: model.NotificationKindStartedNow,
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *Resolver) logCSVURL(run *conference.Run) string {
	return fmt.Sprintf("/api/meetings/runs/%s/log.csv", run.ID)
}
