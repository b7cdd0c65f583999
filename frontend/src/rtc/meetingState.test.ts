import { describe, expect, test } from 'vitest';
import type { LiveParticipant, MeetingEvent, MeetingState } from '../gql/schema';
import { initialLiveState, reduceLiveState, type LiveState } from './meetingState';

function person(id: string, extra: Partial<LiveParticipant> = {}): LiveParticipant {
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
    joinedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function full(seq: number, participants: LiveParticipant[]): MeetingState {
  return {
    seq,
    participants,
    activeSpeakerId: null,
    locked: false,
    muteOnEntry: false,
    allowSelfUnmute: true,
    mode: 'ONE_PLUS_SEVEN',
    pins: [],
    polling: { enabled: false, intervalSeconds: 0, panes: [], participantIds: [], skipNoVideo: false, epoch: null },
    panes: [{ pane: 0, participantId: 'A', source: 'camera', polled: false }],
    hidden: 0,
    live: false,
    recording: false,
    whiteboard: false,
    ended: false,
  };
}

function ev(seq: number, kind: string, extra: Partial<MeetingEvent> = {}): MeetingEvent {
  return {
    seq,
    at: '2026-01-01T00:00:00Z',
    kind,
    actorId: null,
    subjectId: null,
    participant: null,
    removedId: null,
    mutedIds: null,
    allowSelfUnmute: null,
    setting: null,
    on: null,
    speaking: null,
    activeSpeakerId: null,
    mode: null,
    pins: null,
    polling: null,
    panes: null,
    hidden: null,
    ...extra,
  };
}

function run(updates: { seq: number; full?: MeetingState; event?: MeetingEvent }[]): LiveState {
  return updates.reduce(reduceLiveState, initialLiveState);
}

describe('meeting state reducer', () => {
  test('full state, then events in order', () => {
    const st = run([
      { seq: 3, full: full(3, [person('A')]) },
      { seq: 4, event: ev(4, 'joined', { subjectId: 'B', participant: person('B'), panes: [{ pane: 0, participantId: 'A', source: 'camera', polled: false }, { pane: 1, participantId: 'B', source: 'camera', polled: false }], hidden: 0 }) },
      { seq: 5, event: ev(5, 'muted', { subjectId: 'B', participant: person('B', { mutedByHost: true }) }) },
      { seq: 6, event: ev(6, 'speaking', { subjectId: 'A', speaking: true, activeSpeakerId: 'A' }) },
      { seq: 7, event: ev(7, 'locked', { setting: 'locked', on: true }) },
      { seq: 8, event: ev(8, 'layout_mode', { mode: 'GRID_2X2', pins: [], polling: full(0, []).polling, panes: [], hidden: 2 }) },
    ]);
    expect(st.seq).toBe(8);
    expect(st.resync).toBe(false);
    const m = st.meeting!;
    expect(m.participants.map((p) => p.id)).toEqual(['A', 'B']);
    expect(m.participants[1].mutedByHost).toBe(true);
    expect(m.participants[0].speaking).toBe(true);
    expect(m.activeSpeakerId).toBe('A');
    expect(m.locked).toBe(true);
    expect(m.mode).toBe('GRID_2X2');
    expect(m.hidden).toBe(2);
    expect(m.seq).toBe(8);
  });

  test('muted_all, removal and settings', () => {
    const st = run([
      { seq: 1, full: full(1, [person('A'), person('B', { unmuteRequested: true }), person('C')]) },
      { seq: 2, event: ev(2, 'muted_all', { mutedIds: ['B', 'C'], allowSelfUnmute: false }) },
      { seq: 3, event: ev(3, 'hung_up', { subjectId: 'C', removedId: 'C' }) },
      { seq: 4, event: ev(4, 'whiteboard', { setting: 'whiteboard', on: true }) },
      { seq: 5, event: ev(5, 'ended') },
    ]);
    const m = st.meeting!;
    expect(m.participants.map((p) => [p.id, p.mutedByHost, p.unmuteRequested])).toEqual([
      ['A', false, false],
      ['B', true, false],
    ]);
    expect(m.allowSelfUnmute).toBe(false);
    expect(m.whiteboard).toBe(true);
    expect(m.ended).toBe(true);
  });

  test('duplicates are ignored, a gap asks for a resync', () => {
    let st = run([{ seq: 1, full: full(1, [person('A')]) }, { seq: 2, event: ev(2, 'locked', { setting: 'locked', on: true }) }]);
    const same = reduceLiveState(st, { seq: 2, event: ev(2, 'locked', { setting: 'locked', on: false }) });
    expect(same).toBe(st);
    st = reduceLiveState(st, { seq: 4, event: ev(4, 'unlocked', { setting: 'locked', on: false }) });
    expect(st.resync).toBe(true);
    expect(st.seq).toBe(2);
    expect(st.meeting!.locked).toBe(true);
    // A fresh full state clears it.
    st = reduceLiveState(st, { seq: 9, full: full(9, []) });
    expect(st).toMatchObject({ seq: 9, resync: false });
  });

  test('an event before any full state asks for one', () => {
    expect(reduceLiveState(initialLiveState, { seq: 1, event: ev(1, 'locked') }).resync).toBe(true);
  });

  test('removing the active speaker clears it', () => {
    const st = run([
      { seq: 1, full: { ...full(1, [person('A'), person('B')]), activeSpeakerId: 'B' } },
      { seq: 2, event: ev(2, 'left', { subjectId: 'B', removedId: 'B' }) },
    ]);
    expect(st.meeting!.activeSpeakerId).toBeNull();
  });
});
