import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { defaultRecurrence, type RecurrenceState } from './recurrence';
import { describeRecurrence } from './recurrenceText';

await i18n.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng: 'zh-CN', interpolation: { escapeValue: false }, showSupportNotice: false });
const zh = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('zh-CN')(k, v as never) as unknown as string;
const enT = (k: string, v?: Record<string, unknown>) => i18n.getFixedT('en')(k, v as never) as unknown as string;
const s = (p: Partial<RecurrenceState>): RecurrenceState => ({ ...defaultRecurrence({ year: 2026, month: 12, day: 2 }), ...p });

describe('describeRecurrence', () => {
  it('says it in Chinese', () => {
    expect(describeRecurrence(s({}), zh)).toBe('不重复');
    expect(describeRecurrence(s({ kind: 'WEEKLY', weekdays: ['MONDAY', 'WEDNESDAY'], until: '2027-03-31' }), zh)).toBe('每周的周一、周三，至 2027-03-31');
    expect(describeRecurrence(s({ kind: 'DAILY', interval: 2, end: 'COUNT', count: 5 }), zh)).toBe('每 2 天，共 5 次');
    expect(describeRecurrence(s({ kind: 'MONTHLY', monthlyMode: 'WEEKDAY', ordinal: 2, weekday: 'TUESDAY', end: 'COUNT', count: 6 }), zh)).toBe('每月的第二个周二，共 6 次');
    expect(describeRecurrence(s({ kind: 'MONTHLY', monthDay: -1, end: 'COUNT', count: 3 }), zh)).toBe('每月的最后一天，共 3 次');
  });
  it('and in English', () => {
    expect(describeRecurrence(s({ kind: 'WEEKLY', weekdays: ['MONDAY', 'WEDNESDAY'], until: '2027-03-31' }), enT)).toBe('Every week on Monday, Wednesday, until 2027-03-31');
    expect(describeRecurrence(s({ kind: 'MONTHLY', monthDay: 15, interval: 3, end: 'COUNT', count: 4 }), enT)).toBe('Every 3 month(s) on day 15, 4 times');
  });
});
