// RtcSession: one participant's media session with the SFU (docs/rtc-protocol.md,
// version 2), the one object the room talks to. It composes three units, each with one
// job: Signaling (signaling.ts: the /rtc sockets, join, keepalive, resume within the
// 30 s window, a fresh join with a new token after it), Negotiation (negotiation.ts: the
// one peer connection, offers and answers, transceivers and simulcast, remote tracks and
// what is shown of them, the whiteboard channel) and LocalMedia (localMedia.ts:
// microphone, camera, devices, mutes, the screen's capture). It routes the server's
// messages to them, and keeps what is the meeting's: the live state (the GraphQL
// meetingState subscription, stateFeed.ts), notices, chat, the host's mute and the end. Framework-free:
// React reads it through src/room/hooks.ts.
import type { ChatMessage } from '../gql/schema';
import { Emitter } from './emitter';
import { LocalMedia, type CaptureSource, type LocalState } from './localMedia';
import { initialMeetingView, reduceMeetingView, type MeetingView } from './meetingState';
import { Negotiation, type InboundStat, type OutboundStat, type RemoteTrack } from './negotiation';
import type { Shown } from './prefs';
import type { ClientMessageType, IceServerInfo, Joined, Notice, ServerMessage } from './protocol';
import { Signaling, type ConnState, type EndReason, type SocketFactory } from './signaling';
import { StateFeed, type StateFeedHost } from './stateFeed';

export type { ConnState, EndReason } from './signaling';
export type { LocalState } from './localMedia';
export type { RemoteTrack } from './negotiation';

export interface SessionEvents {
  state: ConnState;
  joined: { participantId: string; resumed: boolean };
  ended: { reason: EndReason; message?: string };
  tracks: RemoteTrack[];
  local: LocalState;
  notice: Notice;
  /** The meeting's live state changed (roster, layout, settings). */
  meeting: MeetingView;
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
  /**
   * The meeting, whose live state comes over GraphQL (the meetingState subscription,
   * stateFeed.ts) from the first joined on. Without it the session has no live state.
   */
  meetingId?: string;
  /** Builds the state feed (tests); the default is a StateFeed on /graphql. */
  stateFeed?: (meetingId: string, host: StateFeedHost) => Pick<StateFeed, 'start' | 'resync' | 'close'>;
}

/** A gap in the live state's events that no message fills within this long is repaired by a resume (a fresh full state). */
const STATE_GAP_MS = 5000;

export class RtcSession extends Emitter<SessionEvents> {
  state: ConnState = 'idle';

  private readonly opts: SessionOptions;
  private iceServers: IceServerInfo[];
  private readonly signal: Signaling;
  private readonly peer: Negotiation;
  private readonly media: LocalMedia;

  private muteRequests = new Map<string, boolean>();
  /** Ids of sendChat messages, whose refusals are chatError events. */
  private chatRequests = new Set<string>();
  private view: MeetingView = initialMeetingView;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private feed: Pick<StateFeed, 'start' | 'resync' | 'close'> | null = null;
  /** The meeting token of the last joined (guests follow the state with it). */
  private stateToken: string | undefined;

  constructor(opts: SessionOptions) {
    super();
    this.opts = opts;
    this.iceServers = opts.iceServers ?? [];
    const session = this;
    this.signal = new Signaling(opts, {
      get state() {
        return session.state;
      },
      reconnecting: () => this.setState('reconnecting'),
      opening: (resume) => this.peer.socketOpening(resume),
      joined: (d, resumed) => this.onJoined(d, resumed),
      message: (m) => this.onMessage(m),
      dropped: () => this.peer.socketLost(),
      finish: (reason, message) => this.finish(reason, message),
    });
    this.peer = new Negotiation(
      {
        socket: () => this.signal.socket,
        get connected() {
          return session.state === 'connected';
        },
        get ended() {
          return session.isEnded();
        },
        lost: (why) => this.signal.drop(why),
        tracks: (list) => this.emit('tracks', list),
        whiteboard: (dc) => this.emit('whiteboard', dc),
      },
      opts.answerTimeoutMs,
    );
    this.media = new LocalMedia(opts, {
      replaceTrack: (source, track) => this.peer.replaceTrack(source, track),
      sendMute: (source, muted) => this.sendMute(source, muted),
      changed: (s) => this.emit('local', s),
      error: (e) => this.emit('error', e),
      get ended() {
        return session.isEnded();
      },
    });
  }

  // ---- public API ----------------------------------------------------------------

