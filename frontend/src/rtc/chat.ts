// The meeting's chat as /rtc delivers it: `chatHistory` messages (the chat so far that
// this participant may read, after the full state) and `chat` events of the live state
// (docs/rtc-protocol.md §5). Both carry GraphQL ChatMessage objects; a chat event
// without one is a private message between others. Pure; no React.
import type { ChatMessage } from '../gql/schema';
import { LIMITS } from './protocol';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The chat message in o (a GraphQL ChatMessage), null when it is not one. */
export function chatMessageOf(o: unknown): ChatMessage | null {
  if (!isObj(o) || typeof o.seq !== 'number' || typeof o.text !== 'string' || typeof o.fromId !== 'string') return null;
  return {
    seq: o.seq,
    at: str(o.at) ?? '',
    fromId: o.fromId,
    fromName: str(o.fromName) ?? '',
    private: o.private === true,
    privateWithId: str(o.privateWithId),
    privateWithName: str(o.privateWithName),
    text: o.text,
  };
}

/** list with msgs added: in seq order, each message once (a resume repeats the history). */
export function mergeChat(list: ChatMessage[], msgs: ChatMessage[]): ChatMessage[] {
  const fresh = msgs.filter((m) => !list.some((x) => x.seq === m.seq));
  if (fresh.length === 0) return list;
  return [...list, ...fresh].sort((a, b) => a.seq - b.seq);
}

/** Whether a user-facing string is too long or blank to send; mirrors the server's check. */
export function chatTextProblem(text: string, max: number = LIMITS.maxChatText): 'empty' | 'tooLong' | null {
  if (!text.trim()) return 'empty';
  if ([...text].length > max) return 'tooLong';
  return null;
}
