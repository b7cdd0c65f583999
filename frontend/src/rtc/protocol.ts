// The /rtc signaling protocol, version 2 (docs/rtc-protocol.md): an encoder for
// what the client sends and a validating decoder for what the server sends. The
// message types, their data, the enums, codes and limits are generated from the
// server's Go definitions (protocol.gen.ts from media/signal) and re-exported here;
// this file holds only what runs. One peer connection per participant: the client
// always offers (`offer`), the server always answers (`answer`) and asks for offers
// (`offerRequest`). No DOM, no React: unit-tested in src/rtc/protocol.test.ts.
import {
  BYE_REASON_VALUES,
  CloseCode,
  KIND_VALUES,
  LIMITS,
  NOTICE_KIND_VALUES,
  PROTOCOL_VERSION,
  QUALITY_VALUES,
  SOURCE_VALUES,
  type Candidate,
  type ClientMessage,
  type Layer,
  type Notice,
} from './protocol.gen';
import type * as wire from './protocol.gen';

export { CloseCode, ErrorCode, LIMITS, PROTOCOL_VERSION } from './protocol.gen';
export type {
  ByeReason,
  Candidate,
  ClientMessage,
  ClientMessageType,
  Device,
  Kind,
  Layer,
  Notice,
  NoticeKind,
  Quality,
  Source,
  TrackPreference,
} from './protocol.gen';

/** T with the members K always present: decode fills in the defaults of absent (or null) ones. */
type Filled<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

/** A STUN/TURN server of joined, as decoded. */
export type IceServerInfo = Filled<wire.ICEServer, 'urls'>;
/** The server asks for an offer with this many more receive-only transceivers (§1), as decoded. */
export type OfferRequest = Filled<wire.OfferRequest, 'audio' | 'video'>;
/** Joined as decoded: without the meeting state (the room reads it over GraphQL), defaults filled in. */
export type Joined = Filled<Omit<wire.Joined, 'state' | 'iceServers' | 'offerRequest'>, 'resumed' | 'pingIntervalMs'> & {
  iceServers: IceServerInfo[];
  /** On a first join into a room with tracks: receive-only m-lines for the first offer. */
  offerRequest?: OfferRequest;
};
/** TrackPublished as decoded, defaults filled in. */
export type TrackPublished = Filled<wire.TrackPublished, 'muted' | 'layers'>;

/** The data decode returns where it differs from the wire's. */
interface Decoded {
  joined: Joined;
  offerRequest: OfferRequest;
  trackPublished: TrackPublished;
  subscribed: Filled<wire.Subscribed, 'tracks'>;
  error: Filled<wire.ErrorMessage, 'message'>;
}

/** Messages the server sends, decoded and checked (id: the envelope's, on joined). */
export type ServerMessage = {
  [T in wire.ServerMessageType]: { type: T; id?: string; data: T extends keyof Decoded ? Decoded[T] : wire.MessageData[T] };
}[wire.ServerMessageType];

/** A server frame the client could not use. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const ID_RE = new RegExp(`^[A-Za-z0-9._~:-]{1,${LIMITS.maxIDBytes}}$`);
const RID_RE = /^[A-Za-z0-9_-]{1,16}$/;
const MSG_ID_RE = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.maxIDBytes}}$`);

/** Whether s is a valid id of the protocol (cid, trackId, participantId). */
export function validId(s: string): boolean {
  return ID_RE.test(s);
}

