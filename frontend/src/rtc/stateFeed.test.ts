// StateFeed against a scripted graphql-ws client: what it subscribes to, what it hands
// its host, and the meeting token it authenticates with.
import { describe, expect, test } from 'vitest';
import type { ChatMessage } from '../gql/schema';
import type { StateUpdate } from './meetingState';
import { StateFeed, type FeedClient } from './stateFeed';

type Sink = { next: (r: { data?: unknown }) => void; error: (e: unknown) => void; complete: () => void };

/** A graphql-ws client that records subscriptions and lets the test answer them. */
class FakeClient {
  subs: { query: string; variables: Record<string, unknown>; sink: Sink; stopped: boolean }[] = [];
  disposed = false;
  constructor(readonly params: () => Record<string, unknown>) {}
  subscribe(payload: { query: string; variables?: Record<string, unknown> | null }, sink: Sink) {
    const sub = { query: payload.query, variables: payload.variables ?? {}, sink, stopped: false };
    this.subs.push(sub);
    return () => {
      sub.stopped = true;
    };
  }
  dispose() {
    this.disposed = true;
  }
  last(op: string) {
    const s = [...this.subs].reverse().find((x) => x.query.includes(op));
    if (!s) throw new Error(`no ${op} subscription`);
    return s;
  }
}

function feed(token?: string) {
  const updates: StateUpdate[] = [];
  const chats: ChatMessage[][] = [];
  let client: FakeClient | null = null;
  const f = new StateFeed(
    'M_1',
    { token: () => token, update: (u) => updates.push(u), chat: (m) => chats.push(m) },
    {
      url: 'ws://test/graphql',
      client: (_url, params) => {
        client = new FakeClient(params);
        return client as unknown as FeedClient;
      },
    },
  );
  return { f, updates, chats, client: () => client! };
}

const full = { meetingState: { seq: 3, full: { seq: 3, participants: [], locked: true, pins: [], panes: [], polling: {} } } };

describe('StateFeed', () => {
  test('subscribes to its meeting, hands over every update in order, reads the chat once', () => {
    const { f, updates, chats, client } = feed('jms_a');
    f.start();
    expect(client().params()).toEqual({ meetingToken: 'jms_a' });
    const state = client().last('meetingState');
    expect(state.variables).toEqual({ id: 'M_1' });
    state.sink.next({ data: full });
    state.sink.next({ data: { meetingState: { seq: 4, event: { seq: 4, at: 'x', kind: 'unlocked', setting: 'locked', on: false } } } });
    expect(updates.map((u) => [u.seq, u.full ? 'full' : u.event?.kind])).toEqual([
      [3, 'full'],
      [4, 'unlocked'],
    ]);
    const chat = client().last('meetingChat');
    expect(chat.variables).toEqual({ id: 'M_1' });
    chat.sink.next({ data: { meetingChat: { messages: [{ seq: 1, at: 'x', fromId: 'PA_1', fromName: '张三', private: false, text: '早' }] } } });
    expect(chats.map((c) => c.map((m) => m.text))).toEqual([['早']]);
    // A later full state (a reconnect) does not read the chat again.
    state.sink.next({ data: full });
    expect(client().subs.filter((s) => s.query.includes('meetingChat'))).toHaveLength(1);
  });

  test('members without a meeting token authenticate by their session only', () => {
    const { f, client } = feed(undefined);
    f.start();
    expect(client().params()).toEqual({});
  });

  test('resync subscribes again; close stops and disposes', () => {
    const { f, client } = feed('jms_a');
    f.start();
    const first = client().last('meetingState');
    f.resync();
    expect(first.stopped).toBe(true);
    expect(client().subs.filter((s) => s.query.includes('meetingState'))).toHaveLength(2);
    f.close();
    expect(client().last('meetingState').stopped).toBe(true);
    expect(client().disposed).toBe(true);
    f.start(); // closed: nothing more
    expect(client().subs.filter((s) => s.query.includes('meetingState'))).toHaveLength(2);
  });

  test('responses without an update are ignored', () => {
    const { f, updates, client } = feed('jms_a');
    f.start();
    client().last('meetingState').sink.next({ data: null });
    client().last('meetingState').sink.next({ data: { meetingState: { seq: 5 } } });
    expect(updates).toEqual([]);
  });
});
