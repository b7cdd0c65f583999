// RtcSession: one participant's media session with the SFU (docs/rtc-protocol.md,
// version 2). One peer connection carries everything: what the participant sends
// (microphone, camera with three simulcast layers, screen share), the whiteboard data
// channel, and the remote tracks on receive-only m-lines. The client always offers and
// the server always answers (§1): the server asks for offers with `offerRequest`, the
// client adds the receive-only transceivers it asks for and offers; one offer is in
// flight at a time and reasons that come meanwhile make one more offer after the
// answer. Which remote track an m-line carries is read from the answer (a=mid +
// a=msid); m-lines are reused for the next track of their kind. Resume within the 30 s
// window restarts ICE with the next offer; a fresh join with a new token after it. The
// meeting's live state comes over the same socket (`state` messages) for every
// participant. Framework-free: React reads it through src/room/hooks.ts.
import { ResumeSchedule } from './backoff';
import type { ChatMessage } from '../gql/schema';
import { chatMessageOf } from './chat';
import { Emitter } from './emitter';
import { initialLiveState, reduceLiveState, stateUpdateOf, type LiveState } from './meetingState';
import { changedPreferences, chunkPreferences, preferencesFor, type Shown } from './prefs';
import {
  CAMERA_ENCODINGS,
  cameraLayers,
  closeAction,
  type ByeReason,
  type ClientMessage,
  type ClientMessageType,
  type IceServerInfo,
  type Kind,
  type Notice,
  type OfferRequest,
  type ServerMessage,
  type Source,
  type TrackPreference,
  type TrackPublished,
} from './protocol';
import { msidsByMid, receivedTrackId, type MsidInfo } from './sdp';
import { rtcURL, SignalSocket, type SocketFactory } from './signaling';

/** The session's connection state. */
export type ConnState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** Why a session ended. */
export type EndReason = ByeReason | 'forbidden' | 'unauthorized' | 'failed';

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

/** What the participant sends. */
export interface LocalState {
  micMuted: boolean;
  cameraOn: boolean;
  sharing: boolean;
  /** The host muted this participant (server-enforced). */
  hostMuted: boolean;
  micTrack: MediaStreamTrack | null;
  cameraTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
}

export interface SessionEvents {
  state: ConnState;
  joined: { participantId: string; resumed: boolean };
  ended: { reason: EndReason; message?: string };
  tracks: RemoteTrack[];
  local: LocalState;
  notice: Notice;
  /** The meeting's live state changed (roster, layout, settings). */
  live: LiveState;
  /** An error the user should know of (code of the protocol, or media:*). */
  error: { code: string; message: string };
  /** The whiteboard data channel (a new one after it was reopened). */
  whiteboard: RTCDataChannel;
  /** Chat messages to add (merge by seq, see chat.ts): the history after joining, or one new message. */
  chat: ChatMessage[];
  /** The server refused a chat message (rate_limited, or invalid_field with the reason). */
  chatError: { code: string; message: string };
}

export interface SessionOptions {
  /** The join token of joinMeeting (single use; also needed to resume). */
  token: string;
  /** Gets a new join token for a fresh join after the resume window (or null: give up). */
  renewToken?: () => Promise<string | null>;
  iceServers?: IceServerInfo[];
  micMuted?: boolean;
  cameraOn?: boolean;
  audioDeviceId?: string | null;
  videoDeviceId?: string | null;
  url?: string;
  socketFactory?: SocketFactory;
  /** Media acquisition, replaceable in tests. */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
  getDisplayMedia?: (c: DisplayMediaStreamOptions) => Promise<MediaStream>;
  device?: { client?: string; version?: string };
  /** How long a gap in the live state's events may last before a resume repairs it (ms). */
  stateGapMs?: number;
  /** How long to wait for the answer to an offer (ms). */
  answerTimeoutMs?: number;
}

interface PendingPublish {
  cid: string;
  transceiver: RTCRtpTransceiver;
  kind: Kind;
  source: Source;
  muted: boolean;
  layers?: ReturnType<typeof cameraLayers>;
}

/** A gap in the live state's events that no message fills within this long is repaired by a resume (a fresh full state). */
const STATE_GAP_MS = 5000;
/** How long an offer waits for its answer before the negotiation gives up on it. */
const ANSWER_TIMEOUT_MS = 15_000;

