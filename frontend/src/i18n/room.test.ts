// The meeting room's words come from the app's dictionaries, under "room", as the room
// reads them (useTranslation(undefined, { keyPrefix: 'room' })).
import i18n from 'i18next';
import { describe, expect, test } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';

await i18n.init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});
const room = (lng: string) => {
  const t = i18n.getFixedT(lng, null, 'room');
  return (k: string, v?: Record<string, unknown>) => t(k, v as never) as unknown as string;
};

describe('room words', () => {
  test.each([
    ['zh-CN', 'toolbar.mute', undefined, '静音'],
    ['en', 'toolbar.mute', undefined, 'Mute'],
    ['zh-CN', 'notice.joined', { name: '王主持' }, '王主持 加入了会议'],
    ['en', 'notice.joined', { name: 'Li' }, 'Li joined'],
    ['zh-CN', 'quality.4', undefined, '良好'],
    ['en', 'info.network', { q: 'good' }, 'Network: good'],
    ['zh-CN', 'common.you', undefined, '我'],
    ['en', 'layout.GRID_2X2', undefined, '2×2'],
    ['zh-CN', 'ended.meetingEnded', undefined, '会议已结束'],
    ['en', 'chat.tooLong', { max: 500, n: 501 }, 'A message has at most 500 characters; this one has 501'],
  ])('%s %s', (lng, key, values, want) => {
    expect(room(lng)(key, values)).toBe(want);
  });

  test('every room key has an English text that differs from the key', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v as object, `${p}${k}.`)));
    const list = keys(zhCN.room);
    expect(list.length).toBeGreaterThan(250);
    expect(keys(en.room)).toEqual(list);
    for (const k of list) expect(room('en')(k), k).not.toBe(k);
  });
});
