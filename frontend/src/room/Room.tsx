// The meeting room: the stage drawn from the server's pane assignment, the toolbar,
// the participant list with the host's controls, the whiteboard, and what the
// participant must know (muted by the host, reconnecting, …).
import {
  AppstoreOutlined,
  AudioMutedOutlined,
  AudioOutlined,
  DesktopOutlined,
  DownOutlined,
  EditOutlined,
  LockFilled,
  LogoutOutlined,
  MessageOutlined,
  SoundOutlined,
  StopOutlined,
  TeamOutlined,
  VideoCameraOutlined,
  WifiOutlined,
} from '@ant-design/icons';
import { Alert, App, Badge, Button, Drawer, Dropdown, Space, Tag, Tooltip, type MenuProps } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LayoutMode, LiveParticipant } from '../gql/schema';
import { LAYOUT_MODES, layoutOf } from '../rtc/layout';
import type { EndReason } from '../rtc/session';
import { ChatPanel } from './ChatPanel';
import { useControls } from './controls';
import { canShareScreen } from './device';
import { InviteDialog, PollingDialog } from './Dialogs';
import { MeetingInfo } from './MeetingInfo';
import { fmtDuration, useDevices, useElapsed, useMeetingState, useNarrow, useRtcSession, useWhiteboard, type JoinPayload } from './hooks';
import { HandIcon } from './HandIcon';
import { fallbackAssignment, stageModel } from './panes';
import { RosterPanel } from './RosterPanel';
import { useChat } from './useChat';
import { QualityBars, RemoteAudio, VideoStage } from './VideoStage';

const WhiteboardPanel = lazy(() => import('../whiteboard/WhiteboardPanel'));

export interface RoomProps {
  join: JoinPayload;
  micOn: boolean;
  cameraOn: boolean;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  signedIn: boolean;
  /** The password typed to join (empty when none was typed), shown in the meeting info. */
  password: string;
  isAdmin: boolean;
  renewToken: () => Promise<string | null>;
  onEnded: (e: { reason: EndReason; message?: string }) => void;
}

