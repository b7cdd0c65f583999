import { expect, test } from 'vitest';
import { msidsByMid, receivedTrackId } from './sdp';

const offer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=msid:PA_1 TR_a',
  'a=sendonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=sendonly',
  'a=msid:PA_1 TR_v',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'a=mid:2',
  'a=inactive',
  'a=ssrc:1234 msid:PA_2 TR_old',
  '',
].join('\r\n');

test('msid and direction by mid', () => {
  const m = msidsByMid(offer);
  expect(m.get('0')).toEqual({ streamId: 'PA_1', trackId: 'TR_a', kind: 'audio', direction: 'sendonly' });
  expect(m.get('1')).toEqual({ streamId: 'PA_1', trackId: 'TR_v', kind: 'video', direction: 'sendonly' });
  expect(m.get('2')).toEqual({ streamId: 'PA_2', trackId: 'TR_old', kind: 'video', direction: 'inactive' });
  expect(m.size).toBe(3);
});

// An answer of the server (docs/rtc-protocol.md §1): the client's own m-lines are
// recvonly, receive-only m-lines carry a track (sendonly + msid) or nothing.
const answer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2 3 4 5',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=recvonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=recvonly',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:3',
  'a=msid:PA_7 TR_v',
  'a=sendonly',
  'a=ssrc:4242 cname:sfu',
  'a=ssrc:4242 msid:PA_7 TR_v',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:4',
  'a=sendonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:5',
  'a=inactive',
  'a=msid:PA_8 TR_old',
  '',
].join('\r\n');

test('which track each m-line of an answer carries', () => {
  const m = msidsByMid(answer);
  expect([...m.keys()]).toEqual(['0', '1', '2', '3', '4', '5']);
  expect([...m.entries()].map(([mid, info]) => [mid, receivedTrackId(info)])).toEqual([
    ['0', null], // what the client sends
    ['1', null],
    ['2', null], // the data channel
    ['3', 'TR_v'],
    ['4', null], // no msid
    ['5', null], // inactive
  ]);
  expect(m.get('3')).toMatchObject({ streamId: 'PA_7', kind: 'video' });
  expect(receivedTrackId(undefined)).toBeNull();
});