const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

function toRTCIce(list: IceServerInfo[] | undefined): RTCIceServer[] {
  return (list ?? []).filter((s) => s.urls.length).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

let cidSeq = 0;
const newCid = (p: string) => `${p}-${Date.now().toString(36)}-${++cidSeq}`;

export class RtcSession extends Emitter<SessionEvents> {
  state: ConnState = 'idle';
  participantId: string | null = null;

  private readonly opts: SessionOptions;
  private token: string;
  private resumeToken: string | null = null;
  private iceServers: IceServerInfo[];
  private sock: SignalSocket | null = null;
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

  private local: LocalState;
  private remote = new Map<string, TrackPublished>();
  private remoteList: RemoteTrack[] = [];
  /** The m-lines of the last answer applied, by mid. */
  private midInfo = new Map<string, MsidInfo>();

  private shown = new Map<string, Shown>();
  private sentPrefs = new Map<string, TrackPreference>();
  private prefTimer: ReturnType<typeof setTimeout> | null = null;

  // Negotiation (§1): one serialized loop (negotiate) sends an offer whenever one is
  // wanted and none is in flight.
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
  private muteRequests = new Map<string, boolean>();
  /** Ids of sendChat messages, whose refusals are chatError events. */
  private chatRequests = new Set<string>();

  private schedule: ResumeSchedule | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private joinWaiter: { id: string; resolve: (m: ServerMessage & { type: 'joined' }) => void; reject: (e: Error) => void } | null = null;

  /** The server's budget of whiteboard channel opens per participant. */
  private boardOpens = new OpenBudget();
  private live: LiveState = initialLiveState;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  /** The server said the session ends (notice removed / meetingEnded; bye follows). */
  private endNotice: 'removed' | 'meetingEnded' | null = null;
  /** Messages sent, by type (diagnostics). */
  private sent: Partial<Record<ClientMessageType, number>> = {};

  constructor(opts: SessionOptions) {
    super();
    this.opts = opts;
    this.token = opts.token;
    this.iceServers = opts.iceServers ?? [];
    this.local = {
      micMuted: !!opts.micMuted,
      cameraOn: opts.cameraOn ?? true,
      sharing: false,
      hostMuted: false,
      micTrack: null,
      cameraTrack: null,
      screenTrack: null,
      audioDeviceId: opts.audioDeviceId ?? null,
      videoDeviceId: opts.videoDeviceId ?? null,
    };
  }

  // ---- public API ----------------------------------------------------------------

  /** The local state (a copy). */
  get localState(): LocalState {
    return { ...this.local };
  }

  /** The remote tracks. */
  get remoteTracks(): RemoteTrack[] {
    return this.remoteList;
  }

  /** The meeting's live state as received so far. */
  get liveState(): LiveState {
    return this.live;
  }

  /** How many messages of each type this session sent (diagnostics and tests). */
  get sentCounts(): Partial<Record<ClientMessageType, number>> {
    return { ...this.sent };
  }

  /** The current whiteboard channel, if open or opening. */
  get whiteboardChannel(): RTCDataChannel | null {
    return this.board;
  }

  /** Acquires the microphone and camera, connects, joins and publishes. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.setState('connecting');
    await this.acquireMedia();
    if (this.isEnded()) {
      // Left while the devices opened (e.g. the page closed): release them.
      for (const t of [this.local.micTrack, this.local.cameraTrack]) t?.stop();
      return;
    }
    try {
      await this.connect(false);
    } catch (e) {
      if (this.isEnded()) return;
      const code = (e as { closeCode?: number }).closeCode;
      if (code !== undefined && closeAction(code) !== 'resume') return; // onClose decided
      // A failed first connect: try again within the window like a drop.
      this.onDrop(e instanceof Error ? e.message : String(e));
    }
  }

  /** Leaves for good: leave, then close the connection and stop local media. */
  leave(): void {
    if (this.isEnded()) return;
    this.sock?.send({ type: 'leave' });
    this.finish('left');
  }

  /** Raises or lowers the participant's own hand; false when not connected. */
  raiseHand(raised: boolean): boolean {
    return this.sock?.send({ type: 'raiseHand', data: { raised } }) != null;
  }

  /**
   * Sends a chat message: to everyone, privately to the hosts (toHosts) or, from a host,
   * privately to one participant (to). Check the text first (chatTextProblem); false
   * when not connected. The message comes back as a chat event, a refusal as chatError.
   */
  sendChat(text: string, opts: { toHosts?: boolean; to?: string } = {}): boolean {
    const data: { text: string; toHosts?: boolean; to?: string } = { text };
    if (opts.toHosts) data.toHosts = true;
    if (opts.to) data.to = opts.to;
    const id = this.sock?.send({ type: 'sendChat', data }, true);
    if (!id) return false;
    this.chatRequests.add(id);
    if (this.chatRequests.size > 64) this.chatRequests.delete(this.chatRequests.values().next().value as string);
    return true;
  }

  /** Mutes or unmutes the microphone (self mute). Unmuting while host-muted may be refused. */
  setMicMuted(muted: boolean): void {
    this.local.micMuted = muted;
    if (this.local.micTrack) this.local.micTrack.enabled = !muted;
    this.emitLocal();
    this.sendMute(this.micCid, muted);
  }

  /** Turns the camera on (acquiring it again) or off (stopping it: the light goes off). */
  async setCameraOn(on: boolean): Promise<void> {
    if (on === this.local.cameraOn && (!on || this.local.cameraTrack)) return;
    this.local.cameraOn = on;
    if (!on) {
      const old = this.local.cameraTrack;
      this.local.cameraTrack = null;
      await this.camTx?.sender.replaceTrack(null);
      old?.stop();
      this.emitLocal();
      this.sendMute(this.camCid, true);
      return;
    }
    try {
      const t = await this.getVideo(this.local.videoDeviceId);
      if (!this.local.cameraOn || this.isEnded()) {
        t.stop();
        return;
      }
      this.local.cameraTrack = t;
      await this.camTx?.sender.replaceTrack(t);
      this.emitLocal();
      this.sendMute(this.camCid, false);
    } catch (e) {
      this.local.cameraOn = false;
      this.emitLocal();
      this.emit('error', { code: 'media:camera', message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Switches the microphone or camera to another device (replaceTrack: no renegotiation). */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    try {
      if (kind === 'audioinput') {
        this.local.audioDeviceId = deviceId;
        const t = await this.getAudio(deviceId);
        const old = this.local.micTrack;
        t.enabled = !this.local.micMuted;
        this.local.micTrack = t;
        await this.micTx?.sender.replaceTrack(t);
        old?.stop();
      } else {
        this.local.videoDeviceId = deviceId;
        if (this.local.cameraOn) {
          const old = this.local.cameraTrack;
          old?.stop(); // some cameras cannot be opened twice
          const t = await this.getVideo(deviceId);
          this.local.cameraTrack = t;
          await this.camTx?.sender.replaceTrack(t);
        }
      }
      this.emitLocal();
    } catch (e) {
      this.emit('error', { code: kind === 'audioinput' ? 'media:microphone' : 'media:camera', message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Shares a screen or window as a second video track (source screen). */
  async startScreenShare(): Promise<void> {
    if (this.local.sharing || !this.pc) return;
    const gdm = this.opts.getDisplayMedia ?? ((c) => navigator.mediaDevices.getDisplayMedia(c));
    let stream: MediaStream;
    try {
      stream = await gdm({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (name !== 'NotAllowedError' && name !== 'AbortError') {
        this.emit('error', { code: 'media:screen', message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track || !this.pc || this.local.sharing) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    if ('contentHint' in track) track.contentHint = 'detail';
    track.addEventListener('ended', () => void this.stopScreenShare());
    this.local.sharing = true;
    this.local.screenTrack = track;
    this.screenCid = newCid('scr');
    this.screenTx = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [] });
    this.pending.push({ cid: this.screenCid, transceiver: this.screenTx, kind: 'video', source: 'screen', muted: false });
    this.emitLocal();
    this.wantOffer(false);
  }

  /**
   * Stops the screen share: unpublish, then the transceiver goes inactive with the next
   * offer (not stopped: a stopped m-line could be recycled by the browser for another
   * transceiver under the server's feet).
   */
  async stopScreenShare(): Promise<void> {
    if (!this.local.sharing) return;
    const tx = this.screenTx;
    const track = this.local.screenTrack;
    const id = this.ownTrackIds.get(this.screenCid);
    this.local.sharing = false;
    this.local.screenTrack = null;
    this.screenTx = null;
    this.pending = this.pending.filter((p) => p.transceiver !== tx);
    this.unanswered = this.unanswered.filter((p) => p.transceiver !== tx);
    if (id) this.sock?.send({ type: 'unpublish', data: { trackId: id } });
    this.ownTrackIds.delete(this.screenCid);
    track?.stop();
    this.emitLocal();
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
    if (size && size.width > 0 && size.height > 0) this.shown.set(trackId, size);
    else this.shown.delete(trackId);
    this.schedulePrefs();
  }

  /**
   * Drops the signaling socket as if it had been taken for dead (close 4100) and
   * resumes: for diagnostics and the browser tests of §9.
   */
  simulateDrop(): void {
    if (this.state !== 'connected' || !this.sock) return;
    this.dropSocket('simulated');
  }

  /** Inbound RTP counters per remote track (with the mid of its m-line), for the network indicator and tests. */
  async inboundStats(): Promise<{ trackId: string; participantId: string; kind: string; source: string; mid: string; packetsReceived: number; framesDecoded: number; frameWidth: number; bytesReceived: number }[]> {
    if (!this.pc) return [];
    const out: Awaited<ReturnType<RtcSession['inboundStats']>> = [];
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

  /** Outbound RTP counters of what the participant sends (per rid), for tests and diagnostics. */
  async outboundStats(): Promise<{ kind: string; rid: string; packetsSent: number; frameWidth: number }[]> {
    if (!this.pc) return [];
    const out: { kind: string; rid: string; packetsSent: number; frameWidth: number }[] = [];
    const stats = await this.pc.getStats();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'outbound-rtp') return;
      out.push({ kind: String(s.kind), rid: String(s.rid ?? ''), packetsSent: Number(s.packetsSent ?? 0), frameWidth: Number(s.frameWidth ?? 0) });
    });
    return out;
  }

  private isEnded(): boolean {
    return this.state === 'ended';
  }

  // ---- media -----------------------------------------------------------------------

  private gum(c: MediaStreamConstraints): Promise<MediaStream> {
    const f = this.opts.getUserMedia ?? ((x) => navigator.mediaDevices.getUserMedia(x));
    return f(c);
  }

  private async getAudio(deviceId: string | null): Promise<MediaStreamTrack> {
    const s = await this.gum({ audio: { ...AUDIO_CONSTRAINTS, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) } });
    return s.getAudioTracks()[0];
  }

  private async getVideo(deviceId: string | null): Promise<MediaStreamTrack> {
    const s = await this.gum({ video: { ...CAMERA_CONSTRAINTS, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) } });
    return s.getVideoTracks()[0];
  }

  /** Gets the microphone and (when on) the camera; what fails is reported, not fatal. */
  private async acquireMedia(): Promise<void> {
    try {
      this.local.micTrack = await this.getAudio(this.local.audioDeviceId);
      this.local.micTrack.enabled = !this.local.micMuted;
    } catch (e) {
      this.emit('error', { code: 'media:microphone', message: e instanceof Error ? e.message : String(e) });
    }
    if (this.local.cameraOn) {
      try {
        this.local.cameraTrack = await this.getVideo(this.local.videoDeviceId);
      } catch (e) {
        this.local.cameraOn = false;
        this.emit('error', { code: 'media:camera', message: e instanceof Error ? e.message : String(e) });
      }
    }
    this.emitLocal();
  }

  // ---- connection --------------------------------------------------------------------

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** Opens a socket and joins (or resumes); then sets up the connection or restarts its ICE. */
  private async connect(resume: boolean): Promise<void> {
    const old = this.sock;
    const sock = new SignalSocket(this.opts.url ?? rtcURL(), {
      onMessage: (m) => this.onMessage(m),
      onClose: (code) => this.onClose(sock, code),
      onDead: () => {
        if (this.sock === sock) this.dropSocket('keepalive');
        else sock.close(4100);
      },
      onProtocolError: (e) => console.warn('rtc: ignoring a frame:', e.message),
      onSend: (type) => {
        this.sent[type] = (this.sent[type] ?? 0) + 1;
      },
    }, this.opts.socketFactory);
    this.sock = sock;
    this.recvWanted = { audio: 0, video: 0 };
    // What the server announces on this socket replaces what the old one said; cleared
    // before joined, since its announcements may follow joined in the same burst.
    this.remote.clear();
    this.sentPrefs.clear();
    if (!resume) this.ownTrackIds.clear();
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
    if (old && old !== sock) old.close(4100);
    const d = joined.data;
    const sameParticipant = resume && d.resumed && d.participantId === this.participantId;
    this.participantId = d.participantId;
    this.resumeToken = d.resumeToken;
    if (d.iceServers.length) this.iceServers = d.iceServers;
    sock.startKeepalive(d.pingIntervalMs);
    this.schedule = null;
    this.emit('joined', { participantId: d.participantId, resumed: sameParticipant });
    if (sameParticipant && this.pc) {
      // Resume (§9): the server re-announces the tracks (what is not re-announced is
      // gone) and asks again for m-lines it still needs; the client restarts ICE with
      // its next offer. An offer in flight on the old socket was forgotten when it
      // dropped: the connection may still be in have-local-offer, and the next offer is
      // created from there (the mids stay what the publish messages said).
      this.setState('connected');
      this.wantOffer(true, true);
      this.schedulePrefs();
      return;
    }
    // A first join, or a fresh join after the window: a new connection from scratch. A
    // host mute of the old participant does not carry over (the notice or the state
    // says when the new one is muted).
    if (this.local.hostMuted) {
      this.local.hostMuted = false;
      this.emitLocal();
    }
    this.closePeer();
    this.boardOpens = new OpenBudget(); // a new participant on the server
    this.publishRemote();
    if (d.offerRequest) {
      // The room's tracks: their receive-only m-lines go into the first offer.
      this.recvWanted.audio += d.offerRequest.audio;
      this.recvWanted.video += d.offerRequest.video;
    }
    this.setupPeer();
    this.setState('connected');
    // Deferred by a macrotask: an offerRequest that came in the same burst as joined
    // (the others' tracks) adds its m-lines to this first offer, saving a round trip.
    this.wantOffer(false, true);
  }

  /** Creates the connection with what the participant sends and the whiteboard channel. */
  private setupPeer(): void {
    const pc = new RTCPeerConnection({ iceServers: toRTCIce(this.iceServers), bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    this.pendingCandidates = [];
    this.unanswered = [];
    this.midInfo = new Map();
    pc.onicecandidate = (ev) => this.sendCandidate(ev.candidate);
    pc.ontrack = () => this.publishRemote();
    pc.onconnectionstatechange = () => this.onPeerState(pc);

    this.micCid = newCid('mic');
    this.camCid = newCid('cam');
    this.micTx = pc.addTransceiver(this.local.micTrack ?? 'audio', { direction: 'sendonly', streams: [] });
    this.camTx = pc.addTransceiver(this.local.cameraTrack ?? 'video', {
      direction: 'sendonly',
      streams: [],
      sendEncodings: CAMERA_ENCODINGS.map((e) => ({ ...e })),
    });
    const s = this.local.cameraTrack?.getSettings();
    this.pending = [
      // The microphone's self mute from the start (publish.muted): no mute afterwards.
      { cid: this.micCid, transceiver: this.micTx, kind: 'audio', source: 'microphone', muted: this.local.micMuted },
      // A camera that is off has no track and sends nothing: the server announces it only
      // once frames flow, i.e. once it is on (so it is never published muted).
      { cid: this.camCid, transceiver: this.camTx, kind: 'video', source: 'camera', muted: false, layers: cameraLayers(s?.width ?? 1280, s?.height ?? 720, s?.frameRate ?? 30) },
    ];
    if (this.local.sharing && this.local.screenTrack) {
      this.screenCid = newCid('scr');
      this.screenTx = pc.addTransceiver(this.local.screenTrack, { direction: 'sendonly', streams: [] });
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
      if (this.board !== dc || this.isEnded() || !this.pc || this.pc.connectionState === 'closed') return;
      // The server closes a channel it gave up on (or the client did, after a gap); a
      // new one gets a fresh snapshot. Each open costs the server a snapshot, so it
      // allows a few and then one per 10 s: wait for that (a channel opened too early
      // would be closed at once).
      setTimeout(() => {
        if (this.board === dc && this.pc && this.state === 'connected') this.openWhiteboard();
      }, Math.max(1000, this.boardOpens.wait(Date.now())));
    });
    this.emit('whiteboard', dc);
  }

  private onPeerState(pc: RTCPeerConnection): void {
    if (pc !== this.pc) return;
    if (pc.connectionState === 'failed' && this.state === 'connected') {
      // ICE failed while signaling may still work: resume on a new socket, whose first
      // offer restarts ICE (and repairs anything the old socket lost).
      this.dropSocket('ice failed');
    }
  }

  private sendCandidate(c: RTCIceCandidate | null): void {
    if (!c || !c.candidate) {
      this.sock?.send({ type: 'candidate', data: { candidate: null } });
      return;
    }
    const data: ClientMessage & { type: 'candidate' } = { type: 'candidate', data: { candidate: c.candidate } };
    if (c.sdpMid != null) data.data.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex != null) data.data.sdpMLineIndex = c.sdpMLineIndex;
    if (c.usernameFragment) data.data.usernameFragment = c.usernameFragment;
    try {
      this.sock?.send(data);
    } catch (e) {
      console.warn('rtc: candidate not sent', e);
    }
  }

  // ---- negotiation (§1) ----------------------------------------------------------------

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
        const sock = this.sock;
        if (!pc || pc.signalingState === 'closed' || !sock?.isOpen || this.state !== 'connected') return;
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
          if (!this.isEnded()) console.warn('rtc: negotiation failed:', e instanceof Error ? e.message : e);
        }
      }
    } finally {
      this.negotiating = false;
    }
  }

  /** Sends one offer (publish messages first, once the mids are known) and applies its answer. */
  private async offer(pc: RTCPeerConnection, sock: SignalSocket, restart: boolean): Promise<void> {
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
    const timeout = this.opts.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    const sdp = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.answerWaiter === w) this.answerWaiter = null;
        reject(new Error('rtc: no answer'));
        // Answers carry no id: a late one would be taken for the next offer's. Resume on
        // a new socket instead, where the next offer (an ICE restart) starts afresh.
        if (sock === this.sock && this.state === 'connected') this.dropSocket('no answer');
      }, timeout);
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
    this.schedulePrefs();
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

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'joined':
        if (this.joinWaiter && (!m.id || m.id === this.joinWaiter.id)) this.joinWaiter.resolve(m);
        break;
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
      case 'trackPublished':
        this.onTrackPublished(m.data);
        break;
      case 'trackUnpublished':
        if (m.data.participantId === this.participantId) {
          for (const [cid, id] of this.ownTrackIds) if (id === m.data.trackId) this.ownTrackIds.delete(cid);
        } else {
          this.remote.delete(m.data.trackId);
          this.shown.delete(m.data.trackId);
          this.sentPrefs.delete(m.data.trackId);
          this.publishRemote();
        }
        break;
      case 'notice':
        this.onNotice(m.data);
        break;
      case 'state': {
        const u = stateUpdateOf(m.data);
        if (u) this.onState(this.live, reduceLiveState(this.live, u));
        else console.warn('rtc: ignoring a state message without full or event', m.data.seq);
        if (u?.event?.chat) this.emit('chat', [u.event.chat]);
        break;
      }
      case 'chatHistory':
        this.emit(
          'chat',
          m.data.messages.map(chatMessageOf).filter((x): x is ChatMessage => x !== null),
        );
        break;
      case 'error':
        this.onError(m.data);
        break;
      case 'bye':
        this.finish(m.data.reason, m.data.message);
        break;
      default:
        break;
    }
  }

  private onTrackPublished(t: TrackPublished): void {
    if (t.participantId === this.participantId) {
      if (!t.cid) return;
      this.ownTrackIds.set(t.cid, t.trackId);
      // The track was published with its mute (publish.muted); it changed since, or the
      // server's view differs after a resume: bring the server in line.
      const want = t.cid === this.micCid ? this.local.micMuted : t.cid === this.camCid ? !this.local.cameraOn : undefined;
      if (want !== undefined && want !== t.muted) this.sendMute(t.cid, want);
      return;
    }
    this.remote.set(t.trackId, t);
    this.publishRemote();
    this.schedulePrefs();
  }

  private onNotice(n: Notice): void {
    switch (n.kind) {
      case 'mutedByHost':
        // Sent to the muted participant with its own id.
        if (!n.participantId || n.participantId === this.participantId) this.setHostMuted(true);
        break;
      case 'removed':
      case 'meetingEnded':
        // bye follows; if the socket dies first, the session still ends for this reason.
        this.endNotice = n.kind;
        break;
      default:
        break;
    }
    this.emit('notice', n);
  }

  private setHostMuted(muted: boolean): void {
    if (this.local.hostMuted === muted) return;
    this.local.hostMuted = muted;
    if (muted) {
      this.local.micMuted = true;
      if (this.local.micTrack) this.local.micTrack.enabled = false;
    }
    this.emitLocal();
  }

  /** A new live state: the host mute follows the roster (lifting it has no notice); a gap is watched. */
  private onState(prev: LiveState, next: LiveState): void {
    if (next === prev) return;
    this.live = next;
    this.emit('live', next);
    const me = this.participantId ? next.meeting?.participants.find((p) => p.id === this.participantId) : undefined;
    if (me) this.setHostMuted(me.mutedByHost);
    if (!next.gap) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        // Events are missing and no full state came: a resume brings one.
        if (this.live.gap && this.state === 'connected') this.dropSocket('live state gap');
      }, this.opts.stateGapMs ?? STATE_GAP_MS);
    }
  }

  private onError(e: { code: string; message: string; refId?: string }): void {
    if (e.refId && this.chatRequests.delete(e.refId)) {
      this.emit('chatError', { code: e.code, message: e.message });
      return;
    }
    if (e.refId && this.muteRequests.has(e.refId)) {
      const muted = this.muteRequests.get(e.refId)!;
      this.muteRequests.delete(e.refId);
      if (!muted) {
        // Unmuting was refused (host mute in force): stay muted.
        this.local.micMuted = true;
        if (this.local.micTrack) this.local.micTrack.enabled = false;
        const me = this.live.meeting?.participants.find((p) => p.id === this.participantId);
        this.local.hostMuted = me ? me.mutedByHost : true;
        this.emitLocal();
        this.emit('error', { code: 'unmute_refused', message: e.message });
        return;
      }
    }
    if (e.refId && this.answerWaiter?.id === e.refId) {
      // The server refused the offer in flight: no answer will come.
      const w = this.answerWaiter;
      this.answerWaiter = null;
      w.reject(new Error(`rtc: offer refused: ${e.code} ${e.message}`));
    }
    if (this.joinWaiter && (!e.refId || e.refId === this.joinWaiter.id)) {
      // The close that follows (4401/4403) decides; keep the message.
      this.lastError = e;
    }
    this.emit('error', { code: e.code, message: e.message });
  }

  private lastError: { code: string; message: string } | null = null;

  private sendMute(cid: string, muted: boolean): void {
    const trackId = this.ownTrackIds.get(cid);
    if (!trackId) return; // sent when the track is published
    const id = this.sock?.send({ type: 'mute', data: { trackId, muted } }, true);
    if (id) {
      this.muteRequests.set(id, muted);
      if (this.muteRequests.size > 32) this.muteRequests.delete(this.muteRequests.keys().next().value as string);
    }
  }

  private onClose(sock: SignalSocket, code: number): void {
    if (sock !== this.sock) return;
    const joining = !!this.joinWaiter;
    if (this.joinWaiter) {
      const w = this.joinWaiter;
      this.joinWaiter = null;
      w.reject(Object.assign(new Error(`rtc: closed ${code}`), { closeCode: code }));
    }
    if (this.isEnded()) return;
    if (this.endNotice) {
      this.finish(this.endNotice);
      return;
    }
    switch (closeAction(code)) {
      case 'stop':
        this.finish(
          code === 4409 ? 'replaced' : code === 4410 ? 'meetingEnded' : code === 4403 ? (joining ? 'forbidden' : 'removed') : code === 1000 ? 'left' : 'failed',
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

  /**
   * Drops the current socket, taken for dead, and resumes on a new one. It is closed
   * with 4100 ("reconnecting"): the server keeps the participant for the resume window
   * (any other close from the client means it left, §8, §9).
   */
  private dropSocket(why: string): void {
    this.sock?.close(4100);
    this.onDrop(why);
  }

  /** The socket dropped: resume within the window (reconnecting state). */
  private onDrop(why: string): void {
    if (this.isEnded()) return;
    if (this.endNotice) {
      this.finish(this.endNotice);
      return;
    }
    console.info('rtc: connection lost:', why);
    if (this.answerWaiter) {
      this.answerWaiter.reject(new Error('rtc: socket dropped'));
      this.answerWaiter = null;
    }
    if (!this.schedule) this.schedule = new ResumeSchedule(Date.now());
    this.setState('reconnecting');
    const delay = this.schedule.next(Date.now());
    if (delay === null) {
      void this.freshJoin();
      return;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'reconnecting') return;
      this.connect(!!this.resumeToken && !!this.participantId).catch((e: Error & { closeCode?: number }) => {
        if (this.isEnded()) return;
        if (e.closeCode !== undefined && closeAction(e.closeCode) !== 'resume') return; // onClose decided
        this.onDrop(e.message);
      });
    }, delay);
  }

  /** The resume token is dead (window over): join afresh with a new join token. */
  private async freshJoin(): Promise<void> {
    if (this.isEnded()) return;
    const renew = this.opts.renewToken;
    if (!renew) {
      this.finish('unauthorized', this.lastError?.message);
      return;
    }
    this.setState('reconnecting');
    let token: string | null = null;
    try {
      token = await renew();
    } catch {
      token = null;
    }
    if (!token || this.isEnded()) {
      this.finish('unauthorized', this.lastError?.message);
      return;
    }
    this.token = token;
    this.resumeToken = null;
    this.participantId = null;
    this.schedule = null;
    this.opts.renewToken = undefined; // one fresh join per drop; a second 4401 ends
    try {
      await this.connect(false);
      this.opts.renewToken = renew;
    } catch (e) {
      this.opts.renewToken = renew;
      const code = (e as { closeCode?: number }).closeCode;
      if (code !== undefined && closeAction(code) !== 'resume') return;
      this.onDrop(e instanceof Error ? e.message : String(e));
    }
  }

  private finish(reason: EndReason, message?: string): void {
    if (this.isEnded()) return;
    this.setState('ended');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.prefTimer) clearTimeout(this.prefTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.joinWaiter?.reject(new Error('rtc: ended'));
    this.joinWaiter = null;
    this.answerWaiter?.reject(new Error('rtc: ended'));
    this.answerWaiter = null;
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    this.sock?.close(1000);
    this.sock = null;
    this.closePeer();
    for (const t of [this.local.micTrack, this.local.cameraTrack, this.local.screenTrack]) t?.stop();
    this.local = { ...this.local, micTrack: null, cameraTrack: null, screenTrack: null, sharing: false };
    this.emitLocal();
    this.remote.clear();
    this.publishRemote();
    this.emit('ended', { reason, message });
  }

  /** Closes the connection; a negotiation loop still running notices and stops. */
  private closePeer(): void {
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
    this.emit('tracks', list);
  }

  private schedulePrefs(): void {
    if (this.prefTimer) return;
    this.prefTimer = setTimeout(() => {
      this.prefTimer = null;
      this.flushPrefs();
    }, 150);
  }

  private flushPrefs(): void {
    if (!this.sock?.isOpen || this.state !== 'connected') return;
    const videoIds = [...this.remote.values()].filter((t) => t.kind === 'video').map((t) => t.trackId);
    const next = preferencesFor(videoIds, this.shown);
    const changed = changedPreferences(next, this.sentPrefs);
    for (const chunk of chunkPreferences(changed)) {
      if (this.sock.send({ type: 'subscribe', data: { tracks: chunk } }) === null) return;
      for (const p of chunk) this.sentPrefs.set(p.trackId, p);
    }
  }

  private emitLocal(): void {
    this.emit('local', { ...this.local });
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
