// The room's chat: the messages this participant may read (the history the server sends
// after joining, then each new one), the unread count while the panel is closed, and
// sending over /rtc. The bridge from the session's chat events to React state.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../gql/schema';
import { chatTextProblem, mergeChat } from '../rtc/chat';
import { LIMITS } from '../rtc/protocol';
import type { RtcSession } from '../rtc/session';

/** Whom a message goes to: everyone, the hosts (privately), or one participant (a host's private answer). */
export type ChatTarget = { kind: 'everyone' } | { kind: 'hosts' } | { kind: 'participant'; id: string };

export interface ChatView {
  messages: ChatMessage[];
  unread: number;
  /** Sends text; returns why not ('empty', 'tooLong', 'notConnected') or null when sent. */
  send(text: string, to: ChatTarget): 'empty' | 'tooLong' | 'notConnected' | null;
}

export function useChat(session: RtcSession | null, selfId: string | null, open: boolean, onError: (e: { code: string; message: string }) => void): ChatView {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [unread, setUnread] = useState(0);
  const openRef = useRef(open);
  openRef.current = open;
  const selfRef = useRef(selfId);
  selfRef.current = selfId;
  const errRef = useRef(onError);
  errRef.current = onError;

  // The list lives in a ref too, so that counting what is new happens once per event
  // (not in a state updater, which React may run twice).
  const listRef = useRef<ChatMessage[]>([]);
  useEffect(() => {
    listRef.current = [];
    setMessages([]);
    setUnread(0);
    if (!session) return;
    const offs = [
      session.on('chat', (msgs) => {
        const list = listRef.current;
        const next = mergeChat(list, msgs);
        if (next === list) return;
        listRef.current = next;
        setMessages(next);
        const fromOthers = next.length - list.length - msgs.filter((m) => m.fromId === selfRef.current && !list.some((x) => x.seq === m.seq)).length;
        if (!openRef.current && fromOthers > 0) setUnread((n) => n + fromOthers);
      }),
      session.on('chatError', (e) => errRef.current(e)),
    ];
    return () => offs.forEach((f) => f());
  }, [session]);

  useEffect(() => {
    if (open) setUnread(0);
  }, [open]);

  const send = useCallback(
    (text: string, to: ChatTarget) => {
      const problem = chatTextProblem(text, LIMITS.maxChatText);
      if (problem) return problem;
      if (!session) return 'notConnected';
      const ok = session.sendChat(text, to.kind === 'hosts' ? { toHosts: true } : to.kind === 'participant' ? { to: to.id } : {});
      return ok ? null : 'notConnected';
    },
    [session],
  );
  return { messages, unread, send };
}
