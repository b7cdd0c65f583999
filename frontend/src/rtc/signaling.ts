// The session's signaling over /rtc (docs/rtc-protocol.md §1, §8, §9). A SignalSocket
// is one WebSocket: text frames of the protocol, application-level ping/pong (browsers
// cannot send WebSocket pings) and a dead-socket check after three missed pongs; it is
// used once. Signaling holds the session's sockets one after the other: it joins, and
// when a socket drops it resumes on a new one within the 30 s window (backoff.ts), or
// joins afresh with a new join token after it; a close that means the end ends the
// session. What joined starts, and every other message, is the session's.
import { ResumeSchedule } from './backoff';
import {
  CloseCode,
  closeAction,
  decode,
  encode,
  ProtocolError,
  type ByeReason,
  type ClientMessage,
  type ClientMessageType,
  type Joined,
  type ServerMessage,
} from './protocol';

/** The /rtc URL of the page's origin. */
export function rtcURL(loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/rtc`;
}

export interface SignalHandlers {
  onMessage: (m: ServerMessage) => void;
  /** The socket closed (code 1006 when it died without a close frame). */
  onClose: (code: number, reason: string) => void;
  /** Three pongs were missed: the socket is taken for dead (the handler closes it with 4100). */
  onDead: () => void;
  /** A frame from the server could not be decoded. */
  onProtocolError?: (e: ProtocolError) => void;
  /** A message went out (diagnostics). */
  onSend?: (type: ClientMessageType) => void;
}

/** The WebSocket constructor, replaceable in tests. */
export type SocketFactory = (url: string) => WebSocket;

export class SignalSocket {
  private ws: WebSocket | null = null;
  private handlers: SignalHandlers | null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private missed = 0;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    handlers: SignalHandlers,
    private readonly factory: SocketFactory = (u) => new WebSocket(u),
  ) {
    this.handlers = handlers;
  }

  /** Opens the socket; resolves when it is open, rejects when it fails first. */
  open(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const ws = this.factory(this.url);
      this.ws = ws;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.detach();
        try {
          ws.close();
        } catch {
          // ignore
        }
        reject(new Error('rtc: connect timeout'));
      }, timeoutMs);
      ws.onopen = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        this.missed = 0; // any frame shows the server is alive
        let m: ServerMessage;
        try {
          m = decode(ev.data);
        } catch (e) {
          if (e instanceof ProtocolError) this.handlers?.onProtocolError?.(e);
          return;
        }
        this.handlers?.onMessage(m);
      };
      ws.onclose = (ev) => {
        this.stopKeepalive();
        this.closed = true;
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`rtc: connect failed (${ev.code})`));
          return;
        }
        this.handlers?.onClose(ev.code, ev.reason);
      };
      ws.onerror = () => {
        // onclose follows with the code.
      };
    });
  }

  /** Whether the socket is open. */
  get isOpen(): boolean {
    return !!this.ws && this.ws.readyState === 1 && !this.closed;
  }

  /** Sends a message; returns its id, or null when the socket is not open. */
  send(m: ClientMessage, withId = false): string | null {
    if (!this.isOpen) return null;
    const id = withId ? `c${++this.seq}` : undefined;
    this.ws!.send(encode(m, id));
    this.handlers?.onSend?.(m.type);
    return id ?? '';
  }

  /** Sends ping every intervalMs; three unanswered pings call onDead. */
  startKeepalive(intervalMs: number): void {
    this.stopKeepalive();
    const every = Math.max(1000, Math.min(intervalMs, 60_000));
    this.pingTimer = setInterval(() => {
      if (!this.isOpen) return;
      if (this.missed >= 3) {
        this.stopKeepalive();
        this.handlers?.onDead();
        return;
      }
      this.missed++;
      this.send({ type: 'ping', data: { ts: Date.now() } });
    }, every);
  }

  private stopKeepalive(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Stops delivering events without closing. */
  detach(): void {
    this.handlers = null;
    this.stopKeepalive();
  }

  /**
   * Closes the socket with code after detaching: 1000 when leaving, 4100 when the
   * socket is taken for dead and the session resumes on a new one (§8: any other close
   * from the client tells the server that the participant left).
   */
  close(code: number = CloseCode.Normal): void {
    this.detach();
    try {
      this.ws?.close(code);
    } catch {
      // ignore
    }
  }
}

/** The session's connection state. */
export type ConnState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** Why a session ended. */
export type EndReason = ByeReason | 'forbidden' | 'unauthorized' | 'failed';

/** What Signaling needs from the session. */
export interface SignalingHost {
  /** The session's state. */
  readonly state: ConnState;
  /** A socket dropped or the join is renewed: the session is reconnecting. */
  reconnecting(): void;
  /** A socket is about to open (resume: to resume as the same participant). */
  opening(resume: boolean): void;
  /** Joined on a new socket; resumed: as the same participant, on the same connection (§9). */
  joined(d: Joined, resumed: boolean): void;
  /** A message from the server (every one but joined). */
  message(m: ServerMessage): void;
  /** The socket dropped and a resume follows: what was in flight on it is lost. */
  dropped(): void;
  /** The session is over. */
  finish(reason: EndReason, message?: string): void;
}

export interface SignalingOptions {
  /** The join token of joinMeeting (single use; also needed to resume). */
  token: string;
  /** Gets a new join token for a fresh join after the resume window (or null: give up). */
  renewToken?: () => Promise<string | null>;
  url?: string;
  socketFactory?: SocketFactory;
  device?: { client?: string; version?: string };
}

export class Signaling {
  private token: string;
  private renewToken: (() => Promise<string | null>) | undefined;
  private resumeToken: string | null = null;
  private pid: string | null = null;
  private sock: SignalSocket | null = null;
  private schedule: ResumeSchedule | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private joinWaiter: { id: string; resolve: (m: ServerMessage & { type: 'joined' }) => void; reject: (e: Error) => void } | null = null;
  /** The server said the session ends (notice removed / meetingEnded; bye follows). */
  private endNotice: 'removed' | 'meetingEnded' | null = null;
  /** The error that answered the join: the close that follows (4401/4403) ends with its message. */
  private lastError: { code: string; message: string } | null = null;
  /** Messages sent, by type (diagnostics). */
  private sent: Partial<Record<ClientMessageType, number>> = {};

  constructor(
    private readonly opts: SignalingOptions,
    private readonly host: SignalingHost,
  ) {
    this.token = opts.token;
    this.renewToken = opts.renewToken;
  }

  /** The participant's id, once joined (a fresh join gives a new one). */
  get participantId(): string | null {
    return this.pid;
  }

  /** The current socket, or null. */
  get socket(): SignalSocket | null {
    return this.sock;
  }

  /** How many messages of each type were sent (diagnostics and tests). */
  get sentCounts(): Partial<Record<ClientMessageType, number>> {
    return { ...this.sent };
  }

  /** Connects and joins; a failed first connect is retried within the window like a drop. */
  async start(): Promise<void> {
    try {
      await this.connect(false);
    } catch (e) {
      if (this.ended) return;
      const code = (e as { closeCode?: number }).closeCode;
      if (code !== undefined && closeAction(code) !== 'resume') return; // onClose decided
      this.onDrop(e instanceof Error ? e.message : String(e));
    }
  }

  /** Sends on the current socket; returns the message's id ('' without one), or null when not open. */
  send(m: ClientMessage, withId = false): string | null {
    return this.sock?.send(m, withId) ?? null;
  }

  /**
   * Drops the current socket, taken for dead, and resumes on a new one. It is closed
   * with 4100 ("reconnecting"): the server keeps the participant for the resume window
   * (any other close from the client means it left, §8, §9).
   */
  drop(why: string): void {
    this.sock?.close(CloseCode.Reconnecting);
    this.onDrop(why);
  }

  /** The server said the session ends (bye follows); if the socket dies first, it still ends for this reason. */
  expectEnd(reason: 'removed' | 'meetingEnded'): void {
    this.endNotice = reason;
  }

  /** An error from the server: one answering the join is kept for the close that follows. */
  noteError(e: { code: string; message: string; refId?: string }): void {
    if (this.joinWaiter && (!e.refId || e.refId === this.joinWaiter.id)) this.lastError = e;
  }

  /** Closes for good (the session ended): no resume, the join in progress is dropped. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.joinWaiter?.reject(new Error('rtc: ended'));
    this.joinWaiter = null;
    this.sock?.close(CloseCode.Normal);
    this.sock = null;
  }

  private get ended(): boolean {
    return this.host.state === 'ended';
  }

  /** Opens a socket and joins (or resumes); the session then sets up the connection or restarts its ICE. */
  private async connect(resume: boolean): Promise<void> {
    const old = this.sock;
    const sock = new SignalSocket(
      this.opts.url ?? rtcURL(),
      {
        onMessage: (m) => this.onMessage(m),
        onClose: (code) => this.onClose(sock, code),
        onDead: () => {
          if (this.sock === sock) this.drop('keepalive');
          else sock.close(CloseCode.Reconnecting);
        },
        onProtocolError: (e) => console.warn('rtc: ignoring a frame:', e.message),
        onSend: (type) => {
          this.sent[type] = (this.sent[type] ?? 0) + 1;
        },
      },
      this.opts.socketFactory,
    );
    this.sock = sock;
    this.host.opening(resume);
    await sock.open();
    const joined = await new Promise<ServerMessage & { type: 'joined' }>((resolve, reject) => {
      const data: ClientMessage & { type: 'join' } = {
        type: 'join',
        data: {
          token: this.token,
          device: {
            client: this.opts.device?.client ?? 'web',
            version: this.opts.device?.version ?? '1',
            userAgent: typeof navigator !== 'undefined' ? navigator.userAgent.slice(0, 256) : undefined,
          },
        },
      };
      if (resume && this.resumeToken) data.data.resumeToken = this.resumeToken;
      const id = sock.send(data, true);
      if (id === null) {
        reject(new Error('rtc: socket closed'));
        return;
      }
      this.joinWaiter = { id, resolve, reject };
    });
    this.joinWaiter = null;
    // The resumed socket won: the old one was taken for dead (closed with 4100 when it
    // was dropped; again here in case it was not: any other code would mean "left").
    if (old && old !== sock) old.close(CloseCode.Reconnecting);
    const d = joined.data;
    const sameParticipant = resume && d.resumed && d.participantId === this.pid;
    this.pid = d.participantId;
    this.resumeToken = d.resumeToken;
    sock.startKeepalive(d.pingIntervalMs);
    this.schedule = null;
    this.host.joined(d, sameParticipant);
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'joined') {
      if (this.joinWaiter && (!m.id || m.id === this.joinWaiter.id)) this.joinWaiter.resolve(m);
      return;
    }
    this.host.message(m);
  }

  private onClose(sock: SignalSocket, code: number): void {
    if (sock !== this.sock) return;
    const joining = !!this.joinWaiter;
    if (this.joinWaiter) {
      const w = this.joinWaiter;
      this.joinWaiter = null;
      w.reject(Object.assign(new Error(`rtc: closed ${code}`), { closeCode: code }));
    }
    if (this.ended) return;
    if (this.endNotice) {
      this.host.finish(this.endNotice);
      return;
    }
    switch (closeAction(code)) {
      case 'stop':
        this.host.finish(
          code === CloseCode.Replaced ? 'replaced' : code === CloseCode.MeetingEnded ? 'meetingEnded' : code === CloseCode.Forbidden ? (joining ? 'forbidden' : 'removed') : code === CloseCode.Normal ? 'left' : 'failed',
          this.lastError?.message,
        );
        return;
      case 'newToken':
        void this.freshJoin();
        return;
      default:
        this.onDrop(`closed ${code}`);
    }
  }

  /** The socket dropped: resume within the window (reconnecting state). */
  private onDrop(why: string): void {
    if (this.ended) return;
    if (this.endNotice) {
      this.host.finish(this.endNotice);
      return;
    }
    console.info('rtc: connection lost:', why);
    this.host.dropped();
    if (!this.schedule) this.schedule = new ResumeSchedule(Date.now());
    this.host.reconnecting();
    const delay = this.schedule.next(Date.now());
    if (delay === null) {
      void this.freshJoin();
      return;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.host.state !== 'reconnecting') return;
      this.connect(!!this.resumeToken && !!this.pid).catch((e: Error & { closeCode?: number }) => {
        if (this.ended) return;
        if (e.closeCode !== undefined && closeAction(e.closeCode) !== 'resume') return; // onClose decided
        this.onDrop(e.message);
      });
    }, delay);
  }

  /** The resume token is dead (window over): join afresh with a new join token. */
  private async freshJoin(): Promise<void> {
    if (this.ended) return;
    const renew = this.renewToken;
    if (!renew) {
      this.host.finish('unauthorized', this.lastError?.message);
      return;
    }
    this.host.reconnecting();
    let token: string | null = null;
    try {
      token = await renew();
    } catch {
      token = null;
    }
    if (!token || this.ended) {
      this.host.finish('unauthorized', this.lastError?.message);
      return;
    }
    this.token = token;
    this.resumeToken = null;
    this.pid = null;
    this.schedule = null;
    this.renewToken = undefined; // one fresh join per drop; a second 4401 ends
    try {
      await this.connect(false);
      this.renewToken = renew;
    } catch (e) {
      this.renewToken = renew;
      const code = (e as { closeCode?: number }).closeCode;
      if (code !== undefined && closeAction(code) !== 'resume') return;
      this.onDrop(e instanceof Error ? e.message : String(e));
    }
  }
}
