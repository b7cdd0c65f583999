// Reads what the client needs from the server's answer: the msid (stream id =
// participant id, track id = the /rtc trackId) of each m-section by mid
// (docs/rtc-protocol.md §1). Remote MediaStreamTrack ids are not reliably the msid's
// track id in every browser, and an m-line is reused for the next track of its kind,
// so tracks are mapped through their transceiver's mid and the latest answer instead.

/** The msid of one m-section. */
export interface MsidInfo {
  streamId: string;
  trackId: string;
  kind: string;
  direction: string;
}

/** Parses the m-sections of sdp: mid → msid, kind and direction. */
export function msidsByMid(sdp: string): Map<string, MsidInfo> {
  const out = new Map<string, MsidInfo>();
  const sections = sdp.split(/\r?\n(?=m=)/);
  for (const sec of sections) {
    if (!sec.startsWith('m=')) continue;
    const kind = sec.slice(2, sec.indexOf(' '));
    let mid = '';
    let streamId = '';
    let trackId = '';
    let direction = 'sendrecv';
    for (const line of sec.split(/\r?\n/)) {
      if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
      else if (line.startsWith('a=msid:')) {
        const [s, t] = line.slice(7).trim().split(/\s+/);
        streamId = s ?? '';
        trackId = t ?? '';
      } else if (/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.test(line)) direction = line.slice(2).trim();
      else if (line.startsWith('a=ssrc:') && !trackId) {
        // Plan B style fallback: a=ssrc:<n> msid:<stream> <track>
        const m = /msid:(\S+)\s+(\S+)/.exec(line);
        if (m) {
          streamId = m[1];
          trackId = m[2];
        }
      }
    }
    if (mid) out.set(mid, { streamId, trackId, kind, direction });
  }
  return out;
}

/**
 * The /rtc trackId an m-section of the server's answer carries to the client, or null:
 * one without msid, inactive, or receive-only on the server's side (what the client
 * sends) carries nothing.
 */
export function receivedTrackId(info: MsidInfo | undefined): string | null {
  if (!info || !info.trackId) return null;
  return info.direction === 'sendonly' || info.direction === 'sendrecv' ? info.trackId : null;
}
