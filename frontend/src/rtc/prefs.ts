// Subscribe preferences from what the page shows (docs/rtc-protocol.md §4, §10): each
// shown video track asks for its rendered pane size in CSS pixels; tracks not shown
// are turned off, so the server sends nothing for them. Pure; see prefs.test.ts.
import { LIMITS, type TrackPreference } from './protocol';

/** What the page shows of one remote video track; absent tracks are not shown. */
export interface Shown {
  width: number;
  height: number;
}

/** Rounds a rendered size to whole CSS pixels within the protocol's range. */
export function paneSize(width: number, height: number): Shown {
  const clamp = (v: number, max: number) => Math.max(1, Math.min(max, Math.round(Number.isFinite(v) ? v : 1)));
  return { width: clamp(width, LIMITS.maxWidth), height: clamp(height, LIMITS.maxHeight) };
}

/** The quality the server picks for a pane (§10): ≤320×180 low, ≤640×360 medium, else high. */
export function qualityFor(width: number, height: number): 'low' | 'medium' | 'high' {
  if (width <= 320 && height <= 180) return 'low';
  if (width <= 640 && height <= 360) return 'medium';
  return 'high';
}

/**
 * The preference of each remote video track: enabled with its pane size when shown,
 * else disabled. Audio is always wanted and never listed (the server's default).
 */
export function preferencesFor(videoTrackIds: Iterable<string>, shown: ReadonlyMap<string, Shown>): TrackPreference[] {
  const out: TrackPreference[] = [];
  for (const id of videoTrackIds) {
    const s = shown.get(id);
    if (s && s.width > 0 && s.height > 0) {
      const { width, height } = paneSize(s.width, s.height);
      out.push({ trackId: id, enabled: true, width, height });
    } else out.push({ trackId: id, enabled: false });
  }
  return out;
}

/**
 * The preferences that differ from what was last sent (by track). A size change that
 * keeps the same quality tier and is under 10 % in both directions is not worth a
 * message; everything else is.
 */
export function changedPreferences(next: TrackPreference[], sent: ReadonlyMap<string, TrackPreference>): TrackPreference[] {
  return next.filter((p) => {
    const old = sent.get(p.trackId);
    if (!old || old.enabled !== p.enabled) return true;
    if (!p.enabled) return false;
    const w0 = old.width ?? 0;
    const h0 = old.height ?? 0;
    const w1 = p.width ?? 0;
    const h1 = p.height ?? 0;
    if (qualityFor(w0, h0) !== qualityFor(w1, h1)) return true;
    return Math.abs(w1 - w0) > w0 * 0.1 || Math.abs(h1 - h0) > h0 * 0.1;
  });
}

/** Splits preferences into subscribe messages of at most LIMITS.maxSubscriptions (256) tracks. */
export function chunkPreferences(prefs: TrackPreference[], size: number = LIMITS.maxSubscriptions): TrackPreference[][] {
  const out: TrackPreference[][] = [];
  for (let i = 0; i < prefs.length; i += size) out.push(prefs.slice(i, i + size));
  return out;
}
