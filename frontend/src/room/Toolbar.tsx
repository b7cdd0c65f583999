// The room's toolbar: microphone and camera (with their device menus and the Alt+A /
// Alt+V keys), screen share, whiteboard, hand, chat, participants, the host's layout
// menu, and leaving (or ending the meeting for all).
import {
  AppstoreOutlined,
  AudioMutedOutlined,
  AudioOutlined,
  DesktopOutlined,
  DownOutlined,
  EditOutlined,
  LogoutOutlined,
  MessageOutlined,
  StopOutlined,
  TeamOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { App, Badge, Button, Dropdown, Space, Tooltip, type MenuProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { LayoutMode, MeetingParticipant, MeetingState } from '../gql/schema';
import { LAYOUT_MODES } from '../rtc/layout';
import type { EndReason, LocalState, RtcSession } from '../rtc/session';
import type { Controls } from './controls';
import { canShareScreen } from './device';
import { HandIcon } from './HandIcon';
import { useDevices } from './hooks';

export interface ToolbarProps {
  session: RtcSession;
  local: LocalState;
  narrow: boolean;
  meeting: MeetingState | null;
  me: MeetingParticipant | undefined;
  selfId: string | null;
  /** The host or an admin. */
  moderator: boolean;
  signedIn: boolean;
  controls: Controls;
  nameOf: (id: string) => string;
  /** Who shares a screen, or null. */
  sharer: string | null;
  /** The speaker chosen for the remote audio (null: the default). */
  sinkId: string | null;
  onSinkId: (id: string) => void;
  board: { open: boolean; onStage: boolean; seen: boolean; active: boolean; onToggle: () => void };
  chat: { open: boolean; unread: number; onToggle: () => void };
  roster: { open: boolean; onToggle: () => void };
  onPolling: () => void;
  onHand: (raised: boolean) => void;
  onEnded: (e: { reason: EndReason; message?: string }) => void;
}

export function Toolbar(props: ToolbarProps) {
  const { session, local, narrow, meeting, me, selfId, moderator, signedIn, controls, nameOf, sharer, sinkId, onSinkId, board, chat, roster, onPolling, onHand, onEnded } = props;
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { modal } = App.useApp();
  const devices = useDevices();

  // Keyboard: Alt+A microphone, Alt+V camera (as in other meeting apps).
  useEffect(() => {
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
        if (what === 'out') onSinkId(id);
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
      if (key === 'polling') onPolling();
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

  return (
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
      <Badge dot={board.active && !board.seen} offset={[-6, 6]}>
        <Tooltip title={board.onStage ? t('whiteboard.onStage') : undefined}>
          <Button
            size="large"
            className="tb-btn"
            data-activity={board.active && !board.seen ? 'true' : undefined}
            type={board.seen ? 'primary' : 'default'}
            aria-pressed={board.seen}
            disabled={board.onStage}
            icon={<EditOutlined />}
            aria-label={board.open ? t('whiteboard.close') : t('whiteboard.open')}
            data-testid="whiteboard-toggle"
            onClick={board.onToggle}
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
          onClick={() => onHand(!me.handRaised)}
        >
          {!narrow && (me.handRaised ? t('hand.lower') : t('hand.raise'))}
        </Button>
      )}
      <Badge count={chat.open ? 0 : chat.unread} size="small" offset={[-6, 6]}>
        <Button
          size="large"
          className="tb-btn"
          type={chat.open ? 'primary' : 'default'}
          aria-pressed={chat.open}
          icon={<MessageOutlined />}
          aria-label={chat.open ? t('chat.close') : chat.unread ? `${t('chat.open')} (${t('chat.unread', { n: chat.unread })})` : t('chat.open')}
          data-testid="chat-toggle"
          data-unread={chat.open ? 0 : chat.unread}
          onClick={chat.onToggle}
        >
          {!narrow && t('chat.title')}
        </Button>
      </Badge>
      <Badge count={meeting?.participants.length ?? 0} size="small" color="#1677ff" offset={[-6, 6]}>
        <Button
          size="large"
          className="tb-btn"
          type={roster.open ? 'primary' : 'default'}
          aria-pressed={roster.open}
          icon={<TeamOutlined />}
          aria-label={t('toolbar.participants')}
          data-testid="roster-toggle"
          onClick={roster.onToggle}
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
  );
}