/** Whether s is a valid RID (RFC 8851) for a simulcast layer. */
export function validRid(s: string): boolean {
  return RID_RE.test(s);
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Checks a client message against §3 and §4; throws ProtocolError when invalid. */
export function validateClient(m: ClientMessage): void {
  const fail = (msg: string) => {
    throw new ProtocolError(`${m.type}: ${msg}`);
  };
  switch (m.type) {
    case 'join':
      if (!m.data.token || m.data.token.length > LIMITS.maxTokenBytes) fail(`token: 1..${LIMITS.maxTokenBytes} bytes`);
      if (m.data.resumeToken !== undefined && !/^[A-Za-z0-9._~:-]{1,256}$/.test(m.data.resumeToken)) fail('resumeToken: invalid');
      break;
    case 'offer':
      if (!m.data.sdp || utf8Length(m.data.sdp) > LIMITS.maxSDPBytes) fail(`sdp: 1..${LIMITS.maxSDPBytes} bytes`);
      break;
    case 'candidate':
      if (m.data.candidate && utf8Length(m.data.candidate) > LIMITS.maxCandidateBytes) fail(`candidate: above ${LIMITS.maxCandidateBytes} bytes`);
      if (m.data.candidate && m.data.sdpMid === undefined && m.data.sdpMLineIndex === undefined) fail('candidate needs sdpMid or sdpMLineIndex');
      break;
    case 'publish': {
      const d = m.data;
      if (!validId(d.cid)) fail('cid: invalid');
      if ((d.kind === 'audio') !== (d.source === 'microphone' || d.source === 'screenAudio')) fail('source does not match kind');
      const layers = d.layers ?? [];
      if (d.kind === 'audio' && layers.length) fail('audio has no layers');
      if (layers.length > LIMITS.maxLayers) fail(`at most ${LIMITS.maxLayers} layers`);
      const rids = new Set<string>();
      const qs = new Set<string>();
      for (const l of layers) {
        if (!validRid(l.rid)) fail(`rid ${l.rid}: invalid`);
        if (rids.has(l.rid) || qs.has(l.quality)) fail('rids and qualities must be unique');
        rids.add(l.rid);
        qs.add(l.quality);
        if ((l.maxWidth ?? 0) > LIMITS.maxWidth || (l.maxHeight ?? 0) > LIMITS.maxHeight) fail('layer size out of range');
      }
      break;
    }
    case 'unpublish':
    case 'mute':
      if (!validId(m.data.trackId)) fail('trackId: invalid');
      break;
    case 'sendChat': {
      const n = [...m.data.text].length;
      if (!m.data.text.trim() || n > LIMITS.maxChatText) fail(`text: 1..${LIMITS.maxChatText} characters`);
      if (m.data.to !== undefined && !validId(m.data.to)) fail('to: invalid');
      break;
    }
    case 'subscribe': {
      const ts = m.data.tracks ?? [];
      if (ts.length < 1 || ts.length > LIMITS.maxSubscriptions) fail(`tracks: 1..${LIMITS.maxSubscriptions}`);
      const seen = new Set<string>();
      for (const t of ts) {
        if (!validId(t.trackId) || seen.has(t.trackId)) fail(`trackId ${t.trackId}: invalid or duplicate`);
        seen.add(t.trackId);
        if ((t.width ?? 0) > LIMITS.maxWidth || (t.height ?? 0) > LIMITS.maxHeight) fail('size out of range');
        if (t.width !== undefined && !Number.isInteger(t.width)) fail('width must be an integer');
        if (t.height !== undefined && !Number.isInteger(t.height)) fail('height must be an integer');
      }
      break;
    }
    default:
      break;
  }
}

/**
 * Encodes a client message as one text frame: `{"v":2,"id":…,"type":…,"data":…}`.
 * Fields that are undefined are left out (the server rejects unknown fields, and
 * absent optional fields are the protocol's defaults).
 */
export function encode(m: ClientMessage, id?: string): string {
  validateClient(m);
  if (id !== undefined && !MSG_ID_RE.test(id)) throw new ProtocolError(`id ${id}: 1..64 printable ASCII characters`);
  const env: Record<string, unknown> = { v: PROTOCOL_VERSION };
  if (id !== undefined) env.id = id;
  env.type = m.type;
  if (m.data !== undefined) env.data = m.data;
  const s = JSON.stringify(env);
  if (utf8Length(s) > LIMITS.maxFrameBytes) throw new ProtocolError(`${m.type}: frame above ${LIMITS.maxFrameBytes} bytes`);
  return s;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
  ) {}
  private fail(field: string, want: string): never {
    throw new ProtocolError(`${this.where}.${field}: want ${want}`);
  }
  str(f: string): string {
    const v = this.o[f];
    if (typeof v !== 'string') this.fail(f, 'a string');
    return v;
  }
  optStr(f: string): string | undefined {
    const v = this.o[f];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(f, 'a string');
    return v;
  }
  id(f: string): string {
    const v = this.str(f);
    if (!validId(v)) this.fail(f, 'an id');
    return v;
  }
  int(f: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.o[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(f, `an integer in ${min}..${max}`);
    return v;
  }
  optInt(f: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.o[f] === undefined || this.o[f] === null ? undefined : this.int(f, min, max);
  }
  bool(f: string): boolean {
    const v = this.o[f];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(f, 'a boolean');
    return v;
  }
  oneOf<T extends string>(f: string, allowed: readonly T[]): T {
    const v = this.o[f];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(f, `one of ${allowed.join(', ')}`);
    return v as T;
  }
  optOneOf<T extends string>(f: string, allowed: readonly T[]): T | undefined {
    return this.o[f] === undefined || this.o[f] === '' ? undefined : this.oneOf(f, allowed);
  }
  arr(f: string): unknown[] {
    const v = this.o[f];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(f, 'an array');
    return v;
  }
  has(f: string): boolean {
    return this.o[f] !== undefined && this.o[f] !== null;
  }
  obj(f: string): Obj {
    const v = this.o[f];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) this.fail(f, 'an object');
    return v;
  }
}

