// StateFeed: the meeting's live state over GraphQL (docs/api.md, the meetingState
// subscription): a full state first, then every event in order, on a graphql-ws socket
// of its own. Members are authenticated by their session cookie; guests, who have no
// account, by the meeting token /rtc's joined gives them (the connection_init
// payload's meetingToken), which the server honours while they are on the roster.
// After the first full state the chat so far is read once (meetingChat). A reconnect
// subscribes again and so starts from a fresh full state; resync does the same on
// demand (a gap the reducer could not fill). Framework-free.
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { graphql } from '../gql';
import type { ChatMessage } from '../gql/schema';
import { chatMessageOf } from './chat';
import { stateUpdateOf, type StateUpdate } from './meetingState';

/** What the feed needs of its owner. */
export interface StateFeedHost {
  /** The current meeting token (a fresh one comes with every joined), if any. */
  token(): string | undefined;
  /** One update, in order. */
  update(u: StateUpdate): void;
  /** The chat so far, once after the first full state. */
  chat(messages: ChatMessage[]): void;
}

/** The part of a graphql-ws client the feed uses (replaceable in tests). */
export type FeedClient = Pick<Client, 'subscribe' | 'dispose'>;

export interface StateFeedOptions {
  /** The GraphQL websocket URL (default: /graphql of the page's origin). */
  url?: string;
  /** Builds the client; the default is graphql-ws's createClient. */
  client?: (url: string, params: () => Record<string, unknown>) => FeedClient;
}

/** The selection the room reads (rtc/meetingState.ts applies it): every field. */
export const RoomMeetingStateDocument = graphql(`
  subscription RoomMeetingState($id: ID!) {
    meetingState(meetingId: $id) {
      seq
      full {
        seq locked muteOnEntry allowSelfUnmute mode hidden live recording whiteboard ended activeSpeakerId
        pins { pane participantId }
        polling { enabled intervalSeconds panes participantIds skipNoVideo epoch }
        panes { pane participantId source polled }
        participants { id name client role audio video screen selfMuted mutedByHost unmuteRequested speaking networkQuality joinedAt handRaised handRaisedAt }
      }
      event {
        seq at kind actorId subjectId removedId mutedIds loweredIds allowSelfUnmute setting on speaking activeSpeakerId mode hidden
        participant { id name client role audio video screen selfMuted mutedByHost unmuteRequested speaking networkQuality joinedAt handRaised handRaisedAt }
        pins { pane participantId }
        polling { enabled intervalSeconds panes participantIds skipNoVideo epoch }
        panes { pane participantId source polled }
        chat { seq at fromId fromName private privateWithId privateWithName text }
      }
    }
  }
`);

/** The chat so far that the participant may read. */
export const RoomMeetingChatDocument = graphql(`
  query RoomMeetingChat($id: ID!) {
    meetingChat(meetingId: $id, first: 200) {
      messages { seq at fromId fromName private privateWithId privateWithName text }
    }
  }
`);

const STATE_QUERY = print(RoomMeetingStateDocument);
const CHAT_QUERY = print(RoomMeetingChatDocument);

/** The update a meetingState response's data carries (null when none). */
export function updateOf(data: unknown): StateUpdate | null {
  const patch = (data as { meetingState?: Record<string, unknown> } | null | undefined)?.meetingState;
  if (!patch || typeof patch !== 'object') return null;
  return stateUpdateOf({ seq: typeof patch.seq === 'number' ? patch.seq : 0, patch });
}

function defaultURL(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}

function defaultClient(url: string, params: () => Record<string, unknown>): FeedClient {
  return createClient({
    url,
    connectionParams: params,
    lazy: false,
    retryAttempts: 30,
    // 4401: the session or the meeting token is no good any more; the room ends anyway.
    shouldRetry: (e) => (e as CloseEvent | undefined)?.code !== 4401,
  });
}

export class StateFeed {
  private readonly client: FeedClient;
  private stop: (() => void) | null = null;
  private chatLoaded = false;
  private closed = false;

  constructor(
    private readonly meetingId: string,
    private readonly host: StateFeedHost,
    opts: StateFeedOptions = {},
  ) {
    const params = () => {
      const t = host.token();
      return t ? { meetingToken: t } : {};
    };
    this.client = (opts.client ?? defaultClient)(opts.url ?? defaultURL(), params);
  }

  /** Subscribes: a full state, then every event. */
  start(): void {
    if (this.closed || this.stop) return;
    this.stop = this.client.subscribe<Record<string, unknown>>(
      { query: STATE_QUERY, variables: { id: this.meetingId } },
      {
        next: (r) => {
          const u = updateOf(r.data);
          if (!u) return;
          this.host.update(u);
          if (u.full && !this.chatLoaded) this.loadChat();
        },
        error: (e) => console.warn('rtc: meetingState', e),
        complete: () => {
          // The meeting ended, or the participant left the roster: nothing more comes.
          this.stop = null;
        },
      },
    );
  }

  /** Subscribes again, for a fresh full state. */
  resync(): void {
    this.stop?.();
    this.stop = null;
    this.start();
  }

  /** Ends the feed and its socket. */
  close(): void {
    this.closed = true;
    this.stop?.();
    this.stop = null;
    void this.client.dispose();
  }

  private loadChat(): void {
    this.chatLoaded = true;
    const off = this.client.subscribe<{ meetingChat?: { messages?: unknown[] } }>(
      { query: CHAT_QUERY, variables: { id: this.meetingId } },
      {
        next: (r) => {
          const list = r.data?.meetingChat?.messages ?? [];
          this.host.chat(list.map((m) => chatMessageOf(m as Record<string, unknown>)).filter((x): x is ChatMessage => x !== null));
        },
        error: () => {
          this.chatLoaded = false; // read again with the next full state
        },
        complete: () => off(),
      },
    );
  }
}
