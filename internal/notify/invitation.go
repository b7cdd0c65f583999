package notify

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/i18n"
)

// Method is the iTIP method of an invitation (RFC 5546 section 1.4).
type Method int

// Methods of an invitation.
const (
	MethodUnknown Method = iota
	// MethodRequest invites, or updates an invitation when Sequence grows.
	MethodRequest
	// MethodCancel cancels the meeting or the whole series.
	MethodCancel
)

// String returns the iTIP name of the method.
func (m Method) String() string {
	switch m {
	case MethodRequest:
		return "REQUEST"
	case MethodCancel:
		return "CANCEL"
	}
	return "UNKNOWN"
}

func parseMethod(s string) Method {
	switch s {
	case "REQUEST":
		return MethodRequest
	case "CANCEL":
		return MethodCancel
	}
	return MethodUnknown
}

// Person is an organizer or attendee.
type Person struct {
	Name  string
	Email string
	// Lang is the language of the person's mail: "zh-CN" (the default) or "en".
	Lang string
}

// Override moves or cancels one occurrence of a series.
type Override struct {
	// RecurrenceID is the occurrence's original start.
	RecurrenceID time.Time
	// Start is the new start; Duration the new length (0 keeps the series' length).
	Start    time.Time
	Duration time.Duration
	// Cancelled drops the occurrence (it becomes an EXDATE of the series).
	Cancelled bool
}

// Invitation describes one meeting, or one series, for the mail and its .ics.
type Invitation struct {
	// UID is stable for the meeting or series across updates and the cancellation,
	// e.g. "<meetingID>@<public host>".
	UID string
	// Sequence is 0 for the first invitation and grows with every update (RFC 5545
	// section 3.8.7.4); the cancellation carries the next value.
	Sequence int
	Method   Method
	// Title and Description are user input; they are escaped wherever they appear.
	Title       string
	Description string
	// Start is the (first occurrence's) start, Duration the length of every occurrence.
	Start    time.Time
	Duration time.Duration
	// Zone is the meeting's time zone: DTSTART carries its TZID and the .ics its
	// VTIMEZONE, so that a series keeps its wall-clock time across daylight saving.
	// Nil means UTC.
	Zone *time.Location
	// RRULE is the recurrence rule without the "RRULE:" prefix, e.g.
	// "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260629T235959Z"; empty for a single meeting.
	RRULE string
	// ExDates are original starts of occurrences that do not take place.
	ExDates []time.Time
	// Overrides are moved or cancelled occurrences.
	Overrides []Override
	// Organizer is shown in the mail, is ORGANIZER in the .ics and receives replies.
	// Without an email the sender address stands in.
	Organizer     Person
	MeetingNumber string
	Password      string
	// JoinPath is the path of the join link under the public URL, e.g. "/join/123456789".
	JoinPath string
}

const (
	maxTitleRunes       = 200
	maxDescriptionRunes = 4000
	maxNameRunes        = 100
	maxRecurrence       = 500 // exdates + overrides
)

// validate checks an invitation's fields; the errors are errs.KindInvalid naming the field.
func (inv *Invitation) validate() error {
	switch {
	case inv.Method != MethodRequest && inv.Method != MethodCancel:
		return errs.Invalid("method", "invitation method must be REQUEST or CANCEL")
	case inv.UID == "" || len(inv.UID) > 255 || strings.ContainsFunc(inv.UID, isControlOrSpace):
		return errs.Invalid("uid", "invitation UID must be 1-255 characters without spaces or control characters")
	case inv.Sequence < 0:
		return errs.Invalid("sequence", "invitation sequence must not be negative")
	case inv.Start.IsZero():
		return errs.Invalid("start", "invitation has no start time")
	case inv.Duration <= 0:
		return errs.Invalid("duration", "invitation duration must be positive")
	case utf8.RuneCountInString(inv.Title) > maxTitleRunes:
		return errs.Invalid("title", "title is longer than %d characters", maxTitleRunes)
	case utf8.RuneCountInString(inv.Description) > maxDescriptionRunes:
		return errs.Invalid("description", "description is longer than %d characters", maxDescriptionRunes)
	case len(inv.ExDates)+len(inv.Overrides) > maxRecurrence:
		return errs.Invalid("exDates", "at most %d exceptions per series", maxRecurrence)
	case strings.ContainsFunc(inv.MeetingNumber, isControlOrSpace) || len(inv.MeetingNumber) > 64:
		return errs.Invalid("meetingNumber", "meeting number must not contain spaces or control characters")
	case strings.ContainsFunc(inv.Password, unicode.IsControl) || len(inv.Password) > 64:
		return errs.Invalid("password", "meeting password must not contain control characters")
	}
	if inv.Zone != nil && (inv.Zone.String() == "Local" || inv.Zone.String() == "") {
		return errs.Invalid("zone", "time zone must be an IANA zone such as Asia/Shanghai")
	}
	if err := validJoinPath(inv.JoinPath); err != nil {
		return err
	}
	if inv.RRULE != "" {
		if err := validRRULE(strings.TrimPrefix(inv.RRULE, "RRULE:"), inv.zone() != time.UTC); err != nil {
			return err
		}
	} else if len(inv.ExDates) > 0 || len(inv.Overrides) > 0 {
		return errs.Invalid("rrule", "exceptions need a recurrence rule")
	}
	for _, x := range inv.ExDates {
		if x.IsZero() {
			return errs.Invalid("exDates", "an exception date is empty")
		}
	}
	for _, o := range inv.Overrides {
		if o.RecurrenceID.IsZero() || (!o.Cancelled && o.Start.IsZero()) || o.Duration < 0 {
			return errs.Invalid("overrides", "an override needs its original start and, unless cancelled, a new start")
		}
	}
	if inv.Organizer.Email != "" && !validEmail(inv.Organizer.Email) {
		return errs.Invalid("organizer", "organizer email is not a valid address")
	}
	return nil
}

