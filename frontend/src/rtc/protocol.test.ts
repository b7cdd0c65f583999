import { describe, expect, test } from 'vitest';
import { cameraLayers, closeAction, decode, encode, ProtocolError, validId } from './protocol';

// The server's examples (media/signal/examples_test.go, docs/rtc-protocol.md §6).
const serverExamples: Record<string, string> = {
  joined: `{"v":2,"id":"1","type":"joined","data":{"participantId":"PA_1","resumeToken":"r-7f3a","protocol":2,"iceServers":[{"urls":["stun:stun.example.com:3478"]},{"urls":["turn:turn.example.com:443?transport=tcp"],"username":"u","credential":"p"}],"pingIntervalMs":15000,"state":{"meeting":{"title":"Weekly"},"participants":[]}}}`,
  trackPublished: `{"v":2,"type":"trackPublished","data":{"participantId":"PA_1","trackId":"TR_abc","cid":"cam-1","kind":"video","source":"camera","layers":[{"rid":"f","quality":"high"}]}}`,
  trackUnpublished: `{"v":2,"type":"trackUnpublished","data":{"participantId":"PA_1","trackId":"TR_abc"}}`,
  subscribed: `{"v":2,"type":"subscribed","data":{"tracks":[{"trackId":"TR_a","enabled":true,"quality":"medium"}]}}`,
  noticeMuted: `{"v":2,"type":"notice","data":{"kind":"mutedByHost","trackId":"TR_mic","participantId":"PA_host"}}`,
  noticeWindow: `{"v":2,"type":"notice","data":{"kind":"reconnectWindow","participantId":"PA_2","seconds":30}}`,
  pong: `{"v":2,"type":"pong","data":{"ts":1700000000000}}`,
  error: `{"v":2,"type":"error","data":{"code":"invalid_field","message":"source: unknown value \\"webcam\\"","refId":"3"}}`,
  bye: `{"v":2,"type":"bye","data":{"reason":"removed","message":"Removed by the host"}}`,
  byeAccountDisabled: `{"v":2,"type":"bye","data":{"reason":"accountDisabled","message":"your account was disabled"}}`,
  byeRoleChanged: `{"v":2,"type":"bye","data":{"reason":"roleChanged","message":"your account role changed"}}`,
  candidate: `{"v":2,"type":"candidate","data":{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}`,
  candidateEnd: `{"v":2,"type":"candidate","data":{"candidate":null}}`,
  answer: `{"v":2,"type":"answer","data":{"sdp":"v=0\\r\\n"}}`,
  offerRequest: `{"v":2,"type":"offerRequest","data":{"audio":1,"video":2}}`,
  offerRequestBare: `{"v":2,"type":"offerRequest"}`,
};

