// RtcSession, the façade, against a scripted /rtc server (protocol version 2, the fakes
// of testing.ts): what the session sends, and how it reacts to the server's state,
// notices, chat and closes (§4, §5, §8, §9), across its three units. The negotiation's
// own tests are in negotiation.test.ts, the signaling's in signaling.test.ts, the local
// media's in localMedia.test.ts.
import { describe, expect, test } from 'vitest';
import { sleep, until, FakeWS, FakePC, answer, person, fullState, event, joinedSession, useFakeRtc } from './testing';

useFakeRtc();

describe('RtcSession', () => {
  test('the microphone is published muted; no mute follows', async () => {
    const { s, ws } = await joinedSession({ micMuted: true });
    const [mic, cam] = ws.of('publish').map((f) => f.data!);
    expect(mic).toMatchObject({ kind: 'audio', source: 'microphone', muted: true, mid: '0' });
    expect(cam).toMatchObject({ kind: 'video', source: 'camera', mid: '1' });
    expect(cam.muted).toBeUndefined();
    // publish goes before the offer that carries the track.
    expect(ws.sent.findIndex((f) => f.type === 'offer')).toBeGreaterThan(ws.sent.findIndex((f) => f.type === 'publish'));
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid as string, kind: 'audio', source: 'microphone', muted: true });
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid as string, kind: 'video', source: 'camera', layers: cam.layers as object[] });
    await sleep(5);
    expect(ws.of('mute')).toEqual([]);
    expect(s.sentCounts.mute).toBeUndefined();
    expect(s.sentCounts.publish).toBe(2);
  });

  test('a mute change before trackPublished is sent once the track has its id', async () => {
    const { s, ws } = await joinedSession({ micMuted: true });
    const mic = ws.of('publish')[0].data!;
    s.setMicMuted(false); // no track id yet: nothing to send
    expect(ws.of('mute')).toEqual([]);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid as string, kind: 'audio', source: 'microphone', muted: true });
    expect(ws.of('mute').map((f) => f.data)).toEqual([{ trackId: 'TR_5', muted: false }]);
  });

  test('a camera off at join is not published muted; turned on, it needs no mute', async () => {
    const { s, ws } = await joinedSession({ cameraOn: false });
    const cam = ws.of('publish')[1].data!;
    expect(cam).toMatchObject({ source: 'camera' });
    expect(cam.muted).toBeUndefined();
    await s.setCameraOn(true);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid as string, kind: 'video', source: 'camera' });
    expect(ws.of('mute')).toEqual([]);
    await s.setCameraOn(false);
    expect(ws.of('mute').map((f) => f.data)).toEqual([{ trackId: 'TR_6', muted: true }]);
  });

  test('the state feed is the live state; the host mute follows the notice and the roster', async () => {
    const run = await joinedSession();
    const { s, ws, feed } = run;
    expect(feed.started).toBe(1); // from the first joined on
    feed.state(fullState(5, [person('PA_1', { name: '王主持', role: 'HOST' }), person('PA_4', { name: '访客赵' })]));
    expect(s.meetingView.meeting!.participants.map((p) => p.name)).toEqual(['王主持', '访客赵']);
    expect(run.views).toHaveLength(1);

    feed.state(event(6, 'muted', { subjectId: 'PA_4', participant: person('PA_4', { name: '访客赵', mutedByHost: true }) }));
    ws.receive('notice', { kind: 'mutedByHost', participantId: 'PA_4' });
    expect(s.localState).toMatchObject({ hostMuted: true, micMuted: true });
    expect(run.notices).toEqual(['mutedByHost']);

    feed.state(event(7, 'unmute_requested', { subjectId: 'PA_4', participant: person('PA_4', { mutedByHost: true, unmuteRequested: true }) }));
    ws.receive('notice', { kind: 'unmuteRequested', participantId: 'PA_4' });
    expect(run.notices).toEqual(['mutedByHost', 'unmuteRequested']);
    expect(s.localState.hostMuted).toBe(true);

    // Lifting a host mute has no notice: the roster says it. The participant stays
    // self-muted until they unmute.
    feed.state(event(8, 'unmuted', { subjectId: 'PA_4', participant: person('PA_4') }));
    expect(s.localState).toMatchObject({ hostMuted: false, micMuted: true });

    feed.state(event(9, 'locked', { setting: 'locked', on: true }));
    ws.receive('notice', { kind: 'locked' });
    expect(s.meetingView.meeting!.locked).toBe(true);
    expect(run.notices).toContain('locked');
    expect(s.meetingView.seq).toBe(9);
  });

  test('chat: the history and chat events reach the room; a refused message is a chatError', async () => {
    const { s, ws, feed } = await joinedSession();
    const got: string[][] = [];
    const errors: string[] = [];
    s.on('chat', (msgs) => got.push(msgs.map((m) => m.text)));
    s.on('chatError', (e) => errors.push(e.code));
    feed.state(fullState(5, [person('PA_4')]));
    feed.chatHistory([{ seq: 3, at: 'x', fromId: 'PA_1', fromName: '张三', private: false, text: '<b>早</b>' }]);
    feed.state(event(6, 'chat', { subjectId: 'PA_1', chat: { seq: 6, at: 'x', fromId: 'PA_1', fromName: '张三', private: false, text: 'hi' } }));
    feed.state(event(7, 'chat', { subjectId: 'PA_1' })); // private between others
    expect(got).toEqual([['<b>早</b>'], ['hi']]);
    expect(s.meetingView.seq).toBe(7);

    expect(s.sendChat('问题', { toHosts: true })).toBe(true);
    expect(s.raiseHand(true)).toBe(true);
    const sent = ws.of('sendChat')[0];
    expect(sent.data).toEqual({ text: '问题', toHosts: true });
    expect(ws.of('raiseHand').map((f) => f.data)).toEqual([{ raised: true }]);
    ws.receive('error', { code: 'rate_limited', message: 'you are sending messages too fast; wait a moment', refId: sent.id! });
    expect(errors).toEqual(['rate_limited']);
  });

  test('removed: the notice ends the session even if the socket dies before bye', async () => {
    const run = await joinedSession();
    run.ws.receive('notice', { kind: 'removed', participantId: 'PA_4' });
    run.ws.drop(1006);
    await until('ended', () => run.ended.length);
    expect(run.ended).toEqual([{ reason: 'removed' }]);
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1); // no resume
  });

  test('meetingEnded: notice, then bye', async () => {
    const run = await joinedSession();
    run.ws.receive('notice', { kind: 'meetingEnded' });
    run.ws.receive('bye', { reason: 'meetingEnded' });
    expect(run.ended).toEqual([{ reason: 'meetingEnded' }]);
    expect(run.s.state).toBe('ended');
  });

  test.each(['accountDisabled', 'roleChanged'] as const)('bye %s ends the session for that reason, without a resume', async (reason) => {
    const run = await joinedSession();
    run.ws.receive('bye', { reason, message: 'x' });
    run.ws.drop(4403);
    await until('ended', () => run.ended.length);
    expect(run.ended[0]).toMatchObject({ reason });
    expect(run.s.state).toBe('ended');
    await sleep(20);
    expect(FakeWS.all).toHaveLength(1);
  });

  test('a socket taken for dead is closed with 4100 and the session resumes as the same participant', async () => {
    const run = await joinedSession();
    const { s, ws, feed } = run;
    feed.state(fullState(3, [person('PA_4')]));
    s.simulateDrop();
    expect(ws.closedWith).toBe(4100);
    expect(s.state).toBe('reconnecting');
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join with the resume token', () => ws2.of('join')[0]);
    expect(join.data).toMatchObject({ token: 'jjt_token', resumeToken: 'r1' });
    // The state feed goes on across the resume (its own socket): an event ahead of a
    // fresh full state waits for it.
    feed.state(event(6, 'whiteboard', { setting: 'whiteboard', on: true }));
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000, stateToken: 'jms_2' }, join.id);
    feed.state(fullState(5, [person('PA_4'), person('PA_7')], { locked: true }));
    expect(s.meetingView).toMatchObject({ seq: 6, gap: false });
    expect(s.meetingView.meeting).toMatchObject({ locked: true, whiteboard: true });
    expect(feed.started).toBe(1); // not started again
    await until('the newest meeting token', () => feed.host!.token() === 'jms_2');
    // The next offer restarts ICE, on the same connection.
    const offer = await until('ice restart offer', () => ws2.of('offer')[0]);
    expect(FakePC.all).toHaveLength(1);
    expect(run.pc.offers.at(-1)).toEqual({ iceRestart: true });
    answer(ws2, offer);
    await until('answer applied', () => run.pc.signalingState === 'stable');
    expect(s.state).toBe('connected');
    expect(s.participantId).toBe('PA_4');
    s.leave();
    expect(ws2.of('leave')).toHaveLength(1);
    expect(ws2.closedWith).toBe(1000);
  });

  test('a gap in the events that nothing fills is repaired by subscribing again', async () => {
    const { s, feed } = await joinedSession({ stateGapMs: 30 });
    feed.state(fullState(1, [person('PA_4')]));
    feed.state(event(3, 'locked', { setting: 'locked', on: true }));
    expect(s.meetingView.gap).toBe(true);
    await until('the feed subscribes again', () => feed.resyncs === 1, 1000);
    expect(FakeWS.all).toHaveLength(1); // the media connection is left alone
    feed.state(fullState(4, [person('PA_4')], { locked: true }));
    expect(s.meetingView).toMatchObject({ seq: 4, gap: false, pending: [] });
  });

  test('a gap filled in time needs no new subscription', async () => {
    const { s, ws, feed } = await joinedSession({ stateGapMs: 30 });
    feed.state(fullState(1, [person('PA_4')]));
    feed.state(event(3, 'locked', { setting: 'locked', on: true }));
    feed.state(event(2, 'whiteboard', { setting: 'whiteboard', on: true }));
    expect(s.meetingView).toMatchObject({ seq: 3, gap: false });
    await sleep(60);
    expect(feed.resyncs).toBe(0);
    expect(FakeWS.all).toHaveLength(1);
    expect(ws.closedWith).toBeNull();
  });
});
