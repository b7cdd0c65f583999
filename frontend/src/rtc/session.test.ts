// RtcSession against a scripted /rtc server: a fake WebSocket and fake peer
// connections (no media), checking what the session sends and how it reacts to the
// server's state, notices and closes (docs/rtc-protocol.md §4, §5, §8, §9).
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { LiveParticipant } from '../gql/schema';
import type { LiveState } from './meetingState';
import { OpenBudget, RtcSession, type EndReason, type LocalState } from './session';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

type Frame = { v: number; id?: string; type: string; data?: Record<string, unknown> };

/** A WebSocket whose server side the test plays. */
class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: Frame[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }
  send(s: string) {
    this.sent.push(JSON.parse(s) as Frame);
  }
  /** The client closes: the close event follows. */
  close(code?: number) {
    if (this.readyState === 3) return;
    this.closedWith = code ?? 1005;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code: this.closedWith!, reason: '' }), 0);
  }
  /** A frame from the server. */
  receive(type: string, data: Record<string, unknown>, id?: string) {
    this.onmessage?.({ data: JSON.stringify({ v: 1, ...(id ? { id } : {}), type, data }) });
  }
  /** The server (or the network) closes. */
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  of(type: string): Frame[] {
    return this.sent.filter((f) => f.type === type);
  }
}

/** Just enough of RTCPeerConnection for the session's signaling. */
class FakePC {
  static all: FakePC[] = [];
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  offers: (RTCOfferOptions | undefined)[] = [];
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  onconnectionstatechange: unknown = null;
  private txs: { mid: string | null; direction: string; sender: { replaceTrack: () => Promise<void> }; receiver: { track: object } }[] = [];
  constructor() {
    FakePC.all.push(this);
  }
  addTransceiver(_t: unknown, init: { direction: string }) {
    const tx = { mid: null as string | null, direction: init.direction, sender: { replaceTrack: async () => {} }, receiver: { track: {} } };
    this.txs.push(tx);
    return tx;
  }
  createDataChannel(label: string) {
    return { label, close() {}, addEventListener() {} };
  }
  getTransceivers() {
    return this.txs;
  }
  async createOffer(o?: RTCOfferOptions) {
    this.offers.push(o);
    return { type: 'offer', sdp: `v=0\r\no=- ${this.offers.length} 2 IN IP4 127.0.0.1\r\n` };
  }
  async createAnswer() {
    return { type: 'answer', sdp: 'v=0\r\n' };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
    this.txs.forEach((t, i) => (t.mid ??= String(i)));
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remoteDescription = d;
  }
  async addIceCandidate() {}
  close() {
    this.signalingState = 'closed';
  }
}

function fakeTrack(kind: string) {
  return { kind, enabled: true, stopped: false, stop() { this.stopped = true; }, getSettings: () => ({ width: 1280, height: 720, frameRate: 30 }) };
}
const getUserMedia = async (c: MediaStreamConstraints) =>
  ({ getAudioTracks: () => (c.audio ? [fakeTrack('audio')] : []), getVideoTracks: () => (c.video ? [fakeTrack('video')] : []) }) as unknown as MediaStream;

function person(id: string, extra: Partial<LiveParticipant> = {}) {
  return { id, name: id, client: 'browser', role: 'PARTICIPANT', audio: true, video: true, screen: false, selfMuted: false, mutedByHost: false, unmuteRequested: false, speaking: false, networkQuality: 5, joinedAt: '2026-11-26T13:04:33Z', ...extra };
}
function fullState(seq: number, participants: object[], extra: object = {}) {
  const polling = { enabled: false, intervalSeconds: 0, panes: [], participantIds: [], skipNoVideo: false };
  return { seq, full: { seq, participants, locked: false, muteOnEntry: false, allowSelfUnmute: false, mode: 'ONE_PLUS_SEVEN', pins: [], polling, panes: [], hidden: 0, live: false, recording: false, whiteboard: false, ended: false, ...extra } };
}
const event = (seq: number, kind: string, extra: object = {}) => ({ seq, event: { seq, at: '2026-11-26T13:04:35Z', kind, ...extra } });

interface Run {
  s: RtcSession;
  ws: FakeWS;
  live: LiveState[];
  local: LocalState[];
  notices: string[];
  ended: { reason: EndReason }[];
}

const sessions: RtcSession[] = [];