export default function Room(props: RoomProps) {
  const { join, signedIn, isAdmin, onEnded } = props;
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { message, modal } = App.useApp();
  const rtc = useRtcSession(join, {
    micOn: props.micOn,
    cameraOn: props.cameraOn,
    audioDeviceId: props.audioDeviceId,
    videoDeviceId: props.videoDeviceId,
    renewToken: props.renewToken,
  });
  const session = rtc?.session ?? null;
  const live = useMeetingState(session);
  const wb = useWhiteboard(session);
  const controls = useControls(join.meetingId);
  const narrow = useNarrow();
  const devices = useDevices();
  const [rosterOpen, setRosterOpen] = useState(!narrow);
  // A phone shows the stage first; the list opens on demand.
  useEffect(() => {
    if (narrow) setRosterOpen(false);
  }, [narrow]);
  const [boardOpen, setBoardOpen] = useState(false);
  const [pollingOpen, setPollingOpen] = useState(false);
  const [inviteOpen, setInviteOpen] = useState(false);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const [sinkId, setSinkId] = useState<string | null>(null);
  // The meeting's duration: counted from the run's start, so everyone shows the same.
  const startedAt = useMemo(() => Date.parse(join.runStartedAt) || Date.now(), [join.runStartedAt]);
  const elapsed = useElapsed(startedAt);
  const moderator = join.role === 'HOST' || isAdmin;
  const selfId = rtc?.participantId ?? null;
  const meeting = live.meeting;

  const participants = useMemo(() => new Map<string, LiveParticipant>((meeting?.participants ?? []).map((p) => [p.id, p])), [meeting?.participants]);
  const me = selfId ? participants.get(selfId) : undefined;
  const nameRef = useRef(new Map<string, string>());
  for (const [id, p] of participants) nameRef.current.set(id, p.name);
  const nameOf = useCallback(
    (id: string) => nameRef.current.get(id) ?? (id === selfId ? join.displayName : t('pane.unknown')),
    [selfId, join.displayName, t],
  );

  // Chat: the panel, its unread count and the server's refusals.
  const [chatOpen, setChatOpen] = useState(false);
  const chat = useChat(session, selfId, chatOpen, (e) => {
    if (e.code === 'rate_limited') void message.warning(t('chat.rateLimited'));
    else void message.error(t('chat.refused', { message: e.message }));
  });
  // Raised hands: the hosts hear of each one; a participant hears when the host lowered theirs.
  const handsRef = useRef<Set<string> | null>(null);
  const selfLowered = useRef(false);
  useEffect(() => {
    if (!meeting) return;
    const up = new Set(meeting.participants.filter((p) => p.handRaised).map((p) => p.id));
    const before = handsRef.current;
    handsRef.current = up;
    if (!before) return; // the first state: hands raised before I came are in the list
    if (moderator) for (const id of up) if (!before.has(id) && id !== selfId) void message.info({ content: t('hand.raisedBy', { name: nameOf(id) }), key: `hand-${id}` });
    if (selfId && before.has(selfId) && !up.has(selfId) && participants.has(selfId)) {
      if (!selfLowered.current) void message.info(t('hand.loweredByHost'));
      selfLowered.current = false;
    }
  }, [meeting, moderator, selfId, participants, message, t, nameOf]);
  const setHand = (raised: boolean) => {
    if (!raised) selfLowered.current = true;
    session?.raiseHand(raised);
  };

  // The session ends (bye removed / meetingEnded after their notice, left, …): tell the page.
  useEffect(() => {
    if (rtc?.ended) onEnded(rtc.ended);
  }, [rtc?.ended, onEnded]);

  // The host asks to unmute (notice unmuteRequested); the question goes away once the
  // roster no longer holds the request (unmuted, or muted again).
  const askRef = useRef<{ destroy: () => void } | null>(null);
  useEffect(() => {
    if (askRef.current && me && !me.unmuteRequested) {
      askRef.current.destroy();
      askRef.current = null;
    }
  }, [me?.unmuteRequested, me]);
  useEffect(() => () => askRef.current?.destroy(), []);

  // Notices and errors from the media session.
  useEffect(() => {
    if (!session) return;
    const offs = [
      session.on('notice', (n) => {
        if (n.kind === 'reconnectWindow' && n.participantId) void message.warning(t('notice.reconnectWindow', { name: nameOf(n.participantId) }));
        else if (n.kind === 'reconnected' && n.participantId) void message.success(t('notice.reconnected', { name: nameOf(n.participantId) }));
        else if (n.kind === 'locked') void message.info(t('notice.locked'));
        else if (n.kind === 'unlocked') void message.info(t('notice.unlocked'));
        else if (n.kind === 'unmuteRequested' && !askRef.current) {
          askRef.current = modal.confirm({
            title: t('notice.unmuteRequested'),
            okText: t('notice.unmuteNow'),
            cancelText: t('notice.stayMuted'),
            onOk: () => session.setMicMuted(false),
            afterClose: () => {
              askRef.current = null;
            },
          });
        }
      }),
      session.on('error', (e) => {
        if (e.code === 'media:microphone') void message.error(t('media.microphone'));
        else if (e.code === 'media:camera') void message.error(t('media.camera'));
        else if (e.code === 'media:screen') void message.error(t('media.screen'));
        else if (e.code === 'unmute_refused') void message.warning(t('notice.unmuteRefused'));
      }),
    ];
    return () => offs.forEach((f) => f());
  }, [session, message, modal, t, nameOf]);
  useEffect(
    () =>
      wb.on('error', (e) => {
        if (e.code === 'too_large') void message.warning(t('media.tooLarge'));
        else if (e.code === 'forbidden') void message.error(t('errors.forbidden'));
      }),
    [wb, message, t],
  );
  useEffect(() => wb.on('cleared', () => void message.info(t('whiteboard.cleared'))), [wb, message, t]);
  // Someone else draws or points on the board while mine is closed: say so, once per
  // person, and mark the whiteboard button until I open it.
  const [boardActive, setBoardActive] = useState(false);
  const boardTold = useRef(new Set<string>());
  // The board shown to everyone is in a pane of the stage (the server's assignment).
  const boardOnStage = !!meeting?.panes.some((p) => p.source === 'whiteboard');
  const boardSeen = boardOpen || boardOnStage;
  useEffect(() => {
    if (boardSeen) {
      boardTold.current.clear();
      setBoardActive(false);
      return;
    }
    return wb.on('activity', ({ from }) => {
      if (from === selfId || boardTold.current.has(from)) return;
      boardTold.current.add(from);
      setBoardActive(true);
      void message.info(t('whiteboard.othersUsing', { name: nameOf(from) }));
    });
  }, [wb, boardSeen, selfId, message, t, nameOf]);

  // Showing the board to everyone: the host, admins and signed-in presenters may. The
  // others are told when it comes and goes; the board moves from one's side panel to
  // the stage.
  const mayShowBoard = signedIn && (moderator || me?.role === 'PRESENTER');
  const boardByMe = useRef(false);
  const showBoard = useCallback(
    (on: boolean) => {
      boardByMe.current = true;
      void controls.setWhiteboard(on).then((ok) => {
        if (!ok) boardByMe.current = false;
      });
    },
    [controls],
  );
  const boardShown = meeting?.whiteboard;
  const boardShownBefore = useRef<boolean | undefined>(undefined);
  useEffect(() => {
    if (boardShown === undefined) return;
    const before = boardShownBefore.current;
    boardShownBefore.current = boardShown;
    if (before === undefined || before === boardShown) return;
    if (boardByMe.current) boardByMe.current = false;
    else void message.info(boardShown ? t('whiteboard.shownToAll') : t('whiteboard.hiddenForAll'));
  }, [boardShown, message, t]);
  useEffect(() => {
    if (boardOnStage) setBoardOpen(false);
  }, [boardOnStage]);

  // What the stage shows.
  const tracks = rtc?.tracks ?? [];
  const sharer = meeting ? (meeting.participants.find((p) => p.screen)?.id ?? null) : (tracks.find((x) => x.source === 'screen')?.participantId ?? (rtc?.local.sharing ? selfId : null));
  const model = useMemo(() => {
    if (meeting) return stageModel(meeting.mode, meeting.panes, narrow);
    const others: string[] = [];
    for (const x of tracks) if (!others.includes(x.participantId)) others.push(x.participantId);
    const a = fallbackAssignment(selfId, others, sharer);
    return stageModel(a.mode, a.panes, narrow);
  }, [meeting, tracks, selfId, sharer, narrow]);
  const videoOf = useCallback(
    (pid: string, source: 'camera' | 'screen') => {
      const x = tracks.find((r) => r.participantId === pid && r.kind === 'video' && r.source === source);
      return { track: x?.track ?? null, trackId: x?.trackId };
    },
    [tracks],
  );
  const audio = useMemo(() => tracks.filter((x) => x.kind === 'audio' && x.track).map((x) => ({ trackId: x.trackId, track: x.track! })), [tracks]);
  const pinnedPanes = useMemo(() => new Map((meeting?.pins ?? []).map((p) => [p.pane, p.participantId])), [meeting?.pins]);

  // Keyboard: Alt+A microphone, Alt+V camera (as in other meeting apps).
  useEffect(() => {
    if (!session) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.code === 'KeyA') {
        e.preventDefault();
        session.setMicMuted(!session.localState.micMuted);
      } else if (e.code === 'KeyV') {
        e.preventDefault();
        void session.setCameraOn(!session.localState.cameraOn);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  // A read-only handle for diagnostics and the browser tests (stats, not controls).
  useEffect(() => {
    if (!session) return;
    const w = window as unknown as { __jstRoom?: unknown };
    w.__jstRoom = {
      participantId: () => session.participantId,
      inboundStats: () => session.inboundStats(),
      outboundStats: () => session.outboundStats(),
      whiteboardElements: () => wb.elements().filter((e) => !e.isDeleted).length,
      simulateDrop: () => session.simulateDrop(),
      sent: () => session.sentCounts,
      liveSeq: () => session.liveState.seq,
    };
    return () => {
      delete w.__jstRoom;
    };
  }, [session, wb]);

  if (!rtc || !session) return null;
  const { local, state } = rtc;
  const paneCount = layoutOf(meeting?.mode ?? model.layout.mode).panes.length;
  const micMuted = local.micMuted || local.hostMuted;
  const otherSharing = !!sharer && sharer !== selfId;

  const deviceMenu = (kind: 'audioinput' | 'videoinput'): MenuProps => {
    const inputs = devices.filter((d) => d.kind === kind);
    const current = kind === 'audioinput' ? (local.micTrack?.getSettings().deviceId ?? local.audioDeviceId) : (local.cameraTrack?.getSettings().deviceId ?? local.videoDeviceId);
    const items: MenuProps['items'] = [
      {
        type: 'group',
        key: 'in',
        label: kind === 'audioinput' ? t('toolbar.microphone') : t('toolbar.camera'),
        children: inputs.map((d, i) => ({ key: `in:${d.deviceId}`, label: d.label || `${kind === 'audioinput' ? t('toolbar.microphone') : t('toolbar.camera')} ${i + 1}` })),
      },
    ];
    const outs = devices.filter((d) => d.kind === 'audiooutput');
    if (kind === 'audioinput' && outs.length && 'setSinkId' in HTMLMediaElement.prototype) {
      items.push({
        type: 'group',
        key: 'out',
        label: t('toolbar.speaker'),
        children: outs.map((d, i) => ({ key: `out:${d.deviceId}`, label: d.label || `${t('toolbar.speaker')} ${i + 1}` })),
      });
    }
    return {
      items,
      selectable: true,
      selectedKeys: [`in:${current ?? ''}`, `out:${sinkId ?? 'default'}`],
      onClick: ({ key }) => {
        const [what, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
        if (what === 'out') setSinkId(id);
        else void session.switchDevice(kind, id);
      },
    };
  };

  const layoutMenu: MenuProps = {
    selectable: true,
    selectedKeys: meeting ? [meeting.mode] : [],
    items: [
      ...LAYOUT_MODES.map((m) => ({ key: m, label: t(`layout.${m}`) })),
      { type: 'divider' as const },
      { key: 'polling', label: t('layout.polling') },
    ],
    onClick: ({ key }) => {
      if (key === 'polling') setPollingOpen(true);
      else void controls.setLayout(key as LayoutMode);
    },
  };

  const leave = () => {
    if (moderator && signedIn) {
      const m = modal.confirm({
        title: t('toolbar.leaveConfirm'),
        icon: <LogoutOutlined />,
        footer: (
          <Space style={{ marginTop: 16, display: 'flex', justifyContent: 'flex-end' }} wrap>
            <Button onClick={() => m.destroy()}>{t('common.cancel')}</Button>
            <Button
              onClick={() => {
                m.destroy();
                session.leave();
              }}
            >
              {t('toolbar.leaveOnly')}
            </Button>
            <Button
              danger
              type="primary"
              onClick={async () => {
                m.destroy();
                if (await controls.endMeeting()) {
                  onEnded({ reason: 'meetingEnded' });
                  session.leave();
                }
              }}
            >
              {t('toolbar.endForAll')}
            </Button>
          </Space>
        ),
      });
      return;
    }
    modal.confirm({ title: t('toolbar.leaveConfirm'), okText: t('toolbar.leave'), okButtonProps: { danger: true }, cancelText: t('common.cancel'), onOk: () => session.leave() });
  };

  const roster = (
    <RosterPanel meeting={meeting} selfId={selfId} moderator={moderator && signedIn} controls={controls} paneCount={paneCount} onInvite={() => setInviteOpen(true)} />
  );

  const chatPanel = <ChatPanel chat={chat} selfId={selfId} moderator={moderator} participants={meeting?.participants ?? []} />;

  const stage = (
    <VideoStage
      model={model}
      compact={narrow}
      session={session}
      selfId={selfId}
      participants={participants}
      activeSpeakerId={meeting?.activeSpeakerId ?? null}
      pinnedPanes={pinnedPanes}
      videoOf={videoOf}
      nameOf={nameOf}
      selfState={{ micMuted: local.micMuted, hostMuted: local.hostMuted, cameraOn: local.cameraOn }}
      board={
        boardOnStage && (
          <Suspense fallback={null}>
            <WhiteboardPanel client={wb} moderator={moderator} nameOf={nameOf} shown onShow={mayShowBoard ? showBoard : undefined} />
          </Suspense>
        )
      }
    />
  );

  return (
    <div className={`room${narrow ? ' narrow' : ''}${boardOpen && !boardOnStage ? ' with-board' : ''}`} data-testid="room" data-state={state} data-participant-id={selfId ?? ''}>
      <header className="room-head">
        <div className="room-title">
          <h1>{join.name}</h1>
          <span className="room-number">{t('info.number', { number: join.number })}</span>
          <MeetingInfo meetingId={join.meetingId} name={join.name} number={join.number} typedPassword={props.password} signedIn={signedIn} />
        </div>
        <Space size={6} wrap className="room-status">
          {meeting?.locked && (
            <Tag icon={<LockFilled />} color="orange">
              {t('info.locked')}
            </Tag>
          )}
          {meeting?.recording && <Tag color="red">{t('info.recording')}</Tag>}
          {meeting?.live && <Tag color="magenta">{t('info.live')}</Tag>}
          {meeting && meeting.polling.enabled && <Tag color="cyan">{t('polling.on', { s: meeting.polling.intervalSeconds })}</Tag>}
          <span className="room-timer" aria-label={t('info.duration')}>
            {fmtDuration(elapsed)}
          </span>
          {me ? (
            <QualityBars q={me.networkQuality} label={t('info.network', { q: t(`quality.${me.networkQuality}`) })} />
          ) : (
            <WifiOutlined aria-hidden="true" />
          )}
        </Space>
      </header>

      {state === 'reconnecting' && (
        <Alert className="room-banner" type="warning" showIcon role="alert" data-testid="reconnecting" message={t('state.reconnecting')} description={narrow ? undefined : t('state.reconnectingHint')} />
      )}
      {state === 'connecting' && <Alert className="room-banner" type="info" showIcon message={t('state.connecting')} />}
      {local.hostMuted && (
        <Alert
          className="room-banner"
          type="warning"
          showIcon
          icon={<AudioMutedOutlined />}
          role="alert"
          data-testid="muted-by-host"
          message={narrow ? t(meeting?.allowSelfUnmute ? 'notice.mutedByHostSelfUnmuteShort' : 'notice.mutedByHostShort') : t('notice.mutedByHost')}
          description={narrow ? undefined : meeting?.allowSelfUnmute ? t('notice.mutedByHostSelfUnmute') : t('notice.mutedByHostHint')}
          action={
            !meeting?.allowSelfUnmute &&
            me && (
              <Button size="small" icon={<HandIcon />} disabled={me.handRaised} onClick={() => setHand(true)} data-testid="banner-raise-hand">
                {me.handRaised ? t('hand.raised') : t('hand.raiseToSpeak')}
              </Button>
            )
          }
        />
      )}
      {audioBlocked && (
        <Alert
          className="room-banner"
          type="info"
          showIcon
          icon={<SoundOutlined />}
          message={t('notice.audioBlocked')}
          action={
            <Button
              size="small"
              onClick={() => {
                document.querySelectorAll<HTMLAudioElement>('audio[data-remote-audio]').forEach((a) => void a.play().catch(() => {}));
                setAudioBlocked(false);
              }}
            >
              {t('notice.enableAudio')}
            </Button>
          }
        />
      )}

      <main className="room-main">
        {boardOpen && !boardOnStage && (
          <Suspense fallback={null}>
            <WhiteboardPanel client={wb} moderator={moderator} nameOf={nameOf} onShow={mayShowBoard ? showBoard : undefined} />
          </Suspense>
        )}
        <div className="room-stage">{stage}</div>
        {!narrow && rosterOpen && roster}
        {!narrow && chatOpen && chatPanel}
      </main>

      {narrow && (
        <Drawer open={rosterOpen} onClose={() => setRosterOpen(false)} placement="bottom" height="75%" title={t('toolbar.participants')} styles={{ body: { padding: 0 } }}>
          {roster}
        </Drawer>
      )}
      {narrow && (
        <Drawer open={chatOpen} onClose={() => setChatOpen(false)} placement="bottom" height="75%" title={t('chat.title')} styles={{ body: { padding: 0 } }}>
          {chatPanel}
        </Drawer>
      )}

      <nav className="room-toolbar" aria-label={t('toolbar.label')}>
        <Space.Compact>
          <Tooltip title={`${micMuted ? t('toolbar.unmute') : t('toolbar.mute')} (Alt+A)`}>
            <Button
              size="large"
              className="tb-btn"
              danger={micMuted}
              aria-pressed={!micMuted}
              aria-label={micMuted ? t('toolbar.unmute') : t('toolbar.mute')}
              data-testid="mic"
              icon={micMuted ? <AudioMutedOutlined /> : <AudioOutlined />}
              onClick={() => session.setMicMuted(!local.micMuted)}
            >
              {!narrow && (micMuted ? t('toolbar.unmute') : t('toolbar.mute'))}
            </Button>
          </Tooltip>
          <Dropdown menu={deviceMenu('audioinput')} trigger={['click']}>
            <Button size="large" className="tb-more" icon={<DownOutlined />} aria-label={t('toolbar.micDevices')} />
          </Dropdown>
        </Space.Compact>
        <Space.Compact>
          <Tooltip title={`${local.cameraOn ? t('toolbar.cameraOff') : t('toolbar.cameraOn')} (Alt+V)`}>
            <Button
              size="large"
              className="tb-btn"
              danger={!local.cameraOn}
              aria-pressed={local.cameraOn}
              aria-label={local.cameraOn ? t('toolbar.cameraOff') : t('toolbar.cameraOn')}
              data-testid="camera"
              icon={local.cameraOn ? <VideoCameraOutlined /> : <StopOutlined />}
              onClick={() => void session.setCameraOn(!local.cameraOn)}
            >
              {!narrow && (local.cameraOn ? t('toolbar.cameraOff') : t('toolbar.cameraOn'))}
            </Button>
          </Tooltip>
          <Dropdown menu={deviceMenu('videoinput')} trigger={['click']}>
            <Button size="large" className="tb-more" icon={<DownOutlined />} aria-label={t('toolbar.cameraDevices')} />
          </Dropdown>
        </Space.Compact>
        {canShareScreen() && (
          <Tooltip title={otherSharing ? t('toolbar.shareBusy', { name: nameOf(sharer!) }) : undefined}>
            <Button
              size="large"
              className="tb-btn"
              type={local.sharing ? 'primary' : 'default'}
              aria-pressed={local.sharing}
              disabled={otherSharing && !local.sharing}
              icon={<DesktopOutlined />}
              aria-label={local.sharing ? t('toolbar.stopShare') : t('toolbar.share')}
              onClick={() => void (local.sharing ? session.stopScreenShare() : session.startScreenShare())}
            >
              {!narrow && (local.sharing ? t('toolbar.stopShare') : t('toolbar.share'))}
            </Button>
          </Tooltip>
        )}
        <Badge dot={boardActive && !boardSeen} offset={[-6, 6]}>
          <Tooltip title={boardOnStage ? t('whiteboard.onStage') : undefined}>
            <Button
              size="large"
              className="tb-btn"
              data-activity={boardActive && !boardSeen ? 'true' : undefined}
              type={boardSeen ? 'primary' : 'default'}
              aria-pressed={boardSeen}
              disabled={boardOnStage}
              icon={<EditOutlined />}
              aria-label={boardOpen ? t('whiteboard.close') : t('whiteboard.open')}
              data-testid="whiteboard-toggle"
              onClick={() => setBoardOpen((o) => !o)}
            >
              {!narrow && t('toolbar.whiteboard')}
            </Button>
          </Tooltip>
        </Badge>
        {!moderator && me && (
          <Button
            size="large"
            className="tb-btn"
            type={me.handRaised ? 'primary' : 'default'}
            aria-pressed={me.handRaised}
            icon={<HandIcon />}
            aria-label={me.handRaised ? t('hand.lower') : t('hand.raise')}
            data-testid="raise-hand"
            onClick={() => setHand(!me.handRaised)}
          >
            {!narrow && (me.handRaised ? t('hand.lower') : t('hand.raise'))}
          </Button>
        )}
        <Badge count={chatOpen ? 0 : chat.unread} size="small" offset={[-6, 6]}>
          <Button
            size="large"
            className="tb-btn"
            type={chatOpen ? 'primary' : 'default'}
            aria-pressed={chatOpen}
            icon={<MessageOutlined />}
            aria-label={chatOpen ? t('chat.close') : chat.unread ? `${t('chat.open')} (${t('chat.unread', { n: chat.unread })})` : t('chat.open')}
            data-testid="chat-toggle"
            data-unread={chatOpen ? 0 : chat.unread}
            onClick={() => setChatOpen((o) => !o)}
          >
            {!narrow && t('chat.title')}
          </Button>
        </Badge>
        <Badge count={meeting?.participants.length ?? 0} size="small" color="#1677ff" offset={[-6, 6]}>
          <Button
            size="large"
            className="tb-btn"
            type={rosterOpen ? 'primary' : 'default'}
            aria-pressed={rosterOpen}
            icon={<TeamOutlined />}
            aria-label={t('toolbar.participants')}
            data-testid="roster-toggle"
            onClick={() => setRosterOpen((o) => !o)}
          >
            {!narrow && t('toolbar.participants')}
          </Button>
        </Badge>
        {moderator && signedIn && meeting && (
          <Dropdown menu={layoutMenu} trigger={['click']}>
            <Button size="large" className="tb-btn" icon={<AppstoreOutlined />} aria-label={t('toolbar.layout')} data-testid="layout-picker">
              {!narrow && `${t('toolbar.layout')} · ${t(`layout.${meeting.mode}`)}`}
            </Button>
          </Dropdown>
        )}
        <Button size="large" className="tb-btn tb-leave" danger type="primary" icon={<LogoutOutlined />} aria-label={t('toolbar.leave')} data-testid="leave" onClick={leave}>
          {!narrow && t('toolbar.leave')}
        </Button>
      </nav>

      <RemoteAudio tracks={audio} sinkId={sinkId} onBlocked={setAudioBlocked} />
      {meeting && moderator && <PollingDialog open={pollingOpen} onClose={() => setPollingOpen(false)} meeting={meeting} controls={controls} paneCount={paneCount} />}
      {moderator && <InviteDialog open={inviteOpen} onClose={() => setInviteOpen(false)} controls={controls} />}
    </div>
  );
}
