// The participant list with the host's controls per participant and for the meeting.
import {
  AudioMutedOutlined,
  AudioOutlined,
  DesktopOutlined,
  LockOutlined,
  MoreOutlined,
  PhoneOutlined,
  PushpinOutlined,
  UnlockOutlined,
  UserAddOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { App, Button, Dropdown, Input, Space, Switch, Tag, Tooltip, type MenuProps } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingParticipant, MeetingState } from '../gql/schema';
import type { Controls } from './controls';
import { HandIcon } from './HandIcon';
import { QualityBars } from './VideoStage';

export interface RosterProps {
  meeting: MeetingState | null;
  selfId: string | null;
  moderator: boolean;
  controls: Controls;
  paneCount: number;
  onInvite: () => void;
}

export function RosterPanel({ meeting, selfId, moderator, controls, paneCount, onInvite }: RosterProps) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { modal, message } = App.useApp();
  const [q, setQ] = useState('');
  const people = (meeting?.participants ?? []) as MeetingParticipant[];
  // Raised hands first, in the order they went up; then everyone in join order.
  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    const found = s ? people.filter((p) => p.name.toLowerCase().includes(s)) : people;
    const up = found.filter((p) => p.handRaised).sort((a, b) => (a.handRaisedAt ?? '').localeCompare(b.handRaisedAt ?? ''));
    return up.length ? [...up, ...found.filter((p) => !p.handRaised)] : found;
  }, [people, q]);
  const hands = people.filter((p) => p.handRaised).length;
  const pins = new Map((meeting?.pins ?? []).map((p) => [p.participantId, p.pane]));

  if (!meeting) {
    return (
      <aside className="roster" aria-label={t('toolbar.participants')}>
        <p className="roster-empty">{t('roster.noState')}</p>
      </aside>
    );
  }

  const actions = (p: MeetingParticipant): MenuProps['items'] => {
    const pinned = pins.get(p.id);
    const items: MenuProps['items'] = [];
    if (p.handRaised) items.push({ key: 'lower', label: t('hand.lower'), onClick: () => void controls.lowerHand(p.id) });
    items.push(
      p.mutedByHost || p.selfMuted
        ? { key: 'unmute', icon: <AudioOutlined />, label: t('roster.askUnmute'), onClick: () => void controls.unmute(p.id) }
        : { key: 'mute', icon: <AudioMutedOutlined />, label: t('roster.mute'), onClick: () => void controls.mute(p.id) },
    );
    if (p.role !== 'HOST') {
      items.push(
        p.role === 'PRESENTER'
          ? { key: 'role', label: t('roster.makeParticipant'), onClick: () => void controls.setRole(p.id, 'PARTICIPANT') }
          : { key: 'role', label: t('roster.makePresenter'), onClick: () => void controls.setRole(p.id, 'PRESENTER') },
      );
    }
    items.push(
      pinned !== undefined
        ? { key: 'unpin', icon: <PushpinOutlined />, label: t('roster.unpin'), onClick: () => void controls.unpin(pinned) }
        : {
            key: 'pin',
            icon: <PushpinOutlined />,
            label: t('roster.pin'),
            children: Array.from({ length: paneCount }, (_, i) => ({ key: `pin-${i}`, label: t('roster.pinTo', { n: i + 1 }), onClick: () => void controls.pin(i, p.id) })),
          },
    );
    if (p.id !== selfId) {
      items.push({ type: 'divider' });
      items.push({
        key: 'hangup',
        danger: true,
        icon: <PhoneOutlined rotate={135} />,
        label: t('roster.hangup'),
        onClick: () =>
          modal.confirm({
            title: t('roster.hangupConfirm', { name: p.name }),
            okText: t('roster.hangup'),
            okButtonProps: { danger: true },
            cancelText: t('common.cancel'),
            onOk: () => controls.hangup(p.id),
          }),
      });
    }
    return items;
  };

  return (
    <aside className="roster" aria-label={t('roster.title', { count: people.length })} data-testid="roster">
      <h2 className="roster-title">{t('roster.title', { count: people.length })}</h2>
      {hands > 0 && (
        <div className="roster-hands" data-testid="hands">
          <span>
            <HandIcon /> {t('hand.count', { n: hands })}
          </span>
          {moderator && (
            <Button size="small" onClick={() => void controls.lowerAllHands()} data-testid="lower-all-hands">
              {t('hand.lowerAll')}
            </Button>
          )}
        </div>
      )}
      <Input.Search allowClear placeholder={t('roster.search')} aria-label={t('roster.search')} value={q} onChange={(e) => setQ(e.target.value)} size="small" />
      {moderator && (
        <div className="roster-host" role="group" aria-label={t('toolbar.more')}>
          <Space wrap size={[6, 6]}>
            <Button size="small" icon={<AudioMutedOutlined />} onClick={() => void controls.muteAll(meeting.allowSelfUnmute)} data-testid="mute-all">
              {t('roster.muteAll')}
            </Button>
            <Button size="small" icon={meeting.locked ? <UnlockOutlined /> : <LockOutlined />} onClick={() => void controls.lock(!meeting.locked)}>
              {meeting.locked ? t('roster.unlock') : t('roster.lock')}
            </Button>
            <Button size="small" icon={<UserAddOutlined />} onClick={onInvite}>
              {t('roster.invite')}
            </Button>
            <Button
              size="small"
              icon={<PhoneOutlined />}
              onClick={async () => {
                const r = await controls.callAbsent();
                if (!r) return;
                if (!r.called && !r.skipped) void message.info(t('roster.nobodyToCall'));
                else void message.success(t('roster.called', { called: r.called, skipped: r.skipped ? t('roster.calledSkipped', { n: r.skipped }) : '' }));
              }}
            >
              {t('roster.callAbsent')}
            </Button>
          </Space>
          <label className="roster-switch">
            <Switch size="small" checked={meeting.allowSelfUnmute} onChange={(on) => void controls.setAllowSelfUnmute(on)} aria-label={t('roster.allowSelfUnmute')} />
            <span>{t('roster.allowSelfUnmute')}</span>
          </label>
          <label className="roster-switch">
            <Switch size="small" checked={meeting.muteOnEntry} onChange={(on) => void controls.setMuteOnEntry(on)} aria-label={t('roster.muteOnEntry')} />
            <span>{t('roster.muteOnEntry')}</span>
          </label>
        </div>
      )}
      <ul className="roster-list">
        {shown.map((p) => {
          const pane = pins.get(p.id);
          return (
            <li key={p.id} className={p.speaking ? 'speaking' : undefined} data-participant={p.id}>
              <span className="roster-avatar" aria-hidden="true">
                {p.name.slice(0, 1)}
              </span>
              <span className="roster-name">
                <span>
                  {p.name}
                  {p.id === selfId ? t('roster.me') : ''}
                </span>
                <span className="roster-tags">
                  {p.role === 'HOST' && <Tag color="blue">{t('roster.host')}</Tag>}
                  {p.role === 'PRESENTER' && <Tag color="purple">{t('roster.presenter')}</Tag>}
                  {p.client === 'sip' && <Tag>{t('roster.sip')}</Tag>}
                  {p.handRaised && (
                    <Tag color="orange" icon={<HandIcon />} data-testid={`hand-${p.id}`}>
                      {t('hand.raised')}
                    </Tag>
                  )}
                  {p.unmuteRequested && <Tag color="gold">{t('roster.unmuteRequested')}</Tag>}
                  {pane !== undefined && <Tag icon={<PushpinOutlined />}>{t('roster.pinned', { n: pane + 1 })}</Tag>}
                </span>
              </span>
              <span className="roster-icons">
                {p.screen && (
                  <Tooltip title={t('roster.sharing')}>
                    <DesktopOutlined aria-label={t('roster.sharing')} />
                  </Tooltip>
                )}
                {p.video ? <VideoCameraOutlined aria-hidden="true" /> : <VideoCameraOutlined className="off" aria-label={t('roster.videoOff')} />}
                {p.mutedByHost ? (
                  <AudioMutedOutlined className="host-muted" aria-label={t('roster.mutedByHost')} title={t('roster.mutedByHost')} />
                ) : p.selfMuted || !p.audio ? (
                  <AudioMutedOutlined className="muted" aria-label={t('roster.muted')} title={t('roster.muted')} />
                ) : (
                  <AudioOutlined className={p.speaking ? 'speaking' : ''} aria-hidden="true" />
                )}
                <QualityBars q={p.networkQuality} label={t('info.network', { q: t(`quality.${p.networkQuality}`) })} />
                {moderator && p.handRaised && (
                  <Tooltip title={t('hand.lowerFor', { name: p.name })}>
                    <Button size="small" onClick={() => void controls.lowerHand(p.id)} aria-label={t('hand.lowerFor', { name: p.name })} data-testid={`lower-${p.id}`}>
                      {t('hand.lower')}
                    </Button>
                  </Tooltip>
                )}
                {moderator && (
                  <Dropdown menu={{ items: actions(p) }} trigger={['click']}>
                    <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('roster.actions', { name: p.name })} data-testid={`actions-${p.id}`} />
                  </Dropdown>
                )}
              </span>
            </li>
          );
        })}
      </ul>
      {meeting.hidden > 0 && <p className="roster-hidden">{t('roster.hidden', { n: meeting.hidden })}</p>}
    </aside>
  );
}
