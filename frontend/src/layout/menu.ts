// Menus by role. Pure data, so the rules are testable; icons are attached in AppLayout.
import type { Role } from '../gql/graphql';

export type MenuKey =
  | 'schedule'
  | 'book'
  | 'instant'
  | 'join'
  | 'history'
  | 'resources'
  | 'directory'
  | 'branding'
  | 'rooms'
  | 'enterprises';

export interface MenuEntry {
  key: MenuKey;
  path: string;
  /** i18n key of the label. */
  label: string;
  group: 'meetings' | 'manage' | 'platform';
}

const ALL: (MenuEntry & { roles: Role[] })[] = [
  { key: 'schedule', path: '/schedule', label: 'menu.schedule', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN'] },
  { key: 'book', path: '/book', label: 'menu.book', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN'] },
  { key: 'instant', path: '/instant', label: 'menu.instant', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN'] },
  { key: 'join', path: '/join', label: 'menu.join', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'] },
  { key: 'history', path: '/history', label: 'menu.history', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN'] },
  { key: 'resources', path: '/resources', label: 'menu.resources', group: 'meetings', roles: ['MEMBER', 'ENTERPRISE_ADMIN'] },
  { key: 'directory', path: '/directory', label: 'menu.directory', group: 'manage', roles: ['ENTERPRISE_ADMIN'] },
  { key: 'rooms', path: '/rooms', label: 'menu.rooms', group: 'manage', roles: ['ENTERPRISE_ADMIN'] },
  { key: 'branding', path: '/settings/branding', label: 'menu.branding', group: 'manage', roles: ['ENTERPRISE_ADMIN'] },
  { key: 'enterprises', path: '/admin/enterprises', label: 'menu.enterprises', group: 'platform', roles: ['PLATFORM_ADMIN'] },
  { key: 'rooms', path: '/admin/rooms', label: 'menu.cloudRooms', group: 'platform', roles: ['PLATFORM_ADMIN'] },
];

/** The menu entries a role sees, in order. */
export function menuFor(role: Role): MenuEntry[] {
  return ALL.filter((e) => e.roles.includes(role)).map(({ roles: _roles, ...e }) => e);
}

/** Where a role lands after signing in. */
export function homeFor(role: Role): string {
  return role === 'PLATFORM_ADMIN' ? '/admin/enterprises' : '/schedule';
}

/** The menu entry a path belongs to (longest matching prefix), for highlighting. */
export function activeEntry(role: Role, pathname: string): MenuEntry | undefined {
  const extra: Record<string, string> = { '/meetings/': '/schedule' };
  let path = pathname;
  for (const [prefix, target] of Object.entries(extra)) if (pathname.startsWith(prefix)) path = target;
  return menuFor(role)
    .filter((e) => path === e.path || path.startsWith(e.path + '/'))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** Whether a role has a page at path (so that login may return there). */
export function canVisit(role: Role, path: string): boolean {
  const p = path.split(/[?#]/)[0];
  if (p === '/' || p === '/login') return false;
  if (p.startsWith('/join') || p.startsWith('/meeting/') || p === '/profile') return true;
  if (role === 'PLATFORM_ADMIN') return p.startsWith('/admin/');
  if (p.startsWith('/admin/')) return false;
  if (role === 'MEMBER' && (p.startsWith('/directory') || p.startsWith('/settings/') || p.startsWith('/rooms'))) return false;
  return true;
}
