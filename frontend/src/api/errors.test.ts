import { describe, expect, it } from 'vitest';
import i18n from 'i18next';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { apiErrors, describe as describeError, hasCode, isNetworkError, keyFor, notStarted, type ApiError } from './errors';

await i18n.init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: 'zh-CN',
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});
const tz = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('zh-CN')(k, v as never) as unknown as string;
const ten = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('en')(k, v as never) as unknown as string;

/** An urql CombinedError look-alike. */
const gqlErr = (...errors: { message: string; extensions?: Record<string, unknown> }[]) => ({ graphQLErrors: errors, networkError: undefined });
const api = (code: string, message: string, ext: Record<string, unknown> = {}): ApiError => ({
  code,
  message,
  field: ext.field as string | undefined,
  extensions: { code, ...ext },
});

describe('apiErrors', () => {
  it('reads code, field and reason from extensions', () => {
    const e = apiErrors(gqlErr({ message: 'x', extensions: { code: 'BAD_USER_INPUT', field: 'email' } }, { message: 'y' }));
    expect(e[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(e[1].code).toBe('INTERNAL');
    expect(hasCode(gqlErr({ message: 'x', extensions: { code: 'FORBIDDEN' } }), 'FORBIDDEN')).toBe(true);
    expect(apiErrors(null)).toEqual([]);
  });
  it('tells network failures apart', () => {
    expect(isNetworkError({ graphQLErrors: [], networkError: new TypeError('fetch') })).toBe(true);
    expect(isNetworkError(gqlErr({ message: 'x' }))).toBe(false);
  });
});

describe('keyFor', () => {
  it('maps every plain code', () => {
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL'])
      expect(keyFor(api(code, 'whatever')).key).toBe(`errors.${code}`);
    expect(keyFor(api('SOMETHING_NEW', 'x')).key).toBe('errors.INTERNAL');
  });
  it('uses the retry delay of RATE_LIMITED', () => {
    expect(keyFor(api('RATE_LIMITED', 'x', { retryAfterSeconds: 29.2 }))).toMatchObject({ key: 'errors.RATE_LIMITED_after', values: { seconds: 30 } });
  });
  it('recognises join refusals by message', () => {
    expect(keyFor(api('CONFLICT', 'the meeting has not started yet; please wait for the host', { field: 'number' })).key).toBe('errors.join.notStarted');
    expect(keyFor(api('CONFLICT', 'the meeting is full (25 participants)', { field: 'number' }))).toMatchObject({ key: 'errors.join.full', values: { 1: '25' } });
    expect(keyFor(api('CONFLICT', 'the meeting is locked')).key).toBe('errors.join.locked');
  });
  it('says when a meeting is booked and from when its host may start it', () => {
    const fmt = (s: string) => `<${s}>`;
    const at = '2026-12-08T02:00:00Z';
    expect(
      keyFor(api('CONFLICT', `the meeting has not started yet; please wait for the host (booked to start at ${at})`, { field: 'number', startsAt: at }), fmt),
    ).toMatchObject({ key: 'errors.join.notStartedAt', values: { startsAt: `<${at}>` } });
    const tooEarly = (field: string) =>
      keyFor(api('CONFLICT', `the host may start this meeting from 2026-12-08T01:30:00Z (30m0s before its start at ${at})`, { field, startsAt: at, startableFrom: '2026-12-08T01:30:00Z' }), fmt);
    expect(tooEarly('number')).toMatchObject({ key: 'errors.join.hostTooEarly', values: { startsAt: `<${at}>`, from: '<2026-12-08T01:30:00Z>' } });
    expect(tooEarly('id').key).toBe('errors.meeting.hostTooEarly');
  });
  it('names field problems', () => {
    expect(keyFor(api('BAD_USER_INPUT', 'password must be 4 to 16 digits', { field: 'password' }))).toMatchObject({
      key: 'errors.invalidField',
      values: { fieldKey: 'password' },
    });
    expect(keyFor(api('BAD_USER_INPUT', 'x', { reason: 'complexity' }))).toMatchObject({ key: 'errors.BAD_USER_INPUT' });
  });
});

describe('notStarted', () => {
  it('recognises the host-has-not-started refusal, with its booked start', () => {
    const err = gqlErr({
      message: 'the meeting has not started yet; please wait for the host (booked to start at 2026-12-08T01:00:00Z)',
      extensions: { code: 'CONFLICT', field: 'number', startsAt: '2026-12-08T01:00:00Z' },
    });
    expect(notStarted(err)).toEqual({ startsAt: '2026-12-08T01:00:00Z' });
    expect(notStarted(gqlErr({ message: 'the meeting has ended', extensions: { code: 'CONFLICT', field: 'number' } }))).toBeNull();
    expect(notStarted(gqlErr({ message: 'wrong meeting number or password', extensions: { code: 'NOT_FOUND' } }))).toBeNull();
  });
});

describe('describe', () => {
  it('explains a booking conflict with the clashing meeting, in Chinese', () => {
    const err = gqlErr({
      message: 'room 8000 (公共会议室) holds 30 participants, 25 are already booked: "周会" (1234567890) from 2026-12-01 09:00 to 10:00',
      extensions: {
        code: 'CONFLICT',
        field: 'start',
        conflictMeetingId: 'm1',
        conflictMeetingName: '周会',
        conflictStart: '2026-12-01T09:00:00+08:00',
        conflictEnd: '2026-12-01T10:00:00+08:00',
      },
    });
    const msg = describeError(err, tz, { formatTime: (s) => s.slice(11, 16) });
    expect(msg).toBe('会议室容量不足（容量 30 人，已预订 25 人）：与会议「周会」（09:00 – 10:00）时间冲突');
    expect(describeError(err, ten, { formatTime: (s) => s.slice(11, 16) })).toBe(
      'Not enough room capacity (30 seats, 25 booked): clashes with “周会” (09:00 – 10:00)',
    );
  });
  it('explains quota conflicts with another enterprise’s meeting', () => {
    const err = gqlErr({
      message: "your enterprise's quota of 50 participants, 40 are already booked: another enterprise's meeting from x to y",
      extensions: { code: 'CONFLICT', field: 'start', conflictStart: 'A', conflictEnd: 'B' },
    });
    expect(describeError(err, tz)).toBe('超出企业并发配额（配额 50 人，已预订 40 人）：A – B 已被其他企业的会议占用');
  });
  it('explains an early start that does not fit', () => {
    const err = gqlErr({
      message: `starting now, before the booked time, exceeds your enterprise's quota of 20 participants, 15 are already booked: "产品评审会" (1234567890) from 2026-12-01 09:00 to 10:00`,
      extensions: { code: 'CONFLICT', field: 'start', conflictMeetingName: '产品评审会', conflictStart: '2026-12-01T09:00:00+08:00', conflictEnd: '2026-12-01T10:00:00+08:00' },
    });
    expect(describeError(err, tz, { formatTime: (s) => s.slice(11, 16) })).toBe(
      '现在无法提前开始，请在预定时间开始。超出企业并发配额（配额 20 人，已预订 15 人）：与会议「产品评审会」（09:00 – 10:00）时间冲突',
    );
  });
  it('explains rooms that are too small', () => {
    const err = gqlErr({ message: 'no meeting room you may use holds 500 participants', extensions: { code: 'CONFLICT', field: 'participants' } });
    expect(describeError(err, tz)).toBe('没有可容纳 500 人的可用会议室，请减少参会人数或联系管理员');
  });
  it('translates the field name of invalid input', () => {
    const err = gqlErr({ message: 'x', extensions: { code: 'BAD_USER_INPUT', field: 'participants' } });
    expect(describeError(err, tz)).toBe('「参会人数」填写有误');
    expect(describeError(err, ten)).toBe('“Participants” is invalid');
    const unknown = gqlErr({ message: 'x', extensions: { code: 'BAD_USER_INPUT', field: 'zzz' } });
    expect(describeError(unknown, tz)).toBe('「zzz」填写有误');
  });
  it('applies per-screen overrides, joins distinct messages and handles network errors', () => {
    const nf = gqlErr({ message: 'meeting not found', extensions: { code: 'NOT_FOUND' } });
    expect(describeError(nf, tz, { byCode: { NOT_FOUND: 'errors.join.notFound' } })).toBe('会议号或密码错误');
    const two = gqlErr({ message: 'a', extensions: { code: 'FORBIDDEN' } }, { message: 'b', extensions: { code: 'FORBIDDEN' } });
    expect(describeError(two, tz)).toBe('您没有权限执行此操作');
    expect(describeError({ graphQLErrors: [], networkError: new Error('x') }, tz)).toBe('无法连接服务器，请检查网络后重试');
    expect(describeError(new Error('boom'), tz)).toBe('服务器出错，请稍后再试');
  });
});
