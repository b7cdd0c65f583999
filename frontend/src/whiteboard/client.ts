// WhiteboardClient: the board as this participant sees it, kept in step with the
// server over the "whiteboard" data channel. Framework-free: the Excalidraw panel
// feeds local changes in and redraws on "scene" events.
import { Emitter } from '../rtc/emitter';
import { decodeWb, encodeWb, packUpdates, sendable, type PointerButton, type PointerTool, type WbElement, type WbServerMessage } from './protocol';
import { mergeInto, newer, ordered, type Versioned } from './reconcile';

/** The minimal data channel the client needs (RTCDataChannel, or a fake in tests). */
export interface Channel {
  readonly readyState: string;
  send(data: string): void;
  close?(): void;
  addEventListener(type: 'open' | 'close' | 'message', fn: (ev: { data?: unknown }) => void): void;
  removeEventListener(type: 'open' | 'close' | 'message', fn: (ev: { data?: unknown }) => void): void;
}

export interface RemotePointer {
  from: string;
  x: number;
  y: number;
  tool: PointerTool;
  button: PointerButton;
  at: number;
}

export interface WhiteboardEvents {
  /** The board changed from outside (snapshot, others' updates, clear): every element in z-order. */
  scene: WbElement[];
  pointer: RemotePointer;
  cleared: { by: string };
  /** A participant drew or pointed on the board (own updates too: the relay echoes them). */
  activity: { from: string };
  /** Whether the board is loaded and the channel open. */
  ready: boolean;
  error: { code: string; message: string };
}

export interface WhiteboardOptions {
  /** Minimum time between two update flushes (ms); the server allows 30 updates/s. */
  flushMs?: number;
  /** Minimum time between two pointer messages (ms); the server allows 20/s. */
  pointerMs?: number;
  now?: () => number;
}

export class WhiteboardClient extends Emitter<WhiteboardEvents> {
  private ch: Channel | null = null;
  private board = new Map<string, WbElement>();
  /**
   * The version and nonce of each element as this client last took it in (from the
   * server or from a local change), as numbers. Excalidraw changes its element objects
   * in place (mutateElement raises the version of the very object the board holds), so
   * the board's objects are no record of which versions were seen: comparing an element
   * with itself never finds it newer, and only a stroke's first fragment would go out.
   */
  private seen = new Map<string, Versioned>();
  /** The highest version the server sent of each element (snapshot or update). */
  private serverVersion = new Map<string, number>();
  private pausedUntil = 0;
  private outgoing = new Map<string, WbElement>();
  private snapParts: WbElement[][] = [];
  private snapSeq = -1;
  private seq = 0;
  private loaded = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private pointerTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPointerAt = 0;
  private pendingPointer: { x: number; y: number; tool: PointerTool; button: PointerButton } | null = null;
  private idSeq = 0;
  private readonly flushMs: number;
  private readonly pointerMs: number;
  private readonly now: () => number;
  /** The element being edited locally; remote copies of it wait. */
  editingId: string | null = null;

  constructor(opts: WhiteboardOptions = {}) {
    super();
    this.flushMs = opts.flushMs ?? 100; // ~10 updates/s while drawing (docs/whiteboard.md §8.3)
    this.pointerMs = opts.pointerMs ?? 60;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Whether the board is loaded and the channel open. */
  get ready(): boolean {
    return this.loaded && this.ch?.readyState === 'open';
  }

  /** Every element of the board (deleted ones too), in z-order. */
  elements(): WbElement[] {
    return ordered(this.board.values());
  }

  /** Uses ch from now on (a new channel after a reconnect gets a new snapshot). */
  attach(ch: Channel): void {
    this.detach();
    this.ch = ch;
    this.loaded = false;
    this.snapParts = [];
    this.snapSeq = -1;
    ch.addEventListener('message', this.onMessage);
    ch.addEventListener('close', this.onClose);
    ch.addEventListener('open', this.onOpen);
    this.emit('ready', false);
  }

  /** Stops using the current channel. */
  detach(): void {
    if (!this.ch) return;
    this.ch.removeEventListener('message', this.onMessage);
    this.ch.removeEventListener('close', this.onClose);
    this.ch.removeEventListener('open', this.onOpen);
    this.ch = null;
    this.loaded = false;
  }

  /** Stops timers and the channel. */
  dispose(): void {
    this.detach();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.pointerTimer) clearTimeout(this.pointerTimer);
    this.clearOutgoing();
  }

  /**
   * Takes the local scene (Excalidraw's onChange) and sends the elements that changed:
   * those newer than the version last seen of them. Throttled; what goes out is the
   * element as it is at the flush.
   */
  localChange(els: readonly WbElement[]): void {
    let any = false;
    for (const e of els) {
      if (!newer(e, this.seen.get(e.id))) continue;
      this.see(e);
      this.board.set(e.id, e);
      if (!sendable(e)) continue;
      this.outgoing.set(e.id, e);
      any = true;
    }
    if (any) this.scheduleFlush();
  }

  /** Records the version of e as seen (a copy of the numbers, not the object). */
  private see(e: WbElement): void {
    this.seen.set(e.id, { version: e.version, versionNonce: e.versionNonce });
  }