func (inv *Invitation) zone() *time.Location {
	if inv.Zone == nil {
		return time.UTC
	}
	return inv.Zone
}

func validJoinPath(p string) error {
	if p == "" {
		return nil
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") ||
		strings.ContainsFunc(p, isControlOrSpace) || len(p) > 512 {
		return errs.Invalid("joinPath", "join path must be an absolute path such as /join/123456789")
	}
	return nil
}

// validRRULE accepts a RECUR value (RFC 5545 section 3.3.10) of safe characters with a
// FREQ; with a TZID'd DTSTART, UNTIL must be in UTC (section 3.3.10, "UNTIL").
func validRRULE(r string, zoned bool) error {
	if len(r) > 500 || strings.ContainsFunc(r, func(c rune) bool {
		return !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("=;,-+", c))
	}) {
		return errs.Invalid("rrule", "recurrence rule has characters outside A-Z 0-9 = ; , - +")
	}
	parts := rruleParts(r)
	if parts["FREQ"] == "" {
		return errs.Invalid("rrule", "recurrence rule has no FREQ")
	}
	if u := parts["UNTIL"]; u != "" && zoned && !strings.HasSuffix(u, "Z") {
		return errs.Invalid("rrule", "recurrence UNTIL must be a UTC time (ending in Z)")
	}
	return nil
}

// rruleParts splits "FREQ=WEEKLY;BYDAY=MO" into its parts.
func rruleParts(r string) map[string]string {
	m := make(map[string]string)
	for _, kv := range strings.Split(r, ";") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// validEmail accepts a bare address whose local part is a dot-atom: no display name,
// quotes, spaces or control characters, so it is safe in a mailto: URI and an SMTP
// envelope.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsFunc(s, func(r rune) bool {
		return isControlOrSpace(r) || strings.ContainsRune(`"(),:;<>[\]`, r)
	}) || strings.Count(s, "@") != 1 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	local, domain, _ := strings.Cut(s, "@")
	return local != "" && domain != "" && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func isControlOrSpace(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }

// cleanLine makes user input safe for one line (a name, a title, a subject): control
// characters, including CR and LF, become spaces, runs of spaces collapse, the result is
// trimmed and cut to max runes.
func cleanLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

// cleanText keeps newlines (normalised to \n) and tabs and drops other control characters.
func cleanText(s string, max int) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

// normalize cleans the user-provided text of an invitation (after validate).
func (inv Invitation) normalize() Invitation {
	inv.Title = cleanLine(inv.Title, maxTitleRunes)
	inv.Description = cleanText(inv.Description, maxDescriptionRunes)
	inv.Organizer = inv.Organizer.normalize()
	inv.RRULE = strings.TrimPrefix(inv.RRULE, "RRULE:")
	return inv
}

func (p Person) normalize() Person {
	p.Name = cleanLine(p.Name, maxNameRunes)
	p.Email = strings.TrimSpace(p.Email)
	p.Lang = langOf(p.Lang)
	return p
}

// Languages of mails.
const (
	LangZH = i18n.Chinese
	LangEN = i18n.English
)

// langOf maps a language tag to a supported one: English for "en…", else Chinese.
func langOf(tag string) string {
	if t := strings.ToLower(strings.TrimSpace(tag)); t == "en" || strings.HasPrefix(t, "en-") || strings.HasPrefix(t, "en_") {
		return LangEN
	}
	return LangZH
}
