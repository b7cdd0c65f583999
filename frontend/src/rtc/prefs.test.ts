import { expect, test } from 'vitest';
import { changedPreferences, chunkPreferences, paneSize, preferencesFor, qualityFor } from './prefs';
import type { TrackPreference } from './protocol';

test('pane sizes are whole pixels in range', () => {
  expect(paneSize(319.6, 179.2)).toEqual({ width: 320, height: 179 });
  expect(paneSize(0, -5)).toEqual({ width: 1, height: 1 });
  expect(paneSize(9000, 9000)).toEqual({ width: 7680, height: 4320 });
  expect(paneSize(NaN, 10)).toEqual({ width: 1, height: 10 });
});

test('quality tiers follow the server', () => {
  expect(qualityFor(320, 180)).toBe('low');
  expect(qualityFor(321, 180)).toBe('medium');
  expect(qualityFor(640, 360)).toBe('medium');
  expect(qualityFor(641, 200)).toBe('high');
});

test('shown tracks ask for their size, others are off', () => {
  const shown = new Map([['A', { width: 960.4, height: 540 }]]);
  expect(preferencesFor(['A', 'B'], shown)).toEqual([
    { trackId: 'A', enabled: true, width: 960, height: 540 },
    { trackId: 'B', enabled: false },
  ]);
});

test('only changes worth a message are sent', () => {
  const sent = new Map<string, TrackPreference>([
    ['A', { trackId: 'A', enabled: true, width: 1000, height: 560 }],
    ['B', { trackId: 'B', enabled: false }],
    ['C', { trackId: 'C', enabled: true, width: 330, height: 186 }],
  ]);
  const next: TrackPreference[] = [
    { trackId: 'A', enabled: true, width: 1050, height: 580 }, // < 10 %, same tier
    { trackId: 'B', enabled: false }, // same
    { trackId: 'C', enabled: true, width: 318, height: 179 }, // crosses to low
    { trackId: 'D', enabled: false }, // new
  ];
  expect(changedPreferences(next, sent).map((p) => p.trackId)).toEqual(['C', 'D']);
  expect(changedPreferences([{ trackId: 'A', enabled: true, width: 1300, height: 731 }], sent)).toHaveLength(1);
  expect(changedPreferences([{ trackId: 'A', enabled: false }], sent)).toHaveLength(1);
});

test('chunks of 256', () => {
  const many = Array.from({ length: 600 }, (_, i) => ({ trackId: `T${i}`, enabled: false }));
  expect(chunkPreferences(many).map((c) => c.length)).toEqual([256, 256, 88]);
});
