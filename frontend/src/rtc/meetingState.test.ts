// The live state reducer fed with meetingState responses read as the state feed reads
// them (stateFeed.ts updateOf). The updates below follow ones recorded from the server,
// with absent optional fields left out, which the reader takes as null.
import { describe, expect, test } from 'vitest';
import type { MeetingParticipant } from '../gql/schema';
import { initialMeetingView, MAX_PENDING, reduceMeetingView, stateUpdateOf, type MeetingView, type StateUpdate } from './meetingState';
import { updateOf } from './stateFeed';

function person(id: string, extra: Partial<MeetingParticipant> = {}): MeetingParticipant {
  return {
    id,
    name: id,
    client: 'browser',
    role: 'PARTICIPANT',
    audio: true,
    video: true,
    screen: false,
    selfMuted: false,
    mutedByHost: false,
    unmuteRequested: false,
    speaking: false,
    networkQuality: 5,
    joinedAt: '2026-11-26T13:04:33.80405915Z',
    handRaised: false,
    handRaisedAt: null,
    ...extra,
  };
}

const POLLING_OFF = { enabled: false, intervalSeconds: 0, panes: [], participantIds: [], skipNoVideo: false };
/** Panes as the server encodes them: an empty pane has no participantId and source "unknown". */
function panes(ids: (string | null)[], n = 8) {
  return Array.from({ length: n }, (_, i) => (ids[i] ? { pane: i, participantId: ids[i], source: 'camera', polled: false } : { pane: i, source: 'unknown', polled: false }));
}

/** A full state as the server's JSON (no activeSpeakerId while nobody speaks). */
function full(seq: number, participants: MeetingParticipant[], extra: Record<string, unknown> = {}) {
  return {
    seq,
    participants,
    locked: false,
    muteOnEntry: false,
    allowSelfUnmute: false,
    mode: 'ONE_PLUS_SEVEN',
    pins: [],
    polling: POLLING_OFF,
    panes: panes(participants.map((p) => p.id)),
    hidden: 0,
    live: false,
    recording: false,
    whiteboard: false,
    ended: false,
    ...extra,
  };
}

/** An event as the server's JSON: only the fields that are set. */
function ev(seq: number, kind: string, extra: Record<string, unknown> = {}) {
  return { seq, at: '2026-11-26T13:04:35.41820063Z', kind, ...extra };
}

/** One response of the meetingState subscription, as the server sends it: {"data":{"meetingState":{"seq":…,"full"|"event":…}}}. */
function frame(seq: number, body: { full: unknown } | { event: unknown }): string {
  return JSON.stringify({ data: { meetingState: { seq, ...body } } });
}

/** Reads a response as the state feed does and returns its update. */
function update(f: string): StateUpdate {
  const u = updateOf((JSON.parse(f) as { data: unknown }).data);
  if (!u) throw new Error('no update');
  return u;
}

function feed(frames: string[], from: MeetingView = initialMeetingView): MeetingView {
  return frames.map(update).reduce(reduceMeetingView, from);
}

