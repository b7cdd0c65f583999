// Negotiation: the participant's one peer connection with the SFU (docs/rtc-protocol.md
// §1). It carries what the participant sends (microphone, camera with three simulcast
// layers, screen share), the whiteboard data channel, and the remote tracks on
// receive-only m-lines. The client always offers and the server always answers: the
// server asks for offers with `offerRequest`, the client adds the receive-only
// transceivers it asks for and offers; one offer is in flight at a time and reasons that
// come meanwhile make one more offer after the answer. Which remote track an m-line
// carries is read from the answer (a=mid + a=msid); m-lines are reused for the next
// track of their kind. It also says which remote videos are shown, and how large
// (subscribe). It sends on the session's current socket and knows nothing of joining,
// resuming or the meeting's state.
import type { Shown } from './prefs';
import {
  CAMERA_ENCODINGS,
  cameraLayers,
  type ClientMessage,
  type IceServerInfo,
  type Kind,
  type OfferRequest,
  type ServerMessage,
  type Source,
  type TrackPublished,
} from './protocol';
import { msidsByMid, receivedTrackId, type MsidInfo } from './sdp';
import { Subscriptions } from './subscriptions';

/** A remote track the participant receives. */
export interface RemoteTrack {
  trackId: string;
  participantId: string;
  kind: Kind;
  source: Source;
  /**
   * The browser's track: the receiver's track of the m-line that carries it, null until
   * an answer put it on one. M-lines are reused, so the same MediaStreamTrack object
   * may later carry another remote track (of another participant): key by trackId.
   */
  track: MediaStreamTrack | null;
}

/** A socket the negotiation sends on (the session's SignalSocket). */
export interface Signal {
  readonly isOpen: boolean;
  /** Sends a message; returns its id ('' without one), or null when the socket is not open. */
  send(m: ClientMessage, withId?: boolean): string | null;
}

/** What the negotiation needs from the session. */
export interface NegotiationHost {
  /** The current /rtc socket, or null between sockets. */
  socket(): Signal | null;
  /** The session is connected (joined on the current socket): offers and preferences may go. */
  readonly connected: boolean;
  readonly ended: boolean;
  /** The connection is lost (ICE failed, an offer got no answer): resume on a new socket. */
  lost(why: string): void;
  /** The remote tracks changed (a new list). */
  tracks(list: RemoteTrack[]): void;
  /** A whiteboard data channel opened (a new one after it was reopened). */
  whiteboard(dc: RTCDataChannel): void;
}

/** What the participant sends when the connection is set up. */
export interface Outgoing {
  micTrack: MediaStreamTrack | null;
  micMuted: boolean;
  cameraTrack: MediaStreamTrack | null;
  /** The screen being shared, if any. */
  screenTrack: MediaStreamTrack | null;
}

/** Inbound RTP counters of one remote track, with the mid of its m-line. */
export interface InboundStat {
  trackId: string;
  participantId: string;
  kind: string;
  source: string;
  mid: string;
  packetsReceived: number;
  framesDecoded: number;
  frameWidth: number;
  bytesReceived: number;
}

/** Outbound RTP counters of what the participant sends, per rid. */
export interface OutboundStat {
  kind: string;
  rid: string;
  packetsSent: number;
  frameWidth: number;
}

interface PendingPublish {
  cid: string;
  transceiver: RTCRtpTransceiver;
  kind: Kind;
  source: Source;
  muted: boolean;
  layers?: ReturnType<typeof cameraLayers>;
}

/** How long an offer waits for its answer before the negotiation gives up on it. */
const ANSWER_TIMEOUT_MS = 15_000;

