// The room's header: the meeting's name and number, 会议信息, what is on (locked,
// recording, live, polling), the meeting's duration and this person's network quality.
import { LockFilled, WifiOutlined } from '@ant-design/icons';
import { Space, Tag } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingParticipant, MeetingState } from '../gql/schema';
import { fmtDuration, useElapsed, type JoinPayload } from './hooks';
import { MeetingInfo } from './MeetingInfo';
import { QualityBars } from './VideoStage';

export interface HeaderProps {
  join: JoinPayload;
  /** The password typed to join (empty when none was typed). */
  password: string;
  signedIn: boolean;
  meeting: MeetingState | null;
  me: MeetingParticipant | undefined;
}

export function Header({ join, password, signedIn, meeting, me }: HeaderProps) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  // The meeting's duration: counted from the run's start, so everyone shows the same.
  const startedAt = useMemo(() => Date.parse(join.runStartedAt) || Date.now(), [join.runStartedAt]);
  const elapsed = useElapsed(startedAt);
  return (
    <header className="room-head">
      <div className="room-title">
        <h1>{join.name}</h1>
        <span className="room-number">{t('info.number', { number: join.number })}</span>
        <MeetingInfo meetingId={join.meetingId} name={join.name} number={join.number} typedPassword={password} signedIn={signedIn} />
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
        {me ? <QualityBars q={me.networkQuality} label={t('info.network', { q: t(`quality.${me.networkQuality}`) })} /> : <WifiOutlined aria-hidden="true" />}
      </Space>
    </header>
  );
}
