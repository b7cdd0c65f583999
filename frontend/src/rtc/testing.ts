// Test doubles for the rtc unit tests (vitest only; the app never imports this file): a
// scripted /rtc server (a fake WebSocket whose server side the test plays), a fake peer
// connection (no media) and a session harness that plays the server through the join
// and the first offer (docs/rtc-protocol.md version 2).
import { afterEach, beforeEach, expect } from 'vitest';
import type { ChatMessage, MeetingParticipant } from '../gql/schema';
import { chatMessageOf } from './chat';
import type { MeetingView } from './meetingState';
import { msidsByMid } from './sdp';
import { RtcSession, type EndReason, type LocalState, type RemoteTrack } from './session';
import { updateOf, type StateFeedHost } from './stateFeed';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export type Frame = { v: number; id?: string; type: string; data?: Record<string, unknown> };

/** A WebSocket whose server side the test plays. */
export class FakeWS {
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
export class FakePC {
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
export function mlines(offer: Frame): [string, string, string][] {
  return [...msidsByMid(offer.data!.sdp as string)].map(([mid, m]) => [mid, m.kind, m.direction]);
}

/**
 * The server's answer to an offer: the client's own m-lines are received
 * (recvonly), receive-only ones carry the tracks of carry by mid (sendonly with
 * msid) or nothing (inactive).
 */
export function answerSdp(offer: Frame, carry: Record<string, [string, string]> = {}): string {
  const lines = ['v=0', 'o=- 9 2 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  for (const [mid, kind, dir] of mlines(offer)) {
    lines.push(`m=${kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${mid}`);
    if (dir === 'sendonly') lines.push('a=recvonly');
    else if (dir === 'recvonly' && carry[mid]) lines.push('a=sendonly', `a=msid:${carry[mid][0]} ${carry[mid][1]}`, `a=ssrc:${1000 + Number(mid)} cname:sfu`);
    else lines.push('a=inactive');
  }
  return lines.join('\r\n') + '\r\n';
}

export function answer(ws: FakeWS, offer: Frame, carry: Record<string, [string, string]> = {}) {
  ws.receive('answer', { sdp: answerSdp(offer, carry) });
}

/** The remote tracks as [trackId, participantId, the receiver track's mid or null]. */
export function shown(s: RtcSession, pc: FakePC): [string, string, string | null][] {
  return s.remoteTracks.map((t: RemoteTrack) => {
    const tx = pc.getTransceivers().find((x) => (x.receiver.track as unknown) === t.track);
    return [t.trackId, t.participantId, tx ? tx.mid : null];
  });
}

export function fakeTrack(kind: string) {
  return { kind, enabled: true, stopped: false, stop() { this.stopped = true; }, getSettings: () => ({ width: 1280, height: 720, frameRate: 30 }) };
}
export const getUserMedia = async (c: MediaStreamConstraints) =>
  ({ getAudioTracks: () => (c.audio ? [fakeTrack('audio')] : []), getVideoTracks: () => (c.video ? [fakeTrack('video')] : []) }) as unknown as MediaStream;

export function person(id: string, extra: Partial<MeetingParticipant> = {}) {
  return { id, name: id, client: 'browser', role: 'PARTICIPANT', audio: true, video: true, screen: false, selfMuted: false, mutedByHost: false, unmuteRequested: false, speaking: false, networkQuality: 5, joinedAt: '2026-11-26T13:04:33Z', handRaised: false, handRaisedAt: null, ...extra };
}
export function fullState(seq: number, participants: object[], extra: object = {}) {
  const polling = { enabled: false, intervalSeconds: 0, panes: [], participantIds: [], skipNoVideo: false };
  return { seq, full: { seq, participants, locked: false, muteOnEntry: false, allowSelfUnmute: false, mode: 'ONE_PLUS_SEVEN', pins: [], polling, panes: [], hidden: 0, live: false, recording: false, whiteboard: false, ended: false, ...extra } };
}
export const event = (seq: number, kind: string, extra: object = {}) => ({ seq, event: { seq, at: '2026-11-26T13:04:35Z', kind, ...extra } });

/** The session's state feed, played by the test as the GraphQL server. */
export interface FakeFeed {
  /** The session's side, once it started the feed (at its first joined). */
  host: StateFeedHost | null;
  started: number;
  resyncs: number;
  closed: boolean;
  /** Delivers one meetingState response ({seq, full} or {seq, event}, as fullState and event make it). */
  state(patch: Record<string, unknown>): void;
  /** Delivers the chat so far (meetingChat). */
  chatHistory(messages: Record<string, unknown>[]): void;
}

export interface Run {
  s: RtcSession;
  ws: FakeWS;
  feed: FakeFeed;
  join: Frame;
  /** The session's peer connection (set once joined). */
  pc: FakePC;
  views: MeetingView[];
  local: LocalState[];
  notices: string[];
  ended: { reason: EndReason }[];
  tracks: RemoteTrack[][];
}

const sessions: RtcSession[] = [];

export type Opts = { micMuted?: boolean; cameraOn?: boolean; stateGapMs?: number; answerTimeoutMs?: number; renewToken?: () => Promise<string | null> };

export const screenStream = () =>
  ({ getVideoTracks: () => [Object.assign(fakeTrack('video'), { addEventListener() {} })], getTracks: () => [] }) as unknown as MediaStream;

/** Starts a session up to its join message (the test plays joined). */
export async function startSession(opts: Opts = {}): Promise<Run> {
  const feed: FakeFeed = {
    host: null,
    started: 0,
    resyncs: 0,
    closed: false,
    state(patch) {
      const u = updateOf({ meetingState: patch });
      if (!u || !this.host) throw new Error('no state update, or the feed has not started');
      this.host.update(u);
    },
    chatHistory(messages) {
      if (!this.host) throw new Error('the feed has not started');
      this.host.chat(messages.map(chatMessageOf).filter((x): x is ChatMessage => x !== null));
    },
  };
  const s = new RtcSession({
    meetingId: 'M_1',
    stateFeed: (_id, host) => {
      feed.host = host;
      return {
        start: () => void feed.started++,
        resync: () => void feed.resyncs++,
        close: () => void (feed.closed = true),
      };
    },
    token: 'jjt_token',
    url: 'ws://test/rtc',
    socketFactory: (u) => new FakeWS(u) as unknown as WebSocket,
    getUserMedia,
    getDisplayMedia: async () => screenStream(),
    ...opts,
  });
  sessions.push(s);
  const run: Run = { s, ws: null as unknown as FakeWS, feed, join: null as unknown as Frame, pc: null as unknown as FakePC, views: [], local: [], notices: [], ended: [], tracks: [] };
  s.on('meeting', (l) => run.views.push(l));
  s.on('local', (l) => run.local.push(l));
  s.on('notice', (n) => run.notices.push(n.kind));
  s.on('ended', (e) => run.ended.push(e));
  s.on('tracks', (t) => run.tracks.push(t));
  void s.start();
  run.ws = await until('socket', () => FakeWS.all[0]);
  run.join = await until('join', () => run.ws.of('join')[0]);
  return run;
}

export const joinedAs = (ws: FakeWS, join: Frame, extra: object = {}) =>
  ws.receive('joined', { participantId: 'PA_4', resumeToken: 'r1', protocol: 2, pingIntervalMs: 15000, ...extra }, join.id);

/** Starts a session and plays the server through join and the first offer. */
export async function joinedSession(opts: Opts = {}): Promise<Run> {
  const run = await startSession(opts);
  joinedAs(run.ws, run.join);
  const offer = await until('first offer', () => run.ws.of('offer')[0]);
  run.pc = FakePC.all[0];
  answer(run.ws, offer);
  await until('answer applied', () => run.pc.signalingState === 'stable');
  expect(run.s.state).toBe('connected');
  return run;
}

/** Installs the fakes around each test of the calling file: fresh sockets and connections, sessions left after. */
export function useFakeRtc(): void {
  beforeEach(() => {
    FakeWS.all = [];
    FakePC.all = [];
    (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection = FakePC;
  });

  afterEach(() => {
    for (const s of sessions.splice(0)) s.leave();
    delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
  });
}