describe('decode', () => {
  test.each(Object.entries(serverExamples))('%s', (_name, frame) => {
    expect(() => decode(frame)).not.toThrow();
  });

  test('joined fields', () => {
    const m = decode(serverExamples.joined);
    expect(m.type).toBe('joined');
    if (m.type !== 'joined') return;
    expect(m.id).toBe('1');
    expect(m.data).toMatchObject({ participantId: 'PA_1', resumeToken: 'r-7f3a', resumed: false, protocol: 2, pingIntervalMs: 15000 });
    expect(m.data.iceServers[1]).toEqual({ urls: ['turn:turn.example.com:443?transport=tcp'], username: 'u', credential: 'p' });
  });

  test('trackPublished', () => {
    const m = decode(serverExamples.trackPublished);
    expect(m).toEqual({
      type: 'trackPublished',
      data: { participantId: 'PA_1', trackId: 'TR_abc', cid: 'cam-1', kind: 'video', source: 'camera', muted: false, layers: [{ rid: 'f', quality: 'high' }] },
    });
  });

  test('trackPublished to a subscriber carries the publisher mute and layers', () => {
    const m = decode(
      '{"v":2,"type":"trackPublished","data":{"participantId":"PA_4","trackId":"TR_5","kind":"audio","source":"microphone","muted":true}}',
    );
    expect(m).toEqual({ type: 'trackPublished', data: { participantId: 'PA_4', trackId: 'TR_5', kind: 'audio', source: 'microphone', muted: true, layers: [] } });
  });

  // Notices as the server sends them (recorded), docs/rtc-protocol.md §5.
  test.each([
    ['mutedByHost', '{"v":2,"type":"notice","data":{"kind":"mutedByHost","participantId":"PA_4"}}', { kind: 'mutedByHost', participantId: 'PA_4' }],
    ['unmuteRequested', '{"v":2,"type":"notice","data":{"kind":"unmuteRequested","participantId":"PA_4"}}', { kind: 'unmuteRequested', participantId: 'PA_4' }],
    ['removed', '{"v":2,"type":"notice","data":{"kind":"removed","participantId":"PA_4"}}', { kind: 'removed', participantId: 'PA_4' }],
    ['meetingEnded', '{"v":2,"type":"notice","data":{"kind":"meetingEnded"}}', { kind: 'meetingEnded' }],
    ['locked', '{"v":2,"type":"notice","data":{"kind":"locked"}}', { kind: 'locked' }],
    ['unlocked', '{"v":2,"type":"notice","data":{"kind":"unlocked"}}', { kind: 'unlocked' }],
    ['reconnected', '{"v":2,"type":"notice","data":{"kind":"reconnected","participantId":"PA_2"}}', { kind: 'reconnected', participantId: 'PA_2' }],
  ])('notice %s', (_n, frame, data) => {
    expect(decode(frame)).toEqual({ type: 'notice', data });
  });

  test('the meeting state is not an /rtc message any more (it comes over GraphQL)', () => {
    expect(() => decode('{"v":2,"type":"state","data":{"seq":9,"patch":{"seq":9}}}')).toThrow();
    expect(() => decode('{"v":2,"type":"chatHistory","data":{"seq":42,"messages":[]}}')).toThrow();
  });

  test('candidate end is null', () => {
    expect(decode(serverExamples.candidateEnd)).toEqual({ type: 'candidate', data: { candidate: null } });
    expect(decode('{"v":2,"type":"candidate","data":{"candidate":""}}')).toEqual({ type: 'candidate', data: { candidate: null } });
  });

  test('candidate without target', () => {
    expect(decode(serverExamples.candidate)).toEqual({
      type: 'candidate',
      data: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
    });
  });

  test('answer', () => {
    expect(decode(serverExamples.answer)).toEqual({ type: 'answer', data: { sdp: 'v=0\r\n' } });
  });

  test('joined may carry an offerRequest for the first offer', () => {
    const m = decode(`{"v":2,"type":"joined","data":{"participantId":"PA_1","resumeToken":"r","protocol":2,"offerRequest":{"audio":1}}}`);
    expect(m.type === 'joined' && m.data.offerRequest).toEqual({ audio: 1, video: 0 });
    expect(() => decode(`{"v":2,"type":"joined","data":{"participantId":"PA_1","resumeToken":"r","protocol":2,"offerRequest":{"video":-1}}}`)).toThrow();
  });

  test('offerRequest counts; absent is 0', () => {
    expect(decode(serverExamples.offerRequest)).toEqual({ type: 'offerRequest', data: { audio: 1, video: 2 } });
    expect(decode(serverExamples.offerRequestBare)).toEqual({ type: 'offerRequest', data: { audio: 0, video: 0 } });
    expect(decode('{"v":2,"type":"offerRequest","data":{"video":256}}')).toEqual({ type: 'offerRequest', data: { audio: 0, video: 256 } });
  });

  test.each([
    ['not JSON', '{'],
    ['array', '[]'],
    ['version 1', '{"v":1,"type":"pong"}'],
    ['version 3', '{"v":3,"type":"pong"}'],
    ['joined of protocol 1', '{"v":2,"type":"joined","data":{"participantId":"PA_1","resumeToken":"r","protocol":1}}'],
    ['an offer from the server (the client always offers)', '{"v":2,"type":"offer","data":{"sdp":"v=0\\r\\n"}}'],
    ['answer without sdp', '{"v":2,"type":"answer","data":{}}'],
    ['offerRequest above 256', '{"v":2,"type":"offerRequest","data":{"audio":257}}'],
    ['offerRequest negative', '{"v":2,"type":"offerRequest","data":{"video":-1}}'],
    ['offerRequest float', '{"v":2,"type":"offerRequest","data":{"video":1.5}}'],
    ['no version', '{"type":"pong"}'],
    ['unknown type', '{"v":2,"type":"hello"}'],
    ['bad enum', '{"v":2,"type":"notice","data":{"kind":"shout"}}'],
    ['bad id', '{"v":2,"type":"trackUnpublished","data":{"participantId":"a b","trackId":"x"}}'],
    ['float seq', '{"v":2,"type":"state","data":{"seq":1.5,"patch":{}}}'],
    ['bad bye', '{"v":2,"type":"bye","data":{"reason":"bored"}}'],
    ['data not object', '{"v":2,"type":"pong","data":3}'],
  ])('rejects %s', (_n, frame) => {
    expect(() => decode(frame)).toThrow(ProtocolError);
  });
});

