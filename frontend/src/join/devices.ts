// Camera and microphone for the join preview, without React: list devices, open a
// preview stream, and measure the microphone level.

export interface MediaDevices {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

/** The camera and microphone inputs (labels appear once permission was given). */
export async function listDevices(): Promise<MediaDevices> {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], microphones: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    microphones: all.filter((d) => d.kind === 'audioinput'),
  };
}

/** Opens a preview stream with the chosen devices (null: default; false: none). */
export async function openPreview(video: string | null | false, audio: string | null | false): Promise<MediaStream | null> {
  if (!navigator.mediaDevices?.getUserMedia || (video === false && audio === false)) return null;
  return navigator.mediaDevices.getUserMedia({
    video: video === false ? false : { deviceId: video ? { exact: video } : undefined, width: { ideal: 640 }, height: { ideal: 360 } },
    audio: audio === false ? false : { deviceId: audio ? { exact: audio } : undefined, echoCancellation: true, noiseSuppression: true },
  });
}

/** Stops every track of a stream. */
export function stopStream(s: MediaStream | null | undefined): void {
  s?.getTracks().forEach((t) => t.stop());
}

/**
 * Calls onLevel with the microphone's level (0..1, RMS with a light curve) about
 * 20 times a second until the returned function is called.
 */
export function meterLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  const track = stream.getAudioTracks()[0];
  const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!track || !Ctx) return () => {};
  const ctx = new Ctx();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const timer = window.setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) sum += x * x;
    onLevel(levelOf(Math.sqrt(sum / buf.length)));
  }, 50);
  return () => {
    window.clearInterval(timer);
    source.disconnect();
    void ctx.close();
  };
}

/** Maps an RMS amplitude to a 0..1 meter reading (about -60 dBFS to 0). */
export function levelOf(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.max(0, Math.min(1, (db + 60) / 60));
}

/** A name for an error of getUserMedia, as an i18n key under join.deviceErrors. */
export function deviceErrorKey(e: unknown): string {
  const name = (e as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'notFound';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
  }
  return 'other';
}
