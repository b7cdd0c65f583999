// Signaling on its own (docs/rtc-protocol.md §8, §9): one socket's keepalive, and the
// session's sockets one after the other — join, resume as the same participant after a
// drop, a fresh join with a new token after the window, and the closes that end it.
// The server side is the scripted FakeWS of testing.ts; the host records what the
// session would be told.
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Joined, ServerMessage } from './protocol';
import { Signaling, SignalSocket, type ConnState, type EndReason, type SignalingOptions } from './signaling';
import { FakeWS, sleep, until } from './testing';

afterEach(() => {
  vi.useRealTimers();
  FakeWS.all = [];
});

const factory = (u: string) => new FakeWS(u) as unknown as WebSocket;

function signaling(opts: Partial<SignalingOptions> = {}) {
  FakeWS.all = [];
  let state: ConnState = 'connecting';
  const log: string[] = [];
  const ended: { reason: EndReason; message?: string }[] = [];
  const messages: ServerMessage[] = [];
  const sig = new Signaling(
    { token: 'jjt_token', url: 'ws://test/rtc', socketFactory: factory, ...opts },
    {
      get state() {
        return state;
      },
      reconnecting: () => {
        state = 'reconnecting';
        log.push('reconnecting');
      },
      opening: (resume) => log.push(`opening resume=${resume}`),
      joined: (d: Joined, resumed) => {
        state = 'connected';
        log.push(`joined ${d.participantId} resumed=${resumed}`);
      },
      message: (m) => messages.push(m),
      dropped: () => log.push('dropped'),
      finish: (reason, message) => {
        state = 'ended';
        ended.push(message === undefined ? { reason } : { reason, message });
        sig.close();
      },
    },
  );
  return { sig, log, ended, messages };
}

const joined = (ws: FakeWS, id: string | undefined, extra: object = {}) =>
  ws.receive('joined', { participantId: 'PA_4', resumeToken: 'r1', protocol: 2, pingIntervalMs: 15000, ...extra }, id);

async function joinedOn(n = 0) {
  const ws = await until('socket', () => FakeWS.all[n]);
  const join = await until('join', () => ws.of('join')[0]);
  return { ws, join };
}

