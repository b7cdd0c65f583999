import { describe, expect, it } from 'vitest';
import { deviceErrorKey, levelOf } from './devices';
import { rejoinVariables, tokenFresh, type JoinHandoff } from './handoff';

describe('levelOf', () => {
  it('maps amplitudes to a 0..1 meter', () => {
    expect(levelOf(0)).toBe(0);
    expect(levelOf(1)).toBe(1);
    expect(levelOf(0.001)).toBeCloseTo(0, 5); // -60 dBFS
    expect(levelOf(0.0316)).toBeCloseTo(0.5, 2); // -30 dBFS
  });
});

describe('deviceErrorKey', () => {
  it('names getUserMedia failures', () => {
    expect(deviceErrorKey({ name: 'NotAllowedError' })).toBe('denied');
    expect(deviceErrorKey({ name: 'NotFoundError' })).toBe('notFound');
    expect(deviceErrorKey({ name: 'NotReadableError' })).toBe('busy');
    expect(deviceErrorKey(new Error('x'))).toBe('other');
  });
});

describe('hand-off', () => {
  const h = (expiresAt: string, guest: boolean): JoinHandoff => ({
    join: {
      token: 'jjt_x',
      expiresAt,
      role: 'PARTICIPANT',
      displayName: '访客',
      meetingId: 'm',
      number: '1234567890',
      name: '周会',
      runId: 'r',
      runStartedAt: '2026-01-01T00:00:00Z',
      iceServers: [],
      options: { muteOnEntry: false, live: false, record: false, guestsMayStart: false },
    },
    password: '',
    guest,
    devices: { audioInputId: null, videoInputId: null, micOn: true, camOn: true },
    joinedAt: 0,
  });
  it('knows a stale token', () => {
    const now = Date.parse('2026-12-01T09:00:00Z');
    expect(tokenFresh(h('2026-12-01T09:01:00Z', false), now)).toBe(true);
    expect(tokenFresh(h('2026-12-01T09:00:01Z', false), now)).toBe(false);
  });
  it('rejoins guests with their name and members without', () => {
    expect(rejoinVariables(h('x', true))).toEqual({ number: '1234567890', password: null, displayName: '访客' });
    expect(rejoinVariables(h('x', false)).displayName).toBeNull();
  });
});
