// RtcSession against a scripted /rtc server (protocol version 2): a fake WebSocket and
// a fake peer connection (no media), checking what the session sends, how it
// negotiates its one connection (docs/rtc-protocol.md §1: the client offers, one offer
// in flight, offerRequest, m-line reuse) and how it reacts to the server's state,
// notices and closes (§4, §5, §8, §9).
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { MeetingParticipant } from '../gql/schema';
import type { LiveState } from './meetingState';
import { msidsByMid } from './sdp';
import { OpenBudget, RtcSession, type EndReason, type LocalState, type RemoteTrack } from './session';

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
    this.onmessage?.({ data: JSON.stringify({ v: 2, ...(id ? { id } : {}), type, data }) });
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

interface FakeTx {
  mid: string | null;
  kind: string;
  direction: string;
  sender: { replaceTrack: () => Promise<void> };
  receiver: { track: { id: string; kind: string }; getStats: () => Promise<Map<string, unknown>> };
}

let receiverSeq = 0;

/**
 * Just enough of RTCPeerConnection for the session's signaling: an offer has one
 * m-line per transceiver (mid = its index, assigned by setLocalDescription), the
 * signaling state follows offer and answer, and every transceiver has its own
 * receiver track object for its whole life (as in browsers).
 */
class FakePC {
  static all: FakePC[] = [];
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  offers: (RTCOfferOptions | undefined)[] = [];
  /** The signaling state each offer was created in. */
  offeredIn: string[] = [];
  config: RTCConfiguration;
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  onconnectionstatechange: unknown = null;
  channels: string[] = [];
  private txs: FakeTx[] = [];
  constructor(config: RTCConfiguration) {
    this.config = config;
    FakePC.all.push(this);
  }
  addTransceiver(t: string | { kind: string }, init: { direction: string }) {
    const kind = typeof t === 'string' ? t : t.kind;
    const tx: FakeTx = {
      mid: null,
      kind,
      direction: init.direction,
      sender: { replaceTrack: async () => {} },
      receiver: { track: { id: `recv-${++receiverSeq}`, kind }, getStats: async () => new Map() },
    };
    this.txs.push(tx);
    return tx;
  }
  createDataChannel(label: string) {
    this.channels.push(label);
    return { label, close() {}, addEventListener() {} };
  }
  getTransceivers() {
    return this.txs;
  }
  async createOffer(o?: RTCOfferOptions) {
    if (this.signalingState === 'closed') throw new Error('InvalidStateError: closed');
    this.offers.push(o);
    this.offeredIn.push(this.signalingState);
    const lines = ['v=0', `o=- 1 ${this.offers.length} IN IP4 127.0.0.1`, 's=-', 't=0 0'];
    this.txs.forEach((t, i) => lines.push(`m=${t.kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${t.mid ?? i}`, `a=${t.direction}`));
    return { type: 'offer', sdp: lines.join('\r\n') + '\r\n' };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    if (this.signalingState === 'closed') throw new Error('InvalidStateError: closed');
    this.localDescription = d;
    this.signalingState = 'have-local-offer';
    this.txs.forEach((t, i) => (t.mid ??= String(i)));
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    if (this.signalingState !== 'have-local-offer') throw new Error(`InvalidStateError: answer in ${this.signalingState}`);
    this.remoteDescription = d;
    this.signalingState = 'stable';
  }
  async addIceCandidate() {}
  async getStats() {
    return new Map();
  }
  close() {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }
  /** The receiver track of the transceiver with mid. */
  receiverTrack(mid: string) {
    return this.txs.find((t) => t.mid === mid)!.receiver.track;
  }
}

/** The m-lines of an offer frame: mid → [kind, direction]. */
function mlines(offer: Frame): [string, string, string][] {
  return [...msidsByMid(offer.data!.sdp as string)].map(([mid, m]) => [mid, m.kind, m.direction]);
}

/**
 * The server's answer to an offer: the client's own m-lines are received
 * (recvonly), receive-only ones carry the tracks of carry by mid (sendonly with
 * msid) or nothing (inactive).
 */
