// The whiteboard data-channel protocol, version 1 (docs/whiteboard.md): flat JSON
// envelopes, one per data-channel message, on the participant's peer connection,
// channel "whiteboard". The message shapes, the element, enums and limits are
// generated from the server's Go definitions (protocol.gen.ts from
// media/whiteboard) and re-exported here under the names the client uses; this
// file holds the encoder, the decoder and the packing of updates. Pure.
import { ELEMENT_TYPE_VALUES, LIMITS, PROTOCOL_VERSION, type ClientMessage, type Element, type ServerMessage } from './protocol.gen';

export type {
  Button as PointerButton,
  ClientMessage as WbClientMessage,
  ServerMessage as WbServerMessage,
  Tool as PointerTool,
} from './protocol.gen';

/**
 * An element as the client holds it: the protocol's Element, except that its type
 * may be one the server refuses (Excalidraw also makes images and embeds), which
 * sendable() leaves out. The server only ever sends allowed types.
 */
export type WbElement = { [K in keyof Element]: K extends 'type' ? string : Element[K] };

/** Element types the server accepts (image needs a file store; embeds load URLs). */
const ELEMENT_TYPES: ReadonlySet<string> = new Set(ELEMENT_TYPE_VALUES);
const ELEMENT_ID_RE = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.maxElementIDBytes}}$`);

/** Whether an element may be sent: an allowed type, a valid id, integer versions. */
export function sendable(e: WbElement): boolean {
  return (
    ELEMENT_TYPES.has(e.type) &&
    ELEMENT_ID_RE.test(e.id) &&
    Number.isSafeInteger(e.version) &&
    e.version >= 1 &&
    Number.isSafeInteger(e.versionNonce) &&
    typeof e.isDeleted === 'boolean'
  );
}

/** Encodes a client message: `{"v":1,"type":…,…}`. */
export function encodeWb(m: ClientMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...m });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function elements(v: unknown): Element[] {
  if (!Array.isArray(v)) throw new Error('elements: want an array');
  return v.map((e, i) => {
    if (!isObj(e) || typeof e.id !== 'string' || typeof e.type !== 'string' || !isInt(e.version) || !isInt(e.versionNonce) || typeof e.isDeleted !== 'boolean') {
      throw new Error(`elements[${i}]: not an element`);
    }
    return e as Element;
  });
}

/** Decodes a server message; throws on anything else. */
export function decodeWb(data: string): ServerMessage {
  const m: unknown = JSON.parse(data);
  if (!isObj(m) || m.v !== PROTOCOL_VERSION) throw new Error('whiteboard: bad version');
  const num = (f: string) => {
    if (!isInt(m[f])) throw new Error(`whiteboard: ${f} not an integer`);
    return m[f] as number;
  };
  const str = (f: string) => {
    if (typeof m[f] !== 'string') throw new Error(`whiteboard: ${f} not a string`);
    return m[f] as string;
  };
  switch (m.type) {
    case 'snapshot':
      return { type: 'snapshot', seq: num('seq'), part: num('part'), parts: num('parts'), elements: elements(m.elements) };
    case 'update':
      return { type: 'update', seq: num('seq'), from: str('from'), elements: elements(m.elements) };
    case 'pointer': {
      if (typeof m.x !== 'number' || typeof m.y !== 'number') throw new Error('whiteboard: pointer without x, y');
      const p: ServerMessage = { type: 'pointer', from: str('from'), x: m.x, y: m.y };
      if (m.tool === 'pointer' || m.tool === 'laser') p.tool = m.tool;
      if (m.button === 'up' || m.button === 'down') p.button = m.button;
      return p;
    }
    case 'cleared':
      return { type: 'cleared', seq: num('seq'), by: str('by') };
    case 'ack':
      return { type: 'ack', id: str('id'), seq: num('seq'), accepted: num('accepted'), stale: num('stale') };
    case 'error':
      return { type: 'error', code: str('code'), message: typeof m.message === 'string' ? m.message : '', refId: typeof m.refId === 'string' ? m.refId : undefined };
    default:
      throw new Error(`whiteboard: unknown type ${String(m.type)}`);
  }
}

/**
 * Splits elements into update messages within the limits (at most 200 elements and
 * 64 KiB each, including the envelope). Elements above 32 KiB are left out and
 * returned apart.
 */
export function packUpdates(els: WbElement[], nextId: () => string): { messages: string[]; tooLarge: WbElement[] } {
  const messages: string[] = [];
  const tooLarge: WbElement[] = [];
  const enc = new TextEncoder();
  let batch: string[] = [];
  let bytes = 0;
  const overhead = 64; // {"v":1,"type":"update","id":"…","elements":[]}
  const flush = () => {
    if (!batch.length) return;
    messages.push(`{"v":${PROTOCOL_VERSION},"type":"update","id":${JSON.stringify(nextId())},"elements":[${batch.join(',')}]}`);
    batch = [];
    bytes = 0;
  };
  for (const e of els) {
    const s = JSON.stringify(e);
    const n = enc.encode(s).length;
    if (n > LIMITS.maxElementBytes) {
      tooLarge.push(e);
      continue;
    }
    if (batch.length >= LIMITS.maxUpdateElements || bytes + n + 1 + overhead > LIMITS.maxMessageBytes) flush();
    batch.push(s);
    bytes += n + 1;
  }
  flush();
  return { messages, tooLarge };
}
