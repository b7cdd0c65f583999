import { describe, expect, test } from 'vitest';
import { downloadQuery, fmtDateTimeZoned, fmtSpanZoned, localZone, zoneLabel } from './time';

describe('downloadQuery', () => {
  test('names the language and the browser zone for the server', () => {
    const q = new URLSearchParams(downloadQuery('en'));
    expect(q.get('lang')).toBe('en');
    expect(q.get('tz')).toBe(localZone());
    expect(new URLSearchParams(downloadQuery('zh-CN')).get('lang')).toBe('zh-CN');
    expect(new URLSearchParams(downloadQuery('fr')).get('lang')).toBe('zh-CN');
  });
});

describe('times carry their zone', () => {
  test('China Standard Time by name, others by IANA name, with the offset at that instant', () => {
    expect(zoneLabel('2026-12-01T01:00:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('北京时间（UTC+08:00）');
    expect(zoneLabel('2026-12-01T01:00:00Z', 'en', 'Asia/Shanghai')).toBe('China Standard Time (UTC+08:00)');
    expect(zoneLabel('2026-12-01T01:00:00Z', 'zh-CN', 'Europe/Berlin')).toBe('Europe/Berlin（UTC+01:00）');
    expect(zoneLabel('2026-07-01T01:00:00Z', 'en', 'Europe/Berlin')).toBe('Europe/Berlin (UTC+02:00)');
    expect(zoneLabel('2026-12-01T01:00:00Z', 'en', 'America/St_Johns')).toBe('America/St_Johns (UTC-03:30)');
  });
  test('notices and invitations say which zone their times are in', () => {
    expect(fmtDateTimeZoned('2026-12-01T01:00:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026-12-01 09:00 北京时间（UTC+08:00）');
    expect(fmtSpanZoned('2026-12-01T01:00:00Z', '2026-12-01T02:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026-12-01 09:00–10:30 北京时间（UTC+08:00）');
    expect(fmtSpanZoned('2026-12-01T22:00:00Z', '2026-12-01T23:30:00Z', 'en', 'Europe/London')).toBe('2026-12-01 22:00–23:30 Europe/London (UTC+00:00)');
  });
});