describe('live state from meetingState responses', () => {
  test('the full state after joined, then events in order', () => {
    const st = feed([
      frame(5, { full: full(5, [person('PA_1', { name: '王主持', role: 'HOST' }), person('PA_4', { name: '访客赵', audio: false, video: false, networkQuality: 0 })]) }),
      frame(6, { event: ev(6, 'media', { subjectId: 'PA_4', participant: person('PA_4', { name: '访客赵', video: false, networkQuality: 0 }) }) }),
      frame(7, { event: ev(7, 'locked', { actorId: 'u1', setting: 'locked', on: true }) }),
      frame(8, { event: ev(8, 'muted', { actorId: 'u1', subjectId: 'PA_4', participant: person('PA_4', { name: '访客赵', mutedByHost: true }) }) }),
      frame(9, { event: ev(9, 'unmute_requested', { actorId: 'u1', subjectId: 'PA_4', participant: person('PA_4', { name: '访客赵', mutedByHost: true, unmuteRequested: true }) }) }),
      frame(10, { event: ev(10, 'speaking', { subjectId: 'PA_1', speaking: true, activeSpeakerId: 'PA_1' }) }),
      frame(11, { event: ev(11, 'layout_mode', { actorId: 'u1', mode: 'GRID_2X2', polling: POLLING_OFF, panes: panes(['PA_1', 'PA_4'], 4), hidden: 0 }) }),
    ]);
    expect(st).toMatchObject({ seq: 11, gap: false, pending: [] });
    const m = st.meeting!;
    expect(m.seq).toBe(11);
    expect(m.participants.map((p) => [p.id, p.name, p.role])).toEqual([
      ['PA_1', '王主持', 'HOST'],
      ['PA_4', '访客赵', 'PARTICIPANT'],
    ]);
    expect(m.participants[1]).toMatchObject({ audio: true, mutedByHost: true, unmuteRequested: true });
    expect(m.participants[0].speaking).toBe(true);
    expect(m.activeSpeakerId).toBe('PA_1');
    expect(m.locked).toBe(true);
    expect(m.mode).toBe('GRID_2X2');
    expect(m.panes).toHaveLength(4);
    // Absent optional fields read as null, as GraphQL gives them.
    expect(m.panes[2]).toEqual({ pane: 2, participantId: null, source: 'unknown', polled: false });
    expect(m.polling.epoch).toBeNull();
  });

  test('a full state without activeSpeakerId has none', () => {
    const st = feed([frame(1, { full: full(1, [person('A')]) })]);
    expect(st.meeting!.activeSpeakerId).toBeNull();
  });

  test('unpinning the last pin clears the pins (the server leaves out the empty list)', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A'), person('B')]) }),
      frame(2, { event: ev(2, 'pinned', { subjectId: 'A', mode: 'ONE_PLUS_SEVEN', pins: [{ pane: 1, participantId: 'A' }], polling: POLLING_OFF, panes: panes(['B', 'A']), hidden: 0 }) }),
    ]);
    expect(st.meeting!.pins).toEqual([{ pane: 1, participantId: 'A' }]);
    const after = feed([frame(3, { event: ev(3, 'unpinned', { subjectId: 'A', mode: 'ONE_PLUS_SEVEN', polling: POLLING_OFF, panes: panes(['A', 'B']), hidden: 0 }) })], st);
    expect(after.meeting!.pins).toEqual([]);
    expect(after.meeting!.panes[0].participantId).toBe('A');
  });

  test('an event without layout fields leaves the pins and panes alone', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A')], { pins: [{ pane: 0, participantId: 'A' }] }) }),
      frame(2, { event: ev(2, 'network', { subjectId: 'A', participant: person('A', { networkQuality: 3 }) }) }),
    ]);
    expect(st.meeting!.pins).toEqual([{ pane: 0, participantId: 'A' }]);
    expect(st.meeting!.panes[0].participantId).toBe('A');
    expect(st.meeting!.participants[0].networkQuality).toBe(3);
  });

  test('the self-unmute switch on its own (self_unmute) mutes nobody', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A', { role: 'HOST' }), person('B', { mutedByHost: true })]) }),
      frame(2, { event: ev(2, 'self_unmute', { setting: 'allowSelfUnmute', on: true }) }),
    ]);
    expect(st.meeting!.allowSelfUnmute).toBe(true);
    expect(st.meeting!.participants.map((p) => [p.id, p.mutedByHost])).toEqual([
      ['A', false],
      ['B', true],
    ]);
  });

  test('muted_all, a hangup with its new assignment, settings and the end', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A', { role: 'HOST' }), person('B', { unmuteRequested: true }), person('C')]) }),
      frame(2, { event: ev(2, 'muted_all', { mutedIds: ['B', 'C'], allowSelfUnmute: true }) }),
      frame(3, { event: ev(3, 'hung_up', { subjectId: 'C', removedId: 'C', panes: panes(['A', 'B']), hidden: 0 }) }),
      frame(4, { event: ev(4, 'whiteboard', { setting: 'whiteboard', on: true }) }),
      frame(5, { event: ev(5, 'mute_on_entry', { setting: 'muteOnEntry', on: true }) }),
      frame(6, { event: ev(6, 'ended') }),
    ]);
    const m = st.meeting!;
    expect(m.participants.map((p) => [p.id, p.mutedByHost, p.unmuteRequested])).toEqual([
      ['A', false, false],
      ['B', true, false],
    ]);
    expect(m.panes.filter((p) => p.participantId).map((p) => p.participantId)).toEqual(['A', 'B']);
    expect(m.allowSelfUnmute).toBe(true);
    expect(m.whiteboard).toBe(true);
    expect(m.muteOnEntry).toBe(true);
    expect(m.ended).toBe(true);
  });

  test('hands go up and down, one by one and all at once; chat events change no state', () => {
    const at = '2026-11-26T13:05:00Z';
    const st = feed([
      frame(1, { full: full(1, [person('A', { role: 'HOST' }), person('B'), person('C', { handRaised: true, handRaisedAt: at })]) }),
      frame(2, { event: ev(2, 'hand_raised', { subjectId: 'B', participant: { ...person('B'), handRaised: true, handRaisedAt: at } }) }),
      frame(3, { event: ev(3, 'chat', { subjectId: 'B', chat: { seq: 3, at, fromId: 'B', fromName: 'B', private: false, text: '<img src=x onerror=alert(1)>' } }) }),
      frame(4, { event: ev(4, 'chat', { subjectId: 'C' }) }), // private between others: no message
    ]);
    expect(st.seq).toBe(4);
    expect(st.meeting!.participants.map((p) => [p.id, p.handRaised])).toEqual([
      ['A', false],
      ['B', true],
      ['C', true],
    ]);
    const chat = update(frame(3, { event: ev(3, 'chat', { chat: { seq: 3, at, fromId: 'B', fromName: 'B', private: false, text: '<b>x</b>' } }) }));
    expect(chat.event!.chat).toEqual({ seq: 3, at, fromId: 'B', fromName: 'B', private: false, privateWithId: null, privateWithName: null, text: '<b>x</b>' });
    expect(update(frame(4, { event: ev(4, 'chat') })).event!.chat).toBeNull();
    const lowered = feed([frame(5, { event: ev(5, 'hands_lowered', { loweredIds: ['B', 'C'] }) })], st);
    expect(lowered.meeting!.participants.map((p) => [p.id, p.handRaised, p.handRaisedAt])).toEqual([
      ['A', false, null],
      ['B', false, null],
      ['C', false, null],
    ]);
  });

  test('events at or below the full state are ignored', () => {
    let st = feed([frame(7, { full: full(7, [person('A')], { locked: true }) })]);
    const same = reduceMeetingView(st, update(frame(7, { event: ev(7, 'unlocked', { setting: 'locked', on: false }) })));
    expect(same).toBe(st);
    st = feed([frame(5, { event: ev(5, 'unlocked', { setting: 'locked', on: false }) })], st);
    expect(st.meeting!.locked).toBe(true);
    expect(st.seq).toBe(7);
  });

  test('a later full state replaces everything', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A'), person('B')], { locked: true }) }),
      frame(2, { event: ev(2, 'left', { subjectId: 'B', removedId: 'B' }) }),
      frame(40, { full: full(40, [person('A'), person('C')]) }),
    ]);
    expect(st.seq).toBe(40);
    expect(st.meeting!.participants.map((p) => p.id)).toEqual(['A', 'C']);
    expect(st.meeting!.locked).toBe(false);
  });

  test('events before the first full state wait for it; those it covers are dropped', () => {
    // The room forwards events from the moment one is in it; the full state taken
    // just before may follow them.
    let st = feed([
      frame(4, { event: ev(4, 'locked', { setting: 'locked', on: true }) }),
      frame(6, { event: ev(6, 'whiteboard', { setting: 'whiteboard', on: true }) }),
    ]);
    expect(st.meeting).toBeNull();
    expect(st.pending.map((e) => e.seq)).toEqual([4, 6]);
    st = feed([frame(5, { full: full(5, [person('A')], { locked: true }) })], st);
    expect(st).toMatchObject({ seq: 6, gap: false, pending: [] });
    expect(st.meeting!.whiteboard).toBe(true);
    expect(st.meeting!.locked).toBe(true);
  });

  test('an event out of order waits for the missing one; a gap is flagged until then', () => {
    let st = feed([frame(1, { full: full(1, [person('A')]) }), frame(3, { event: ev(3, 'whiteboard', { setting: 'whiteboard', on: true }) })]);
    expect(st).toMatchObject({ seq: 1, gap: true });
    expect(st.meeting!.whiteboard).toBe(false);
    // The same event again changes nothing.
    expect(reduceMeetingView(st, update(frame(3, { event: ev(3, 'whiteboard', { setting: 'whiteboard', on: true }) }))).pending).toHaveLength(1);
    st = feed([frame(2, { event: ev(2, 'locked', { setting: 'locked', on: true }) })], st);
    expect(st).toMatchObject({ seq: 3, gap: false, pending: [] });
    expect(st.meeting).toMatchObject({ locked: true, whiteboard: true, seq: 3 });
  });

  test('a full state heals a gap', () => {
    let st = feed([frame(1, { full: full(1, [person('A')]) }), frame(9, { event: ev(9, 'locked', { setting: 'locked', on: true }) })]);
    expect(st.gap).toBe(true);
    st = feed([frame(8, { full: full(8, [person('A')]) })], st);
    expect(st).toMatchObject({ seq: 9, gap: false, pending: [] });
    expect(st.meeting!.locked).toBe(true);
  });

  test('the waiting events are bounded', () => {
    let st = feed([frame(1, { full: full(1, []) })]);
    for (let i = 0; i < MAX_PENDING + 10; i++) st = feed([frame(3 + i, { event: ev(3 + i, 'network') })], st);
    expect(st.pending).toHaveLength(MAX_PENDING);
    expect(st.pending[0].seq).toBe(13);
  });

  test('removing the active speaker clears it', () => {
    const st = feed([
      frame(1, { full: full(1, [person('A'), person('B')], { activeSpeakerId: 'B' }) }),
      frame(2, { event: ev(2, 'left', { subjectId: 'B', removedId: 'B', panes: panes(['A']), hidden: 0 }) }),
    ]);
    expect(st.meeting!.activeSpeakerId).toBeNull();
  });

  test('a patch with neither full nor event is not an update', () => {
    expect(stateUpdateOf({ seq: 3, patch: { seq: 3 } })).toBeNull();
    expect(stateUpdateOf({ seq: 3, patch: { seq: 3, event: { seq: 3 } } })).toBeNull();
  });
});
