// Subscriptions: the subscribe messages of one connection (docs/rtc-protocol.md §4,
// §10). The page says how each remote video is shown (setShown); 150 ms later the
// preferences that changed since the last ones sent go out (prefs.ts decides what
// changed), so a burst of resizes makes one message. It knows the remote videos
// through the session's list and sends on the session's socket.
import { changedPreferences, chunkPreferences, preferencesFor, type Shown } from './prefs';
import type { TrackPreference } from './protocol';

/** How long size changes are gathered before the preferences go out. */
const DEBOUNCE_MS = 150;

export class Subscriptions {
  private shown = new Map<string, Shown>();
  private sent = new Map<string, TrackPreference>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * videoIds: the remote video tracks announced. send: sends one subscribe message,
   * false when it could not (not connected); null: nothing may be sent now.
   */
  constructor(
    private readonly videoIds: () => string[],
    private readonly send: () => ((tracks: TrackPreference[]) => boolean) | null,
  ) {}

  /** Says how a remote video track is shown: its rendered size, or null when not shown. */
  setShown(trackId: string, size: Shown | null): void {
    if (size && size.width > 0 && size.height > 0) this.shown.set(trackId, size);
    else this.shown.delete(trackId);
    this.schedule();
  }

  /** A remote track is gone. */
  forget(trackId: string): void {
    this.shown.delete(trackId);
    this.sent.delete(trackId);
  }

  /** A new socket: the server knows none of the preferences sent on the old one. */
  resetSent(): void {
    this.sent.clear();
  }

  /** Sends the changed preferences after the debounce (one pending send at a time). */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, DEBOUNCE_MS);
  }

  /** Stops a pending send (the session ended). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private flush(): void {
    const send = this.send();
    if (!send) return;
    const next = preferencesFor(this.videoIds(), this.shown);
    for (const chunk of chunkPreferences(changedPreferences(next, this.sent))) {
      if (!send(chunk)) return;
      for (const p of chunk) this.sent.set(p.trackId, p);
    }
  }
}
