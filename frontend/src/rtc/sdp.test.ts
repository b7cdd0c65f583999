import { expect, test } from 'vitest';
import { msidsByMid } from './sdp';

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