function readOfferRequest(r: Reader): OfferRequest {
  return { audio: r.optInt('audio', 0, LIMITS.maxOfferRequest) ?? 0, video: r.optInt('video', 0, LIMITS.maxOfferRequest) ?? 0 };
}

function readLayer(v: unknown, where: string): Layer {
  if (!isObj(v)) throw new ProtocolError(`${where}: want an object`);
  const r = new Reader(v, where);
  const l: Layer = { rid: r.str('rid'), quality: r.oneOf('quality', QUALITY_VALUES) };
  const mw = r.optInt('maxWidth');
  const mh = r.optInt('maxHeight');
  const mb = r.optInt('maxBitrate');
  const mf = r.optInt('maxFramerate');
  if (mw !== undefined) l.maxWidth = mw;
  if (mh !== undefined) l.maxHeight = mh;
  if (mb !== undefined) l.maxBitrate = mb;
  if (mf !== undefined) l.maxFramerate = mf;
  return l;
}

function readCandidate(r: Reader): Candidate {
  const c: Candidate = { candidate: r.optStr('candidate') || null };
  const mid = r.optStr('sdpMid');
  const idx = r.optInt('sdpMLineIndex', 0, 65535);
  const uf = r.optStr('usernameFragment');
  if (mid !== undefined) c.sdpMid = mid;
  if (idx !== undefined) c.sdpMLineIndex = idx;
  if (uf) c.usernameFragment = uf;
  return c;
}

/**
 * Decodes one server frame. Throws ProtocolError for anything that is not a
 * version-2 envelope of a known server type with the fields this client needs (a
 * client-only type such as `offer` included). Unknown extra fields from the server
 * are tolerated (a newer server may add some within version 2 of its own messages;
 * the client reads only what it knows).
 */
