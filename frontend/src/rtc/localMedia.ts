// LocalMedia: what the participant sends, as tracks and flags: the microphone and the
// camera (capture, device switch, self mute, camera off = light off), the screen share's
// capture, and the host's mute. It knows no socket and no peer connection: it puts
// tracks on senders and reports mutes through the LocalMediaHost the session gives it.

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

/** A source whose track may be swapped or muted without renegotiation. */
export type CaptureSource = 'microphone' | 'camera';

/** What LocalMedia needs from the session. */
export interface LocalMediaHost {
  /** Puts track (or nothing) on the sender of source; resolves at once without a connection. */
  replaceTrack(source: CaptureSource, track: MediaStreamTrack | null): Promise<void>;
  /** Tells the server that the track of source is self-muted or not (once it has an id). */
  sendMute(source: CaptureSource, muted: boolean): void;
  /** The local state changed (a copy). */
  changed(state: LocalState): void;
  /** A device could not be used (code media:microphone, media:camera or media:screen). */
  error(e: { code: string; message: string }): void;
  /** The session ended: a capture that finishes now is released. */
  readonly ended: boolean;
}

export interface LocalMediaOptions {
  micMuted?: boolean;
  cameraOn?: boolean;
  audioDeviceId?: string | null;
  videoDeviceId?: string | null;
  /** Media acquisition, replaceable in tests. */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
  getDisplayMedia?: (c: DisplayMediaStreamOptions) => Promise<MediaStream>;
}

const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LocalMedia {
  private local: LocalState;

  constructor(
    private readonly opts: LocalMediaOptions,
    private readonly host: LocalMediaHost,
  ) {
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

  /** The local state (a copy). */
  get state(): LocalState {
    return { ...this.local };
  }

  /** Gets the microphone and (when on) the camera; what fails is reported, not fatal. */
  async acquire(): Promise<void> {
    try {
      this.local.micTrack = await this.getAudio(this.local.audioDeviceId);
      this.local.micTrack.enabled = !this.local.micMuted;
    } catch (e) {
      this.host.error({ code: 'media:microphone', message: messageOf(e) });
    }
    if (this.local.cameraOn) {
      try {
        this.local.cameraTrack = await this.getVideo(this.local.videoDeviceId);
      } catch (e) {
        this.local.cameraOn = false;
        this.host.error({ code: 'media:camera', message: messageOf(e) });
      }
    }
    this.emit();
  }

  /** Mutes or unmutes the microphone (self mute). */
  setMicMuted(muted: boolean): void {
    this.local.micMuted = muted;
    if (this.local.micTrack) this.local.micTrack.enabled = !muted;
    this.emit();
    this.host.sendMute('microphone', muted);
  }

  /** Turns the camera on (acquiring it again) or off (stopping it: the light goes off). */
  async setCameraOn(on: boolean): Promise<void> {
    if (on === this.local.cameraOn && (!on || this.local.cameraTrack)) return;
    this.local.cameraOn = on;
    if (!on) {
      const old = this.local.cameraTrack;
      this.local.cameraTrack = null;
      await this.host.replaceTrack('camera', null);
      old?.stop();
      this.emit();
      this.host.sendMute('camera', true);
      return;
    }
    try {
      const t = await this.getVideo(this.local.videoDeviceId);
      if (!this.local.cameraOn || this.host.ended) {
        t.stop();
        return;
      }
      this.local.cameraTrack = t;
      await this.host.replaceTrack('camera', t);
      this.emit();
      this.host.sendMute('camera', false);
    } catch (e) {
      this.local.cameraOn = false;
      this.emit();
      this.host.error({ code: 'media:camera', message: messageOf(e) });
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
        await this.host.replaceTrack('microphone', t);
        old?.stop();
      } else {
        this.local.videoDeviceId = deviceId;
        if (this.local.cameraOn) {
          const old = this.local.cameraTrack;
          old?.stop(); // some cameras cannot be opened twice
          const t = await this.getVideo(deviceId);
          this.local.cameraTrack = t;
          await this.host.replaceTrack('camera', t);
        }
      }
      this.emit();
    } catch (e) {
      this.host.error({ code: kind === 'audioinput' ? 'media:microphone' : 'media:camera', message: messageOf(e) });
    }
  }

  /**
   * Captures a screen or window for sharing: the track, now the local screen track, or
   * null when the person cancelled, it failed (reported) or usable() no longer holds
   * once the capture is there. onEnded runs when the browser's own "stop sharing" ends it.
   */
  async captureScreen(usable: () => boolean, onEnded: () => void): Promise<MediaStreamTrack | null> {
    const gdm = this.opts.getDisplayMedia ?? ((c) => navigator.mediaDevices.getDisplayMedia(c));
    let stream: MediaStream;
    try {
      stream = await gdm({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (name !== 'NotAllowedError' && name !== 'AbortError') this.host.error({ code: 'media:screen', message: messageOf(e) });
      return null;
    }
    const track = stream.getVideoTracks()[0];
    if (!track || !usable() || this.local.sharing) {
      stream.getTracks().forEach((t) => t.stop());
      return null;
    }
    if ('contentHint' in track) track.contentHint = 'detail';
    track.addEventListener('ended', onEnded);
    this.local.sharing = true;
    this.local.screenTrack = track;
    return track;
  }

  /** Stops the screen track (sharing ends). */
  stopScreen(): void {
    const track = this.local.screenTrack;
    this.local.sharing = false;
    this.local.screenTrack = null;
    track?.stop();
    this.emit();
  }

  /** The host muted (or lifted the mute of) this participant; a host mute mutes the microphone. */
  setHostMuted(muted: boolean): void {
    if (this.local.hostMuted === muted) return;
    this.local.hostMuted = muted;
    if (muted) {
      this.local.micMuted = true;
      if (this.local.micTrack) this.local.micTrack.enabled = false;
    }
    this.emit();
  }

  /** The server refused to unmute (a host mute in force): stay muted; hostMuted as the roster says. */
  unmuteRefused(hostMuted: boolean): void {
    this.local.micMuted = true;
    if (this.local.micTrack) this.local.micTrack.enabled = false;
    this.local.hostMuted = hostMuted;
    this.emit();
  }

  /** Stops the microphone and camera captured for a session that ended before it connected. */
  releaseCaptured(): void {
    for (const t of [this.local.micTrack, this.local.cameraTrack]) t?.stop();
  }

  /** Stops every track for good (the session ended). */
  release(): void {
    for (const t of [this.local.micTrack, this.local.cameraTrack, this.local.screenTrack]) t?.stop();
    this.local = { ...this.local, micTrack: null, cameraTrack: null, screenTrack: null, sharing: false };
    this.emit();
  }

  /** Emits the local state. */
  emit(): void {
    this.host.changed({ ...this.local });
  }

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
}