function answerSdp(offer: Frame, carry: Record<string, [string, string]> = {}): string {
  const lines = ['v=0', 'o=- 9 2 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  for (const [mid, kind, dir] of mlines(offer)) {
    lines.push(`m=${kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${mid}`);
    if (dir === 'sendonly') lines.push('a=recvonly');
    else if (dir === 'recvonly' && carry[mid]) lines.push('a=sendonly', `a=msid:${carry[mid][0]} ${carry[mid][1]}`, `a=ssrc:${1000 + Number(mid)} cname:sfu`);
    else lines.push('a=inactive');
  }
  return lines.join('\r\n') + '\r\n';
}

function answer(ws: FakeWS, offer: Frame, carry: Record<string, [string, string]> = {}) {
  ws.receive('answer', { sdp: answerSdp(offer, carry) });
}

/** The remote tracks as [trackId, participantId, the receiver track's mid or null]. */
function shown(s: RtcSession, pc: FakePC): [string, string, string | null][] {
  return s.remoteTracks.map((t: RemoteTrack) => {
    const tx = pc.getTransceivers().find((x) => (x.receiver.track as unknown) === t.track);
    return [t.trackId, t.participantId, tx ? tx.mid : null];
  });
}

function fakeTrack(kind: string) {
  return { kind, enabled: true, stopped: false, stop() { this.stopped = true; }, getSettings: () => ({ width: 1280, height: 720, frameRate: 30 }) };
}
const getUserMedia = async (c: MediaStreamConstraints) =>
  ({ getAudioTracks: () => (c.audio ? [fakeTrack('audio')] : []), getVideoTracks: () => (c.video ? [fakeTrack('video')] : []) }) as unknown as MediaStream;

function person(id: string, extra: Partial<MeetingParticipant> = {}) {
  return { id, name: id, client: 'browser', role: 'PARTICIPANT', audio: true, video: true, screen: false, selfMuted: false, mutedByHost: false, unmuteRequested: false, speaking: false, networkQuality: 5, joinedAt: '2026-11-26T13:04:33Z', handRaised: false, handRaisedAt: null, ...extra };
}
function fullState(seq: number, participants: object[], extra: object = {}) {
  const polling = { enabled: false, intervalSeconds: 0, panes: [], participantIds: [], skipNoVideo: false };
  return { seq, full: { seq, participants, locked: false, muteOnEntry: false, allowSelfUnmute: false, mode: 'ONE_PLUS_SEVEN', pins: [], polling, panes: [], hidden: 0, live: false, recording: false, whiteboard: false, ended: false, ...extra } };
}
const event = (seq: number, kind: string, extra: object = {}) => ({ seq, event: { seq, at: '2026-11-26T13:04:35Z', kind, ...extra } });

interface Run {
  s: RtcSession;
  ws: FakeWS;
  join: Frame;
  /** The session's peer connection (set once joined). */
  pc: FakePC;
  live: LiveState[];
  local: LocalState[];
  notices: string[];
  ended: { reason: EndReason }[];
  tracks: RemoteTrack[][];
}

const sessions: RtcSession[] = [];

type Opts = { micMuted?: boolean; cameraOn?: boolean; stateGapMs?: number; answerTimeoutMs?: number };

const screenStream = () =>
  ({ getVideoTracks: () => [Object.assign(fakeTrack('video'), { addEventListener() {} })], getTracks: () => [] }) as unknown as MediaStream;

/** Starts a session up to its join message (the test plays joined). */
async function startSession(opts: Opts = {}): Promise<Run> {
  const s = new RtcSession({
    token: 'jjt_token',
    url: 'ws://test/rtc',
    socketFactory: (u) => new FakeWS(u) as unknown as WebSocket,
    getUserMedia,
    getDisplayMedia: async () => screenStream(),
    ...opts,
  });
  sessions.push(s);
  const run: Run = { s, ws: null as unknown as FakeWS, join: null as unknown as Frame, pc: null as unknown as FakePC, live: [], local: [], notices: [], ended: [], tracks: [] };
  s.on('live', (l) => run.live.push(l));
  s.on('local', (l) => run.local.push(l));
  s.on('notice', (n) => run.notices.push(n.kind));
  s.on('ended', (e) => run.ended.push(e));
  s.on('tracks', (t) => run.tracks.push(t));
  void s.start();
  run.ws = await until('socket', () => FakeWS.all[0]);
  run.join = await until('join', () => run.ws.of('join')[0]);
  return run;
}

const joinedAs = (ws: FakeWS, join: Frame, extra: object = {}) =>
  ws.receive('joined', { participantId: 'PA_4', resumeToken: 'r1', protocol: 2, pingIntervalMs: 15000, ...extra }, join.id);