  /** Sends the local pointer (scene coordinates), at most every pointerMs. */
  pointer(x: number, y: number, tool: PointerTool = 'pointer', button: PointerButton = 'up'): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const clamp = (v: number) => Math.max(-1e9, Math.min(1e9, v));
    this.pendingPointer = { x: clamp(x), y: clamp(y), tool, button };
    const wait = this.lastPointerAt + this.pointerMs - this.now();
    if (wait <= 0) this.sendPointer();
    else if (!this.pointerTimer) this.pointerTimer = setTimeout(() => this.sendPointer(), wait);
  }

  /** Erases the board for everyone (moderators; others get error forbidden). */
  clearBoard(): void {
    this.send(encodeWb({ type: 'clear', id: this.nextId() }));
  }

  /** Closes the channel; its owner opens a new one, which starts with a snapshot. */
  private resync(): void {
    this.loaded = false;
    this.emit('ready', false);
    try {
      this.ch?.close?.();
    } catch {
      // closed already
    }
  }

  private clearOutgoing(): void {
    this.outgoing.clear();
  }

  private nextId(): string {
    return `w${++this.idSeq}`;
  }

  private send(s: string): boolean {
    if (this.ch?.readyState !== 'open') return false;
    try {
      this.ch.send(s);
      return true;
    } catch {
      return false;
    }
  }

  private sendPointer(): void {
    this.pointerTimer = null;
    const p = this.pendingPointer;
    if (!p) return;
    this.pendingPointer = null;
    this.lastPointerAt = this.now();
    this.send(encodeWb({ type: 'pointer', x: p.x, y: p.y, ...(p.tool === 'laser' ? { tool: 'laser' } : {}), ...(p.button === 'down' ? { button: 'down' } : {}) }));
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.flushMs);
  }

  /** Sends the queued elements (after the snapshot: until then they wait). */
  flush(): void {
    if (!this.ready || !this.outgoing.size) return;
    const wait = this.pausedUntil - this.now();
    if (wait > 0) {
      if (!this.flushTimer)
        this.flushTimer = setTimeout(() => {
          this.flushTimer = null;
          this.flush();
        }, wait);
      return;
    }
    const els = [...this.outgoing.values()];
    this.outgoing.clear();
    // The objects may have changed in place since they were queued: what is sent is
    // their state now, and that version is seen.
    for (const e of els) if (newer(e, this.seen.get(e.id))) this.see(e);
    const { messages, tooLarge } = packUpdates(els, () => this.nextId());
    for (const m of messages) {
      if (!this.send(m)) {
        for (const e of els) this.outgoing.set(e.id, e);
        return;
      }
    }
    if (tooLarge.length) this.emit('error', { code: 'too_large', message: `${tooLarge.length} element(s) too large to share` });
  }

  private onOpen = () => {
    // The server attaches on open and sends the snapshot.
  };

  private onClose = () => {
    this.loaded = false;
    this.emit('ready', false);
  };

  private onMessage = (ev: { data?: unknown }) => {
    if (typeof ev.data !== 'string') return;
    let m: WbServerMessage;
    try {
      m = decodeWb(ev.data);
    } catch (e) {
      console.warn('whiteboard: ignoring a message:', e);
      return;
    }
    this.apply(m);
  };

  /** Applies one server message (exported for tests through a fake channel). */
  apply(m: WbServerMessage): void {
    switch (m.type) {
      case 'snapshot': {
        if (m.part === 1 || m.seq !== this.snapSeq) {
          this.snapParts = [];
          this.snapSeq = m.seq;
        }
        this.snapParts[m.part - 1] = m.elements;
        if (m.part !== m.parts) return;
        const all = this.snapParts.flat();
        this.snapParts = [];
        // The snapshot is the board; local elements it lacks or that are newer are
        // edits the server has not seen (made while disconnected): keep and resend.
        const next = new Map<string, WbElement>();
        this.serverVersion.clear();
        for (const e of all) {
          next.set(e.id, e);
          this.serverVersion.set(e.id, e.version);
        }
        for (const [id, e] of this.board) {
          if (newer(e, next.get(id)) && sendable(e)) {
            next.set(id, e);
            this.outgoing.set(id, e);
          }
        }
        this.board = next;
        this.seen.clear();
        for (const e of next.values()) this.see(e);
        this.seq = m.seq;
        this.loaded = true;
        this.emit('scene', this.elements());
        this.emit('ready', true);
        if (this.outgoing.size) this.scheduleFlush();
        return;
      }
      case 'update': {
        if (!this.loaded || m.seq <= this.seq) return;
        if (m.seq !== this.seq + 1) {
          // A gap cannot happen with a correct server: reopen for a fresh snapshot (§8.2).
          this.resync();
          return;
        }
        this.seq = m.seq;
        for (const e of m.elements) this.serverVersion.set(e.id, Math.max(e.version, this.serverVersion.get(e.id) ?? 0));
        const changed = mergeInto(this.board, m.elements, this.editingId);
        for (const id of changed) {
          this.outgoing.delete(id);
          this.see(this.board.get(id)!);
        }
        if (changed.length) this.emit('scene', this.elements());
        this.emit('activity', { from: m.from });
        return;
      }
      case 'cleared':
        if (this.loaded && m.seq !== this.seq + 1 && m.seq > this.seq) {
          this.resync();
          return;
        }
        this.seq = m.seq;
        this.board.clear();
        this.seen.clear();
        this.serverVersion.clear();
        this.outgoing.clear();
        this.emit('cleared', { by: m.by });
        this.emit('scene', []);
        return;
      case 'pointer':
        this.emit('pointer', { from: m.from, x: m.x, y: m.y, tool: m.tool ?? 'pointer', button: m.button ?? 'up', at: this.now() });
        this.emit('activity', { from: m.from });
        return;
      case 'error':
        if (m.code === 'rate_limited') {
          // Back off, then send again whatever the server has not confirmed (§8.3).
          this.pausedUntil = this.now() + 1000;
          for (const [id, e] of this.board) if (e.version > (this.serverVersion.get(id) ?? 0) && sendable(e)) this.outgoing.set(id, e);
          this.scheduleFlush();
          return;
        }
        this.emit('error', { code: m.code, message: m.message });
        return;
      case 'ack':
        return;
    }
  }
}
