// Reconnect backoff for the /rtc resume window (docs/rtc-protocol.md §9): quick first
// retries (a network blip usually heals within a second), then exponential with full
// jitter, and never past the 30 s window the server keeps the participant for.

/** The server keeps a dropped participant this long (ms). */
export const RESUME_WINDOW_MS = 30_000;

export interface BackoffOptions {
  /** First delay (ms). */
  baseMs?: number;
  /** Largest delay (ms). */
  maxMs?: number;
  /** Random source in [0, 1); Math.random by default (tests pass their own). */
  random?: () => number;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): 0 for the first, then
 * base·2^(attempt-1) capped at max, with jitter in [50 %, 100 %] of that.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 250;
  const max = opts.maxMs ?? 4000;
  const rnd = opts.random ?? Math.random;
  if (attempt <= 0) return 0;
  const cap = Math.min(max, base * 2 ** Math.min(attempt - 1, 20));
  return Math.round(cap / 2 + (rnd() * cap) / 2);
}

/**
 * Decides reconnect attempts within the resume window. `next(now)` returns the delay
 * before the next attempt, or null when the window (measured from the drop) is over.
 */
export class ResumeSchedule {
  private attempt = 0;
  constructor(
    readonly droppedAt: number,
    private readonly opts: BackoffOptions & { windowMs?: number } = {},
  ) {}

  /** Milliseconds of the window left at now. */
  remaining(now: number): number {
    return Math.max(0, this.droppedAt + (this.opts.windowMs ?? RESUME_WINDOW_MS) - now);
  }

  /** The delay before the next attempt, or null when no attempt fits the window. */
  next(now: number): number | null {
    const left = this.remaining(now);
    if (left <= 0) return null;
    const d = backoffDelay(this.attempt++, this.opts);
    // Leave a little time for the attempt itself; the last one goes just before the end.
    if (d >= left) return left > 500 ? left - 500 : null;
    return d;
  }

  /** How many attempts were scheduled. */
  get attempts(): number {
    return this.attempt;
  }
}
