import { describe, expect, it } from 'vitest';
import { bucket, groupByDay, overlaps, type Day } from './calendar';

const H = 3_600_000;
const M = 60_000;
// Three days of 24 hours from an arbitrary epoch (the caller picks the zone).
const base = Date.UTC(2026, 11, 1);
const days: Day[] = [0, 1, 2].map((i) => ({ key: `d${i}`, start: base + i * 24 * H, end: base + (i + 1) * 24 * H }));
const ev = (id: string, startH: number, endH: number) => ({ id, start: base + startH * H, end: base + endH * H });

describe('bucket', () => {
  it('places an event at its minutes on its day', () => {
    const out = bucket([ev('a', 9, 10.5)], days);
    expect(out.get('d0')).toHaveLength(1);
    expect(out.get('d0')![0]).toMatchObject({ top: 540, height: 90, lane: 0, lanes: 1, continuesBefore: false, continuesAfter: false });
    expect(out.get('d1')).toEqual([]);
  });
  it('splits an event across midnight', () => {
    const out = bucket([ev('a', 23, 25)], days);
    expect(out.get('d0')![0]).toMatchObject({ top: 23 * 60, height: 60, continuesAfter: true });
    expect(out.get('d1')![0]).toMatchObject({ top: 0, height: 60, continuesBefore: true });
  });
  it('gives short events a clickable minimum height that stays inside the day', () => {
    const out = bucket([{ id: 'x', start: base + 9 * H, end: base + 9 * H + 5 * M }, ev('late', 23.9, 24)], days, 20);
    expect(out.get('d0')!.find((p) => p.item.id === 'x')!.height).toBe(20);
    expect(out.get('d0')!.find((p) => p.item.id === 'late')!.height).toBeCloseTo(6, 5);
  });
  it('puts overlapping events side by side and reuses freed lanes', () => {
    const out = bucket([ev('a', 9, 11), ev('b', 10, 12), ev('c', 11, 12), ev('d', 13, 14)], days);
    const byId = Object.fromEntries(out.get('d0')!.map((p) => [p.item.id, p]));
    expect([byId.a.lane, byId.b.lane, byId.c.lane]).toEqual([0, 1, 0]);
    expect([byId.a.lanes, byId.b.lanes, byId.c.lanes]).toEqual([2, 2, 2]);
    expect(byId.d).toMatchObject({ lane: 0, lanes: 1 });
  });
});

describe('groupByDay', () => {
  it('lists each event on its start day, earlier ones on the first day', () => {
    const g = groupByDay([ev('late', 50, 51), ev('early', -2, 1), ev('a', 9, 10), ev('span', 23, 26)], days);
    expect(g.map((x) => [x.day.key, x.items.map((i) => i.id)])).toEqual([
      ['d0', ['early', 'a', 'span']],
      ['d2', ['late']],
    ]);
  });
});

describe('overlaps', () => {
  it('does not count touching ends', () => {
    expect(overlaps(ev('a', 9, 10), ev('b', 10, 11))).toBe(false);
    expect(overlaps(ev('a', 9, 10.5), ev('b', 10, 11))).toBe(true);
  });
});
