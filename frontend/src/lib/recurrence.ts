// The booking form's recurrence editor as pure data: its state, the RecurrenceInput
// sent to the server, RFC 5545 RRULE text (what the server reports back) and a
// client-side expansion for the preview. The rules mirror the server's
// (internal/conference/recur): weeks start on Monday, a series ends by date or count,
// the first meeting must itself be an occurrence, at most 500 meetings in 2 years.

import type { RecurrenceInput, Weekday, Frequency } from '../gql/schema';

/** Limits the server enforces (internal/conference/recur/rule.go). */
export const MAX_OCCURRENCES = 500;
export const MAX_SPAN_YEARS = 2;
export const MAX_INTERVAL = 99;

export type RepeatKind = 'NONE' | Frequency;
export type MonthlyMode = 'DAY' | 'WEEKDAY';
export type EndKind = 'UNTIL' | 'COUNT';

/** The editor's state. Dates are local calendar dates (YYYY-MM-DD) of the meeting's zone. */
export interface RecurrenceState {
  kind: RepeatKind;
  interval: number;
  /** WEEKLY: the days. */
  weekdays: Weekday[];
  /** MONTHLY: by date (monthDay) or by weekday (ordinal + weekday). */
  monthlyMode: MonthlyMode;
  /** 1..31 or -1 (last day). */
  monthDay: number;
  /** 1..4 or -1 (last). */
  ordinal: number;
  weekday: Weekday;
  end: EndKind;
  until: string;
  count: number;
}

