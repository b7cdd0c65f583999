package notify

import (
	"fmt"
	"strings"
	"time"
)

// text holds the wording of one language.
type text struct {
	defaultTitle                         string
	subjectInvite, subjectUpdate         string
	subjectCancel                        string
	greeting                             func(name string) string
	introInvite, introUpdate             func(organizer string) string
	introCancel                          func(organizer string) string
	when, repeat, join, number, password string
	sip, sipWithPassword                 string
	noMeeting, moved, organizer, details string
	joinButton, footer                   string
	sep                                  string // list separator
	colon                                string // after a label
	date                                 func(t time.Time) string
	dayShort                             func(t time.Time) string
	weekdays                             [7]string
	ordinals                             map[int]string
	everyDay, everyNDays                 string
	weeklyOn, everyNWeeksOn              string
	monthlyOnDay, monthlyOnNth           string
	everyNMonths, yearly                 string
	recurring                            string
	until, times                         string
}

var texts = map[string]*text{
	LangZH: {
		defaultTitle:  "即时通会议",
		subjectInvite: "邀请：", subjectUpdate: "已更新：", subjectCancel: "已取消：",
		greeting: func(n string) string {
			if n == "" {
				return "您好："
			}
			return n + "，您好："
		},
		introInvite: func(o string) string { return o + " 邀请您参加即时通会议。" },
		introUpdate: func(o string) string { return o + " 更新了会议安排，请以本邮件为准。" },
		introCancel: func(o string) string { return o + " 取消了以下会议。" },
		when:        "时间", repeat: "重复", join: "加入会议", number: "会议号", password: "会议密码",
		sip: "SIP 终端呼叫", sipWithPassword: "带密码呼叫",
		noMeeting: "以下日期不举行", moved: "改期", organizer: "组织者", details: "会议说明",
		joinButton: "加入会议",
		footer:     "此邮件由即时通自动发送，请勿直接回复。附件中的日历文件可将会议加入您的日历。",
		sep:        "、",
		colon:      "：",
		date: func(t time.Time) string {
			return fmt.Sprintf("%d年%d月%d日（%s）", t.Year(), t.Month(), t.Day(), zhWeekdays[t.Weekday()])
		},
		dayShort: func(t time.Time) string {
			return fmt.Sprintf("%d月%d日（%s）", t.Month(), t.Day(), zhWeekdays[t.Weekday()])
		},
		weekdays:      zhWeekdays,
		ordinals:      map[int]string{1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", 5: "第五个", -1: "最后一个"},
		everyDay:      "每天",
		everyNDays:    "每 %d 天",
		weeklyOn:      "每%s",
		everyNWeeksOn: "每 %d 周的%s",
		monthlyOnDay:  "每月 %d 日",
		monthlyOnNth:  "每月%s%s",
		everyNMonths:  "每 %d 个月",
		yearly:        "每年",
		recurring:     "周期会议",
		until:         "，至 %s",
		times:         "，共 %d 次",
	},
	LangEN: {
		defaultTitle:  "Jishitong meeting",
		subjectInvite: "Invitation: ", subjectUpdate: "Updated: ", subjectCancel: "Cancelled: ",
		greeting: func(n string) string {
			if n == "" {
				return "Hello,"
			}
			return "Hello " + n + ","
		},
		introInvite: func(o string) string { return o + " invites you to a Jishitong meeting." },
		introUpdate: func(o string) string { return o + " updated this meeting; this mail replaces earlier ones." },
		introCancel: func(o string) string { return o + " cancelled this meeting." },
		when:        "When", repeat: "Repeats", join: "Join", number: "Meeting number", password: "Password",
		sip: "SIP video system", sipWithPassword: "With password",
		noMeeting: "No meeting on", moved: "Moved", organizer: "Organizer", details: "Details",
		joinButton: "Join meeting",
		footer:     "Sent automatically by Jishitong; please do not reply. Open the attached calendar file to add the meeting to your calendar.",
		sep:        ", ",
		colon:      ": ",
		date: func(t time.Time) string {
			return t.Format("Monday, 2 January 2006")
		},
		dayShort:      func(t time.Time) string { return t.Format("Mon 2 Jan 2006") },
		weekdays:      [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		ordinals:      map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"},
		everyDay:      "Every day",
		everyNDays:    "Every %d days",
		weeklyOn:      "Weekly on %s",
		everyNWeeksOn: "Every %d weeks on %s",
		monthlyOnDay:  "Monthly on day %d",
		monthlyOnNth:  "Monthly on the %s %s",
		everyNMonths:  "Every %d months",
		yearly:        "Every year",
		recurring:     "Recurring meeting",
		until:         ", until %s",
		times:         ", %d times",
	},
}

var zhWeekdays = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// beijingZones are the IANA names of China Standard Time.
var beijingZones = map[string]bool{"Asia/Shanghai": true, "Asia/Chongqing": true, "Asia/Chungking": true, "Asia/Harbin": true, "PRC": true}

// zoneLabel names the zone of t: "北京时间（UTC+08:00）", "Europe/Berlin（CET，UTC+01:00）".
func zoneLabel(t time.Time, lang string) string {
	name, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	loc := t.Location().String()
	if lang == LangZH {
		if beijingZones[loc] {
			return "北京时间（" + utc + "）"
		}
		if name != "" && name[0] != '+' && name[0] != '-' && name != "UTC" {
			return loc + "（" + name + "，" + utc + "）"
		}
		return loc + "（" + utc + "）"
	}
	if beijingZones[loc] {
		return "China Standard Time (" + loc + ", " + utc + ")"
	}
	if name != "" && name[0] != '+' && name[0] != '-' && name != "UTC" {
		return loc + " (" + name + ", " + utc + ")"
	}
	return loc + " (" + utc + ")"
}

// when describes start to end in the zone: "2026年3月2日（周一）10:00–11:00 北京时间（UTC+08:00）".
func whenText(start time.Time, d time.Duration, loc *time.Location, lang string) string {
	tx := texts[lang]
	s, e := start.In(loc), start.Add(d).In(loc)
	out := tx.date(s) + " " + s.Format("15:04") + "–"
	if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
		out += tx.date(e) + " "
	}
	return out + e.Format("15:04") + " " + zoneLabel(s, lang)
}

// describeRRULE says how a series repeats, in the common cases; other rules are just
// "recurring" (the .ics carries the exact rule).
func describeRRULE(rrule string, start time.Time, loc *time.Location, lang string) string {
	tx := texts[lang]
	p := rruleParts(rrule)
	interval := max(atoiOr(p["INTERVAL"], 1), 1)
	for k := range p {
		switch k {
		case "FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST", "BYSETPOS":
		default:
			return tx.recurring
		}
	}
	s := start.In(loc)
	var out string
	switch p["FREQ"] {
	case "DAILY":
		if p["BYDAY"] != "" {
			return tx.recurring
		}
		out = tx.everyDay
		if interval > 1 {
			out = fmt.Sprintf(tx.everyNDays, interval)
		}
	case "WEEKLY":
		days := []string{tx.weekdays[s.Weekday()]}
		if p["BYDAY"] != "" {
			days = nil
			for _, d := range strings.Split(p["BYDAY"], ",") {
				i := weekdayIndex(d)
				if i < 0 {
					return tx.recurring
				}
				days = append(days, tx.weekdays[i])
			}
		}
		list := strings.Join(days, tx.sep)
		out = fmt.Sprintf(tx.weeklyOn, list)
		if interval > 1 {
			out = fmt.Sprintf(tx.everyNWeeksOn, interval, list)
		}
	case "MONTHLY":
		if interval > 1 {
			out = fmt.Sprintf(tx.everyNMonths, interval)
			break
		}
		switch {
		case p["BYDAY"] != "" && !strings.Contains(p["BYDAY"], ","):
			d := p["BYDAY"]
			n := 0
			if pos := p["BYSETPOS"]; pos != "" {
				n = signedAtoi(pos)
			} else if len(d) > 2 {
				n = signedAtoi(d[:len(d)-2])
			}
			i := weekdayIndex(d[max(len(d)-2, 0):])
			ord, ok := tx.ordinals[n]
			if i < 0 || !ok {
				return tx.recurring
			}
			out = fmt.Sprintf(tx.monthlyOnNth, ord, tx.weekdays[i])
		case p["BYMONTHDAY"] != "" && p["BYDAY"] == "":
			n := atoiOr(p["BYMONTHDAY"], 0)
			if n < 1 || n > 31 {
				return tx.recurring
			}
			out = fmt.Sprintf(tx.monthlyOnDay, n)
		case p["BYDAY"] == "" && p["BYMONTHDAY"] == "":
			out = fmt.Sprintf(tx.monthlyOnDay, s.Day())
		default:
			return tx.recurring
		}
	case "YEARLY":
		if interval > 1 || p["BYDAY"] != "" || p["BYMONTHDAY"] != "" {
			return tx.recurring
		}
		out = tx.yearly
	default:
		return tx.recurring
	}
	if u := p["UNTIL"]; u != "" {
		t, err := time.Parse(icsUTC, u)
		if err != nil {
			t, err = time.ParseInLocation("20060102", u, loc)
		}
		if err == nil {
			out += fmt.Sprintf(tx.until, tx.date(t.In(loc)))
		}
	} else if c := atoiOr(p["COUNT"], 0); c > 0 {
		out += fmt.Sprintf(tx.times, c)
	}
	return out
}

func weekdayIndex(d string) int {
	for i, w := range icsWeekday {
		if w == d {
			return i
		}
	}
	return -1
}

func signedAtoi(s string) int {
	neg := strings.HasPrefix(s, "-")
	n := atoiOr(strings.TrimLeft(s, "+-"), 0)
	if neg {
		return -n
	}
	return n
}