describe('SignalSocket keepalive', () => {
  test('three pings without any frame back: the socket is dead; a frame in between keeps it alive', async () => {
    vi.useFakeTimers();
    let dead = 0;
    const sock = new SignalSocket('ws://test/rtc', { onMessage: () => {}, onClose: () => {}, onDead: () => dead++ }, factory);
    const open = sock.open();
    await vi.advanceTimersByTimeAsync(1);
    await open;
    const ws = FakeWS.all[0];
    sock.startKeepalive(1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(ws.of('ping')).toHaveLength(3);
    ws.receive('pong', {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(dead).toBe(0);
    expect(ws.of('ping')).toHaveLength(6);
    await vi.advanceTimersByTimeAsync(1000);
    expect(dead).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ws.of('ping')).toHaveLength(6); // stopped
  });
});

describe('Signaling', () => {
  test('join: the token and the device, then joined; other messages go to the session', async () => {
    const run = signaling({ device: { client: 'web', version: '7' } });
    void run.sig.start();
    const { ws, join } = await joinedOn();
    expect(join.data).toMatchObject({ token: 'jjt_token', device: { client: 'web', version: '7' } });
    expect(join.data!.resumeToken).toBeUndefined();
    joined(ws, join.id);
    ws.receive('notice', { kind: 'locked' });
    await until('joined', () => run.log.includes('joined PA_4 resumed=false'));
    expect(run.log).toEqual(['opening resume=false', 'joined PA_4 resumed=false']);
    expect(run.messages.map((m) => m.type)).toEqual(['notice']);
    expect(run.sig.participantId).toBe('PA_4');
    expect(run.sig.send({ type: 'raiseHand', data: { raised: true } })).toBe('');
    expect(run.sig.sentCounts).toEqual({ join: 1, raiseHand: 1 });
  });

  test('a drop: closed with 4100, reconnecting, and a resume as the same participant on a new socket', async () => {
    const run = signaling();
    void run.sig.start();
    const { ws, join } = await joinedOn();
    joined(ws, join.id);
    await until('joined', () => run.sig.participantId);
    run.sig.drop('test');
    expect(ws.closedWith).toBe(4100);
    const next = await joinedOn(1);
    expect(next.join.data).toMatchObject({ token: 'jjt_token', resumeToken: 'r1' });
    joined(next.ws, next.join.id, { resumeToken: 'r2', resumed: true });
    await until('resumed', () => run.log.includes('joined PA_4 resumed=true'));
    expect(run.log).toEqual(['opening resume=false', 'joined PA_4 resumed=false', 'dropped', 'reconnecting', 'opening resume=true', 'joined PA_4 resumed=true']);
    expect(run.sig.socket).not.toBeNull();
    expect(run.ended).toEqual([]);
  });

  test.each([
    [4409, false, 'replaced'],
    [4410, false, 'meetingEnded'],
    [4403, false, 'removed'],
    [4403, true, 'forbidden'],
    [1000, false, 'left'],
    [4400, false, 'failed'],
  ] as const)('close %i (while joining: %s) ends the session: %s', async (code, joining, reason) => {
    const run = signaling();
    void run.sig.start();
    const { ws, join } = await joinedOn();
    if (joining) ws.receive('error', { code: 'forbidden', message: 'the meeting is locked', refId: join.id });
    else {
      joined(ws, join.id);
      await until('joined', () => run.sig.participantId);
    }
    if (joining) run.sig.noteError(run.messages.at(-1)!.data as { code: string; message: string; refId?: string });
    ws.drop(code);
    await until('ended', () => run.ended.length);
    expect(run.ended).toEqual([joining ? { reason, message: 'the meeting is locked' } : { reason }]);
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1); // no resume
  });

  test('the server said the session ends: a socket that dies before bye ends it for that reason', async () => {
    const run = signaling();
    void run.sig.start();
    const { ws, join } = await joinedOn();
    joined(ws, join.id);
    await until('joined', () => run.sig.participantId);
    run.sig.expectEnd('meetingEnded');
    ws.drop(1006);
    expect(run.ended).toEqual([{ reason: 'meetingEnded' }]);
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1);
  });

  test('4401 (resume token dead): a fresh join with a new token; without one the session ends', async () => {
    const run = signaling({ renewToken: async () => 'jjt_fresh' });
    void run.sig.start();
    const { ws, join } = await joinedOn();
    joined(ws, join.id);
    await until('joined', () => run.sig.participantId);
    ws.drop(4401);
    const next = await joinedOn(1);
    expect(next.join.data).toMatchObject({ token: 'jjt_fresh' });
    expect(next.join.data!.resumeToken).toBeUndefined();
    expect(run.sig.participantId).toBeNull();
    joined(next.ws, next.join.id, { participantId: 'PA_12' });
    await until('joined afresh', () => run.log.includes('joined PA_12 resumed=false'));
    expect(run.log.slice(2)).toEqual(['reconnecting', 'opening resume=false', 'joined PA_12 resumed=false']);

    const none = signaling({ renewToken: async () => null });
    void none.sig.start();
    const first = await joinedOn();
    joined(first.ws, first.join.id);
    await until('joined', () => none.sig.participantId);
    first.ws.drop(4401);
    await until('ended', () => none.ended.length);
    expect(none.ended).toEqual([{ reason: 'unauthorized' }]);
  });

  test('a first connect that fails is retried like a drop', async () => {
    const run = signaling();
    void run.sig.start();
    const ws = await until('socket', () => FakeWS.all[0]);
    ws.drop(1006); // before it opened
    const next = await joinedOn(1);
    expect(next.join.data!.resumeToken).toBeUndefined();
    expect(run.log).toContain('reconnecting');
  });
});
