// Hooks: the only bridge from the framework-free core (src/rtc, src/whiteboard) to
// React state.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JoinPayload } from '../join/handoff';
import { initialMeetingView, type MeetingView } from '../rtc/meetingState';
import { RtcSession, type ConnState, type EndReason, type LocalState, type RemoteTrack } from '../rtc/session';
import { WhiteboardClient } from '../whiteboard/client';

/** What joinMeeting answered: the hand-over from the join page to the room. */
export type { JoinPayload };

export interface RtcView {
  session: RtcSession;
  state: ConnState;
  participantId: string | null;
  local: LocalState;
  tracks: RemoteTrack[];
  ended: { reason: EndReason; message?: string } | null;
}

export interface SessionSetup {
  micOn: boolean;
  cameraOn: boolean;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  /** A new join token for a fresh join after the resume window. */
  renewToken: () => Promise<string | null>;
}

/** Runs one RtcSession per join token and mirrors its state (null until created). */
export function useRtcSession(join: JoinPayload, setup: SessionSetup): RtcView | null {
  const setupRef = useRef(setup);
  setupRef.current = setup;
  const [session, setSession] = useState<RtcSession | null>(null);
  const [state, setState] = useState<ConnState>('idle');
  const [participantId, setParticipantId] = useState<string | null>(null);
  const [local, setLocal] = useState<LocalState | null>(null);
  const [tracks, setTracks] = useState<RemoteTrack[]>([]);
  const [ended, setEnded] = useState<RtcView['ended']>(null);

  useEffect(() => {
    const s = setupRef.current;
    const session = new RtcSession({
      token: join.token,
      meetingId: join.meetingId,
      iceServers: join.iceServers.map((x) => ({ urls: x.urls, username: x.username ?? undefined, credential: x.credential ?? undefined })),
      micMuted: !s.micOn || join.options.muteOnEntry,
      cameraOn: s.cameraOn,
      audioDeviceId: s.audioDeviceId,
      videoDeviceId: s.videoDeviceId,
      renewToken: () => setupRef.current.renewToken(),
      device: { client: 'web', version: '1' },
    });
    const offs = [
      session.on('state', setState),
      session.on('joined', (j) => setParticipantId(j.participantId)),
      session.on('local', setLocal),
      session.on('tracks', setTracks),
      session.on('ended', setEnded),
    ];
    setSession(session);
    setState(session.state);
    setLocal(session.localState);
    setTracks([]);
    setEnded(null);
    void session.start();
    const onHide = () => session.leave();
    window.addEventListener('pagehide', onHide);
    return () => {
      offs.forEach((f) => f());
      window.removeEventListener('pagehide', onHide);
      session.leave();
    };
    // One session per join token.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [join.token]);

  if (!session || !local) return null;
  return { session, state, participantId, local, tracks, ended };
}

/**
 * The meeting's live state (roster, layout, settings) as the session receives it over
 * /rtc: the same for guests, members and the host.
 */
export function useMeetingState(session: RtcSession | null): MeetingView {
  const [st, setSt] = useState<MeetingView>(() => session?.meetingView ?? initialMeetingView);
  useEffect(() => {
    if (!session) {
      setSt(initialMeetingView);
      return;
    }
    setSt(session.meetingView);
    return session.on('meeting', setSt);
  }, [session]);
  return st;
}

/** The room's whiteboard client, attached to the session's data channel. */
export function useWhiteboard(session: RtcSession | null): WhiteboardClient {
  const client = useMemo(() => new WhiteboardClient(), []);
  useEffect(() => {
    if (!session) return;
    if (session.whiteboardChannel) client.attach(session.whiteboardChannel);
    const off = session.on('whiteboard', (dc) => client.attach(dc));
    return () => {
      off();
      client.detach();
    };
  }, [session, client]);
  useEffect(() => () => client.dispose(), [client]);
  return client;
}

/** The media devices of a kind, refreshed when devices change. */
export function useDevices(): MediaDeviceInfo[] {
  const [list, setList] = useState<MediaDeviceInfo[]>([]);
  const load = useCallback(() => {
    navigator.mediaDevices
      ?.enumerateDevices()
      .then(setList)
      .catch(() => setList([]));
  }, []);
  useEffect(() => {
    load();
    navigator.mediaDevices?.addEventListener('devicechange', load);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', load);
  }, [load]);
  return list;
}

/** Whether the viewport is phone-sized. */
export function useNarrow(px = 720): boolean {
  const q = `(max-width: ${px}px)`;
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia(q).matches);
  useEffect(() => {
    const m = window.matchMedia(q);
    const f = () => setNarrow(m.matches);
    m.addEventListener('change', f);
    f();
    return () => m.removeEventListener('change', f);
  }, [q]);
  return narrow;
}

/** A duration in seconds as mm:ss, or h:mm:ss from an hour on. */
export function fmtDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

/**
 * Seconds since sinceMs (epoch ms), ticking on each whole second after sinceMs, so
 * every client counting from the same start turns over at the same moment.
 */
export function useElapsed(sinceMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let id: ReturnType<typeof setTimeout>;
    const tick = () => {
      const t = Date.now();
      setNow(t);
      const into = (((t - sinceMs) % 1000) + 1000) % 1000;
      id = setTimeout(tick, 1000 - into + 10);
    };
    tick();
    return () => clearTimeout(id);
  }, [sinceMs]);
  return Math.max(0, Math.floor((now - sinceMs) / 1000));
}
