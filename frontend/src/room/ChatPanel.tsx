// The meeting chat: messages to everyone and private ones between a participant and the
// hosts, as plain text (React renders text; nothing is parsed as markup or linked).
import { SendOutlined } from '@ant-design/icons';
import { App, Button, Input, Select, Tag } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage, MeetingParticipant } from '../gql/schema';
import { LIMITS } from '../rtc/protocol';
import type { ChatTarget, ChatView } from './useChat';

export interface ChatPanelProps {
  chat: ChatView;
  selfId: string | null;
  /** Hosts and admins answer one participant privately; others write privately to the hosts. */
  moderator: boolean;
  participants: MeetingParticipant[];
}

function timeOf(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function ChatPanel({ chat, selfId, moderator, participants }: ChatPanelProps) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [target, setTarget] = useState('everyone');
  const listRef = useRef<HTMLOListElement>(null);
  const chars = [...text].length;

  // Keep the newest message in view.
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.messages.length]);

  const options = useMemo(() => {
    const out = [{ value: 'everyone', label: t('chat.everyone') }];
    if (moderator) {
      for (const p of participants) if (p.id !== selfId) out.push({ value: `p:${p.id}`, label: t('chat.privateTo', { name: p.name }) });
    } else out.push({ value: 'hosts', label: t('chat.hosts') });
    return out;
  }, [moderator, participants, selfId, t]);
  // A participant who left is no longer a target.
  useEffect(() => {
    if (!options.some((o) => o.value === target)) setTarget('everyone');
  }, [options, target]);

  const submit = () => {
    const to: ChatTarget = target === 'hosts' ? { kind: 'hosts' } : target.startsWith('p:') ? { kind: 'participant', id: target.slice(2) } : { kind: 'everyone' };
    const why = chat.send(text, to);
    if (why === 'tooLong') void message.warning(t('chat.tooLong', { max: LIMITS.maxChatText, n: chars }));
    else if (why === 'notConnected') void message.error(t('chat.notConnected'));
    else if (!why) setText('');
  };

  const privateLabel = (m: ChatMessage) => {
    if (!m.private) return null;
    // A participant sees their conversation with the hosts; a host sees with whom.
    const withName = m.privateWithId === selfId ? null : m.privateWithName;
    return <Tag color="purple">{withName ? t('chat.privateWith', { name: withName }) : t('chat.privateWithHosts')}</Tag>;
  };

  return (
    <aside className="chat-panel" aria-label={t('chat.title')} data-testid="chat-panel">
      <h2 className="roster-title">{t('chat.title')}</h2>
      <ol className="chat-list" ref={listRef} aria-live="polite">
        {chat.messages.length === 0 && <li className="chat-empty">{t('chat.empty')}</li>}
        {chat.messages.map((m) => (
          <li key={m.seq} className={m.fromId === selfId ? 'chat-msg mine' : 'chat-msg'} data-testid="chat-message" data-private={m.private ? 'true' : undefined}>
            <div className="chat-meta">
              <span className="chat-from">{m.fromId === selfId ? t('chat.me') : m.fromName}</span>
              {privateLabel(m)}
              <time dateTime={m.at}>{timeOf(m.at)}</time>
            </div>
            <div className="chat-text">{m.text}</div>
          </li>
        ))}
      </ol>
      <div className="chat-compose">
        <Select size="small" value={target} onChange={setTarget} options={options} aria-label={t('chat.to')} data-testid="chat-target" popupMatchSelectWidth={false} />
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('chat.placeholder')}
          aria-label={t('chat.placeholder')}
          autoSize={{ minRows: 1, maxRows: 5 }}
          data-testid="chat-input"
          status={chars > LIMITS.maxChatText ? 'error' : undefined}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <div className="chat-actions">
          <span className={chars > LIMITS.maxChatText ? 'chat-count over' : 'chat-count'}>
            {chars}/{LIMITS.maxChatText}
          </span>
          <Button type="primary" size="small" icon={<SendOutlined />} onClick={submit} disabled={!text.trim()} data-testid="chat-send">
            {t('chat.send')}
          </Button>
        </div>
      </div>
    </aside>
  );
}