export function decode(frame: string): ServerMessage {
  let env: unknown;
  try {
    env = JSON.parse(frame);
  } catch {
    throw new ProtocolError('not JSON');
  }
  if (!isObj(env)) throw new ProtocolError('want an object');
  if (env.v !== PROTOCOL_VERSION) throw new ProtocolError(`unsupported version ${String(env.v)}`);
  const type = env.type;
  if (typeof type !== 'string') throw new ProtocolError('type missing');
  const id = typeof env.id === 'string' ? env.id : undefined;
  const data = env.data === undefined || env.data === null ? {} : env.data;
  if (!isObj(data)) throw new ProtocolError(`${type}.data: want an object`);
  const r = new Reader(data, type);
  switch (type) {
    case 'joined': {
      const servers = r.arr('iceServers').map((s, i): IceServerInfo => {
        if (!isObj(s)) throw new ProtocolError(`joined.iceServers[${i}]: want an object`);
        const sr = new Reader(s, `joined.iceServers[${i}]`);
        const urls = sr.arr('urls').filter((u): u is string => typeof u === 'string');
        const out: IceServerInfo = { urls };
        const u = sr.optStr('username');
        const c = sr.optStr('credential');
        if (u) out.username = u;
        if (c) out.credential = c;
        return out;
      });
      return {
        type,
        id,
        data: {
          participantId: r.id('participantId'),
          resumeToken: r.str('resumeToken'),
          resumed: r.bool('resumed'),
          protocol: r.int('protocol', PROTOCOL_VERSION),
          iceServers: servers,
          pingIntervalMs: r.optInt('pingIntervalMs') ?? 15000,
          ...(r.has('offerRequest') ? { offerRequest: readOfferRequest(new Reader(r.obj('offerRequest'), 'joined.offerRequest')) } : {}),
          ...(r.optStr('stateToken') ? { stateToken: r.optStr('stateToken') } : {}),
        },
      };
    }
    case 'answer': {
      const sdp = r.str('sdp');
      if (!sdp) throw new ProtocolError('answer.sdp: want an SDP');
      return { type, data: { sdp } };
    }
    case 'offerRequest':
      return {
        type,
        data: readOfferRequest(r),
      };
    case 'candidate':
      return { type, data: readCandidate(r) };
    case 'trackPublished': {
      const d: TrackPublished = {
        participantId: r.id('participantId'),
        trackId: r.id('trackId'),
        kind: r.oneOf('kind', KIND_VALUES),
        source: r.oneOf('source', SOURCE_VALUES),
        muted: r.bool('muted'),
        layers: r.arr('layers').map((l, i) => readLayer(l, `trackPublished.layers[${i}]`)),
      };
      const cid = r.optStr('cid');
      if (cid) d.cid = cid;
      return { type, data: d };
    }
    case 'trackUnpublished':
      return { type, data: { participantId: r.id('participantId'), trackId: r.id('trackId') } };
    case 'subscribed':
      return {
        type,
        data: {
          tracks: r.arr('tracks').map((t, i) => {
            if (!isObj(t)) throw new ProtocolError(`subscribed.tracks[${i}]: want an object`);
            const tr = new Reader(t, `subscribed.tracks[${i}]`);
            return { trackId: tr.id('trackId'), enabled: tr.bool('enabled'), quality: tr.optOneOf('quality', QUALITY_VALUES) };
          }),
        },
      };
    case 'notice': {
      const n: Notice = { kind: r.oneOf('kind', NOTICE_KIND_VALUES) };
      const pid = r.optStr('participantId');
      const tid = r.optStr('trackId');
      const msg = r.optStr('message');
      const sec = r.optInt('seconds');
      if (pid) n.participantId = pid;
      if (tid) n.trackId = tid;
      if (msg) n.message = msg;
      if (sec !== undefined) n.seconds = sec;
      return { type, data: n };
    }
    case 'pong':
      return { type, data: { ts: r.optInt('ts') } };
    case 'error':
      return { type, data: { code: r.str('code'), message: r.optStr('message') ?? '', refId: r.optStr('refId') } };
    case 'bye':
      return { type, data: { reason: r.oneOf('reason', BYE_REASON_VALUES), message: r.optStr('message') } };
    default:
      throw new ProtocolError(`unknown type ${type}`);
  }
}

/** What the client should do after the socket closed with code (§8). */
export type CloseAction = 'stop' | 'resume' | 'newToken' | 'retryLater';

/** Maps a WebSocket close code to the client's next step (§8, §9). */
export function closeAction(code: number): CloseAction {
  switch (code) {
    case CloseCode.Normal: // left
    case CloseCode.BadFrame: // frame too large: a client bug; resending would repeat it
    case CloseCode.Forbidden: // removed / forbidden
    case CloseCode.Replaced: // replaced by another connection
    case CloseCode.MeetingEnded:
      return 'stop';
    case CloseCode.Unauthorized:
      return 'newToken';
    case CloseCode.Internal:
      return 'retryLater';
    default:
      // GoingAway (shutdown), 1006 network drop, Timeout (silent), RateLimited (flood), SlowConsumer
      return 'resume';
  }
}

/** The simulcast encodings of a camera: rid q/h/f at 1/4, 1/2 and full resolution. */
export const CAMERA_ENCODINGS: readonly (RTCRtpEncodingParameters & { rid: string; scaleResolutionDownBy: number })[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/** The publish layers matching CAMERA_ENCODINGS for a capture of width x height. */
export function cameraLayers(width = 1280, height = 720, framerate = 30): Layer[] {
  return CAMERA_ENCODINGS.map((e, i) => ({
    rid: e.rid,
    quality: QUALITY_VALUES[i], // low, medium, high
    maxWidth: Math.max(1, Math.round(width / e.scaleResolutionDownBy)),
    maxHeight: Math.max(1, Math.round(height / e.scaleResolutionDownBy)),
    maxBitrate: e.maxBitrate,
    maxFramerate: Math.max(1, Math.round(framerate)),
  }));
}
