package recur

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestRuleValidate(t *testing.T) {
	monday := time.Date(2026, 1, 5, 9, 0, 0, 0, shanghai)  // Monday 5 January 2026
	tuesday := time.Date(2026, 1, 6, 9, 0, 0, 0, shanghai) // Tuesday 6 January, 1st Tuesday
	jan31 := time.Date(2026, 1, 31, 9, 0, 0, 0, shanghai)
	tests := []struct {
		name  string
		rule  Rule
		start time.Time
		field string // "" when valid
		msg   string // part of the message
	}{
		{"daily count", Rule{Freq: Daily, Count: 10}, monday, "", ""},
		{"interval 0 means 1", Rule{Freq: Daily, Interval: 0, Count: 3}, monday, "", ""},
		{"weekly default weekday", Rule{Freq: Weekly, Until: day("2026-06-01")}, tuesday, "", ""},
		{"until on the start date", Rule{Freq: Daily, Until: day("2026-01-05")}, monday, "", ""},
		{"until exactly two years", Rule{Freq: Weekly, Until: day("2028-01-05")}, monday, "", ""},
		{"500 meetings", Rule{Freq: Weekly, Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Count: 500}, monday, "", ""},
		{"monthly last day", Rule{Freq: Monthly, MonthDay: -1, Count: 24}, jan31, "", ""},
		{"monthly 1st Tuesday", Rule{Freq: Monthly, Ordinal: 1, Weekday: time.Tuesday, Count: 3}, tuesday, "", ""},

		{"no end", Rule{Freq: Daily}, monday, "until", "must end"},
		{"count and until", Rule{Freq: Daily, Count: 3, Until: day("2026-02-01")}, monday, "count", "not both"},
		{"until before start", Rule{Freq: Daily, Until: day("2026-01-04")}, monday, "until", "before it starts"},
		{"until after two years", Rule{Freq: Weekly, Until: day("2028-01-06")}, monday, "until", "at most 2 years"},
		{"until with a time of day", Rule{Freq: Daily, Until: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}, monday, "until", "date"},
		{"too many occurrences", Rule{Freq: Daily, Until: day("2027-06-01")}, monday, "until", "more than 500"},
		{"count above max", Rule{Freq: Daily, Count: 501}, monday, "count", "at most 500"},
		{"count negative", Rule{Freq: Daily, Count: -1}, monday, "count", "at least 1"},
		{"count beyond two years", Rule{Freq: Monthly, MonthDay: 5, Count: 30}, monday, "count", "more than 2 years"},
		{"monthly 31st count 15 ends on 2028-01-31", Rule{Freq: Monthly, MonthDay: 31, Count: 15}, jan31, "", ""},
		{"count beyond two years, skipped months", Rule{Freq: Monthly, MonthDay: 31, Count: 16}, jan31, "count", "more than 2 years"},
		{"unknown frequency", Rule{Count: 1}, monday, "freq", "daily, weekly or monthly"},
		{"interval negative", Rule{Freq: Daily, Interval: -1, Count: 1}, monday, "interval", "between 1 and 99"},
		{"interval 1000", Rule{Freq: Daily, Interval: 1000, Count: 1}, monday, "interval", "between 1 and 99"},
		{"weekdays on daily", Rule{Freq: Daily, Weekdays: []time.Weekday{time.Monday}, Count: 1}, monday, "weekdays", "weekly"},
		{"weekdays on monthly", Rule{Freq: Monthly, MonthDay: 5, Weekdays: []time.Weekday{time.Monday}, Count: 1}, monday, "weekdays", "weekly"},
		{"weekday twice", Rule{Freq: Weekly, Weekdays: []time.Weekday{time.Monday, time.Monday}, Count: 1}, monday, "weekdays", "twice"},
		{"weekday 7", Rule{Freq: Weekly, Weekdays: []time.Weekday{7}, Count: 1}, monday, "weekdays", "not a weekday"},
		{"monthDay 0", Rule{Freq: Monthly, Count: 1}, monday, "monthDay", "day of the month"},
		{"monthDay 32", Rule{Freq: Monthly, MonthDay: 32, Count: 1}, monday, "monthDay", "1 to 31"},
		{"monthDay -2", Rule{Freq: Monthly, MonthDay: -2, Count: 1}, monday, "monthDay", "1 to 31"},
		{"monthDay and ordinal", Rule{Freq: Monthly, MonthDay: 5, Ordinal: 1, Weekday: time.Monday, Count: 1}, monday, "monthDay", "not both"},
		{"monthDay on weekly", Rule{Freq: Weekly, MonthDay: 5, Count: 1}, monday, "monthDay", "monthly"},
		{"ordinal 5", Rule{Freq: Monthly, Ordinal: 5, Weekday: time.Monday, Count: 1}, monday, "ordinal", "1 to 4"},
		{"ordinal -2", Rule{Freq: Monthly, Ordinal: -2, Weekday: time.Monday, Count: 1}, monday, "ordinal", "1 to 4"},
		{"ordinal on daily", Rule{Freq: Daily, Ordinal: 1, Count: 1}, monday, "ordinal", "monthly"},
		{"weekday without ordinal", Rule{Freq: Monthly, Weekday: time.Tuesday, Count: 1}, monday, "weekday", "ordinal"},
		{"weekday 9 with ordinal", Rule{Freq: Monthly, Ordinal: 1, Weekday: 9, Count: 1}, monday, "weekday", "not a weekday"},
		{"no start", Rule{Freq: Daily, Count: 1}, time.Time{}, "start", "required"},
		{"start not on a chosen weekday", Rule{Freq: Weekly, Weekdays: []time.Weekday{time.Monday, time.Wednesday}, Count: 4}, tuesday, "start", "Tuesday 6 January 2026, which is not one of the chosen weekdays"},
		{"start not on the month day", Rule{Freq: Monthly, MonthDay: 31, Count: 4}, monday, "start", "not on day 31"},
		{"start not on the last day", Rule{Freq: Monthly, MonthDay: -1, Count: 4}, monday, "start", "not the last day"},
		{"start not the 2nd Tuesday", Rule{Freq: Monthly, Ordinal: 2, Weekday: time.Tuesday, Count: 4}, tuesday, "start", "not the 2nd Tuesday"},
		{"start not the last Friday", Rule{Freq: Monthly, Ordinal: -1, Weekday: time.Friday, Count: 4}, tuesday, "start", "not the last Friday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate(tt.start)
			checkValidation(t, err, tt.field, tt.msg)
		})
	}
}

// checkValidation checks that err is nil when field is "", and otherwise a
// *ValidationError about field whose message contains msg and that the edges see as
// invalid input.
func checkValidation(t *testing.T, err error, field, msg string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError about %s", err, field)
	}
	if ve.Field != field || !strings.Contains(ve.Message, msg) {
		t.Fatalf("got %q: %q, want %q: …%s…", ve.Field, ve.Message, field, msg)
	}
	if !errors.Is(err, errs.ErrInvalid) {
		t.Error("not errs.ErrInvalid")
	}
	if de, ok := errs.As(err); !ok || de.Field != field || de.Message != ve.Message {
		t.Errorf("errs.As: %+v", de)
	}
}

func TestFrequencyString(t *testing.T) {
	for f, want := range map[Frequency]string{FrequencyUnknown: "UNKNOWN", Daily: "DAILY", Weekly: "WEEKLY", Monthly: "MONTHLY", 9: "UNKNOWN"} {
		if f.String() != want {
			t.Errorf("%d: %s, want %s", int(f), f, want)
		}
	}
}
