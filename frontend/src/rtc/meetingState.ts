// The meeting's live state as /rtc delivers it to every participant (docs/rtc-protocol.md
// §5 `state`): each message's patch is a GraphQL MeetingStateUpdate (docs/api.md), a
// full state right after joined (and after a resume, or when the connection's view fell
// behind), then every event in order. This reducer applies them; pure.
import { chatMessageOf } from './chat';
import type { LayoutPane, MeetingParticipant, MeetingEvent, MeetingState, PanePin, Polling } from '../gql/schema';

/** One update: a full state or one event. */
export interface StateUpdate {
  seq: number;
  full?: MeetingState | null;
  event?: MeetingEvent | null;
}

/** What the room knows of the meeting. */
export interface MeetingView {
  /** The last seq applied, 0 before the first full state. */
  seq: number;
  /** The state as of seq; null until the first full state. */
  meeting: MeetingState | null;
  /**
   * Events that came ahead of seq + 1 (or before the first full state), in seq order:
   * applied once the missing ones (or a full state covering them) arrive.
   */
  pending: MeetingEvent[];
  /** Events are missing between seq and the first pending one (only with a meeting). */
  gap: boolean;
}

export const initialMeetingView: MeetingView = { seq: 0, meeting: null, pending: [], gap: false };

/** At most this many events wait for a missing one; beyond, the oldest are dropped. */
export const MAX_PENDING = 256;