function toRTCIce(list: IceServerInfo[]): RTCIceServer[] {
  return list.filter((s) => s.urls.length).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

let cidSeq = 0;
const newCid = (p: string) => `${p}-${Date.now().toString(36)}-${++cidSeq}`;

export class Negotiation {
  private pc: RTCPeerConnection | null = null;
  private board: RTCDataChannel | null = null;

  private micTx: RTCRtpTransceiver | null = null;
  private camTx: RTCRtpTransceiver | null = null;
  private screenTx: RTCRtpTransceiver | null = null;
  /** Publish messages for the next offer. */
  private pending: PendingPublish[] = [];
  /** Publish messages sent with the offer in flight: sent again if that offer is lost. */
  private unanswered: PendingPublish[] = [];
  /** Own published tracks by cid → server trackId. */
  private ownTrackIds = new Map<string, string>();
  private micCid = '';
  private camCid = '';
  private screenCid = '';

  private remote = new Map<string, TrackPublished>();
  private remoteList: RemoteTrack[] = [];
  /** The m-lines of the last answer applied, by mid. */
  private midInfo = new Map<string, MsidInfo>();

  /** What is shown of the remote videos, sent as subscribe preferences. */
  private readonly subs = new Subscriptions(
    () => [...this.remote.values()].filter((t) => t.kind === 'video').map((t) => t.trackId),
    () => {
      const sock = this.host.socket();
      if (!sock?.isOpen || !this.host.connected) return null;
      return (tracks) => sock.send({ type: 'subscribe', data: { tracks } }) !== null;
    },
  );

  // One serialized loop (negotiate) sends an offer whenever one is wanted and none is
  // in flight.
  /** A reason to offer came and no offer carrying it was sent yet. */
  private offerWanted = false;
  /** The next offer restarts ICE. */
  private restartWanted = false;
  /** The negotiation loop runs. */
  private negotiating = false;
  /** The deferred first offer after joined (lets an offerRequest of the same burst fold in). */
  private offerTimer: ReturnType<typeof setTimeout> | null = null;
  /** The offer in flight; its message id lets an error answering it end the wait. */
  private answerWaiter: { id: string; resolve: (sdp: string) => void; reject: (e: Error) => void } | null = null;
  /** Receive-only transceivers asked for before the connection existed. */
  private recvWanted = { audio: 0, video: 0 };
  /** Remote candidates that came before the first answer. */
  private pendingCandidates: RTCIceCandidateInit[] = [];

  /** The server's budget of whiteboard channel opens per participant. */
  private boardOpens = new OpenBudget();

  constructor(
    private readonly host: NegotiationHost,
    private readonly answerTimeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** Whether a connection exists. */
  get active(): boolean {
    return this.pc !== null;
  }

  /** The remote tracks. */
  get remoteTracks(): RemoteTrack[] {
    return this.remoteList;
  }

  /** The current whiteboard channel, if open or opening. */
  get whiteboardChannel(): RTCDataChannel | null {
    return this.board;
  }

  /**
   * A new socket opens: what the server announces on it replaces what the old one
   * said (cleared before joined, since its announcements may follow joined in the same
   * burst). A fresh join (not resume) forgets the own tracks' ids too.
   */
  socketOpening(resume: boolean): void {
    this.recvWanted = { audio: 0, video: 0 };
    this.remote.clear();
    this.subs.resetSent();
    if (!resume) this.ownTrackIds.clear();
  }

  /**
   * Resumed as the same participant (§9): the server re-announces the tracks (what is
   * not re-announced is gone) and asks again for m-lines it still needs; the next offer
   * restarts ICE. An offer in flight on the old socket was forgotten when it dropped:
   * the connection may still be in have-local-offer, and the next offer is created from
   * there (the mids stay what the publish messages said).
   */
  resumed(): void {
    this.wantOffer(true, true);
    this.subs.schedule();
  }

  /**
   * A first join, or a fresh join after the window: a new connection from scratch with
   * what the participant sends, the whiteboard channel and the receive-only m-lines of
   * the room's tracks (offerRequest of joined). Its first offer is deferred by a
   * macrotask: an offerRequest that came in the same burst as joined (the others'
   * tracks) adds its m-lines to it, saving a round trip.
   */
  start(iceServers: IceServerInfo[], out: Outgoing, offerRequest?: OfferRequest): void {
    this.close();
    this.boardOpens = new OpenBudget(); // a new participant on the server
    this.publishRemote();
    if (offerRequest) {
      this.recvWanted.audio += offerRequest.audio;
      this.recvWanted.video += offerRequest.video;
    }
    this.setup(iceServers, out);
    this.wantOffer(false, true);
  }

  /** The socket dropped: the offer in flight will get no answer. */
  socketLost(): void {
    if (this.answerWaiter) {
      this.answerWaiter.reject(new Error('rtc: socket dropped'));
      this.answerWaiter = null;
    }
  }

  /** The messages of the negotiation: answer, offerRequest, candidate. */
  onMessage(m: Extract<ServerMessage, { type: 'answer' | 'offerRequest' | 'candidate' }>): void {
    switch (m.type) {
      case 'answer':
        if (this.answerWaiter) {
          const w = this.answerWaiter;
          this.answerWaiter = null;
          w.resolve(m.data.sdp);
        } else {
          console.warn('rtc: ignoring an answer without an offer in flight');
        }
        break;
      case 'offerRequest':
        this.onOfferRequest(m.data);
        break;
      case 'candidate': {
        if (!m.data.candidate) break;
        const init: RTCIceCandidateInit = { candidate: m.data.candidate, sdpMid: m.data.sdpMid ?? null, sdpMLineIndex: m.data.sdpMLineIndex ?? null };
        if (m.data.usernameFragment) init.usernameFragment = m.data.usernameFragment;
        const pc = this.pc;
        if (!pc || !pc.remoteDescription) this.pendingCandidates.push(init);
        else pc.addIceCandidate(init).catch((e) => console.warn('rtc: candidate rejected', e));
        break;
      }
    }
  }

  /** An error answering the offer in flight (refId): no answer will come. True when it was that. */
  offerRefused(e: { code: string; message: string; refId?: string }): boolean {
    if (!e.refId || this.answerWaiter?.id !== e.refId) return false;
    const w = this.answerWaiter;
    this.answerWaiter = null;
    w.reject(new Error(`rtc: offer refused: ${e.code} ${e.message}`));
    return true;
  }

  /**
   * The server announced one of the participant's own tracks: its id, for mute and
   * unpublish. Returns the source it was published as (undefined: an old one).
   */
  ownTrackPublished(cid: string, trackId: string): Source | undefined {
    this.ownTrackIds.set(cid, trackId);
    return cid === this.micCid ? 'microphone' : cid === this.camCid ? 'camera' : cid === this.screenCid ? 'screen' : undefined;
  }

  /** The server announced another participant's track. */
  remoteTrackPublished(t: TrackPublished): void {
    this.remote.set(t.trackId, t);
    this.publishRemote();
    this.subs.schedule();
  }

  /** A track is gone: an own one forgets its id; a remote one leaves the list. */
  trackUnpublished(trackId: string, own: boolean): void {
    if (own) {
      for (const [cid, id] of this.ownTrackIds) if (id === trackId) this.ownTrackIds.delete(cid);
      return;
    }
    this.remote.delete(trackId);
    this.subs.forget(trackId);
    this.publishRemote();
  }

  /** The server's id of the track of source, once announced. */
  trackIdOf(source: 'microphone' | 'camera'): string | undefined {
    return this.ownTrackIds.get(source === 'microphone' ? this.micCid : this.camCid);
  }

  /** Puts track (or nothing) on the sender of source (replaceTrack: no renegotiation). */
  async replaceTrack(source: 'microphone' | 'camera', track: MediaStreamTrack | null): Promise<void> {
    await (source === 'microphone' ? this.micTx : this.camTx)?.sender.replaceTrack(track);
  }

  /** Sends the screen's track on a new m-line (published with the next offer). */
  addScreen(track: MediaStreamTrack): void {
    if (!this.pc) return;
    this.screenCid = newCid('scr');
    this.screenTx = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [] });
    this.pending.push({ cid: this.screenCid, transceiver: this.screenTx, kind: 'video', source: 'screen', muted: false });
    this.wantOffer(false);
  }

  /**
   * Stops sending the screen: unpublish now, then its transceiver goes inactive with the
   * next offer (not stopped: a stopped m-line could be recycled by the browser for
   * another transceiver under the server's feet). beforeOffer runs between the two.
   */
  async removeScreen(beforeOffer: () => void): Promise<void> {
    const tx = this.screenTx;
    const id = this.ownTrackIds.get(this.screenCid);
    this.screenTx = null;
    this.pending = this.pending.filter((p) => p.transceiver !== tx);
    this.unanswered = this.unanswered.filter((p) => p.transceiver !== tx);
    if (id) this.host.socket()?.send({ type: 'unpublish', data: { trackId: id } });
    this.ownTrackIds.delete(this.screenCid);
    beforeOffer();
    if (tx && this.pc && this.pc.signalingState !== 'closed') {
      try {
        await tx.sender.replaceTrack(null);
        tx.direction = 'inactive';
      } catch {
        // closed meanwhile
      }
      this.wantOffer(false);
    }
  }

  /**
   * Says how a remote video track is shown: its rendered size in CSS pixels, or null
   * when it is not shown (the server then sends nothing for it). Debounced.
   */
  setVideoShown(trackId: string, size: Shown | null): void {
    this.subs.setShown(trackId, size);
  }

  /** Inbound RTP counters per remote track (with the mid of its m-line). */
  async inboundStats(): Promise<InboundStat[]> {
    if (!this.pc) return [];
    const out: InboundStat[] = [];
    for (const tx of this.pc.getTransceivers()) {
      const mid = tx.mid;
      const trackId = mid ? receivedTrackId(this.midInfo.get(mid)) : null;
      if (!mid || !trackId) continue;
      const tp = this.remote.get(trackId);
      if (!tp) continue;
      const stats = await tx.receiver.getStats();
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        out.push({
          trackId,
          participantId: tp.participantId,
          kind: tp.kind,
          source: tp.source,
          mid,
          packetsReceived: Number(s.packetsReceived ?? 0),
          framesDecoded: Number(s.framesDecoded ?? 0),
          frameWidth: Number(s.frameWidth ?? 0),
          bytesReceived: Number(s.bytesReceived ?? 0),
        });
      });
    }
    return out;
  }

  /** Outbound RTP counters of what the participant sends (per rid). */
  async outboundStats(): Promise<OutboundStat[]> {
    if (!this.pc) return [];
    const out: OutboundStat[] = [];
    const stats = await this.pc.getStats();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'outbound-rtp') return;
      out.push({ kind: String(s.kind), rid: String(s.rid ?? ''), packetsSent: Number(s.packetsSent ?? 0), frameWidth: Number(s.frameWidth ?? 0) });
    });
    return out;
  }

  /** Ends for good: timers stop, the offer in flight is dropped, the connection closes and the remote tracks go. */
  end(): void {
    this.subs.stop();
    this.answerWaiter?.reject(new Error('rtc: ended'));
    this.answerWaiter = null;
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    this.close();
  }

  /** Forgets the remote tracks (the session ended). */
  forgetRemote(): void {
    this.remote.clear();
    this.publishRemote();
  }

  // ---- the connection ----------------------------------------------------------------

  /** Creates the connection with what the participant sends and the whiteboard channel. */
  private setup(iceServers: IceServerInfo[], out: Outgoing): void {
    const pc = new RTCPeerConnection({ iceServers: toRTCIce(iceServers), bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    this.pendingCandidates = [];
    this.unanswered = [];
    this.midInfo = new Map();
    pc.onicecandidate = (ev) => this.sendCandidate(ev.candidate);
    pc.ontrack = () => this.publishRemote();
    pc.onconnectionstatechange = () => this.onPeerState(pc);

    this.micCid = newCid('mic');
    this.camCid = newCid('cam');
    this.micTx = pc.addTransceiver(out.micTrack ?? 'audio', { direction: 'sendonly', streams: [] });
    this.camTx = pc.addTransceiver(out.cameraTrack ?? 'video', {
      direction: 'sendonly',
      streams: [],
      sendEncodings: CAMERA_ENCODINGS.map((e) => ({ ...e })),
    });
    const s = out.cameraTrack?.getSettings();
    this.pending = [
      // The microphone's self mute from the start (publish.muted): no mute afterwards.
      { cid: this.micCid, transceiver: this.micTx, kind: 'audio', source: 'microphone', muted: out.micMuted },
      // A camera that is off has no track and sends nothing: the server announces it only
      // once frames flow, i.e. once it is on (so it is never published muted).
      { cid: this.camCid, transceiver: this.camTx, kind: 'video', source: 'camera', muted: false, layers: cameraLayers(s?.width ?? 1280, s?.height ?? 720, s?.frameRate ?? 30) },
    ];
    if (out.screenTrack) {
      this.screenCid = newCid('scr');
      this.screenTx = pc.addTransceiver(out.screenTrack, { direction: 'sendonly', streams: [] });
      this.pending.push({ cid: this.screenCid, transceiver: this.screenTx, kind: 'video', source: 'screen', muted: false });
    }
    const { audio, video } = this.recvWanted;
    this.recvWanted = { audio: 0, video: 0 };
    this.addReceivers(pc, audio, video);
    this.openWhiteboard();
  }

  /** Opens the whiteboard data channel (reliable, ordered); only the first one needs an offer. */
  private openWhiteboard(): void {
    if (!this.pc) return;
    this.boardOpens.take(Date.now());
    const dc = this.pc.createDataChannel('whiteboard', { ordered: true });
    this.board = dc;
    dc.addEventListener('close', () => {
      if (this.board !== dc || this.host.ended || !this.pc || this.pc.connectionState === 'closed') return;
      // The server closes a channel it gave up on (or the client did, after a gap); a
      // new one gets a fresh snapshot. Each open costs the server a snapshot, so it
      // allows a few and then one per 10 s: wait for that (a channel opened too early
      // would be closed at once).
      setTimeout(() => {
        if (this.board === dc && this.pc && this.host.connected) this.openWhiteboard();
      }, Math.max(1000, this.boardOpens.wait(Date.now())));
    });
    this.host.whiteboard(dc);
  }

  private onPeerState(pc: RTCPeerConnection): void {
    if (pc !== this.pc) return;
    if (pc.connectionState === 'failed' && this.host.connected) {
      // ICE failed while signaling may still work: resume on a new socket, whose first
      // offer restarts ICE (and repairs anything the old socket lost).
      this.host.lost('ice failed');
    }
  }

  private sendCandidate(c: RTCIceCandidate | null): void {
    const sock = this.host.socket();
    if (!c || !c.candidate) {
      sock?.send({ type: 'candidate', data: { candidate: null } });
      return;
    }
    const data: ClientMessage & { type: 'candidate' } = { type: 'candidate', data: { candidate: c.candidate } };
    if (c.sdpMid != null) data.data.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex != null) data.data.sdpMLineIndex = c.sdpMLineIndex;
    if (c.usernameFragment) data.data.usernameFragment = c.usernameFragment;
    try {
      sock?.send(data);
    } catch (e) {
      console.warn('rtc: candidate not sent', e);
    }
  }

  /** Closes the connection; a negotiation loop still running notices and stops. */
  private close(): void {
    try {
      this.board?.close();
    } catch {
      // ignore
    }
    this.board = null;
    this.pc?.close();
    this.pc = null;
    this.micTx = this.camTx = this.screenTx = null;
    this.midInfo = new Map();
    this.pending = [];
    this.unanswered = [];
    this.restartWanted = false;
    if (this.answerWaiter) {
      this.answerWaiter.reject(new Error('rtc: connection closed'));
      this.answerWaiter = null;
    }
  }

  // ---- offers and answers (§1) ----------------------------------------------------------

  /** Adds receive-only transceivers for the tracks the server has for us. */
  private addReceivers(pc: RTCPeerConnection, audio: number, video: number): void {
    for (let i = 0; i < audio; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
    for (let i = 0; i < video; i++) pc.addTransceiver('video', { direction: 'recvonly' });
  }

  /** offerRequest: the transceivers it asks for are added at once, even with an offer in flight; then offer. */
  private onOfferRequest(r: OfferRequest): void {
    const pc = this.pc;
    if (!pc || pc.signalingState === 'closed') {
      // Before the connection exists (the continuation of joined has not run yet).
      this.recvWanted.audio += r.audio;
      this.recvWanted.video += r.video;
      return;
    }
    this.addReceivers(pc, r.audio, r.video);
    this.wantOffer(false);
  }

  /**
   * Asks for an offer: now, or after the answer to the one in flight (any number of
   * reasons meanwhile make one offer). restart: the offer restarts ICE. defer: start
   * after a macrotask, so that messages of the same burst are folded in.
   */
  private wantOffer(restart: boolean, defer = false): void {
    this.offerWanted = true;
    this.restartWanted ||= restart;
    if (this.negotiating || this.offerTimer) return;
    if (defer) {
      this.offerTimer = setTimeout(() => {
        this.offerTimer = null;
        void this.negotiate();
      }, 0);
      return;
    }
    void this.negotiate();
  }

  /**
   * The negotiation loop: offers while an offer is wanted, one at a time, each after
   * the previous one was answered (or lost). It stops when the socket is not usable;
   * offerWanted then stays set and the resume offers.
   */
  private async negotiate(): Promise<void> {
    if (this.negotiating) return;
    this.negotiating = true;
    try {
      while (this.offerWanted) {
        const pc = this.pc;
        const sock = this.host.socket();
        if (!pc || pc.signalingState === 'closed' || !sock?.isOpen || !this.host.connected) return;
        this.offerWanted = false;
        const restart = this.restartWanted;
        this.restartWanted = false;
        try {
          await this.offer(pc, sock, restart);
        } catch (e) {
          if (pc !== this.pc) continue; // a fresh join replaced the connection
          // The offer is lost (socket dropped, no answer in time, or refused): the
          // connection stays in have-local-offer and the next offer is created from
          // there; the publish messages go again with it, and so does an ICE restart.
          this.pending.unshift(...this.unanswered.splice(0));
          if (restart) this.restartWanted = true;
          if (!this.host.ended) console.warn('rtc: negotiation failed:', e instanceof Error ? e.message : e);
        }
      }
    } finally {
      this.negotiating = false;
    }
  }

  /** Sends one offer (publish messages first, once the mids are known) and applies its answer. */
  private async offer(pc: RTCPeerConnection, sock: Signal, restart: boolean): Promise<void> {
    const offer = await pc.createOffer(restart ? { iceRestart: true } : undefined);
    await pc.setLocalDescription(offer);
    // The server matches a track to its publish message by mid: send them first. A
    // track the server announced already (after a resume) needs none.
    const publishes = this.pending.splice(0).filter((p) => !this.ownTrackIds.has(p.cid));
    this.unanswered.push(...publishes);
    for (const p of publishes) {
      const mid = p.transceiver.mid;
      sock.send({
        type: 'publish',
        data: { cid: p.cid, ...(mid ? { mid } : {}), kind: p.kind, source: p.source, ...(p.muted ? { muted: true } : {}), ...(p.layers ? { layers: p.layers } : {}) },
      });
    }
    const id = sock.send({ type: 'offer', data: { sdp: pc.localDescription!.sdp } }, true);
    if (id === null) throw new Error('rtc: socket closed');
    const sdp = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.answerWaiter === w) this.answerWaiter = null;
        reject(new Error('rtc: no answer'));
        // Answers carry no id: a late one would be taken for the next offer's. Resume on
        // a new socket instead, where the next offer (an ICE restart) starts afresh.
        if (sock === this.host.socket() && this.host.connected) this.host.lost('no answer');
      }, this.answerTimeoutMs);
      const w = {
        id,
        resolve: (s: string) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.answerWaiter = w;
    });
    if (pc !== this.pc || pc.signalingState !== 'have-local-offer') return;
    const byMid = msidsByMid(sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp });
    this.unanswered = [];
    this.midInfo = byMid;
    await this.flushCandidates();
    this.publishRemote();
    this.subs.schedule();
  }

  private async flushCandidates(): Promise<void> {
    const pc = this.pc;
    for (const c of this.pendingCandidates.splice(0)) {
      try {
        await pc?.addIceCandidate(c);
      } catch (e) {
        console.warn('rtc: candidate rejected', e);
      }
    }
  }

  // ---- remote tracks and preferences --------------------------------------------------

  /**
   * Emits the remote tracks, each with the receiver's track of the m-line the last
   * answer put it on (by mid: a reused m-line's receiver track changes hands).
   */
  private publishRemote(): void {
    const byTrack = new Map<string, MediaStreamTrack>();
    if (this.pc) {
      for (const tx of this.pc.getTransceivers()) {
        const trackId = tx.mid ? receivedTrackId(this.midInfo.get(tx.mid)) : null;
        if (trackId) byTrack.set(trackId, tx.receiver.track);
      }
    }
    const list: RemoteTrack[] = [];
    for (const t of this.remote.values()) {
      list.push({ trackId: t.trackId, participantId: t.participantId, kind: t.kind, source: t.source, track: byTrack.get(t.trackId) ?? null });
    }
    const same =
      list.length === this.remoteList.length &&
      list.every((x, i) => {
        const y = this.remoteList[i];
        return y.trackId === x.trackId && y.track === x.track;
      });
    if (same) return;
    this.remoteList = list;
    this.host.tracks(list);
  }
}

/**
 * The whiteboard channel opens the server allows a participant: 5, then one per 10 s
 * (a token bucket, media/rtc/whiteboard.go).
 */
export class OpenBudget {
  private tokens: number;
  private refill: number | null = null;
  constructor(
    private readonly burst = 5,
    private readonly everyMs = 10_000,
  ) {
    this.tokens = burst;
  }
  private update(now: number): void {
    if (this.refill === null) {
      this.refill = now;
      return;
    }
    const gained = Math.floor((now - this.refill) / this.everyMs);
    if (gained > 0) {
      this.tokens = Math.min(this.burst, this.tokens + gained);
      this.refill += gained * this.everyMs;
    }
  }
  /** How long until an open is allowed (0: now), with a margin for the server seeing the open later. */
  wait(now: number): number {
    this.update(now);
    return this.tokens > 0 ? 0 : this.refill! + this.everyMs - now + 500;
  }
  /** Counts an open. */
  take(now: number): void {
    this.update(now);
    if (this.tokens > 0) this.tokens--;
  }
}