/** Starts a session and plays the server through join and the first offer. */
async function joinedSession(opts: Opts = {}): Promise<Run> {
  const run = await startSession(opts);
  joinedAs(run.ws, run.join);
  const offer = await until('first offer', () => run.ws.of('offer')[0]);
  run.pc = FakePC.all[0];
  answer(run.ws, offer);
  await until('answer applied', () => run.pc.signalingState === 'stable');
  expect(run.s.state).toBe('connected');
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

  test('chat: the history and chat events reach the room; a refused message is a chatError', async () => {
    const { s, ws } = await joinedSession();
    const got: string[][] = [];
    const errors: string[] = [];
    s.on('chat', (msgs) => got.push(msgs.map((m) => m.text)));
    s.on('chatError', (e) => errors.push(e.code));
    ws.receive('state', { seq: 5, patch: fullState(5, [person('PA_4')]) });
    ws.receive('chatHistory', { seq: 5, messages: [{ seq: 3, at: 'x', fromId: 'PA_1', fromName: '张三', private: false, text: '<b>早</b>' }] });
    ws.receive('state', { seq: 6, patch: event(6, 'chat', { subjectId: 'PA_1', chat: { seq: 6, at: 'x', fromId: 'PA_1', fromName: '张三', private: false, text: 'hi' } }) });
    ws.receive('state', { seq: 7, patch: event(7, 'chat', { subjectId: 'PA_1' }) }); // private between others
    expect(got).toEqual([['<b>早</b>'], ['hi']]);
    expect(s.liveState.seq).toBe(7);

    expect(s.sendChat('问题', { toHosts: true })).toBe(true);
    expect(s.raiseHand(true)).toBe(true);
    const sent = ws.of('sendChat')[0];
    expect(sent.data).toEqual({ text: '问题', toHosts: true });
    expect(ws.of('raiseHand').map((f) => f.data)).toEqual([{ raised: true }]);
    ws.receive('error', { code: 'rate_limited', message: 'you are sending messages too fast; wait a moment', refId: sent.id! });
    expect(errors).toEqual(['rate_limited']);
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

  test.each(['accountDisabled', 'roleChanged'] as const)('bye %s ends the session for that reason, without a resume', async (reason) => {
    const run = await joinedSession();
    run.ws.receive('bye', { reason, message: 'x' });
    run.ws.drop(4403);
    await until('ended', () => run.ended.length);
    expect(run.ended[0]).toMatchObject({ reason });
    expect(run.s.state).toBe('ended');
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1);
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
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    ws2.receive('state', { seq: 5, patch: fullState(5, [person('PA_4'), person('PA_7')], { locked: true }) });
    expect(s.liveState).toMatchObject({ seq: 6, gap: false });
    expect(s.liveState.meeting).toMatchObject({ locked: true, whiteboard: true });
    // The next offer restarts ICE, on the same connection.
    const offer = await until('ice restart offer', () => ws2.of('offer')[0]);
    expect(FakePC.all).toHaveLength(1);
    expect(run.pc.offers.at(-1)).toEqual({ iceRestart: true });
    answer(ws2, offer);
    await until('answer applied', () => run.pc.signalingState === 'stable');
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
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
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

describe('negotiation (§1): one connection, the client offers', () => {
  const camera = (participantId: string, trackId: string) => ({ participantId, trackId, kind: 'video', source: 'camera' });
  const microphone = (participantId: string, trackId: string) => ({ participantId, trackId, kind: 'audio', source: 'microphone' });

  test('one connection: its sending m-lines and the whiteboard in the first offer, publish after the mids are known', async () => {
    const { s, ws, pc } = await joinedSession();
    expect(FakePC.all).toHaveLength(1);
    expect(pc.config).toMatchObject({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    expect(pc.channels).toEqual(['whiteboard']);
    expect(s.whiteboardChannel).not.toBeNull();
    const [offer] = ws.of('offer');
    expect(offer.data).toEqual({ sdp: expect.stringContaining('a=mid:1') }); // no target
    expect(offer.id).toBeTruthy(); // an error answering it ends the wait
    expect(mlines(offer)).toEqual([
      ['0', 'audio', 'sendonly'],
      ['1', 'video', 'sendonly'],
    ]);
    expect(ws.of('publish').map((f) => [f.data!.source, f.data!.mid])).toEqual([
      ['microphone', '0'],
      ['camera', '1'],
    ]);
    // Nothing more to offer.
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
    // Candidates carry no target either.
    (pc.onicecandidate as (ev: { candidate: object | null }) => void)({ candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    (pc.onicecandidate as (ev: { candidate: object | null }) => void)({ candidate: null });
    expect(ws.of('candidate').map((f) => f.data)).toEqual([
      { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' },
      { candidate: null },
    ]);
  });

  test('an offerRequest in the same burst as joined is folded into the first offer', async () => {
    const { s, ws, join } = await startSession();
    joinedAs(ws, join);
    ws.receive('trackPublished', microphone('PA_7', 'TR_a'));
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { audio: 1, video: 1 });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    const pc = FakePC.all[0];
    expect(mlines(offer)).toEqual([
      ['0', 'audio', 'sendonly'],
      ['1', 'video', 'sendonly'],
      ['2', 'audio', 'recvonly'],
      ['3', 'video', 'recvonly'],
    ]);
    answer(ws, offer, { 2: ['PA_7', 'TR_a'], 3: ['PA_7', 'TR_v'] });
    await until('tracks mapped', () => s.remoteTracks.every((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_v', 'PA_7', '3'],
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1); // one round trip
  });

  test('joined.offerRequest: the room\'s tracks get their m-lines in the first offer', async () => {
    const { ws, join } = await startSession();
    joinedAs(ws, join, { offerRequest: { audio: 2, video: 1 } });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    expect(mlines(offer).map(([, k, d]) => `${k} ${d}`)).toEqual([
      'audio sendonly',
      'video sendonly',
      'audio recvonly',
      'audio recvonly',
      'video recvonly',
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
  });

  test('an offerRequest that comes once the connection exists, before the deferred first offer, is folded in too', async () => {
    const { ws, join } = await startSession();
    joinedAs(ws, join);
    for (let i = 0; i < 10; i++) await Promise.resolve(); // joined's continuation, no macrotask
    expect(FakePC.all).toHaveLength(1);
    expect(ws.of('offer')).toHaveLength(0);
    ws.receive('offerRequest', { video: 2 });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    expect(mlines(offer).map(([, k, d]) => `${k} ${d}`)).toEqual(['audio sendonly', 'video sendonly', 'video recvonly', 'video recvonly']);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
  });

  test('offerRequests and a screen share while an offer is in flight make exactly one more offer, with the new m-lines', async () => {
    const { s, ws, pc } = await joinedSession();
    ws.receive('trackPublished', microphone('PA_7', 'TR_a'));
    ws.receive('offerRequest', { audio: 1 });
    const o2 = await until('second offer', () => ws.of('offer')[1]);
    expect(mlines(o2).at(-1)).toEqual(['2', 'audio', 'recvonly']);

    // While o2 waits for its answer: two more tracks, two requests, a screen share.
    ws.receive('trackPublished', camera('PA_8', 'TR_b'));
    ws.receive('offerRequest', { video: 1 });
    ws.receive('trackPublished', camera('PA_9', 'TR_c'));
    ws.receive('offerRequest', { video: 1 });
    await s.startScreenShare();
    // The transceivers are added at once; the offer waits.
    expect(pc.getTransceivers().map((t) => `${t.kind} ${t.direction}`)).toEqual([
      'audio sendonly',
      'video sendonly',
      'audio recvonly',
      'video recvonly',
      'video recvonly',
      'video sendonly',
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(2);

    answer(ws, o2, { 2: ['PA_7', 'TR_a'] });
    const o3 = await until('one more offer', () => ws.of('offer')[2]);
    expect(mlines(o3).slice(3)).toEqual([
      ['3', 'video', 'recvonly'],
      ['4', 'video', 'recvonly'],
      ['5', 'video', 'sendonly'],
    ]);
    // The screen's publish went out after its mid was known, before the offer.
    const pub = ws.of('publish').at(-1)!;
    expect(pub.data).toMatchObject({ source: 'screen', kind: 'video', mid: '5' });
    expect(ws.sent.indexOf(pub)).toBeLessThan(ws.sent.indexOf(o3));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_b', 'PA_8', null],
      ['TR_c', 'PA_9', null],
    ]);

    answer(ws, o3, { 2: ['PA_7', 'TR_a'], 3: ['PA_8', 'TR_b'], 4: ['PA_9', 'TR_c'] });
    await until('all mapped', () => s.remoteTracks.every((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_b', 'PA_8', '3'],
      ['TR_c', 'PA_9', '4'],
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(3);
  });

  test('a reused m-line: the same receiver track now shows the new participant, not the old one', async () => {
    const run = await joinedSession();
    const { s, ws, pc } = run;
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { video: 1 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    answer(ws, o2, { 2: ['PA_7', 'TR_v'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    const recv = pc.receiverTrack('2');
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_v', participantId: 'PA_7', kind: 'video', source: 'camera', track: recv }]);

    // PA_7 leaves: its track is gone at once; the m-line goes inactive with the next answer.
    ws.receive('trackUnpublished', { participantId: 'PA_7', trackId: 'TR_v' });
    expect(s.remoteTracks).toEqual([]);
    ws.receive('offerRequest', {});
    const o3 = await until('offer', () => ws.of('offer')[2]);
    expect(mlines(o3)).toHaveLength(3);
    answer(ws, o3);
    await until('answer applied', () => pc.signalingState === 'stable');
    expect(s.remoteTracks).toEqual([]);

    // PA_8 comes: the free m-line carries its camera (no new m-line, a new msid).
    ws.receive('trackPublished', camera('PA_8', 'TR_w'));
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_w', participantId: 'PA_8', kind: 'video', source: 'camera', track: null }]);
    ws.receive('offerRequest', {});
    const o4 = await until('offer', () => ws.of('offer')[3]);
    expect(mlines(o4)).toEqual(mlines(o3));
    answer(ws, o4, { 2: ['PA_8', 'TR_w'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_w', participantId: 'PA_8', kind: 'video', source: 'camera', track: recv }]);
    // The UI got each change as a new list.
    expect(run.tracks.at(-1)).toEqual(s.remoteTracks);
    expect(run.tracks.some((l) => l.some((t) => t.trackId === 'TR_v' && t.track === recv))).toBe(true);
    expect(run.tracks.at(-1)!.some((t) => t.trackId === 'TR_v')).toBe(false);
  });

  test('the answer maps tracks by a=mid; an m-line without msid, or inactive, carries nothing', async () => {
    const { s, ws, pc } = await joinedSession();
    ws.receive('trackPublished', camera('PA_7', 'TR_a'));
    ws.receive('trackPublished', camera('PA_8', 'TR_b'));
    ws.receive('trackPublished', camera('PA_9', 'TR_c'));
    ws.receive('offerRequest', { video: 3 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    // Not in announcement order; mid 3 has no msid; mid 4 is inactive with a stale msid.
    const sdp = [
      'v=0',
      'o=- 9 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0 1 2 3 4',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=recvonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=recvonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:2',
      'a=msid:PA_8 TR_b',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:3',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:4',
      'a=inactive',
      'a=msid:PA_7 TR_a',
      '',
    ].join('\r\n');
    expect(mlines(o2).map(([m]) => m)).toEqual(['0', '1', '2', '3', '4']);
    ws.receive('answer', { sdp });
    await until('answer applied', () => pc.signalingState === 'stable');
    await until('mapped', () => s.remoteTracks.some((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', null],
      ['TR_b', 'PA_8', '2'],
      ['TR_c', 'PA_9', null],
    ]);
  });

  test('resume with an offer in flight: one ICE-restart offer from have-local-offer, its publish sent again', async () => {
    const { s, ws, pc } = await joinedSession();
    const [mic, cam] = ws.of('publish').map((f) => f.data!);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid, kind: 'audio', source: 'microphone' });
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid, kind: 'video', source: 'camera', layers: cam.layers });
    await s.startScreenShare();
    const o2 = await until('offer in flight', () => ws.of('offer')[1]);
    expect(mlines(o2).slice(2)).toEqual([['2', 'video', 'sendonly']]);
    const screen = ws.of('publish')[2].data!;
    expect(screen).toMatchObject({ source: 'screen', mid: '2' });
    expect(pc.signalingState).toBe('have-local-offer');
    // A request while it is in flight: the m-line is added, the offer waits.
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { video: 1 });
    await sleep(10);
    expect(ws.of('offer')).toHaveLength(2);

    // The socket drops before the answer: the offer is forgotten.
    s.simulateDrop();
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join', () => ws2.of('join')[0]);
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    // The server re-announces what it knows (not the screen: its offer never arrived)
    // and asks again for the m-line it still needs.
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid, kind: 'audio', source: 'microphone' });
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid, kind: 'video', source: 'camera', layers: cam.layers });
    ws2.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws2.receive('offerRequest', { video: 1 });

    const o3 = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    expect(pc.offeredIn.at(-1)).toBe('have-local-offer');
    // The screen's publish again (same cid and mid), nothing for the tracks the server knows.
    expect(ws2.of('publish').map((f) => f.data)).toEqual([screen]);
    expect(ws2.sent.indexOf(ws2.of('publish')[0])).toBeLessThan(ws2.sent.indexOf(o3));
    // The m-line asked for again is added (a spare one is harmless: the server keeps it free).
    expect(mlines(o3).slice(2)).toEqual([
      ['2', 'video', 'sendonly'],
      ['3', 'video', 'recvonly'],
      ['4', 'video', 'recvonly'],
    ]);
    answer(ws2, o3, { 3: ['PA_7', 'TR_v'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    expect(shown(s, pc)).toEqual([['TR_v', 'PA_7', '3']]);
    await sleep(20);
    expect(ws2.of('offer')).toHaveLength(1);
    expect(ws.of('offer')).toHaveLength(2); // nothing more on the dead socket
  });

  test('resume with an offer in flight whose tracks the server already has: no publish again', async () => {
    const { s, ws, pc } = await joinedSession();
    await s.startScreenShare();
    await until('offer in flight', () => ws.of('offer')[1]);
    const screen = ws.of('publish')[2].data!;
    s.simulateDrop();
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join', () => ws2.of('join')[0]);
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_9', cid: screen.cid, kind: 'video', source: 'screen' });
    const o = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(ws2.of('publish')).toEqual([]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    answer(ws2, o);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('an error answering the offer ends the wait; the next reason offers at once', async () => {
    const { ws, pc } = await joinedSession();
    ws.receive('offerRequest', { audio: 1 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    ws.receive('error', { code: 'invalid_field', message: 'sdp: bad', refId: o2.id });
    ws.receive('offerRequest', {});
    const o3 = await until('another offer, without waiting for the answer timeout', () => ws.of('offer')[2]);
    expect(pc.offeredIn.at(-1)).toBe('have-local-offer');
    answer(ws, o3);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('no answer in time: the socket is taken for dead and the session resumes with an ICE restart', async () => {
    const { ws, pc } = await joinedSession({ answerTimeoutMs: 40 });
    ws.receive('offerRequest', { video: 1 });
    await until('offer', () => ws.of('offer')[1]);
    const ws2 = await until('a new socket', () => FakeWS.all[1], 1000);
    expect(ws.closedWith).toBe(4100);
    const join = await until('join', () => ws2.of('join')[0]);
    expect(join.data!.resumeToken).toBe('r1');
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    const o = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    // A late answer on the old socket is not taken for this offer's.
    answer(ws, ws.of('offer')[1]);
    answer(ws2, o);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('a fresh join after the window builds a new connection', async () => {
    const run = await startSession();
    const { s, ws, join } = run;
    (s as unknown as { opts: { renewToken?: () => Promise<string> } }).opts.renewToken = async () => 'jjt_fresh';
    joinedAs(ws, join);
    const o = await until('offer', () => ws.of('offer')[0]);
    answer(ws, o);
    ws.drop(4401); // resume token dead
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join2 = await until('join', () => ws2.of('join')[0]);
    expect(join2.data).toMatchObject({ token: 'jjt_fresh' });
    expect(join2.data!.resumeToken).toBeUndefined();
    ws2.receive('joined', { participantId: 'PA_12', resumeToken: 'r9', protocol: 2, pingIntervalMs: 15000 }, join2.id);
    const o2 = await until('first offer of the new connection', () => ws2.of('offer')[0]);
    expect(FakePC.all).toHaveLength(2);
    expect(FakePC.all[0].signalingState).toBe('closed');
    expect(FakePC.all[1].offers).toEqual([undefined]);
    expect(ws2.of('publish')).toHaveLength(2);
    answer(ws2, o2);
    await until('answer applied', () => FakePC.all[1].signalingState === 'stable');
    expect(s.participantId).toBe('PA_12');
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
