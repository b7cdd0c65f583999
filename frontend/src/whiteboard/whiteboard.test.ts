import { describe, expect, test, vi } from 'vitest';
import { WhiteboardClient, type Channel } from './client';
import { decodeWb, encodeWb, packUpdates, sendable, type WbElement } from './protocol';
import { mergeInto, newer, ordered } from './reconcile';

const el = (id: string, version: number, versionNonce: number, extra: Partial<WbElement> = {}): WbElement => ({
  id,
  type: 'rectangle',
  version,
  versionNonce,
  isDeleted: false,
  index: 'a0',
  x: 0,
  y: 0,
  ...extra,
});

class FakeChannel implements Channel {
  readyState = 'open';
  sent: string[] = [];
  private fns = new Map<string, Set<(ev: { data?: unknown }) => void>>();
  send(s: string) {
    this.sent.push(s);
  }
  addEventListener(t: string, fn: (ev: { data?: unknown }) => void) {
    if (!this.fns.has(t)) this.fns.set(t, new Set());
    this.fns.get(t)!.add(fn);
  }
  removeEventListener(t: string, fn: (ev: { data?: unknown }) => void) {
    this.fns.get(t)?.delete(fn);
  }
  deliver(obj: object) {
    for (const fn of this.fns.get('message') ?? []) fn({ data: JSON.stringify(obj) });
  }
}

describe('reconcile rule', () => {
  test('higher version wins; equal version: lower nonce wins', () => {
    expect(newer(el('a', 3, 9), el('a', 2, 1))).toBe(true);
    expect(newer(el('a', 2, 1), el('a', 3, 9))).toBe(false);
    expect(newer(el('a', 2, 1), el('a', 2, 5))).toBe(true);
    expect(newer(el('a', 2, 5), el('a', 2, 1))).toBe(false);
    expect(newer(el('a', 2, 5), el('a', 2, 5))).toBe(false);
    expect(newer(el('a', 1, 1), undefined)).toBe(true);
  });

  test('merge keeps the element being edited', () => {
    const board = new Map([['a', el('a', 2, 1)], ['b', el('b', 1, 1)]]);
    const changed = mergeInto(board, [el('a', 5, 1), el('b', 4, 1), el('c', 1, 1)], 'a');
    expect(changed).toEqual(['b', 'c']);
    expect(board.get('a')!.version).toBe(2);
  });

  test('z-order by fractional index, in code-unit order', () => {
    const out = ordered([el('x', 1, 1, { index: 'a1' }), el('y', 1, 1, { index: 'Zz' }), el('z', 1, 1, { index: 'a0V' })]);
    expect(out.map((e) => e.id)).toEqual(['y', 'z', 'x']);
  });
});

