// LocalMedia on its own: fake capture, and a host that records what would reach the
// peer connection (replaceTrack) and the server (sendMute).
import { describe, expect, test } from 'vitest';
import { LocalMedia, type LocalMediaHost, type LocalMediaOptions, type LocalState } from './localMedia';

interface FakeTrack {
  kind: string;
  deviceId: string;
  enabled: boolean;
  stopped: boolean;
  contentHint?: string;
  stop(): void;
  addEventListener(type: string, fn: () => void): void;
  ended?: () => void;
}

function track(kind: string, deviceId = 'default'): FakeTrack {
  return {
    kind,
    deviceId,
    enabled: true,
    stopped: false,
    contentHint: '',
    stop() {
      this.stopped = true;
    },
    addEventListener(type, fn) {
      if (type === 'ended') this.ended = fn;
    },
  };
}

function setup(opts: LocalMediaOptions = {}, fail: { audio?: Error; video?: Error; screen?: Error } = {}) {
  const opened: FakeTrack[] = [];
  const calls: string[] = [];
  const states: LocalState[] = [];
  const errors: string[] = [];
  let ended = false;
  const host: LocalMediaHost = {
    replaceTrack: async (source, t) => {
      calls.push(`replace ${source} ${t ? (t as unknown as FakeTrack).deviceId : 'null'}`);
    },
    sendMute: (source, muted) => calls.push(`mute ${source} ${muted}`),
    changed: (s) => states.push(s),
    error: (e) => errors.push(e.code),
    get ended() {
      return ended;
    },
  };
  const getUserMedia = async (c: MediaStreamConstraints) => {
    const want = c.audio ? 'audio' : 'video';
    const err = c.audio ? fail.audio : fail.video;
    if (err) throw err;
    const spec = (c.audio || c.video) as MediaTrackConstraints;
    const t = track(want, (spec.deviceId as { exact?: string } | undefined)?.exact ?? 'default');
    opened.push(t);
    return { getAudioTracks: () => (want === 'audio' ? [t] : []), getVideoTracks: () => (want === 'video' ? [t] : []) } as unknown as MediaStream;
  };
  const getDisplayMedia = async () => {
    if (fail.screen) throw fail.screen;
    const t = track('video', 'screen');
    opened.push(t);
    return { getVideoTracks: () => [t], getTracks: () => [t] } as unknown as MediaStream;
  };
  const media = new LocalMedia({ getUserMedia, getDisplayMedia, ...opts }, host);
  return { media, opened, calls, states, errors, end: () => (ended = true) };
}

const named = (e: string) => Object.assign(new Error(e), { name: e });

describe('LocalMedia', () => {
  test('acquire: the microphone starts muted as asked; a camera that fails is off and reported', async () => {
    const { media, opened, states, errors } = setup({ micMuted: true }, { video: named('NotReadableError') });
    await media.acquire();
    expect(opened.map((t) => `${t.kind} ${t.enabled}`)).toEqual(['audio false']);
    expect(errors).toEqual(['media:camera']);
    expect(states.at(-1)).toMatchObject({ micMuted: true, cameraOn: false, cameraTrack: null });
    expect(states.at(-1)!.micTrack).toBe(opened[0]);
  });

  test('the camera off stops its track (the light goes off) and mutes; on again opens the chosen device', async () => {
    const { media, opened, calls } = setup({ videoDeviceId: 'cam-2' });
    await media.acquire();
    const first = opened[1];
    await media.setCameraOn(false);
    expect(first.stopped).toBe(true);
    expect(media.state).toMatchObject({ cameraOn: false, cameraTrack: null });
    await media.setCameraOn(true);
    expect(opened[2]).toMatchObject({ kind: 'video', deviceId: 'cam-2', stopped: false });
    expect(calls).toEqual(['replace camera null', 'mute camera true', 'replace camera cam-2', 'mute camera false']);
    // Asking again for what is already so does nothing.
    await media.setCameraOn(true);
    expect(calls).toHaveLength(4);
  });

  test('a camera that opens after the session ended is stopped at once', async () => {
    const { media, opened, calls, end } = setup({ cameraOn: false });
    await media.acquire();
    const on = media.setCameraOn(true);
    end();
    await on;
    expect(opened.at(-1)!.stopped).toBe(true);
    expect(calls).toEqual([]);
  });

  test('switching the microphone keeps the self mute and stops the old one after the swap', async () => {
    const { media, opened, calls } = setup({ micMuted: true, cameraOn: false });
    await media.acquire();
    await media.switchDevice('audioinput', 'mic-2');
    expect(opened[0].stopped).toBe(true);
    expect(opened[1]).toMatchObject({ deviceId: 'mic-2', enabled: false });
    expect(media.state).toMatchObject({ audioDeviceId: 'mic-2', micTrack: opened[1] });
    expect(calls).toEqual(['replace microphone mic-2']);
  });

  test('the host mute mutes the microphone; lifting it leaves the self mute; a refused unmute stays muted', async () => {
    const { media, opened, calls } = setup({ cameraOn: false });
    await media.acquire();
    media.setHostMuted(true);
    expect(media.state).toMatchObject({ hostMuted: true, micMuted: true });
    expect(opened[0].enabled).toBe(false);
    media.setHostMuted(false);
    expect(media.state).toMatchObject({ hostMuted: false, micMuted: true });
    media.setMicMuted(false);
    expect(opened[0].enabled).toBe(true);
    media.unmuteRefused(true);
    expect(media.state).toMatchObject({ hostMuted: true, micMuted: true });
    expect(opened[0].enabled).toBe(false);
    expect(calls).toEqual(['mute microphone false']);
  });

  test('screen: a cancelled pick says nothing, a failure is reported, an unusable capture is stopped', async () => {
    const cancelled = setup({}, { screen: named('NotAllowedError') });
    expect(await cancelled.media.captureScreen(() => true, () => {})).toBeNull();
    expect(cancelled.errors).toEqual([]);

    const failed = setup({}, { screen: named('NotReadableError') });
    expect(await failed.media.captureScreen(() => true, () => {})).toBeNull();
    expect(failed.errors).toEqual(['media:screen']);

    const late = setup();
    expect(await late.media.captureScreen(() => false, () => {})).toBeNull();
    expect(late.opened[0].stopped).toBe(true);
    expect(late.media.state.sharing).toBe(false);
  });

  test('screen: the capture is the screen track (detail hint) until stopped; the browser stop calls back', async () => {
    const { media, opened, states } = setup();
    let stopped = 0;
    const t = await media.captureScreen(() => true, () => stopped++);
    expect(t).toBe(opened[0]);
    expect(opened[0].contentHint).toBe('detail');
    expect(media.state).toMatchObject({ sharing: true, screenTrack: t });
    opened[0].ended!();
    expect(stopped).toBe(1);
    media.stopScreen();
    expect(opened[0].stopped).toBe(true);
    expect(states.at(-1)).toMatchObject({ sharing: false, screenTrack: null });
  });

  test('release stops every track and says so', async () => {
    const { media, opened, states } = setup();
    await media.acquire();
    await media.captureScreen(() => true, () => {});
    media.release();
    expect(opened.map((t) => t.stopped)).toEqual([true, true, true]);
    expect(states.at(-1)).toMatchObject({ micTrack: null, cameraTrack: null, screenTrack: null, sharing: false });
  });
});