/** Starts a session and plays the server through join and the publisher negotiation. */
async function joinedSession(opts: { micMuted?: boolean; cameraOn?: boolean; stateGapMs?: number } = {}): Promise<Run> {
  const s = new RtcSession({ token: 'jjt_token', url: 'ws://test/rtc', socketFactory: (u) => new FakeWS(u) as unknown as WebSocket, getUserMedia, ...opts });
  sessions.push(s);
  const run: Run = { s, ws: null as unknown as FakeWS, live: [], local: [], notices: [], ended: [] };
  s.on('live', (l) => run.live.push(l));
  s.on('local', (l) => run.local.push(l));
  s.on('notice', (n) => run.notices.push(n.kind));
  s.on('ended', (e) => run.ended.push(e));
  void s.start();
  const ws = await until('socket', () => FakeWS.all[0]);
  run.ws = ws;
  const join = await until('join', () => ws.of('join')[0]);
  ws.receive('joined', { participantId: 'PA_4', resumeToken: 'r1', protocol: 1, pingIntervalMs: 15000 }, join.id);
  await until('publisher offer', () => ws.of('offer')[0]);
  ws.receive('answer', { target: 'publisher', sdp: 'v=0\r\n' });
  await until('connected', () => s.state === 'connected');
  return run;
}