/** A plain calendar date with the weekday, as the editor needs it from the start. */
export interface LocalDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const RRULE_DAY: Record<Weekday, string> = {
  MONDAY: 'MO',
  TUESDAY: 'TU',
  WEDNESDAY: 'WE',
  THURSDAY: 'TH',
  FRIDAY: 'FR',
  SATURDAY: 'SA',
  SUNDAY: 'SU',
};
const FROM_RRULE_DAY: Record<string, Weekday> = Object.fromEntries(
  Object.entries(RRULE_DAY).map(([k, v]) => [v, k as Weekday]),
);
/** JavaScript's getUTCDay() numbering (0 = Sunday). */
const JS_DAY: Weekday[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

// ---- calendar arithmetic on plain dates (UTC-based, no time zones involved) ----

function toUTC(d: LocalDate): Date {
  return new Date(Date.UTC(d.year, d.month - 1, d.day));
}
function fromUTC(t: Date): LocalDate {
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}
export function parseDate(s: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const d = { year: +m[1], month: +m[2], day: +m[3] };
  const back = fromUTC(toUTC(d));
  return back.year === d.year && back.month === d.month && back.day === d.day ? d : null;
}
export function formatDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
export function weekdayOf(d: LocalDate): Weekday {
  return JS_DAY[toUTC(d).getUTCDay()];
}
function addDays(d: LocalDate, n: number): LocalDate {
  const t = toUTC(d);
  t.setUTCDate(t.getUTCDate() + n);
  return fromUTC(t);
}
function compare(a: LocalDate, b: LocalDate): number {
  return toUTC(a).getTime() - toUTC(b).getTime();
}
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
/** Monday-based index 0..6. */
function mondayIndex(w: Weekday): number {
  return WEEKDAYS.indexOf(w);
}
/** The ordinal (1..5) of the date's weekday within its month, and whether it is the last one. */
export function weekdayOrdinal(d: LocalDate): { ordinal: number; last: boolean } {
  return { ordinal: Math.floor((d.day - 1) / 7) + 1, last: d.day + 7 > daysInMonth(d.year, d.month) };
}

/** The editor's defaults for a meeting starting on `start`: weekly on its weekday, ending in 3 months. */
export function defaultRecurrence(start: LocalDate): RecurrenceState {
  const wd = weekdayOf(start);
  const { ordinal, last } = weekdayOrdinal(start);
  const until = fromUTC(new Date(Date.UTC(start.year, start.month - 1 + 3, start.day)));
  return {
    kind: 'NONE',
    interval: 1,
    weekdays: [wd],
    monthlyMode: 'DAY',
    monthDay: start.day,
    ordinal: last && ordinal > 4 ? -1 : Math.min(ordinal, 4),
    weekday: wd,
    end: 'UNTIL',
    until: formatDate(until),
    count: 10,
  };
}

/** The RecurrenceInput for the booking mutation, or null for a single meeting. */
export function toInput(s: RecurrenceState): RecurrenceInput | null {
  if (s.kind === 'NONE') return null;
  const r: RecurrenceInput = { frequency: s.kind, interval: s.interval };
  if (s.kind === 'WEEKLY') r.weekdays = sortWeekdays(s.weekdays);
  if (s.kind === 'MONTHLY') {
    if (s.monthlyMode === 'DAY') r.monthDay = s.monthDay;
    else {
      r.ordinal = s.ordinal;
      r.weekday = s.weekday;
    }
  }
  if (s.end === 'UNTIL') r.until = s.until;
  else r.count = s.count;
  return r;
}

/** Recurrence as the server reports it (the Recurrence type). */
export interface RecurrenceLike {
  frequency: Frequency;
  interval: number;
  weekdays: Weekday[];
  monthDay?: number | null;
  ordinal?: number | null;
  weekday?: Weekday | null;
  until?: string | null;
  count?: number | null;
}

/** The editor state for a meeting's stored recurrence (null: a single meeting). */
export function fromRecurrence(r: RecurrenceLike | null | undefined, start: LocalDate): RecurrenceState {
  const s = defaultRecurrence(start);
  if (!r) return s;
  s.kind = r.frequency;
  s.interval = r.interval || 1;
  if (r.frequency === 'WEEKLY') s.weekdays = r.weekdays.length ? sortWeekdays(r.weekdays) : [weekdayOf(start)];
  if (r.frequency === 'MONTHLY') {
    if (r.ordinal) {
      s.monthlyMode = 'WEEKDAY';
      s.ordinal = r.ordinal;
      s.weekday = r.weekday ?? weekdayOf(start);
    } else {
      s.monthlyMode = 'DAY';
      s.monthDay = r.monthDay ?? start.day;
    }
  }
  if (r.count) {
    s.end = 'COUNT';
    s.count = r.count;
  } else if (r.until) {
    s.end = 'UNTIL';
    s.until = r.until.slice(0, 10);
  }
  return s;
}

export function sortWeekdays(ws: Weekday[]): Weekday[] {
  return [...new Set(ws)].sort((a, b) => mondayIndex(a) - mondayIndex(b));
}

/**
 * The RFC 5545 RRULE for the state (without the "RRULE:" prefix). UNTIL is written as
 * the end of the until date in UTC's calendar, as a date-only rule would read; the
 * server computes its own exact value from the meeting's zone.
 */
export function toRRule(s: RecurrenceState): string {
  if (s.kind === 'NONE') return '';
  const parts = [`FREQ=${s.kind}`];
  if (s.interval > 1) parts.push(`INTERVAL=${s.interval}`);
  if (s.kind === 'WEEKLY') {
    parts.push(`BYDAY=${sortWeekdays(s.weekdays).map((w) => RRULE_DAY[w]).join(',')}`);
    parts.push('WKST=MO');
  }
  if (s.kind === 'MONTHLY') {
    if (s.monthlyMode === 'DAY') parts.push(`BYMONTHDAY=${s.monthDay}`);
    else parts.push(`BYDAY=${s.ordinal}${RRULE_DAY[s.weekday]}`);
  }
  if (s.end === 'COUNT') parts.push(`COUNT=${s.count}`);
  else {
    const d = parseDate(s.until);
    if (d) parts.push(`UNTIL=${formatDate(d).replaceAll('-', '')}T235959Z`);
  }
  return parts.join(';');
}

/** Parses an RRULE (with or without the "RRULE:" prefix) into editor state; null when the editor cannot express it. */
export function parseRRule(text: string, start: LocalDate): RecurrenceState | null {
  const s = defaultRecurrence(start);
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) return null;
  const fields = new Map<string, string>();
  for (const part of body.split(';')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) return null;
    fields.set(k.toUpperCase(), v.toUpperCase());
  }
  const freq = fields.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return null;
  s.kind = freq;
  const interval = fields.get('INTERVAL');
  s.interval = interval ? Number(interval) : 1;
  if (!Number.isInteger(s.interval) || s.interval < 1) return null;
  const byday = fields.get('BYDAY');
  if (freq === 'WEEKLY') {
    if (byday) {
      const days = byday.split(',').map((d) => FROM_RRULE_DAY[d]);
      if (days.some((d) => !d)) return null;
      s.weekdays = sortWeekdays(days);
    } else s.weekdays = [weekdayOf(start)];
  } else if (freq === 'MONTHLY') {
    const bmd = fields.get('BYMONTHDAY');
    if (bmd) {
      s.monthlyMode = 'DAY';
      s.monthDay = Number(bmd);
    } else if (byday) {
      const m = /^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$/.exec(byday);
      if (!m) return null;
      s.monthlyMode = 'WEEKDAY';
      s.ordinal = Number(m[1]);
      s.weekday = FROM_RRULE_DAY[m[2]];
    } else {
      s.monthlyMode = 'DAY';
      s.monthDay = start.day;
    }
  } else if (byday) return null;
  const count = fields.get('COUNT');
  const until = fields.get('UNTIL');
  if (count) {
    s.end = 'COUNT';
    s.count = Number(count);
  } else if (until) {
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(until);
    if (!m) return null;
    s.end = 'UNTIL';
    s.until = `${m[1]}-${m[2]}-${m[3]}`;
  } else return null; // the editor only makes series that end
  return s;
}

