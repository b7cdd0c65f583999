// dayjs with time zones. Times are shown in the browser's zone; meetings repeat in
// their own zone (default Asia/Shanghai), which the booking form lets people pick.
import dayjs, { type Dayjs } from 'dayjs';
import isoWeek from 'dayjs/plugin/isoWeek';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import type { LocalDate } from './recurrence';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(isoWeek);

export { dayjs };
export type { Dayjs };

export const DEFAULT_ZONE = 'Asia/Shanghai';

/** The browser's IANA zone, or Asia/Shanghai when it cannot tell. */
export function localZone(): string {
  try {
    return dayjs.tz.guess() || DEFAULT_ZONE;
  } catch {
    return DEFAULT_ZONE;
  }
}

/** Zones offered in the booking form: the common ones for our users plus the browser's. */
export function zoneChoices(): string[] {
  const common = [
    'Asia/Shanghai',
    'Asia/Hong_Kong',
    'Asia/Taipei',
    'Asia/Singapore',
    'Asia/Tokyo',
    'Asia/Seoul',
    'Asia/Kolkata',
    'Asia/Dubai',
    'Europe/London',
    'Europe/Berlin',
    'Europe/Paris',
    'Europe/Moscow',
    'America/New_York',
    'America/Chicago',
    'America/Los_Angeles',
    'Australia/Sydney',
    'UTC',
  ];
  const z = localZone();
  return common.includes(z) ? common : [z, ...common];
}

export function toLocalDate(d: Dayjs): LocalDate {
  return { year: d.year(), month: d.month() + 1, day: d.date() };
}

/** A date and time for lists and messages, e.g. 2026-12-01 09:00. */
export function fmtDateTime(iso: string | Dayjs): string {
  return dayjs(iso).format('YYYY-MM-DD HH:mm');
}
export function fmtTime(iso: string | Dayjs): string {
  return dayjs(iso).format('HH:mm');
}
/** Localised date with weekday (uses dayjs's current locale). */
export function fmtDay(d: Dayjs): string {
  return d.format(dayjs.locale() === 'en' ? 'ddd, MMM D' : 'M月D日 dddd');
}
/** A span such as 2026-12-01 09:00–10:00, with the end's date when it differs. */
export function fmtSpan(start: string | Dayjs, end: string | Dayjs): string {
  const s = dayjs(start);
  const e = dayjs(end);
  return s.isSame(e, 'day') ? `${fmtDateTime(s)}–${fmtTime(e)}` : `${fmtDateTime(s)} – ${fmtDateTime(e)}`;
}
// The IANA names of China Standard Time (as the server's mails name them).
const CHINA_ZONES = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC']);

/**
 * The zone times are shown in, for texts read elsewhere (notices, invitations): at
 * the instant at, in zone (the browser's by default), e.g. 北京时间（UTC+08:00） or
 * Europe/Berlin (UTC+01:00), like the server's mails.
 */
export function zoneLabel(at: string | Dayjs, lang: string, zone = localZone()): string {
  const off = dayjs(at).tz(zone).utcOffset();
  const a = Math.abs(off);
  const utc = `UTC${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  const en = lang === 'en';
  const name = CHINA_ZONES.has(zone) ? (en ? 'China Standard Time' : '北京时间') : zone;
  return en ? `${name} (${utc})` : `${name}（${utc}）`;
}
/** fmtDateTime with the zone, e.g. 2026-12-01 09:00 北京时间（UTC+08:00）. */
export function fmtDateTimeZoned(iso: string | Dayjs, lang: string, zone = localZone()): string {
  return `${dayjs(iso).tz(zone).format('YYYY-MM-DD HH:mm')} ${zoneLabel(iso, lang, zone)}`;
}
/** fmtSpan with the zone, e.g. 2026-12-01 09:00–10:00 北京时间（UTC+08:00）. */
export function fmtSpanZoned(start: string | Dayjs, end: string | Dayjs, lang: string, zone = localZone()): string {
  const s = dayjs(start).tz(zone);
  const e = dayjs(end).tz(zone);
  const span = s.isSame(e, 'day') ? `${s.format('YYYY-MM-DD HH:mm')}–${e.format('HH:mm')}` : `${s.format('YYYY-MM-DD HH:mm')} – ${e.format('YYYY-MM-DD HH:mm')}`;
  return `${span} ${zoneLabel(start, lang, zone)}`;
}
/** Minutes as 1 h 30 min / 1小时30分钟. */
export function fmtDuration(minutes: number, t: (k: string, v?: Record<string, unknown>) => string): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return t('time.hoursMinutes', { h, m });
  if (h) return t('time.hours', { h });
  return t('time.minutes', { m });
}

/**
 * The query string of a download link: the interface language and the browser's
 * zone, so that the server names the file in that language and dates it (and the
 * times in it) in that zone.
 */
export function downloadQuery(language: string): string {
  const lang = language === 'en' ? 'en' : 'zh-CN';
  return `lang=${lang}&tz=${encodeURIComponent(localZone())}`;
}
