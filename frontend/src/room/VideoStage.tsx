// The stage: the layout's panes on a CSS grid, each showing what the server assigned
// to it (a camera, a screen share, the whiteboard shown to everyone, or nobody), and
// the remote audio.
import { AudioMutedOutlined, DesktopOutlined, PushpinFilled, SyncOutlined, UserOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';
import { memo, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingParticipant } from '../gql/schema';
import { gridArea } from '../rtc/layout';
import type { RtcSession } from '../rtc/session';
import type { PaneView, StageModel } from './panes';

/** Network quality as bars (1 bad … 5 excellent, 0 unknown). */
export function QualityBars({ q, label }: { q: number; label: string }) {
  return (
    <span className={`qbars q${q}`} role="img" aria-label={label} title={label}>
      {[1, 2, 3, 4].map((i) => (
        <i key={i} className={q >= i + 1 || (q === 1 && i === 1) ? 'on' : ''} />
      ))}
    </span>
  );
}

interface VideoTileProps {
  track: MediaStreamTrack | null;
  /** A remote track's id: its rendered size is reported for the subscribe preference. */
  remoteTrackId?: string;
  session: RtcSession;
  mirror?: boolean;
  fit: 'cover' | 'contain';
  label: string;
}

/** One <video> for a track; reports its rendered size while shown. */
const VideoTile = memo(function VideoTile({ track, remoteTrackId, session, mirror, fit, label }: VideoTileProps) {
  const ref = useRef<HTMLVideoElement>(null);
  // Hidden until the first frame, so the avatar shows instead of a black box.
  const [hasFrame, setHasFrame] = useState(false);
  // Also when only the remote track id changes: m-lines are reused, so the same
  // MediaStreamTrack may now carry another participant's video; hide the previous
  // one's last frame until the new one's first.
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    setHasFrame(false);
    v.srcObject = track ? new MediaStream([track]) : null;
    if (track) v.play().catch(() => {});
  }, [track, remoteTrackId]);
  useLayoutEffect(() => {
    const v = ref.current;
    if (!v || !remoteTrackId) return;
    const report = () => {
      const r = v.getBoundingClientRect();
      session.setVideoShown(remoteTrackId, r.width > 0 && r.height > 0 ? { width: r.width, height: r.height } : null);
    };
    report();
    const ro = new ResizeObserver(report);
    ro.observe(v);
    return () => {
      ro.disconnect();
      session.setVideoShown(remoteTrackId, null);
    };
  }, [remoteTrackId, session]);
  return (
    <video
      ref={ref}
      className={mirror ? 'mirror' : undefined}
      style={{ objectFit: fit, visibility: hasFrame ? 'visible' : 'hidden' }}
      onLoadedData={() => setHasFrame(true)}
      onResize={(e) => setHasFrame(e.currentTarget.videoWidth > 0)}
      autoPlay
      playsInline
      muted
      aria-label={label}
      data-track-id={remoteTrackId ?? 'local'}
    />
  );
});

export interface StageProps {
  model: StageModel;
  compact: boolean;
  session: RtcSession;
  selfId: string | null;
  participants: Map<string, MeetingParticipant>;
  activeSpeakerId: string | null;
  pinnedPanes: Map<number, string>;
  /** Video tracks by participant and source. */
  videoOf: (participantId: string, source: 'camera' | 'screen') => { track: MediaStreamTrack | null; trackId?: string };
  nameOf: (participantId: string) => string;
  selfState: { micMuted: boolean; hostMuted: boolean; cameraOn: boolean };
  /** What the whiteboard pane holds (the live board), when the server put the board in a pane. */
  board?: ReactNode;
}

