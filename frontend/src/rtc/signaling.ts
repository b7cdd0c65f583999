// One WebSocket to /rtc (docs/rtc-protocol.md §1, §9): text frames of the protocol,
// application-level ping/pong (browsers cannot send WebSocket pings) and a dead-socket
// check after three missed pongs. A SignalSocket is used once; the session opens a new
// one to resume.
import { decode, encode, ProtocolError, type ClientMessage, type ClientMessageType, type ServerMessage } from './protocol';

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
  close(code = 1000): void {
    this.detach();
    try {
      this.ws?.close(code);
    } catch {
      // ignore
    }
  }
}
