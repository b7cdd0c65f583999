import { useCallback, useEffect, useRef, useState } from 'react';
import { deviceErrorKey, listDevices, meterLevel, openPreview, stopStream, type MediaDevices } from './devices';

export interface DevicePreview {
  stream: MediaStream | null;
  devices: MediaDevices;
  videoId: string | null;
  audioId: string | null;
  setVideoId: (id: string) => void;
  setAudioId: (id: string) => void;
  camOn: boolean;
  micOn: boolean;
  setCamOn: (on: boolean) => void;
  setMicOn: (on: boolean) => void;
  /** 0..1 */
  level: number;
  /** i18n key under join.deviceErrors, or null. */
  error: string | null;
  starting: boolean;
  /** Stops the preview (before entering the room). */
  stop: () => void;
}

/** The join page's camera and microphone preview. */
export function useDevicePreview(): DevicePreview {
  const [devices, setDevices] = useState<MediaDevices>({ cameras: [], microphones: [] });
  const [videoId, setVideoId] = useState<string | null>(null);
  const [audioId, setAudioId] = useState<string | null>(null);
  const [camOn, setCamOn] = useState(true);
  const [micOn, setMicOn] = useState(true);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [level, setLevel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const current = useRef<MediaStream | null>(null);
  const stopped = useRef(false);

  useEffect(() => {
    let cancelled = false;
    setStarting(true);
    openPreview(camOn ? videoId : false, micOn ? audioId : false)
      .then(async (s) => {
        if (cancelled || stopped.current) return stopStream(s);
        stopStream(current.current);
        current.current = s;
        setStream(s);
        setError(null);
        const d = await listDevices();
        if (cancelled) return;
        setDevices(d);
        // Show the device actually opened as the chosen one.
        const v = s?.getVideoTracks()[0]?.getSettings().deviceId;
        const a = s?.getAudioTracks()[0]?.getSettings().deviceId;
        if (v && !videoId) setVideoId(v);
        if (a && !audioId) setAudioId(a);
      })
      .catch((e) => {
        if (cancelled) return;
        stopStream(current.current);
        current.current = null;
        setStream(null);
        setError(deviceErrorKey(e));
        void listDevices().then((d) => !cancelled && setDevices(d)).catch(() => {});
      })
      .finally(() => !cancelled && setStarting(false));
    return () => {
      cancelled = true;
    };
  }, [videoId, audioId, camOn, micOn]);

  useEffect(() => {
    if (!stream || !micOn) {
      setLevel(0);
      return;
    }
    return meterLevel(stream, setLevel);
  }, [stream, micOn]);

  useEffect(() => {
    const onChange = () => void listDevices().then(setDevices).catch(() => {});
    navigator.mediaDevices?.addEventListener?.('devicechange', onChange);
    return () => navigator.mediaDevices?.removeEventListener?.('devicechange', onChange);
  }, []);

  const stop = useCallback(() => {
    stopped.current = true;
    stopStream(current.current);
    current.current = null;
    setStream(null);
  }, []);

  useEffect(() => () => stopStream(current.current), []);

  return { stream, devices, videoId, audioId, setVideoId, setAudioId, camOn, micOn, setCamOn, setMicOn, level, error, starting, stop };
}
