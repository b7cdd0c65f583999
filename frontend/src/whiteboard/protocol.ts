// The whiteboard data-channel protocol, version 1 (media/whiteboard: doc.go,
// message.go, codec.go, element.go): flat JSON envelopes, one per data-channel
// message, on the participant's peer connection, channel "whiteboard". Pure.

export const WB_VERSION = 1;
/** Client → server message limit. */
export const WB_MAX_MESSAGE_BYTES = 64 * 1024;
/** One element as sent. */
export const WB_MAX_ELEMENT_BYTES = 32 * 1024;
/** Elements per update. */
export const WB_MAX_UPDATE_ELEMENTS = 200;
/** Element types the server accepts (image needs a file store; embeds load URLs). */
export const WB_ELEMENT_TYPES = new Set(['rectangle', 'ellipse', 'diamond', 'arrow', 'line', 'freedraw', 'text', 'frame']);
const ELEMENT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** An Excalidraw element as far as the protocol cares; drawing fields ride along. */
export interface WbElement {
  id: string;
  type: string;
  version: number;
  versionNonce: number;
  isDeleted: boolean;
  index?: string | null;
  [field: string]: unknown;
}

export type PointerTool = 'pointer' | 'laser';
export type PointerButton = 'up' | 'down';

export type WbServerMessage =
  | { type: 'snapshot'; seq: number; part: number; parts: number; elements: WbElement[] }
  | { type: 'update'; seq: number; from: string; elements: WbElement[] }
  | { type: 'pointer'; from: string; x: number; y: number; tool?: PointerTool; button?: PointerButton }
  | { type: 'cleared'; seq: number; by: string }
  | { type: 'ack'; id: string; seq: number; accepted: number; stale: number }
  | { type: 'error'; code: string; message: string; refId?: string };

export type WbClientMessage =
  | { type: 'update'; id?: string; elements: WbElement[] }
  | { type: 'pointer'; x: number; y: number; tool?: PointerTool; button?: PointerButton }
  | { type: 'clear'; id?: string };

/** Whether an element may be sent: an allowed type, a valid id, integer versions. */
export function sendable(e: WbElement): boolean {
  return (
    WB_ELEMENT_TYPES.has(e.type) &&
    ELEMENT_ID_RE.test(e.id) &&
    Number.isSafeInteger(e.version) &&
    e.version >= 1 &&
    Number.isSafeInteger(e.versionNonce) &&
    typeof e.isDeleted === 'boolean'
  );
}

/** Encodes a client message: `{"v":1,"type":…,…}`. */
export function encodeWb(m: WbClientMessage): string {
  return JSON.stringify({ v: WB_VERSION, ...m });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function elements(v: unknown): WbElement[] {
  if (!Array.isArray(v)) throw new Error('elements: want an array');
  return v.map((e, i) => {
    if (!isObj(e) || typeof e.id !== 'string' || typeof e.type !== 'string' || !isInt(e.version) || !isInt(e.versionNonce) || typeof e.isDeleted !== 'boolean') {
      throw new Error(`elements[${i}]: not an element`);
    }
    return e as WbElement;
  });
}

/** Decodes a server message; throws on anything else. */
export function decodeWb(data: string): WbServerMessage {
  const m: unknown = JSON.parse(data);
  if (!isObj(m) || m.v !== WB_VERSION) throw new Error('whiteboard: bad version');
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
      const p: WbServerMessage = { type: 'pointer', from: str('from'), x: m.x, y: m.y };
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
    messages.push(`{"v":1,"type":"update","id":${JSON.stringify(nextId())},"elements":[${batch.join(',')}]}`);
    batch = [];
    bytes = 0;
  };
  for (const e of els) {
    const s = JSON.stringify(e);
    const n = enc.encode(s).length;
    if (n > WB_MAX_ELEMENT_BYTES) {
      tooLarge.push(e);
      continue;
    }
    if (batch.length >= WB_MAX_UPDATE_ELEMENTS || bytes + n + 1 + overhead > WB_MAX_MESSAGE_BYTES) flush();
    batch.push(s);
    bytes += n + 1;
  }
  flush();
  return { messages, tooLarge };
}
