// Colours of a usage bar: how full a quota or a room is, at a glance. A full bar is
// never green.

/** Blue below 80% of capacity, orange from 80%, red when full or over. */
export function usageColor(used: number, capacity: number): string {
  if (capacity <= 0) return USAGE_COLORS.normal;
  const ratio = used / capacity;
  if (ratio >= 1) return USAGE_COLORS.full;
  if (ratio >= 0.8) return USAGE_COLORS.high;
  return USAGE_COLORS.normal;
}

export const USAGE_COLORS = {
  normal: '#1677ff',
  high: '#faad14',
  full: '#ff4d4f',
  /** What a booking being made would add. */
  adding: '#91caff',
} as const;
