import { describe, expect, it } from 'vitest';
import {
  defaultRecurrence,
  expand,
  followStart,
  formatDate,
  fromRecurrence,
  parseDate,
  parseRRule,
  toInput,
  toRRule,
  validate,
  weekdayOf,
  type RecurrenceState,
} from './recurrence';

const d = (s: string) => parseDate(s)!;
// 2026-12-02 is a Wednesday.
const START = d('2026-12-02');

function state(patch: Partial<RecurrenceState>): RecurrenceState {
  return { ...defaultRecurrence(START), ...patch };
}

describe('dates', () => {
  it('parses and formats calendar dates, refusing impossible ones', () => {
    expect(formatDate(d('2026-02-28'))).toBe('2026-02-28');
    expect(parseDate('2026-02-30')).toBeNull();
    expect(parseDate('2026-2-3')).toBeNull();
    expect(weekdayOf(START)).toBe('WEDNESDAY');
    expect(weekdayOf(d('2027-01-03'))).toBe('SUNDAY');
  });
});

describe('defaults', () => {
  it('start as a single meeting, weekly on the start weekday, ending three months later', () => {
    const s = defaultRecurrence(START);
    expect(s.kind).toBe('NONE');
    expect(s.weekdays).toEqual(['WEDNESDAY']);
    expect(s.monthDay).toBe(2);
    expect(s.until).toBe('2027-03-02');
    expect(toInput(s)).toBeNull();
    expect(toRRule(s)).toBe('');
  });
  it('pick the last weekday of the month for a start in its last week', () => {
    expect(defaultRecurrence(d('2026-12-30')).ordinal).toBe(-1); // 5th Wednesday
    expect(defaultRecurrence(d('2026-12-23')).ordinal).toBe(4);
  });
});

describe('state ↔ RecurrenceInput ↔ RRULE', () => {
  const cases: { name: string; s: RecurrenceState; input: object; rrule: string }[] = [
    {
      name: 'daily, count',
      s: state({ kind: 'DAILY', interval: 2, end: 'COUNT', count: 5 }),
      input: { frequency: 'DAILY', interval: 2, count: 5 },
      rrule: 'FREQ=DAILY;INTERVAL=2;COUNT=5',
    },
    {
      name: 'weekly on two days until a date',
      s: state({ kind: 'WEEKLY', weekdays: ['WEDNESDAY', 'MONDAY'], until: '2027-03-31' }),
      input: { frequency: 'WEEKLY', interval: 1, weekdays: ['MONDAY', 'WEDNESDAY'], until: '2027-03-31' },
      rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO;UNTIL=20270331T235959Z',
    },
    {
      name: 'monthly by date',
      s: state({ kind: 'MONTHLY', monthlyMode: 'DAY', monthDay: 2, end: 'COUNT', count: 12 }),
      input: { frequency: 'MONTHLY', interval: 1, monthDay: 2, count: 12 },
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=2;COUNT=12',
    },
    {
      name: 'monthly on the last Wednesday',
      s: state({ kind: 'MONTHLY', monthlyMode: 'WEEKDAY', ordinal: -1, weekday: 'WEDNESDAY', interval: 3, end: 'COUNT', count: 4 }),
      input: { frequency: 'MONTHLY', interval: 3, ordinal: -1, weekday: 'WEDNESDAY', count: 4 },
      rrule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=-1WE;COUNT=4',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(toInput(c.s)).toEqual(c.input);
      expect(toRRule(c.s)).toBe(c.rrule);
      const back = parseRRule(`RRULE:${c.rrule}`, START)!;
      expect(toInput(back)).toEqual(c.input);
    });
  }

  it('reads the server’s Recurrence back into the editor', () => {
    const s = fromRecurrence(
      { frequency: 'MONTHLY', interval: 1, weekdays: [], monthDay: null, ordinal: 2, weekday: 'TUESDAY', until: '2027-06-30', count: null },
      START,
    );
    expect(s).toMatchObject({ kind: 'MONTHLY', monthlyMode: 'WEEKDAY', ordinal: 2, weekday: 'TUESDAY', end: 'UNTIL', until: '2027-06-30' });
    expect(fromRecurrence(null, START).kind).toBe('NONE');
  });

  it('refuses rules the editor cannot express', () => {
    expect(parseRRule('FREQ=YEARLY;COUNT=2', START)).toBeNull();
    expect(parseRRule('FREQ=WEEKLY', START)).toBeNull(); // never ends
    expect(parseRRule('FREQ=DAILY;BYDAY=MO;COUNT=3', START)).toBeNull();
    expect(parseRRule('', START)).toBeNull();
  });
});

