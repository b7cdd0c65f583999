// Negotiation (docs/rtc-protocol.md §1: one connection, the client offers, one offer in
// flight, offerRequest, m-line reuse, resume with an ICE restart), driven as the room
// drives it: through an RtcSession against a scripted /rtc server (testing.ts).
import { describe, expect, test } from 'vitest';
import { OpenBudget } from './negotiation';
import { sleep, until, FakeWS, FakePC, mlines, answer, shown, startSession, joinedAs, joinedSession, useFakeRtc } from './testing';

useFakeRtc();

describe('negotiation (§1): one connection, the client offers', () => {
  const camera = (participantId: string, trackId: string) => ({ participantId, trackId, kind: 'video', source: 'camera' });
  const microphone = (participantId: string, trackId: string) => ({ participantId, trackId, kind: 'audio', source: 'microphone' });

  test('one connection: its sending m-lines and the whiteboard in the first offer, publish after the mids are known', async () => {
    const { s, ws, pc } = await joinedSession();
    expect(FakePC.all).toHaveLength(1);
    expect(pc.config).toMatchObject({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    expect(pc.channels).toEqual(['whiteboard']);
    expect(s.whiteboardChannel).not.toBeNull();
    const [offer] = ws.of('offer');
    expect(offer.data).toEqual({ sdp: expect.stringContaining('a=mid:1') }); // no target
    expect(offer.id).toBeTruthy(); // an error answering it ends the wait
    expect(mlines(offer)).toEqual([
      ['0', 'audio', 'sendonly'],
      ['1', 'video', 'sendonly'],
    ]);
    expect(ws.of('publish').map((f) => [f.data!.source, f.data!.mid])).toEqual([
      ['microphone', '0'],
      ['camera', '1'],
    ]);
    // Nothing more to offer.
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
    // Candidates carry no target either.
    (pc.onicecandidate as (ev: { candidate: object | null }) => void)({ candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    (pc.onicecandidate as (ev: { candidate: object | null }) => void)({ candidate: null });
    expect(ws.of('candidate').map((f) => f.data)).toEqual([
      { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' },
      { candidate: null },
    ]);
  });

  test('an offerRequest in the same burst as joined is folded into the first offer', async () => {
    const { s, ws, join } = await startSession();
    joinedAs(ws, join);
    ws.receive('trackPublished', microphone('PA_7', 'TR_a'));
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { audio: 1, video: 1 });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    const pc = FakePC.all[0];
    expect(mlines(offer)).toEqual([
      ['0', 'audio', 'sendonly'],
      ['1', 'video', 'sendonly'],
      ['2', 'audio', 'recvonly'],
      ['3', 'video', 'recvonly'],
    ]);
    answer(ws, offer, { 2: ['PA_7', 'TR_a'], 3: ['PA_7', 'TR_v'] });
    await until('tracks mapped', () => s.remoteTracks.every((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_v', 'PA_7', '3'],
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1); // one round trip
  });

  test('joined.offerRequest: the room\'s tracks get their m-lines in the first offer', async () => {
    const { ws, join } = await startSession();
    joinedAs(ws, join, { offerRequest: { audio: 2, video: 1 } });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    expect(mlines(offer).map(([, k, d]) => `${k} ${d}`)).toEqual([
      'audio sendonly',
      'video sendonly',
      'audio recvonly',
      'audio recvonly',
      'video recvonly',
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
  });

  test('an offerRequest that comes once the connection exists, before the deferred first offer, is folded in too', async () => {
    const { ws, join } = await startSession();
    joinedAs(ws, join);
    for (let i = 0; i < 10; i++) await Promise.resolve(); // joined's continuation, no macrotask
    expect(FakePC.all).toHaveLength(1);
    expect(ws.of('offer')).toHaveLength(0);
    ws.receive('offerRequest', { video: 2 });
    const offer = await until('first offer', () => ws.of('offer')[0]);
    expect(mlines(offer).map(([, k, d]) => `${k} ${d}`)).toEqual(['audio sendonly', 'video sendonly', 'video recvonly', 'video recvonly']);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(1);
  });

  test('offerRequests and a screen share while an offer is in flight make exactly one more offer, with the new m-lines', async () => {
    const { s, ws, pc } = await joinedSession();
    ws.receive('trackPublished', microphone('PA_7', 'TR_a'));
    ws.receive('offerRequest', { audio: 1 });
    const o2 = await until('second offer', () => ws.of('offer')[1]);
    expect(mlines(o2).at(-1)).toEqual(['2', 'audio', 'recvonly']);

    // While o2 waits for its answer: two more tracks, two requests, a screen share.
    ws.receive('trackPublished', camera('PA_8', 'TR_b'));
    ws.receive('offerRequest', { video: 1 });
    ws.receive('trackPublished', camera('PA_9', 'TR_c'));
    ws.receive('offerRequest', { video: 1 });
    await s.startScreenShare();
    // The transceivers are added at once; the offer waits.
    expect(pc.getTransceivers().map((t) => `${t.kind} ${t.direction}`)).toEqual([
      'audio sendonly',
      'video sendonly',
      'audio recvonly',
      'video recvonly',
      'video recvonly',
      'video sendonly',
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(2);

    answer(ws, o2, { 2: ['PA_7', 'TR_a'] });
    const o3 = await until('one more offer', () => ws.of('offer')[2]);
    expect(mlines(o3).slice(3)).toEqual([
      ['3', 'video', 'recvonly'],
      ['4', 'video', 'recvonly'],
      ['5', 'video', 'sendonly'],
    ]);
    // The screen's publish went out after its mid was known, before the offer.
    const pub = ws.of('publish').at(-1)!;
    expect(pub.data).toMatchObject({ source: 'screen', kind: 'video', mid: '5' });
    expect(ws.sent.indexOf(pub)).toBeLessThan(ws.sent.indexOf(o3));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_b', 'PA_8', null],
      ['TR_c', 'PA_9', null],
    ]);

    answer(ws, o3, { 2: ['PA_7', 'TR_a'], 3: ['PA_8', 'TR_b'], 4: ['PA_9', 'TR_c'] });
    await until('all mapped', () => s.remoteTracks.every((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', '2'],
      ['TR_b', 'PA_8', '3'],
      ['TR_c', 'PA_9', '4'],
    ]);
    await sleep(20);
    expect(ws.of('offer')).toHaveLength(3);
  });

  test('a reused m-line: the same receiver track now shows the new participant, not the old one', async () => {
    const run = await joinedSession();
    const { s, ws, pc } = run;
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { video: 1 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    answer(ws, o2, { 2: ['PA_7', 'TR_v'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    const recv = pc.receiverTrack('2');
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_v', participantId: 'PA_7', kind: 'video', source: 'camera', track: recv }]);

    // PA_7 leaves: its track is gone at once; the m-line goes inactive with the next answer.
    ws.receive('trackUnpublished', { participantId: 'PA_7', trackId: 'TR_v' });
    expect(s.remoteTracks).toEqual([]);
    ws.receive('offerRequest', {});
    const o3 = await until('offer', () => ws.of('offer')[2]);
    expect(mlines(o3)).toHaveLength(3);
    answer(ws, o3);
    await until('answer applied', () => pc.signalingState === 'stable');
    expect(s.remoteTracks).toEqual([]);

    // PA_8 comes: the free m-line carries its camera (no new m-line, a new msid).
    ws.receive('trackPublished', camera('PA_8', 'TR_w'));
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_w', participantId: 'PA_8', kind: 'video', source: 'camera', track: null }]);
    ws.receive('offerRequest', {});
    const o4 = await until('offer', () => ws.of('offer')[3]);
    expect(mlines(o4)).toEqual(mlines(o3));
    answer(ws, o4, { 2: ['PA_8', 'TR_w'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    expect(s.remoteTracks).toEqual([{ trackId: 'TR_w', participantId: 'PA_8', kind: 'video', source: 'camera', track: recv }]);
    // The UI got each change as a new list.
    expect(run.tracks.at(-1)).toEqual(s.remoteTracks);
    expect(run.tracks.some((l) => l.some((t) => t.trackId === 'TR_v' && t.track === recv))).toBe(true);
    expect(run.tracks.at(-1)!.some((t) => t.trackId === 'TR_v')).toBe(false);
  });

  test('the answer maps tracks by a=mid; an m-line without msid, or inactive, carries nothing', async () => {
    const { s, ws, pc } = await joinedSession();
    ws.receive('trackPublished', camera('PA_7', 'TR_a'));
    ws.receive('trackPublished', camera('PA_8', 'TR_b'));
    ws.receive('trackPublished', camera('PA_9', 'TR_c'));
    ws.receive('offerRequest', { video: 3 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    // Not in announcement order; mid 3 has no msid; mid 4 is inactive with a stale msid.
    const sdp = [
      'v=0',
      'o=- 9 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0 1 2 3 4',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=recvonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=recvonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:2',
      'a=msid:PA_8 TR_b',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:3',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:4',
      'a=inactive',
      'a=msid:PA_7 TR_a',
      '',
    ].join('\r\n');
    expect(mlines(o2).map(([m]) => m)).toEqual(['0', '1', '2', '3', '4']);
    ws.receive('answer', { sdp });
    await until('answer applied', () => pc.signalingState === 'stable');
    await until('mapped', () => s.remoteTracks.some((t) => t.track));
    expect(shown(s, pc)).toEqual([
      ['TR_a', 'PA_7', null],
      ['TR_b', 'PA_8', '2'],
      ['TR_c', 'PA_9', null],
    ]);
  });

  test('resume with an offer in flight: one ICE-restart offer from have-local-offer, its publish sent again', async () => {
    const { s, ws, pc } = await joinedSession();
    const [mic, cam] = ws.of('publish').map((f) => f.data!);
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid, kind: 'audio', source: 'microphone' });
    ws.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid, kind: 'video', source: 'camera', layers: cam.layers });
    await s.startScreenShare();
    const o2 = await until('offer in flight', () => ws.of('offer')[1]);
    expect(mlines(o2).slice(2)).toEqual([['2', 'video', 'sendonly']]);
    const screen = ws.of('publish')[2].data!;
    expect(screen).toMatchObject({ source: 'screen', mid: '2' });
    expect(pc.signalingState).toBe('have-local-offer');
    // A request while it is in flight: the m-line is added, the offer waits.
    ws.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws.receive('offerRequest', { video: 1 });
    await sleep(10);
    expect(ws.of('offer')).toHaveLength(2);

    // The socket drops before the answer: the offer is forgotten.
    s.simulateDrop();
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join', () => ws2.of('join')[0]);
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    // The server re-announces what it knows (not the screen: its offer never arrived)
    // and asks again for the m-line it still needs.
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_5', cid: mic.cid, kind: 'audio', source: 'microphone' });
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_6', cid: cam.cid, kind: 'video', source: 'camera', layers: cam.layers });
    ws2.receive('trackPublished', camera('PA_7', 'TR_v'));
    ws2.receive('offerRequest', { video: 1 });

    const o3 = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    expect(pc.offeredIn.at(-1)).toBe('have-local-offer');
    // The screen's publish again (same cid and mid), nothing for the tracks the server knows.
    expect(ws2.of('publish').map((f) => f.data)).toEqual([screen]);
    expect(ws2.sent.indexOf(ws2.of('publish')[0])).toBeLessThan(ws2.sent.indexOf(o3));
    // The m-line asked for again is added (a spare one is harmless: the server keeps it free).
    expect(mlines(o3).slice(2)).toEqual([
      ['2', 'video', 'sendonly'],
      ['3', 'video', 'recvonly'],
      ['4', 'video', 'recvonly'],
    ]);
    answer(ws2, o3, { 3: ['PA_7', 'TR_v'] });
    await until('mapped', () => s.remoteTracks[0]?.track);
    expect(shown(s, pc)).toEqual([['TR_v', 'PA_7', '3']]);
    await sleep(20);
    expect(ws2.of('offer')).toHaveLength(1);
    expect(ws.of('offer')).toHaveLength(2); // nothing more on the dead socket
  });

  test('resume with an offer in flight whose tracks the server already has: no publish again', async () => {
    const { s, ws, pc } = await joinedSession();
    await s.startScreenShare();
    await until('offer in flight', () => ws.of('offer')[1]);
    const screen = ws.of('publish')[2].data!;
    s.simulateDrop();
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join = await until('join', () => ws2.of('join')[0]);
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    ws2.receive('trackPublished', { participantId: 'PA_4', trackId: 'TR_9', cid: screen.cid, kind: 'video', source: 'screen' });
    const o = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(ws2.of('publish')).toEqual([]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    answer(ws2, o);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('an error answering the offer ends the wait; the next reason offers at once', async () => {
    const { ws, pc } = await joinedSession();
    ws.receive('offerRequest', { audio: 1 });
    const o2 = await until('offer', () => ws.of('offer')[1]);
    ws.receive('error', { code: 'invalid_field', message: 'sdp: bad', refId: o2.id });
    ws.receive('offerRequest', {});
    const o3 = await until('another offer, without waiting for the answer timeout', () => ws.of('offer')[2]);
    expect(pc.offeredIn.at(-1)).toBe('have-local-offer');
    answer(ws, o3);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('no answer in time: the socket is taken for dead and the session resumes with an ICE restart', async () => {
    const { ws, pc } = await joinedSession({ answerTimeoutMs: 40 });
    ws.receive('offerRequest', { video: 1 });
    await until('offer', () => ws.of('offer')[1]);
    const ws2 = await until('a new socket', () => FakeWS.all[1], 1000);
    expect(ws.closedWith).toBe(4100);
    const join = await until('join', () => ws2.of('join')[0]);
    expect(join.data!.resumeToken).toBe('r1');
    ws2.receive('joined', { participantId: 'PA_4', resumeToken: 'r2', resumed: true, protocol: 2, pingIntervalMs: 15000 }, join.id);
    const o = await until('the resume offer', () => ws2.of('offer')[0]);
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true });
    // A late answer on the old socket is not taken for this offer's.
    answer(ws, ws.of('offer')[1]);
    answer(ws2, o);
    await until('answer applied', () => pc.signalingState === 'stable');
  });

  test('a fresh join after the window builds a new connection', async () => {
    const run = await startSession({ renewToken: async () => 'jjt_fresh' });
    const { s, ws, join } = run;
    joinedAs(ws, join);
    const o = await until('offer', () => ws.of('offer')[0]);
    answer(ws, o);
    ws.drop(4401); // resume token dead
    const ws2 = await until('a new socket', () => FakeWS.all[1]);
    const join2 = await until('join', () => ws2.of('join')[0]);
    expect(join2.data).toMatchObject({ token: 'jjt_fresh' });
    expect(join2.data!.resumeToken).toBeUndefined();
    ws2.receive('joined', { participantId: 'PA_12', resumeToken: 'r9', protocol: 2, pingIntervalMs: 15000 }, join2.id);
    const o2 = await until('first offer of the new connection', () => ws2.of('offer')[0]);
    expect(FakePC.all).toHaveLength(2);
    expect(FakePC.all[0].signalingState).toBe('closed');
    expect(FakePC.all[1].offers).toEqual([undefined]);
    expect(ws2.of('publish')).toHaveLength(2);
    answer(ws2, o2);
    await until('answer applied', () => FakePC.all[1].signalingState === 'stable');
    expect(s.participantId).toBe('PA_12');
  });
});

test('whiteboard channel opens: 5, then one per 10 s', () => {
  const b = new OpenBudget();
  for (let i = 0; i < 5; i++) {
    expect(b.wait(1000 + i)).toBe(0);
    b.take(1000 + i);
  }
  expect(b.wait(1005)).toBe(10_000 - 5 + 500);
  expect(b.wait(11_000)).toBe(0);
  b.take(11_000);
  expect(b.wait(11_001)).toBe(10_000 - 1 + 500);
});