beforeEach(() => {
  FakeWS.all = [];
  FakePC.all = [];
  (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection = FakePC;
});

afterEach(() => {
  for (const s of sessions.splice(0)) s.leave();
  delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
});

describe('RtcSession', () => {
  test('the microphone is published muted; no mute follows', async () => {
    const { s, ws } = await joinedSession({ micMuted: true });
    const [mic, cam] = ws.of('publish').map((f) => f.data!);
    expect(mic).toMatchObject({ kind: 'audio', source: 'microphone', muted: true, mid: '0' });
    expect(cam).toMatchObject({ kind: 'video', source: 'camera', mid: '1' });
    expect(cam.muted).toBeUndefined();
    // publish goes before the offer that carries the track.
    expect(ws.sent.findIndex((f) => f.type === 'offer')).toBeGreaterThan(ws.sent.findIndex((f) => f.type === 'publish'));
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid as string, kind: 'audio', source: 'microphone', muted: true });
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid as string, kind: 'video', source: 'camera', layers: cam.layers as object[] });
    await sleep(5);
    expect(ws.of('mute')).toEqual([]);
    expect(s.sentCounts.mute).toBeUndefined();
    expect(s.sentCounts.publish).toBe(2);
  });

  test('a mute change before trackPublished is sent once the track has its id', async () => {
    const { s, ws } = await joinedSession({ micMuted: true });
    const mic = ws.of('publish')[0].data!;
    s.setMicMuted(false); // no track id yet: nothing to send
    expect(ws.of('mute')).toEqual([]);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid as string, kind: 'audio', source: 'microphone', muted: true });
    expect(ws.of('mute').map((f) => f.data)).toEqual([{ trackId: 'TR_5', muted: false }]);
  });

  test('a camera off at join is not published muted; turned on, it needs no mute', async () => {
    const { s, ws } = await joinedSession({ cameraOn: false });
    const cam = ws.of('publish')[1].data!;
    expect(cam).toMatchObject({ source: 'camera' });
    expect(cam.muted).toBeUndefined();
    await s.setCameraOn(true);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid as string, kind: 'video', source: 'camera' });
    expect(ws.of('mute')).toEqual([]);
    await s.setCameraOn(false);
    expect(ws.of('mute').map((f) => f.data)).toEqual([{ trackId: 'TR_6', muted: true }]);
  });

  test('state messages are the live state; the host mute follows the notice and the roster', async () => {
    const run = await joinedSession();
    const { s, ws } = run;
    ws.receive('state', { seq: 5, patch: fullState(5, [person('PA_1', { name: '王主持', role: 'HOST' }), person('PA_4', { name: '访客赵' })]) });
    expect(s.liveState.meeting!.participants.map((p) => p.name)).toEqual(['王主持', '访客赵']);
    expect(run.live).toHaveLength(1);

    ws.receive('state', { seq: 6, patch: event(6, 'muted', { subjectId: 'PA_4', participant: person('PA_4', { name: '访客赵', mutedByHost: true }) }) });
    ws.receive('notice', { kind: 'mutedByHost', participantId: 'PA_4' });
    expect(s.localState).toMatchObject({ hostMuted: true, micMuted: true });
    expect(run.notices).toEqual(['mutedByHost']);

    ws.receive('state', { seq: 7, patch: event(7, 'unmute_requested', { subjectId: 'PA_4', participant: person('PA_4', { mutedByHost: true, unmuteRequested: true }) }) });
    ws.receive('notice', { kind: 'unmuteRequested', participantId: 'PA_4' });
    expect(run.notices).toEqual(['mutedByHost', 'unmuteRequested']);
    expect(s.localState.hostMuted).toBe(true);

    // Lifting a host mute has no notice: the roster says it. The participant stays
    // self-muted until they unmute.
    ws.receive('state', { seq: 8, patch: event(8, 'unmuted', { subjectId: 'PA_4', participant: person('PA_4') }) });
    expect(s.localState).toMatchObject({ hostMuted: false, micMuted: true });

    ws.receive('state', { seq: 9, patch: event(9, 'locked', { setting: 'locked', on: true }) });
    ws.receive('notice', { kind: 'locked' });
    expect(s.liveState.meeting!.locked).toBe(true);
    expect(run.notices).toContain('locked');
    expect(s.liveState.seq).toBe(9);
  });

  test('removed: the notice ends the session even if the socket dies before bye', async () => {
    const run = await joinedSession();
    run.ws.receive('notice', { kind: 'removed', participantId: 'PA_4' });
    run.ws.drop(1006);
    await until('ended', () => run.ended.length);
    expect(run.ended).toEqual([{ reason: 'removed' }]);
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1); // no resume
  });

  test('meetingEnded: notice, then bye', async () => {
    const run = await joinedSession();
    run.ws.receive('notice', { kind: 'meetingEnded' });
    run.ws.receive('bye', { reason: 'meetingEnded' });
    expect(run.ended).toEqual([{ reason: 'meetingEnded' }]);
    expect(run.s.state).toBe('ended');
  });

  test('a socket taken for dead is closed with 4100 and the session resumes as the same participant', async () => {
    const run = await joinedSession();
    const { s, ws } = run;
    ws.receive('state', { seq: 3, patch: fullState(3, [person('PA_4')]) });
    s.simulateDrop();
    expect(ws.closedWith).toBe(4100);
    expect(s.state).toBe('reconnecting');
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join with the resume token', () => ws2.of('join')[0]);
    expect(join.data).toMatchObject({ token: 'jjt_token', resumeToken: 'r1' });
    // The room may forward an event before joined and before the full state.
    ws2.receive('state', { seq: 6, patch: event(6, 'whiteboard', { setting: 'whiteboard', on: true }) });
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 1, pingIntervalMs: 15000 }, join.id);
    ws2.receive('state', { seq: 5, patch: fullState(5, [person('PA_4'), person('PA_7')], { locked: true }) });
    expect(s.liveState).toMatchObject({ seq: 6, gap: false });
    expect(s.liveState.meeting).toMatchObject({ locked: true, whiteboard: true });
    // ICE restart on the publisher.
    await until('ice restart offer', () => ws2.of('offer')[0]);
    expect(FakePC.all).toHaveLength(2); // the same publisher and subscriber
    expect(FakePC.all[0].offers.at(-1)).toEqual({ iceRestart: true });
    ws2.receive('answer', { target: 'publisher', sdp: 'v=0\r\n' });
    expect(s.state).toBe('connected');
    expect(s.participantId).toBe('PA_4');
    s.leave();
    expect(ws2.of('leave')).toHaveLength(1);
    expect(ws2.closedWith).toBe(1000);
  });

  test('a gap in the events that nothing fills is repaired by a resume', async () => {
    const { s, ws } = await joinedSession({ stateGapMs: 30 });
    ws.receive('state', { seq: 1, patch: fullState(1, [person('PA_4')]) });
    ws.receive('state', { seq: 3, patch: event(3, 'locked', { setting: 'locked', on: true }) });
    expect(s.liveState.gap).toBe(true);
    const ws2 = await until('a new socket', () => FakeWS.all[1], 1000);
    expect(ws.closedWith).toBe(4100);
    const join = await until('join', () => ws2.of('join')[0]);
    expect(join.data!.resumeToken).toBe('r1');
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 1, pingIntervalMs: 15000 }, join.id);
    ws2.receive('state', { seq: 4, patch: fullState(4, [person('PA_4')], { locked: true }) });
    expect(s.liveState).toMatchObject({ seq: 4, gap: false, pending: [] });
  });

  test('a gap filled in time needs no resume', async () => {
    const { s, ws } = await joinedSession({ stateGapMs: 30 });
    ws.receive('state', { seq: 1, patch: fullState(1, [person('PA_4')]) });
    ws.receive('state', { seq: 3, patch: event(3, 'locked', { setting: 'locked', on: true }) });
    ws.receive('state', { seq: 2, patch: event(2, 'whiteboard', { setting: 'whiteboard', on: true }) });
    expect(s.liveState).toMatchObject({ seq: 3, gap: false });
    await sleep(60);
    expect(FakeWS.all).toHaveLength(1);
    expect(ws.closedWith).toBeNull();
  });
});

test('whiteboard channel opens: 5, then one per 10 s', () => {
  const b = new OpenBudget();
  for (let i = 0; i < 5; i++) {
    expect(b.wait(1000 + i)).toBe(0);
    b.take(1000 + i);
  }
  expect(b.wait(1005)).toBe(10_000 - 5 + 500);
  expect(b.wait(11_000)).toBe(0);
  b.take(11_000);
  expect(b.wait(11_001)).toBe(10_000 - 1 + 500);
});
