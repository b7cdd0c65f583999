// Package recur expands recurring meeting series for booking, schedules, conflict checks
// and iCalendar invitations (RRULE, EXDATE, RECURRENCE-ID), following RFC 5545
// (https://www.rfc-editor.org/rfc/rfc5545#section-3.3.10).
//
// A Series is a first start (an instant), a duration, the booker's IANA time zone and an
// optional Rule. Occurrences repeat at the same wall-clock time in that zone, so a weekly
// 09:00 Europe/Berlin meeting is at 08:00 UTC in winter and at 07:00 UTC in summer.
//
// # Expansion
//
// github.com/teambition/rrule-go does the calendar arithmetic, on floating wall-clock times
// (RFC 5545 §3.3.5 form 1, encoded as UTC so that no zone rule interferes). This package
// then turns each wall-clock time into an instant in the series zone itself, because Go's
// time.Date leaves DST gaps and overlaps unspecified (and rrule-go builds every occurrence
// with time.Date): for Europe/Berlin it picks the later of two repeated times, for
// America/New_York it reads a skipped time with the offset after the gap. Both are wrong
// for iCalendar. The rules used here are those of RFC 5545 §3.3.5, which §3.3.10 applies
// to computed recurrence instances:
//
//   - a wall-clock time that occurs twice (the clocks fall back) means the first of the
//     two: 02:30 on the last Sunday of October in Berlin is 02:30 CEST (00:30 UTC);
//   - a wall-clock time that does not occur (the clocks spring forward) is read with the
//     UTC offset before the gap: a daily 02:30 Berlin meeting takes place at 03:30 CEST
//     (01:30 UTC) on the last Sunday of March, and at 02:30 again the next day.
//
// §3.3.10 also contains an older sentence saying instances with a nonexistent local time
// "MUST be ignored"; its later, specific paragraph on computed start times refers to
// §3.3.5 instead, and dropping a booked meeting silently is the worse failure, so this
// package shifts rather than skips. Date exposes the same resolution to booking forms.
//
// Months without the chosen day of the month are skipped, not clamped (RFC 5545 §3.3.10:
// an invalid date such as February 30 "MUST be ignored and MUST NOT be counted"): a
// monthly meeting on the 31st has no April meeting, and COUNT counts only real meetings.
// A booking form that means "the end of every month" uses MonthDay -1.
//
// # Validity
//
// Every series ends: a Rule has exactly one of Until (an inclusive local date) and Count,
// lasts at most MaxSpanYears and has at most MaxOccurrences meetings. The expanding
// methods never produce more than MaxOccurrences originals, even for invalid input.
package recur