describe('encode', () => {
  test('envelope with id, no undefined fields', () => {
    const s = encode({ type: 'join', data: { token: 'eyJhbGciOi.x.y', device: { client: 'web', version: '1.4.0' } } }, '1');
    expect(s).toBe('{"v":2,"id":"1","type":"join","data":{"token":"eyJhbGciOi.x.y","device":{"client":"web","version":"1.4.0"}}}');
  });

  test('leave and ping without data', () => {
    expect(encode({ type: 'leave' })).toBe('{"v":2,"type":"leave"}');
    expect(encode({ type: 'ping', data: { ts: 5 } })).toBe('{"v":2,"type":"ping","data":{"ts":5}}');
  });

  test('a microphone published muted', () => {
    expect(encode({ type: 'publish', data: { cid: 'mic-1', mid: '0', kind: 'audio', source: 'microphone', muted: true } })).toBe(
      '{"v":2,"type":"publish","data":{"cid":"mic-1","mid":"0","kind":"audio","source":"microphone","muted":true}}',
    );
  });

  test('camera publish with the three layers', () => {
    const s = encode({ type: 'publish', data: { cid: 'cam-1', mid: '1', kind: 'video', source: 'camera', layers: cameraLayers(1280, 720, 30) } });
    const d = JSON.parse(s).data;
    expect(d.layers.map((l: { rid: string; quality: string; maxWidth: number }) => [l.rid, l.quality, l.maxWidth])).toEqual([
      ['q', 'low', 320],
      ['h', 'medium', 640],
      ['f', 'high', 1280],
    ]);
  });

  test.each([
    ['audio with camera source', { type: 'publish', data: { cid: 'a', kind: 'audio', source: 'camera' } }],
    ['duplicate rid', { type: 'publish', data: { cid: 'a', kind: 'video', source: 'camera', layers: [{ rid: 'q', quality: 'low' }, { rid: 'q', quality: 'high' }] } }],
    ['bad cid', { type: 'publish', data: { cid: 'a b', kind: 'video', source: 'camera' } }],
    ['empty subscribe', { type: 'subscribe', data: { tracks: [] } }],
    ['duplicate subscribe', { type: 'subscribe', data: { tracks: [{ trackId: 'a', enabled: true }, { trackId: 'a', enabled: false }] } }],
    ['float width', { type: 'subscribe', data: { tracks: [{ trackId: 'a', enabled: true, width: 10.5 }] } }],
    ['candidate without mid', { type: 'candidate', data: { candidate: 'candidate:1' } }],
    ['empty sdp', { type: 'offer', data: { sdp: '' } }],
    ['blank chat', { type: 'sendChat', data: { text: '  ' } }],
    ['chat of 2001 characters', { type: 'sendChat', data: { text: '字'.repeat(2001) } }],
    ['chat to a bad id', { type: 'sendChat', data: { text: 'x', to: 'a b' } }],
  ])('refuses %s', (_n, m) => {
    expect(() => encode(m as never)).toThrow(ProtocolError);
  });

  test('chat and hands', () => {
    expect(encode({ type: 'sendChat', data: { text: '字'.repeat(2000), toHosts: true } }, 'c1')).toContain('"toHosts":true');
    expect(encode({ type: 'sendChat', data: { text: '<b>x</b>' } })).toBe('{"v":2,"type":"sendChat","data":{"text":"<b>x</b>"}}');
    expect(encode({ type: 'raiseHand', data: { raised: true } })).toBe('{"v":2,"type":"raiseHand","data":{"raised":true}}');
  });

  test('refuses a frame above 64 KiB', () => {
    const tracks = Array.from({ length: 256 }, (_, i) => ({ trackId: `T${i}`.padEnd(64, 'x'), enabled: true, width: 100, height: 100 }));
    expect(() => encode({ type: 'subscribe', data: { tracks } })).not.toThrow();
    expect(() => encode({ type: 'offer', data: { sdp: 'x'.repeat(40_000) } })).toThrow(ProtocolError);
  });

  test('offer and candidate carry no target', () => {
    expect(encode({ type: 'offer', data: { sdp: 'v=0\r\n' } }, 'c2')).toBe('{"v":2,"id":"c2","type":"offer","data":{"sdp":"v=0\\r\\n"}}');
    expect(encode({ type: 'candidate', data: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0' } })).toBe(
      '{"v":2,"type":"candidate","data":{"candidate":"candidate:1 1 udp 1 192.0.2.1 9 typ host","sdpMid":"0"}}',
    );
    expect(encode({ type: 'candidate', data: { candidate: null } })).toBe('{"v":2,"type":"candidate","data":{"candidate":null}}');
  });
});

test('close codes', () => {
  expect(closeAction(1000)).toBe('stop');
  expect(closeAction(1001)).toBe('resume');
  expect(closeAction(1006)).toBe('resume');
  expect(closeAction(4401)).toBe('newToken');
  expect(closeAction(4403)).toBe('stop');
  expect(closeAction(4408)).toBe('resume');
  expect(closeAction(4409)).toBe('stop');
  expect(closeAction(4410)).toBe('stop');
  expect(closeAction(4429)).toBe('resume');
  expect(closeAction(4504)).toBe('resume');
  expect(closeAction(1011)).toBe('retryLater');
  // 4100 is the client's own close when it drops a dead socket to resume.
  expect(closeAction(4100)).toBe('resume');
});

test('validId', () => {
  expect(validId('PA_1')).toBe(true);
  expect(validId('a'.repeat(65))).toBe(false);
  expect(validId('')).toBe(false);
});