describe('protocol', () => {
  test('server examples decode', () => {
    const ex = [
      `{"v":1,"type":"snapshot","seq":41,"part":1,"parts":1,"elements":[{"id":"t1","type":"text","x":120,"y":110,"text":"Agenda","index":"a2","version":3,"versionNonce":5521,"isDeleted":false}]}`,
      `{"v":1,"type":"update","seq":42,"from":"PA_1","elements":[{"id":"fd_01","type":"freedraw","x":300,"y":200,"points":[[0,0],[10.5,4]],"index":"a1","version":7,"versionNonce":20211,"isDeleted":false}]}`,
      `{"v":1,"type":"pointer","from":"PA_2","x":10,"y":20.25,"tool":"laser","button":"down"}`,
      `{"v":1,"type":"cleared","seq":43,"by":"PA_host"}`,
      `{"v":1,"type":"ack","id":"m1","seq":42,"accepted":1,"stale":0}`,
      `{"v":1,"type":"error","code":"rate_limited","message":"too many messages; slow down"}`,
    ];
    for (const s of ex) expect(() => decodeWb(s)).not.toThrow();
    expect(() => decodeWb('{"v":2,"type":"ack"}')).toThrow();
    expect(() => decodeWb('{"v":1,"type":"update","seq":1,"from":"a","elements":[{"id":"x"}]}')).toThrow();
  });

  test('client messages', () => {
    expect(encodeWb({ type: 'pointer', x: 412.5, y: -37 })).toBe('{"v":1,"type":"pointer","x":412.5,"y":-37}');
    expect(encodeWb({ type: 'clear', id: 'c1' })).toBe('{"v":1,"type":"clear","id":"c1"}');
  });

  test('only allowed elements are sent', () => {
    expect(sendable(el('ok_1-A', 1, -5))).toBe(true);
    expect(sendable(el('img', 1, 1, { type: 'image' }))).toBe(false);
    expect(sendable(el('bad id', 1, 1))).toBe(false);
    expect(sendable(el('a', 0, 1))).toBe(false);
    expect(sendable(el('a', 1, 0.5))).toBe(false);
  });

  test('updates are packed within 200 elements and 64 KiB; oversized elements are left out', () => {
    let n = 0;
    const many = Array.from({ length: 450 }, (_, i) => el(`e${i}`, 1, 1));
    const { messages } = packUpdates(many, () => `m${++n}`);
    expect(messages.map((m) => JSON.parse(m).elements.length)).toEqual([200, 200, 50]);
    const big = Array.from({ length: 5 }, (_, i) => el(`b${i}`, 1, 1, { points: Array.from({ length: 1500 }, (_, j) => [j, j + 0.5]) }));
    const huge = el('h', 1, 1, { points: Array.from({ length: 4000 }, (_, j) => [j * 1.123456, j * 2.123456]) });
    const r = packUpdates([...big, huge], () => `m${++n}`);
    expect(r.tooLarge.map((e) => e.id)).toEqual(['h']);
    for (const m of r.messages) expect(new TextEncoder().encode(m).length).toBeLessThanOrEqual(64 * 1024);
    expect(r.messages.flatMap((m) => JSON.parse(m).elements.map((e: WbElement) => e.id))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });
});

describe('client', () => {
  test('snapshot parts, then updates by seq; local changes go out after the snapshot', () => {
    vi.useFakeTimers();
    const ch = new FakeChannel();
    const c = new WhiteboardClient({ flushMs: 10 });
    const scenes: WbElement[][] = [];
    c.on('scene', (s) => scenes.push(s));
    c.attach(ch);
    c.localChange([el('mine', 1, 7)]);
    vi.advanceTimersByTime(20);
    expect(ch.sent).toHaveLength(0); // not before the snapshot
    ch.deliver({ v: 1, type: 'snapshot', seq: 10, part: 1, parts: 2, elements: [el('a', 1, 1)] });
    expect(scenes).toHaveLength(0);
    ch.deliver({ v: 1, type: 'snapshot', seq: 10, part: 2, parts: 2, elements: [el('b', 1, 1, { index: 'a1' })] });
    expect(scenes.at(-1)!.map((e) => e.id)).toEqual(['a', 'mine', 'b']);
    expect(c.ready).toBe(true);
    vi.advanceTimersByTime(20);
    expect(ch.sent.map((s) => JSON.parse(s).elements.map((e: WbElement) => e.id))).toEqual([['mine']]);
    // An old update is ignored; a newer one applies.
    ch.deliver({ v: 1, type: 'update', seq: 9, from: 'P', elements: [el('a', 9, 1)] });
    expect(c.elements().find((e) => e.id === 'a')!.version).toBe(1);
    ch.deliver({ v: 1, type: 'update', seq: 11, from: 'P', elements: [el('a', 2, 1)] });
    expect(c.elements().find((e) => e.id === 'a')!.version).toBe(2);
    // The echo of our own element changes nothing.
    const before = scenes.length;
    ch.deliver({ v: 1, type: 'update', seq: 12, from: 'me', elements: [el('mine', 1, 7)] });
    expect(scenes.length).toBe(before);
    // A local edit that is not newer is not sent.
    ch.sent = [];
    c.localChange([el('a', 2, 1), el('a2', 1, 1, { type: 'image' })]);
    vi.advanceTimersByTime(20);
    expect(ch.sent).toHaveLength(0);
    // Cleared empties the board.
    ch.deliver({ v: 1, type: 'cleared', seq: 13, by: 'H' });
    expect(scenes.at(-1)).toEqual([]);
    expect(c.elements()).toEqual([]);
    vi.useRealTimers();
  });

  test('rate limited: back off, then resend what the server has not confirmed; a seq gap reopens', () => {
    vi.useFakeTimers();
    let now = 0;
    const ch = new FakeChannel();
    let closed = 0;
    (ch as FakeChannel & { close: () => void }).close = () => closed++;
    const c = new WhiteboardClient({ flushMs: 10, now: () => now });
    c.attach(ch);
    ch.deliver({ v: 1, type: 'snapshot', seq: 1, part: 1, parts: 1, elements: [el('a', 1, 1)] });
    c.localChange([el('a', 2, 1), el('b', 1, 1)]);
    vi.advanceTimersByTime(20);
    expect(ch.sent).toHaveLength(1);
    // The server confirms b only, then limits us.
    ch.deliver({ v: 1, type: 'update', seq: 2, from: 'me', elements: [el('b', 1, 1)] });
    ch.deliver({ v: 1, type: 'error', code: 'rate_limited', message: 'slow down' });
    now = 500;
    vi.advanceTimersByTime(500);
    expect(ch.sent).toHaveLength(1); // still backing off
    now = 1100;
    vi.advanceTimersByTime(600);
    expect(ch.sent).toHaveLength(2);
    expect(JSON.parse(ch.sent[1]).elements.map((e: WbElement) => e.id)).toEqual(['a']);
    // seq 4 after 2: a gap.
    ch.deliver({ v: 1, type: 'update', seq: 4, from: 'x', elements: [el('z', 1, 1)] });
    expect(closed).toBe(1);
    expect(c.ready).toBe(false);
    vi.useRealTimers();
  });

  test('an element Excalidraw changes in place is sent again at each new version, in full', () => {
    // Excalidraw's mutateElement changes the element object itself (points appended,
    // version raised) and hands the same object to onChange: a freehand stroke, a shape
    // being dragged. Every version must go out, not only the first one seen.
    vi.useFakeTimers();
    const ch = new FakeChannel();
    const c = new WhiteboardClient({ flushMs: 10 });
    c.attach(ch);
    ch.deliver({ v: 1, type: 'snapshot', seq: 1, part: 1, parts: 1, elements: [] });
    const stroke = el('fd', 1, 11, { type: 'freedraw', points: [[0, 0]], width: 0, height: 0 });
    c.localChange([stroke]);
    vi.advanceTimersByTime(20);
    for (let i = 1; i <= 50; i++) {
      Object.assign(stroke, { version: stroke.version + 1, versionNonce: 100 + i, points: [...(stroke.points as number[][]), [i * 4, i % 2]], width: i * 4, height: 1 });
      c.localChange([stroke]);
      if (i % 10 === 0) vi.advanceTimersByTime(20);
    }
    vi.advanceTimersByTime(20);
    const last = JSON.parse(ch.sent.at(-1)!).elements[0];
    expect(last.version).toBe(51);
    expect(last.points).toHaveLength(51);
    expect(last.width).toBe(200);
    // A remote element that Excalidraw then edits in place (a resize here) goes out too.
    const activity: string[] = [];
    c.on('activity', (a) => activity.push(a.from));
    ch.deliver({ v: 1, type: 'update', seq: 2, from: 'P', elements: [el('r', 4, 9, { width: 28, height: 16 })] });
    ch.deliver({ v: 1, type: 'pointer', from: 'Q', x: 1, y: 2 });
    expect(activity).toEqual(['P', 'Q']);
    const r = c.elements().find((e) => e.id === 'r')!;
    Object.assign(r, { version: 5, versionNonce: 3, width: 400, height: 300 });
    ch.sent = [];
    c.localChange(c.elements());
    vi.advanceTimersByTime(20);
    expect(ch.sent.map((s) => JSON.parse(s).elements.map((e: WbElement) => [e.id, e.version, e.width]))).toEqual([[['r', 5, 400]]]);
    vi.useRealTimers();
  });

  test('pointer messages are throttled', () => {
    vi.useFakeTimers();
    let now = 0;
    const ch = new FakeChannel();
    const c = new WhiteboardClient({ pointerMs: 60, now: () => now });
    c.attach(ch);
    now = 1000;
    c.pointer(1, 1);
    c.pointer(2, 2);
    c.pointer(3, 3, 'laser', 'down');
    expect(ch.sent.map((s) => JSON.parse(s))).toEqual([{ v: 1, type: 'pointer', x: 1, y: 1 }]);
    now = 1060;
    vi.advanceTimersByTime(60);
    expect(JSON.parse(ch.sent[1])).toEqual({ v: 1, type: 'pointer', x: 3, y: 3, tool: 'laser', button: 'down' });
    expect(ch.sent).toHaveLength(2);
    vi.useRealTimers();
  });
});
