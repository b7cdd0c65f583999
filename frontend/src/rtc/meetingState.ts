// The live meeting state from the GraphQL subscription meetingState (docs/api.md):
// a full state first (and after a gap), then events numbered seq+1, seq+2, … This
// reducer applies them in order and asks for a resync when one is missing. Pure.
import type { LiveParticipant, MeetingEvent, MeetingState } from '../gql/schema';

/** One message of the subscription. */
export interface StateUpdate {
  seq: number;
  full?: MeetingState | null;
  event?: MeetingEvent | null;
}

/** What the room knows of the meeting. */
export interface LiveState {
  /** The last seq applied, 0 before the first full state. */
  seq: number;
  /** The state as of seq; null until the first full state. */
  meeting: MeetingState | null;
  /** A gap was seen: resubscribe with sinceSeq = seq (the server sends a full state or the missing events). */
  resync: boolean;
}

export const initialLiveState: LiveState = { seq: 0, meeting: null, resync: false };

function upsert(list: LiveParticipant[], p: LiveParticipant): LiveParticipant[] {
  const i = list.findIndex((x) => x.id === p.id);
  if (i < 0) return [...list, p];
  const out = list.slice();
  out[i] = p;
  return out;
}

/** Applies one event to a state whose seq is event.seq - 1. */
export function applyEvent(m: MeetingState, e: MeetingEvent): MeetingState {
  const s: MeetingState = { ...m, seq: e.seq };
  if (e.participant) s.participants = upsert(s.participants, e.participant);
  if (e.removedId) {
    s.participants = s.participants.filter((p) => p.id !== e.removedId);
    if (s.activeSpeakerId === e.removedId) s.activeSpeakerId = null;
  }
  if (e.kind === 'speaking') {
    if (e.subjectId && e.speaking != null) {
      s.participants = s.participants.map((p) => (p.id === e.subjectId ? { ...p, speaking: e.speaking as boolean } : p));
    }
    s.activeSpeakerId = e.activeSpeakerId ?? null;
  }
  if (e.mutedIds) {
    const ids = new Set(e.mutedIds);
    s.participants = s.participants.map((p) => (ids.has(p.id) ? { ...p, mutedByHost: true, unmuteRequested: false } : p));
  }
  if (e.allowSelfUnmute != null) s.allowSelfUnmute = e.allowSelfUnmute;
  if (e.setting && e.on != null) {
    switch (e.setting) {
      case 'locked':
        s.locked = e.on;
        break;
      case 'muteOnEntry':
        s.muteOnEntry = e.on;
        break;
      case 'live':
        s.live = e.on;
        break;
      case 'recording':
        s.recording = e.on;
        break;
      case 'whiteboard':
        s.whiteboard = e.on;
        break;
    }
  }
  if (e.mode) s.mode = e.mode;
  if (e.pins) s.pins = e.pins;
  if (e.polling) s.polling = e.polling;
  if (e.panes) s.panes = e.panes;
  if (e.hidden != null) s.hidden = e.hidden;
  if (e.kind === 'ended') s.ended = true;
  return s;
}

/**
 * Applies one subscription message. A full state replaces everything; an event
 * already applied is ignored; an event after a gap leaves the state as it is and sets
 * resync.
 */
export function reduceLiveState(st: LiveState, u: StateUpdate): LiveState {
  if (u.full) return { seq: u.full.seq || u.seq, meeting: u.full, resync: false };
  const e = u.event;
  if (!e) return st;
  if (!st.meeting) return { ...st, resync: true };
  if (e.seq <= st.seq) return st;
  if (e.seq !== st.seq + 1) return { ...st, resync: true };
  return { seq: e.seq, meeting: applyEvent(st.meeting, e), resync: false };
}
