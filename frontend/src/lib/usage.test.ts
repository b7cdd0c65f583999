import { describe, expect, test } from 'vitest';
import { USAGE_COLORS, usageColor } from './usage';

describe('usageColor', () => {
  test.each([
    [0, 20, USAGE_COLORS.normal],
    [15, 20, USAGE_COLORS.normal],
    [16, 20, USAGE_COLORS.high],
    [19, 20, USAGE_COLORS.high],
    [20, 20, USAGE_COLORS.full],
    [25, 20, USAGE_COLORS.full],
    [5, 0, USAGE_COLORS.normal],
  ])('%i of %i', (used, capacity, want) => {
    expect(usageColor(used, capacity)).toBe(want);
  });
});
