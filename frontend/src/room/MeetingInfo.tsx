// The meeting's number, password and join link, each copyable, from the room's header
// (会议信息). The password shows to those who may know it: whoever typed it to join,
// and members who may read the meeting (host, invitees, admins; RoomMeetingInfo).
import { CopyOutlined, InfoCircleOutlined } from '@ant-design/icons';
import { App, Button, Popover, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { RoomMeetingInfoDocument } from './api';

/** Copies text: the Clipboard API where the page may use it (https, localhost), else a hidden textarea. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through: a plain-http page or a denied permission.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export interface MeetingInfoProps {
  meetingId: string;
  name: string;
  number: string;
  /** The password typed to join (empty when none was typed). */
  typedPassword: string;
  signedIn: boolean;
}

export function MeetingInfo({ meetingId, name, number, typedPassword, signedIn }: MeetingInfoProps) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  // Members who may read the meeting learn its password and public link; others get an
  // error, which only means they see less.
  const [res] = useQuery({ query: RoomMeetingInfoDocument, variables: { id: meetingId }, pause: !signedIn || !open });
  const m = res.data?.meeting;
  // Null when unknown (not typed, and the meeting is not readable): the row is left out.
  const password: string | null = m ? m.password : typedPassword || null;
  const link = m?.joinUrl ?? `${window.location.origin}/join/${number}`;

  const copy = async (text: string) => {
    if (await copyText(text)) void message.success(t('meetingInfo.copied'));
    else void message.error(t('meetingInfo.copyFailed'));
  };
  const all = [t('meetingInfo.inviteLine', { name }), `${t('meetingInfo.number')}: ${number}`, ...(password ? [`${t('meetingInfo.password')}: ${password}`] : []), `${t('meetingInfo.link')}: ${link}`].join('\n');

  const row = (label: string, value: string, copyLabel: string, testId: string) => (
    <div className="meeting-info-row" data-testid={testId}>
      <span className="meeting-info-label">{label}</span>
      <span className="meeting-info-value">{value}</span>
      <Tooltip title={copyLabel} placement="left">
        <Button size="small" type="text" icon={<CopyOutlined />} aria-label={copyLabel} onClick={() => void copy(value)} />
      </Tooltip>
    </div>
  );

  const content = (
    <div className="meeting-info" data-testid="meeting-info">
      <div className="meeting-info-name">{name}</div>
      {row(t('meetingInfo.number'), number, t('meetingInfo.copyNumber'), 'info-number')}
      {password ? row(t('meetingInfo.password'), password, t('meetingInfo.copyPassword'), 'info-password') : password === '' && <div className="meeting-info-row meeting-info-none">{t('meetingInfo.noPassword')}</div>}
      {row(t('meetingInfo.link'), link, t('meetingInfo.copyLink'), 'info-link')}
      <Button block icon={<CopyOutlined />} onClick={() => void copy(all)}>
        {t('meetingInfo.copyAll')}
      </Button>
    </div>
  );

  return (
    <Popover content={content} trigger="click" open={open} onOpenChange={setOpen} placement="bottomLeft">
      <Button type="text" size="small" icon={<InfoCircleOutlined />} aria-label={t('meetingInfo.title')} aria-expanded={open}>
        {t('meetingInfo.title')}
      </Button>
    </Popover>
  );
}