/**
 * The local dates of the series' meetings from `start` on, at most `limit` of them
 * (and never past the server's span limit). The start itself is the first when it
 * matches the rule; validate() reports when it does not.
 */
export function expand(s: RecurrenceState, start: LocalDate, limit = MAX_OCCURRENCES + 1): LocalDate[] {
  if (s.kind === 'NONE') return [start];
  const out: LocalDate[] = [];
  const interval = Math.max(1, s.interval);
  const spanEnd = fromUTC(new Date(Date.UTC(start.year + MAX_SPAN_YEARS, start.month - 1, start.day)));
  const until = s.end === 'UNTIL' ? parseDate(s.until) : null;
  const max = s.end === 'COUNT' ? Math.min(limit, s.count) : limit;
  const push = (d: LocalDate): boolean => {
    if (compare(d, start) < 0) return true;
    if (until && compare(d, until) > 0) return false;
    if (compare(d, spanEnd) > 0) return false;
    out.push(d);
    return out.length < max;
  };
  if (s.kind === 'DAILY') {
    for (let d = start; ; d = addDays(d, interval)) if (!push(d)) break;
  } else if (s.kind === 'WEEKLY') {
    const days = sortWeekdays(s.weekdays.length ? s.weekdays : [weekdayOf(start)]).map(mondayIndex);
    let monday = addDays(start, -mondayIndex(weekdayOf(start)));
    outer: for (;;) {
      for (const i of days) if (!push(addDays(monday, i))) break outer;
      monday = addDays(monday, 7 * interval);
    }
  } else {
    let year = start.year;
    let month = start.month;
    outer: for (;;) {
      const d = monthlyDate(s, year, month);
      if (d && !push(d)) break outer;
      if (!d && (compare({ year, month, day: 1 }, spanEnd) > 0 || (until && compare({ year, month, day: 1 }, until) > 0))) break;
      month += interval;
      while (month > 12) {
        month -= 12;
        year++;
      }
    }
  }
  return out;
}

/** The meeting day of a monthly rule in the given month, or null when the month has none. */
function monthlyDate(s: RecurrenceState, year: number, month: number): LocalDate | null {
  const n = daysInMonth(year, month);
  if (s.monthlyMode === 'DAY') {
    const day = s.monthDay === -1 ? n : s.monthDay;
    return day <= n ? { year, month, day } : null;
  }
  const target = mondayIndex(s.weekday);
  if (s.ordinal === -1) {
    let d: LocalDate = { year, month, day: n };
    while (mondayIndex(weekdayOf(d)) !== target) d = addDays(d, -1);
    return d;
  }
  let d: LocalDate = { year, month, day: 1 };
  while (mondayIndex(weekdayOf(d)) !== target) d = addDays(d, 1);
  d = addDays(d, 7 * (s.ordinal - 1));
  return d.month === month ? d : null;
}

