import { expect, test } from 'vitest';
import { backoffDelay, ResumeSchedule } from './backoff';

test('first attempt at once, then exponential with jitter, capped', () => {
  const lo = () => 0;
  const hi = () => 0.999999;
  expect(backoffDelay(0)).toBe(0);
  expect(backoffDelay(1, { random: lo })).toBe(125);
  expect(backoffDelay(1, { random: hi })).toBe(250);
  expect(backoffDelay(3, { random: hi })).toBe(1000);
  expect(backoffDelay(10, { random: hi })).toBe(4000);
  expect(backoffDelay(10, { random: lo })).toBe(2000);
});

test('the schedule stays inside the 30 s window', () => {
  const s = new ResumeSchedule(0, { random: () => 0.999999 });
  let now = 0;
  const delays: number[] = [];
  for (;;) {
    const d = s.next(now);
    if (d === null) break;
    delays.push(d);
    now += d + 100; // each attempt takes 100 ms
    expect(delays.length).toBeLessThan(100);
  }
  expect(delays[0]).toBe(0);
  expect(now).toBeLessThanOrEqual(30_000);
  expect(delays.length).toBeGreaterThan(5);
  expect(s.remaining(now)).toBeLessThan(4600);
});

test('no attempt once the window is over', () => {
  const s = new ResumeSchedule(1000);
  expect(s.next(31_000)).toBeNull();
  expect(s.remaining(40_000)).toBe(0);
});