function PaneTile({ pane, props }: { pane: PaneView; props: StageProps }) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { participants, selfId, session, activeSpeakerId, videoOf, nameOf, selfState, pinnedPanes } = props;
  const pid = pane.participantId;
  const style: CSSProperties = gridArea(pane);
  const n = pane.index + 1;
  if (pane.source === 'whiteboard') {
    return (
      <div className={`pane ${pane.role} board`} style={style} data-pane={pane.index} data-source="whiteboard" data-polled="false" role="group" aria-label={t('pane.labelBoard', { n })}>
        {props.board}
      </div>
    );
  }
  if (!pid) {
    return (
      <div className="pane empty" style={style} data-pane={pane.index} data-participant="" data-source="" data-polled={pane.polled ? 'true' : 'false'} role="group" aria-label={t('pane.labelEmpty', { n })}>
        {pane.polled && <SyncOutlined className="pane-polled" aria-label={t('pane.polled')} />}
        <span className="pane-vacant" aria-hidden="true">
          <UserOutlined />
          <span className="pane-vacant-text">{t('pane.vacant')}</span>
        </span>
      </div>
    );
  }
  const p = participants.get(pid);
  const self = pid === selfId;
  const name = nameOf(pid);
  const isScreen = pane.source === 'screen';
  const v = self ? null : videoOf(pid, isScreen ? 'screen' : 'camera');
  const localTrack = self ? (isScreen ? session.localState.screenTrack : session.localState.cameraTrack) : null;
  const track = self ? localTrack : (v?.track ?? null);
  const videoOn = isScreen ? true : self ? selfState.cameraOn : p ? p.video : !!track;
  const speaking = !isScreen && !!p && (p.speaking || (activeSpeakerId === pid && participants.size > 1));
  const muted = self ? selfState.micMuted || selfState.hostMuted : !!p && (p.selfMuted || p.mutedByHost || !p.audio);
  const hostMuted = self ? selfState.hostMuted : !!p?.mutedByHost;
  const label = isScreen ? t('pane.screen', { name }) : name;
  const pinned = pinnedPanes.get(pane.index) === pid;
  return (
    <div
      className={`pane ${pane.role}${speaking ? ' speaking' : ''}${isScreen ? ' screen' : ''}`}
      style={style}
      data-pane={pane.index}
      data-participant={pid}
      data-source={pane.source}
      data-polled={pane.polled ? 'true' : 'false'}
      data-self={self ? 'true' : 'false'}
      role="group"
      aria-label={t('pane.label', { n, name: label })}
    >
      <div className="pane-avatar" aria-hidden="true">
        <span>{name.slice(0, 1).toUpperCase() || <UserOutlined />}</span>
        {videoOn && !self && <small>{track ? '' : t('pane.connecting')}</small>}
      </div>
      {videoOn && track && (
        <VideoTile track={track} remoteTrackId={self ? undefined : v?.trackId} session={session} mirror={self && !isScreen} fit={isScreen ? 'contain' : 'cover'} label={label} />
      )}
      <div className="pane-label">
        {isScreen && <DesktopOutlined />}
        {!isScreen && muted && (
          <Tooltip title={hostMuted ? t('pane.mutedByHost') : t('pane.muted')}>
            <AudioMutedOutlined className={hostMuted ? 'host-muted' : 'muted'} aria-label={hostMuted ? t('pane.mutedByHost') : t('pane.muted')} />
          </Tooltip>
        )}
        <span className="pane-name">
          {label}
          {self && !isScreen ? t('roster.me') : ''}
        </span>
        {p?.role === 'HOST' && !isScreen && <span className="pane-badge">{t('pane.host')}</span>}
        {p?.role === 'PRESENTER' && !isScreen && <span className="pane-badge">{t('pane.presenter')}</span>}
        {pinned && <PushpinFilled aria-label={t('roster.pinned', { n })} />}
        {pane.polled && <SyncOutlined aria-label={t('pane.polled')} />}
        {p && !isScreen && <QualityBars q={p.networkQuality} label={t('info.network', { q: t(`quality.${p.networkQuality}`) })} />}
      </div>
    </div>
  );
}

/** Fits a 16:9 canvas into the space it is given (desktop); phones fill the height and scroll beyond. */
function useFit(compact: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || compact) return;
    const fit = () => {
      const W = el.clientWidth;
      const H = el.clientHeight;
      if (!W || !H) return;
      const w = Math.min(W, (H * 16) / 9);
      setSize({ w: Math.floor(w), h: Math.floor((w * 9) / 16) });
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    return () => ro.disconnect();
  }, [compact]);
  return { ref, size };
}

export function VideoStage(props: StageProps) {
  const { model, compact } = props;
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { ref, size } = useFit(compact);
  const { layout } = model;
  const gridStyle: CSSProperties = {
    gridTemplateColumns: `repeat(${layout.cols}, minmax(0, 1fr))`,
    // Phones: rows at least 16:9 panes, growing to fill the screen's height.
    gridTemplateRows: compact ? `repeat(${layout.rows}, minmax(calc((100vw - 16px) / ${layout.cols} * 9 / 16), 1fr))` : `repeat(${layout.rows}, minmax(0, 1fr))`,
    ...(compact ? {} : size ? { width: size.w, height: size.h } : { visibility: 'hidden' }),
  };
  return (
    <div className={`stage-wrap${compact ? ' compact' : ''}`} ref={ref}>
      <div className="stage" style={gridStyle} data-testid="stage" data-mode={layout.mode} aria-label={t('layout.current', { name: t(`layout.${layout.mode}`) })} role="region">
        {model.panes.map((p) => (
          <PaneTile key={p.index} pane={p} props={props} />
        ))}
      </div>
    </div>
  );
}

/** Plays every remote audio track (whether or not its participant is shown). */
export function RemoteAudio({ tracks, sinkId, onBlocked }: { tracks: { trackId: string; track: MediaStreamTrack }[]; sinkId: string | null; onBlocked: (blocked: boolean) => void }) {
  return (
    <div hidden>
      {tracks.map((t) => (
        <AudioOut key={t.trackId} track={t.track} sinkId={sinkId} onBlocked={onBlocked} />
      ))}
    </div>
  );
}

function AudioOut({ track, sinkId, onBlocked }: { track: MediaStreamTrack; sinkId: string | null; onBlocked: (b: boolean) => void }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    a.srcObject = new MediaStream([track]);
    a.play().then(
      () => onBlocked(false),
      (e: Error) => {
        if (e.name === 'NotAllowedError') onBlocked(true);
      },
    );
  }, [track, onBlocked]);
  useEffect(() => {
    const a = ref.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (a?.setSinkId && sinkId !== null) a.setSinkId(sinkId).catch(() => {});
  }, [sinkId]);
  return <audio ref={ref} autoPlay data-remote-audio="true" />;
}