/** A problem with the editor's state, as an i18n key under `recurrence.errors` with values. */
export interface RecurrenceProblem {
  field: 'interval' | 'weekdays' | 'monthDay' | 'ordinal' | 'until' | 'count' | 'start';
  key: string;
  values?: Record<string, string | number>;
}

/** Checks the state as the server would for a series starting on `start`; empty when fine. */
export function validate(s: RecurrenceState, start: LocalDate): RecurrenceProblem[] {
  if (s.kind === 'NONE') return [];
  const p: RecurrenceProblem[] = [];
  if (!Number.isInteger(s.interval) || s.interval < 1 || s.interval > MAX_INTERVAL)
    p.push({ field: 'interval', key: 'interval', values: { max: MAX_INTERVAL } });
  if (s.kind === 'WEEKLY' && s.weekdays.length === 0) p.push({ field: 'weekdays', key: 'weekdays' });
  if (s.kind === 'MONTHLY') {
    if (s.monthlyMode === 'DAY' && !(s.monthDay === -1 || (Number.isInteger(s.monthDay) && s.monthDay >= 1 && s.monthDay <= 31)))
      p.push({ field: 'monthDay', key: 'monthDay' });
    if (s.monthlyMode === 'WEEKDAY' && !(s.ordinal === -1 || (s.ordinal >= 1 && s.ordinal <= 4)))
      p.push({ field: 'ordinal', key: 'ordinal' });
  }
  const spanEnd = fromUTC(new Date(Date.UTC(start.year + MAX_SPAN_YEARS, start.month - 1, start.day)));
  if (s.end === 'UNTIL') {
    const u = parseDate(s.until);
    if (!u) p.push({ field: 'until', key: 'untilMissing' });
    else if (compare(u, start) < 0) p.push({ field: 'until', key: 'untilBeforeStart' });
    else if (compare(u, spanEnd) > 0) p.push({ field: 'until', key: 'untilTooLate', values: { years: MAX_SPAN_YEARS, date: formatDate(spanEnd) } });
  } else if (!Number.isInteger(s.count) || s.count < 1 || s.count > MAX_OCCURRENCES) {
    p.push({ field: 'count', key: 'count', values: { max: MAX_OCCURRENCES } });
  }
  if (p.length) return p;
  const dates = expand(s, start);
  if (dates.length === 0 || compare(dates[0], start) !== 0) {
    p.push({ field: 'start', key: 'startNotOccurrence' });
  } else if (s.end === 'UNTIL' && dates.length > MAX_OCCURRENCES) {
    p.push({ field: 'until', key: 'tooMany', values: { max: MAX_OCCURRENCES } });
  } else if (s.end === 'COUNT' && dates.length < s.count) {
    p.push({ field: 'count', key: 'countTooLong', values: { years: MAX_SPAN_YEARS } });
  }
  return p;
}

/**
 * Adjusts the state after the start date changed, the way a person expects: the
 * weekly day and the monthly day follow the start when they were the start's before.
 */
export function followStart(s: RecurrenceState, oldStart: LocalDate | null, start: LocalDate): RecurrenceState {
  const next = { ...s, weekdays: [...s.weekdays] };
  const wd = weekdayOf(start);
  if (oldStart) {
    const oldWd = weekdayOf(oldStart);
    if (next.weekdays.length === 1 && next.weekdays[0] === oldWd) next.weekdays = [wd];
    if (next.monthDay === oldStart.day) next.monthDay = start.day;
    if (next.weekday === oldWd) next.weekday = wd;
    const o = weekdayOrdinal(oldStart);
    if (next.ordinal === Math.min(o.ordinal, 4) || (o.last && next.ordinal === -1)) {
      const n = weekdayOrdinal(start);
      next.ordinal = n.last && n.ordinal > 4 ? -1 : Math.min(n.ordinal, 4);
    }
  } else {
    next.weekdays = [wd];
    next.monthDay = start.day;
    next.weekday = wd;
  }
  return next;
}