  /** The participant's id, once joined (a fresh join after the window gives a new one). */
  get participantId(): string | null {
    return this.signal.participantId;
  }

  /** The local state (a copy). */
  get localState(): LocalState {
    return this.media.state;
  }

  /** The remote tracks. */
  get remoteTracks(): RemoteTrack[] {
    return this.peer.remoteTracks;
  }

  /** The meeting's live state as received so far. */
  get meetingView(): MeetingView {
    return this.view;
  }

  /** How many messages of each type this session sent (diagnostics and tests). */
  get sentCounts(): Partial<Record<ClientMessageType, number>> {
    return this.signal.sentCounts;
  }

  /** The current whiteboard channel, if open or opening. */
  get whiteboardChannel(): RTCDataChannel | null {
    return this.peer.whiteboardChannel;
  }

  /** Acquires the microphone and camera, connects, joins and publishes. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.setState('connecting');
    await this.media.acquire();
    if (this.isEnded()) {
      // Left while the devices opened (e.g. the page closed): release them.
      this.media.releaseCaptured();
      return;
    }
    await this.signal.start();
  }

  /** Leaves for good: leave, then close the connection and stop local media. */
  leave(): void {
    if (this.isEnded()) return;
    this.signal.send({ type: 'leave' });
    this.finish('left');
  }

  /** Raises or lowers the participant's own hand; false when not connected. */
  raiseHand(raised: boolean): boolean {
    return this.signal.send({ type: 'raiseHand', data: { raised } }) != null;
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
    const id = this.signal.send({ type: 'sendChat', data }, true);
    if (!id) return false;
    this.chatRequests.add(id);
    if (this.chatRequests.size > 64) this.chatRequests.delete(this.chatRequests.values().next().value as string);
    return true;
  }

  /** Mutes or unmutes the microphone (self mute). Unmuting while host-muted may be refused. */
  setMicMuted(muted: boolean): void {
    this.media.setMicMuted(muted);
  }

  /** Turns the camera on (acquiring it again) or off (stopping it: the light goes off). */
  setCameraOn(on: boolean): Promise<void> {
    return this.media.setCameraOn(on);
  }

