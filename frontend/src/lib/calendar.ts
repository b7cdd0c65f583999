// Calendar bucketing for the schedule's day and week views: which events show on
// which day, where (minutes from midnight) and in which lane when they overlap.
// Pure: times are epoch milliseconds, days are given with their own bounds, so the
// caller decides the time zone.

/** Something with a start and an end (epoch ms, end > start). */
export interface Timed {
  start: number;
  end: number;
}

/** A calendar day: its key (YYYY-MM-DD) and its bounds (epoch ms, [start, end)). */
export interface Day {
  key: string;
  start: number;
  end: number;
}

/** An event's piece on one day. */
export interface Placed<T extends Timed> {
  item: T;
  /** Minutes from the day's start to the piece's start. */
  top: number;
  /** Minutes the piece lasts on this day (at least minMinutes, for clickability). */
  height: number;
  /** 0-based column among overlapping pieces, and how many columns the cluster has. */
  lane: number;
  lanes: number;
  /** The event began before this day / goes on after it. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

const MINUTE = 60_000;

/**
 * Places items on days. An item spanning midnight shows on each day it touches.
 * Overlapping pieces get side-by-side lanes; a cluster of pieces that overlap
 * transitively shares one lane count. minMinutes is the shortest drawn height.
 */
export function bucket<T extends Timed>(items: T[], days: Day[], minMinutes = 20): Map<string, Placed<T>[]> {
  const out = new Map<string, Placed<T>[]>();
  for (const day of days) {
    const pieces: Placed<T>[] = [];
    for (const item of items) {
      if (item.end <= day.start || item.start >= day.end) continue;
      const s = Math.max(item.start, day.start);
      const e = Math.min(item.end, day.end);
      const dayMinutes = (day.end - day.start) / MINUTE;
      const top = (s - day.start) / MINUTE;
      pieces.push({
        item,
        top,
        height: Math.min(Math.max((e - s) / MINUTE, minMinutes), Math.max(dayMinutes - top, 1)),
        lane: 0,
        lanes: 1,
        continuesBefore: item.start < day.start,
        continuesAfter: item.end > day.end,
      });
    }
    pieces.sort((a, b) => a.top - b.top || b.height - a.height);
    assignLanes(pieces);
    out.set(day.key, pieces);
  }
  return out;
}

/** Greedy interval colouring per cluster of transitively overlapping pieces. */
function assignLanes<T extends Timed>(pieces: Placed<T>[]): void {
  let cluster: Placed<T>[] = [];
  let clusterEnd = -Infinity;
  let laneEnds: number[] = [];
  const close = () => {
    const n = laneEnds.length;
    for (const p of cluster) p.lanes = n;
    cluster = [];
    laneEnds = [];
  };
  for (const p of pieces) {
    const end = p.top + p.height;
    if (p.top >= clusterEnd && cluster.length) close();
    let lane = laneEnds.findIndex((e) => e <= p.top);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(end);
    } else laneEnds[lane] = end;
    p.lane = lane;
    cluster.push(p);
    clusterEnd = cluster.length === 1 ? end : Math.max(clusterEnd, end);
  }
  if (cluster.length) close();
}

/** Groups items by the day they start on, days in order, items by start; for the list view. */
export function groupByDay<T extends Timed>(items: T[], days: Day[]): { day: Day; items: T[] }[] {
  const groups: { day: Day; items: T[] }[] = [];
  for (const day of days) {
    const on = items.filter((i) => i.start < day.end && i.end > day.start && (i.start >= day.start || day === days[0]));
    if (on.length) groups.push({ day, items: on.sort((a, b) => a.start - b.start) });
  }
  return groups;
}

/** Whether two intervals overlap (touching ends do not). */
export function overlaps(a: Timed, b: Timed): boolean {
  return a.start < b.end && b.start < a.end;
}
