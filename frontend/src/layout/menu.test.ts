import { describe, expect, it } from 'vitest';
import { activeEntry, canVisit, homeFor, menuFor } from './menu';

describe('menus by role', () => {
  it('members book and join; admins also manage their enterprise', () => {
    const member = menuFor('MEMBER').map((e) => e.key);
    expect(member).toEqual(['schedule', 'book', 'instant', 'join', 'history', 'resources']);
    const admin = menuFor('ENTERPRISE_ADMIN').map((e) => e.key);
    expect(admin).toEqual([...member, 'directory', 'rooms', 'branding']);
  });
  it('platform admins manage enterprises and cloud rooms', () => {
    expect(menuFor('PLATFORM_ADMIN').map((e) => e.path)).toEqual(['/join', '/admin/enterprises', '/admin/rooms']);
    expect(homeFor('PLATFORM_ADMIN')).toBe('/admin/enterprises');
    expect(homeFor('MEMBER')).toBe('/schedule');
  });
  it('no menu entry for live streams or recordings yet', () => {
    for (const r of ['MEMBER', 'ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'] as const)
      expect(menuFor(r).some((e) => /live|record/.test(e.path))).toBe(false);
  });
  it('highlights the entry of nested pages', () => {
    expect(activeEntry('MEMBER', '/meetings/abc')?.key).toBe('schedule');
    expect(activeEntry('ENTERPRISE_ADMIN', '/settings/branding')?.key).toBe('branding');
    expect(activeEntry('MEMBER', '/profile')).toBeUndefined();
  });
});

describe('canVisit', () => {
  it('sends people back only to pages of their role', () => {
    expect(canVisit('PLATFORM_ADMIN', '/schedule')).toBe(false);
    expect(canVisit('PLATFORM_ADMIN', '/admin/rooms')).toBe(true);
    expect(canVisit('MEMBER', '/meetings/x?occurrence=1')).toBe(true);
    expect(canVisit('MEMBER', '/directory')).toBe(false);
    expect(canVisit('ENTERPRISE_ADMIN', '/directory')).toBe(true);
    expect(canVisit('MEMBER', '/join/123')).toBe(true);
    expect(canVisit('MEMBER', '/login')).toBe(false);
  });
});