function upsert(list: MeetingParticipant[], p: MeetingParticipant): MeetingParticipant[] {
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
  if (e.loweredIds) {
    const ids = new Set(e.loweredIds);
    s.participants = s.participants.map((p) => (ids.has(p.id) ? { ...p, handRaised: false, handRaisedAt: null } : p));
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
      case 'allowSelfUnmute':
        s.allowSelfUnmute = e.on;
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

/** Applies the pending events that now follow seq, and drops those already covered. */
function drain(seq: number, meeting: MeetingState, pending: MeetingEvent[]): MeetingView {
  let m = meeting;
  let s = seq;
  const rest: MeetingEvent[] = [];
  for (const e of pending) {
    if (e.seq <= s) continue;
    if (e.seq === s + 1 && rest.length === 0) {
      m = applyEvent(m, e);
      s = e.seq;
    } else rest.push(e);
  }
  return { seq: s, meeting: m, pending: rest, gap: rest.length > 0 };
}

/** pending with e inserted in seq order (a duplicate replaces nothing), bounded. */
function withPending(pending: MeetingEvent[], e: MeetingEvent): MeetingEvent[] {
  if (pending.some((x) => x.seq === e.seq)) return pending;
  const out = [...pending, e].sort((a, b) => a.seq - b.seq);
  return out.length > MAX_PENDING ? out.slice(out.length - MAX_PENDING) : out;
}

/**
 * Applies one update. A full state replaces everything (and the pending events after
 * it follow); an event at or below seq is ignored; an event ahead of seq + 1, or
 * before the first full state, waits in pending (gap set once there is a state).
 */
export function reduceMeetingView(st: MeetingView, u: StateUpdate): MeetingView {
  if (u.full) return drain(u.full.seq || u.seq, u.full, st.pending);
  const e = u.event;
  if (!e) return st;
  if (!st.meeting) return { ...st, pending: withPending(st.pending, e) };
  if (e.seq <= st.seq) return st;
  if (e.seq === st.seq + 1) return drain(e.seq, applyEvent(st.meeting, e), st.pending);
  return { ...st, pending: withPending(st.pending, e), gap: true };
}

// ---- the /rtc patch ----------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean => v === true;
const optBool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const optInt = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function participant(o: Obj): MeetingParticipant {
  return {
    id: str(o.id) ?? '',
    name: str(o.name) ?? '',
    client: str(o.client) ?? '',
    role: (str(o.role) ?? 'PARTICIPANT') as MeetingParticipant['role'],
    audio: bool(o.audio),
    video: bool(o.video),
    screen: bool(o.screen),
    selfMuted: bool(o.selfMuted),
    mutedByHost: bool(o.mutedByHost),
    unmuteRequested: bool(o.unmuteRequested),
    speaking: bool(o.speaking),
    networkQuality: int(o.networkQuality),
    joinedAt: str(o.joinedAt) ?? '',
    handRaised: bool(o.handRaised),
    handRaisedAt: str(o.handRaisedAt),
  };
}

const pane = (o: Obj): LayoutPane => ({ pane: int(o.pane), participantId: str(o.participantId), source: str(o.source) ?? '', polled: bool(o.polled) });
const pin = (o: Obj): PanePin => ({ pane: int(o.pane), participantId: str(o.participantId) ?? '' });
const polling = (o: Obj): Polling => ({
  enabled: bool(o.enabled),
  intervalSeconds: int(o.intervalSeconds),
  panes: Array.isArray(o.panes) ? o.panes.filter((x): x is number => typeof x === 'number') : [],
  participantIds: strings(o.participantIds),
  skipNoVideo: bool(o.skipNoVideo),
  epoch: str(o.epoch),
});

function fullState(o: Obj): MeetingState {
  return {
    seq: int(o.seq),
    participants: objs(o.participants).map(participant),
    activeSpeakerId: str(o.activeSpeakerId),
    locked: bool(o.locked),
    muteOnEntry: bool(o.muteOnEntry),
    allowSelfUnmute: bool(o.allowSelfUnmute),
    mode: (str(o.mode) ?? 'ONE_PLUS_SEVEN') as MeetingState['mode'],
    pins: objs(o.pins).map(pin),
    polling: polling(isObj(o.polling) ? o.polling : {}),
    panes: objs(o.panes).map(pane),
    hidden: int(o.hidden),
    live: bool(o.live),
    recording: bool(o.recording),
    whiteboard: bool(o.whiteboard),
    ended: bool(o.ended),
  };
}

function event(o: Obj): MeetingEvent {
  const e: MeetingEvent = {
    seq: int(o.seq),
    at: str(o.at) ?? '',
    kind: str(o.kind) ?? '',
    actorId: str(o.actorId),
    subjectId: str(o.subjectId),
    participant: isObj(o.participant) ? participant(o.participant) : null,
    removedId: str(o.removedId),
    mutedIds: Array.isArray(o.mutedIds) ? strings(o.mutedIds) : null,
    loweredIds: Array.isArray(o.loweredIds) ? strings(o.loweredIds) : null,
    chat: chatMessageOf(o.chat),
    allowSelfUnmute: optBool(o.allowSelfUnmute),
    setting: str(o.setting),
    on: optBool(o.on),
    speaking: optBool(o.speaking),
    activeSpeakerId: str(o.activeSpeakerId),
    mode: str(o.mode) as MeetingEvent['mode'],
    pins: Array.isArray(o.pins) ? objs(o.pins).map(pin) : null,
    polling: isObj(o.polling) ? polling(o.polling) : null,
    panes: Array.isArray(o.panes) ? objs(o.panes).map(pane) : null,
    hidden: optInt(o.hidden),
  };
  // The server's JSON leaves out empty lists (Go's omitempty), where GraphQL sends []:
  // a layout change always carries its pins, an assignment (hidden) always its panes.
  if (e.mode && !e.pins) e.pins = [];
  if (e.hidden != null && !e.panes) e.panes = [];
  if (e.kind === 'muted_all' && !e.mutedIds) e.mutedIds = [];
  if (e.kind === 'hands_lowered' && !e.loweredIds) e.loweredIds = [];
  return e;
}

/**
 * The update carried by a /rtc `state` message ({seq, patch}; the patch is a
 * MeetingStateUpdate), with absent optional fields as null; null when the patch holds
 * neither a full state nor an event.
 */
export function stateUpdateOf(msg: { seq: number; patch: Record<string, unknown> }): StateUpdate | null {
  const p = msg.patch;
  const seq = optInt(p.seq) ?? msg.seq;
  if (isObj(p.full)) {
    const full = fullState(p.full);
    if (!full.seq) full.seq = seq;
    return { seq, full };
  }
  if (isObj(p.event)) {
    const ev = event(p.event);
    if (!ev.seq) ev.seq = seq;
    if (!ev.kind) return null;
    return { seq, event: ev };
  }
  return null;
}