describe('expand', () => {
  const fmt = (s: RecurrenceState, start = START, limit?: number) => expand(s, start, limit).map(formatDate);
  it('daily every other day', () => {
    expect(fmt(state({ kind: 'DAILY', interval: 2, end: 'COUNT', count: 3 }))).toEqual(['2026-12-02', '2026-12-04', '2026-12-06']);
  });
  it('weekly, weeks starting Monday, every 2 weeks on Wed and Sun', () => {
    expect(fmt(state({ kind: 'WEEKLY', interval: 2, weekdays: ['SUNDAY', 'WEDNESDAY'], end: 'COUNT', count: 4 }))).toEqual([
      '2026-12-02',
      '2026-12-06',
      '2026-12-16',
      '2026-12-20',
    ]);
  });
  it('weekly until a date, inclusive', () => {
    expect(fmt(state({ kind: 'WEEKLY', until: '2026-12-16' }))).toEqual(['2026-12-02', '2026-12-09', '2026-12-16']);
  });
  it('monthly on the 31st skips short months', () => {
    expect(fmt(state({ kind: 'MONTHLY', monthDay: 31, end: 'COUNT', count: 3 }), d('2027-01-31'))).toEqual([
      '2027-01-31',
      '2027-03-31',
      '2027-05-31',
    ]);
  });
  it('monthly on the last day and on the 2nd Tuesday', () => {
    expect(fmt(state({ kind: 'MONTHLY', monthDay: -1, end: 'COUNT', count: 3 }), d('2027-01-31'))).toEqual([
      '2027-01-31',
      '2027-02-28',
      '2027-03-31',
    ]);
    expect(
      fmt(state({ kind: 'MONTHLY', monthlyMode: 'WEEKDAY', ordinal: 2, weekday: 'TUESDAY', end: 'COUNT', count: 3 }), d('2026-12-08')),
    ).toEqual(['2026-12-08', '2027-01-12', '2027-02-09']);
  });
  it('stops at the two-year span', () => {
    const all = expand(state({ kind: 'MONTHLY', end: 'COUNT', count: 500 }), START);
    expect(formatDate(all[all.length - 1])).toBe('2028-12-02');
    expect(all.length).toBe(25);
  });
});

describe('validate', () => {
  const keys = (s: RecurrenceState, start = START) => validate(s, start).map((p) => p.key);
  it('accepts the defaults and a single meeting', () => {
    expect(keys(state({ kind: 'WEEKLY' }))).toEqual([]);
    expect(keys(state({ kind: 'NONE', interval: 0 }))).toEqual([]);
  });
  it('needs weekdays, a sane interval and an end', () => {
    expect(keys(state({ kind: 'WEEKLY', weekdays: [] }))).toEqual(['weekdays']);
    expect(keys(state({ kind: 'DAILY', interval: 100 }))).toEqual(['interval']);
    expect(keys(state({ kind: 'DAILY', end: 'COUNT', count: 0 }))).toEqual(['count']);
    expect(keys(state({ kind: 'DAILY', end: 'UNTIL', until: '' }))).toEqual(['untilMissing']);
  });
  it('refuses an end before the start or beyond two years', () => {
    expect(keys(state({ kind: 'DAILY', until: '2026-12-01' }))).toEqual(['untilBeforeStart']);
    expect(keys(state({ kind: 'WEEKLY', until: '2028-12-03' }))).toEqual(['untilTooLate']);
    expect(keys(state({ kind: 'WEEKLY', until: '2028-12-02' }))).toEqual([]);
  });
  it('needs the start to be an occurrence, as the server does', () => {
    expect(keys(state({ kind: 'WEEKLY', weekdays: ['MONDAY'] }))).toEqual(['startNotOccurrence']);
    expect(keys(state({ kind: 'MONTHLY', monthDay: 3 }))).toEqual(['startNotOccurrence']);
  });
  it('limits the number of meetings', () => {
    expect(keys(state({ kind: 'DAILY', until: '2028-12-01' }))).toEqual(['tooMany']);
    expect(keys(state({ kind: 'MONTHLY', end: 'COUNT', count: 30 }))).toEqual(['countTooLong']);
  });
});

describe('followStart', () => {
  it('moves the weekday and month day along with the start', () => {
    const s = state({ kind: 'WEEKLY' });
    const next = followStart(s, START, d('2026-12-04')); // Friday
    expect(next.weekdays).toEqual(['FRIDAY']);
    expect(next.monthDay).toBe(4);
    expect(validate(next, d('2026-12-04'))).toEqual([]);
  });
  it('keeps days the person chose', () => {
    const s = state({ kind: 'WEEKLY', weekdays: ['MONDAY', 'WEDNESDAY'] });
    expect(followStart(s, START, d('2026-12-07')).weekdays).toEqual(['MONDAY', 'WEDNESDAY']);
  });
});