  /** Switches the microphone or camera to another device (replaceTrack: no renegotiation). */
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    return this.media.switchDevice(kind, deviceId);
  }

  /** Shares a screen or window as a second video track (source screen). */
  async startScreenShare(): Promise<void> {
    if (this.media.state.sharing || !this.peer.active) return;
    const track = await this.media.captureScreen(
      () => this.peer.active,
      () => void this.stopScreenShare(),
    );
    if (!track) return;
    this.peer.addScreen(track);
    this.media.emit();
  }

  /**
   * Stops the screen share: unpublish, then the transceiver goes inactive with the next
   * offer (not stopped: see Negotiation.removeScreen).
   */
  async stopScreenShare(): Promise<void> {
    if (!this.media.state.sharing) return;
    await this.peer.removeScreen(() => this.media.stopScreen());
  }

  /**
   * Says how a remote video track is shown: its rendered size in CSS pixels, or null
   * when it is not shown (the server then sends nothing for it). Debounced.
   */
  setVideoShown(trackId: string, size: Shown | null): void {
    this.peer.setVideoShown(trackId, size);
  }

  /**
   * Drops the signaling socket as if it had been taken for dead (close 4100) and
   * resumes: for diagnostics and the browser tests of §9.
   */
  simulateDrop(): void {
    if (this.state !== 'connected' || !this.signal.socket) return;
    this.signal.drop('simulated');
  }

  /** Inbound RTP counters per remote track (with the mid of its m-line), for the network indicator and tests. */
  inboundStats(): Promise<InboundStat[]> {
    return this.peer.inboundStats();
  }

  /** Outbound RTP counters of what the participant sends (per rid), for tests and diagnostics. */
  outboundStats(): Promise<OutboundStat[]> {
    return this.peer.outboundStats();
  }

  private isEnded(): boolean {
    return this.state === 'ended';
  }

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  // ---- joined and the server's messages ------------------------------------------

  /** Joined on a new socket: resume the connection (ICE restart), or build a new one. */
  private onJoined(d: Joined, resumed: boolean): void {
    if (d.iceServers.length) this.iceServers = d.iceServers;
    if (d.stateToken) this.stateToken = d.stateToken;
    this.startFeed();
    this.emit('joined', { participantId: d.participantId, resumed });
    if (resumed && this.peer.active) {
      this.setState('connected');
      this.peer.resumed();
      return;
    }
    // A first join, or a fresh join after the window: a new connection from scratch. A
    // host mute of the old participant does not carry over (the notice or the state
    // says when the new one is muted).
    this.media.setHostMuted(false);
    const local = this.media.state;
    this.peer.start(
      this.iceServers,
      { micTrack: local.micTrack, micMuted: local.micMuted, cameraTrack: local.cameraTrack, screenTrack: local.sharing ? local.screenTrack : null },
      d.offerRequest,
    );
    this.setState('connected');
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'answer':
      case 'offerRequest':
      case 'candidate':
        this.peer.onMessage(m);
        break;
      case 'trackPublished': {
        const t = m.data;
        if (t.participantId !== this.participantId) {
          this.peer.remoteTrackPublished(t);
          break;
        }
        if (!t.cid) break;
        const source = this.peer.ownTrackPublished(t.cid, t.trackId);
        // The track was published with its mute (publish.muted); it changed since, or the
        // server's view differs after a resume: bring the server in line.
        const local = this.media.state;
        const want = source === 'microphone' ? local.micMuted : source === 'camera' ? !local.cameraOn : undefined;
        if (want !== undefined && want !== t.muted) this.sendMute(source as CaptureSource, want);
        break;
      }
      case 'trackUnpublished':
        this.peer.trackUnpublished(m.data.trackId, m.data.participantId === this.participantId);
        break;
      case 'notice':
        this.onNotice(m.data);
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

  private onNotice(n: Notice): void {
    switch (n.kind) {
      case 'mutedByHost':
        // Sent to the muted participant with its own id.
        if (!n.participantId || n.participantId === this.participantId) this.media.setHostMuted(true);
        break;
      case 'removed':
      case 'meetingEnded':
        // bye follows; if the socket dies first, the session still ends for this reason.
        this.signal.expectEnd(n.kind);
        break;
      default:
        break;
    }
    this.emit('notice', n);
  }

  /** Starts following the live state over GraphQL, once (with SessionOptions.meetingId). */
  private startFeed(): void {
    const id = this.opts.meetingId;
    if (this.feed || !id || this.isEnded()) return;
    const host: StateFeedHost = {
      token: () => this.stateToken,
      update: (u) => {
        this.onState(this.view, reduceMeetingView(this.view, u));
        if (u.event?.chat) this.emit('chat', [u.event.chat]);
      },
      chat: (messages) => this.emit('chat', messages),
    };
    this.feed = this.opts.stateFeed ? this.opts.stateFeed(id, host) : new StateFeed(id, host);
    this.feed.start();
  }

  /** A new live state: the host mute follows the roster (lifting it has no notice); a gap is watched. */
  private onState(prev: MeetingView, next: MeetingView): void {
    if (next === prev) return;
    this.view = next;
    this.emit('meeting', next);
    const me = this.participantId ? next.meeting?.participants.find((p) => p.id === this.participantId) : undefined;
    if (me) this.media.setHostMuted(me.mutedByHost);
    if (!next.gap) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        // Events are missing and no full state came: subscribing again (or, without the
        // GraphQL feed, a resume) brings one.
        if (!this.view.gap) return;
        if (this.feed) this.feed.resync();
        else if (this.state === 'connected') this.signal.drop('live state gap');
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
        const me = this.view.meeting?.participants.find((p) => p.id === this.participantId);
        this.media.unmuteRefused(me ? me.mutedByHost : true);
        this.emit('error', { code: 'unmute_refused', message: e.message });
        return;
      }
    }
    this.peer.offerRefused(e);
    this.signal.noteError(e);
    this.emit('error', { code: e.code, message: e.message });
  }

  /** Tells the server about a self mute of source, once the server announced its track. */
  private sendMute(source: CaptureSource, muted: boolean): void {
    const trackId = this.peer.trackIdOf(source);
    if (!trackId) return; // sent when the track is published
    const id = this.signal.send({ type: 'mute', data: { trackId, muted } }, true);
    if (id) {
      this.muteRequests.set(id, muted);
      if (this.muteRequests.size > 32) this.muteRequests.delete(this.muteRequests.keys().next().value as string);
    }
  }

  private finish(reason: EndReason, message?: string): void {
    if (this.isEnded()) return;
    this.setState('ended');
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.signal.close();
    this.feed?.close();
    this.feed = null;
    this.peer.end();
    this.media.release();
    this.peer.forgetRemote();
    this.emit('ended', { reason, message });
  }
}
