import { describe, expect, it } from 'vitest';
import type { MeetingQuery } from '../../gql/graphql';
import { defaultRecurrence } from '../../lib/recurrence';
import { dayjs } from '../../lib/time';
import { nextSlot, toBookingInput, valuesOf, type BookingValues } from './bookingValues';

const base = (patch: Partial<BookingValues> = {}): BookingValues => ({
  start: dayjs('2026-12-02T09:00:00+08:00'),
  durationMinutes: 60,
  timeZone: 'Asia/Shanghai',
  name: ' 周会 ',
  password: '123456',
  participants: 25,
  recurrence: defaultRecurrence({ year: 2026, month: 12, day: 2 }),
  muteOnEntry: true,
  live: false,
  record: true,
  guestsMayStart: false,
  description: '  议程  ',
  invitees: { members: [{ id: 'u1', name: '李雷', email: 'l@x.cn' }], groupIds: ['g1'], emails: ['p@partner.com'] },
  presenterId: null,
  roomId: null,
  ...patch,
});

describe('nextSlot', () => {
  it('rounds up to the next half hour', () => {
    expect(nextSlot(dayjs('2026-12-02T09:10:31')).format('HH:mm:ss')).toBe('09:30:00');
    expect(nextSlot(dayjs('2026-12-02T09:30:00')).format('HH:mm')).toBe('10:00');
    expect(nextSlot(dayjs('2026-12-02T23:45:00')).format('YYYY-MM-DD HH:mm')).toBe('2026-12-03 00:00');
  });
});

describe('toBookingInput', () => {
  it('sends every field explicitly, trimmed, with the start in UTC', () => {
    const input = toBookingInput(base(), 'zh-CN');
    expect(input).toEqual({
      start: '2026-12-02T01:00:00.000Z',
      durationMinutes: 60,
      timeZone: 'Asia/Shanghai',
      name: '周会',
      password: '123456',
      participants: 25,
      recurrence: null,
      options: { muteOnEntry: true, live: false, record: true, guestsMayStart: false },
      description: '议程',
      presenterId: null,
      memberIds: ['u1'],
      groupIds: ['g1'],
      emails: ['p@partner.com'],
      roomId: null,
      lang: 'zh-CN',
    });
  });
  it('keeps an empty password (no password) and sends the recurrence', () => {
    const rec = { ...defaultRecurrence({ year: 2026, month: 12, day: 2 }), kind: 'WEEKLY' as const, end: 'COUNT' as const, count: 4 };
    const input = toBookingInput(base({ password: '', recurrence: rec, roomId: 'r1' }), 'en');
    expect(input.password).toBe('');
    expect(input.recurrence).toEqual({ frequency: 'WEEKLY', interval: 1, weekdays: ['WEDNESDAY'], count: 4 });
    expect(input.roomId).toBe('r1');
    expect(input.lang).toBe('en');
  });
});

describe('valuesOf', () => {
  const meeting = {
    id: 'm1',
    name: '周会',
    password: '',
    description: 'd',
    start: '2026-12-02T01:00:00Z',
    durationMinutes: 90,
    timeZone: 'Asia/Shanghai',
    participants: 30,
    recurrence: { frequency: 'WEEKLY', interval: 2, weekdays: ['WEDNESDAY', 'FRIDAY'], monthDay: null, ordinal: null, weekday: null, until: '2027-01-31', count: null, rrule: 'x' },
    options: { muteOnEntry: false, live: true, record: false, guestsMayStart: true },
    invitees: { members: [{ id: 'u1', name: '李雷', email: 'l@x.cn', department: '研发' }], groupIds: [], emails: ['a@b.cn'] },
    presenterId: 'u1',
    room: { id: 'r1', number: '8000', name: '公共', capacity: 100 },
  } as unknown as MeetingQuery['meeting'];
  it('fills the form from a meeting, the series rule in its own zone', () => {
    const v = valuesOf(meeting);
    expect(v.start?.toISOString()).toBe('2026-12-02T01:00:00.000Z');
    expect(v.recurrence).toMatchObject({ kind: 'WEEKLY', interval: 2, weekdays: ['WEDNESDAY', 'FRIDAY'], end: 'UNTIL', until: '2027-01-31' });
    expect(v.invitees.members).toEqual([{ id: 'u1', name: '李雷', email: 'l@x.cn' }]);
    expect(v).toMatchObject({ durationMinutes: 90, participants: 30, live: true, guestsMayStart: true, presenterId: 'u1', roomId: 'r1', password: '' });
  });
  it('starts from a chosen occurrence for “this and following”', () => {
    expect(valuesOf(meeting, dayjs('2026-12-16T01:00:00Z')).start?.toISOString()).toBe('2026-12-16T01:00:00.000Z');
  });
});
