// What this browser can do, for the controls it offers. Pure but for the globals it reads.

/** The parts of navigator that canShareScreen reads. */
export interface NavigatorLike {
  userAgent?: string;
  userAgentData?: { mobile?: boolean };
  mediaDevices?: { getDisplayMedia?: unknown };
}

/**
 * Whether the browser can share a screen: getDisplayMedia exists and the device is not
 * a phone or tablet. Mobile browsers either lack it (iOS Safari) or reject every call,
 * so offering the button there only leads to an error.
 */
export function canShareScreen(nav: NavigatorLike | undefined = typeof navigator === 'undefined' ? undefined : (navigator as NavigatorLike)): boolean {
  if (!nav || typeof nav.mediaDevices?.getDisplayMedia !== 'function') return false;
  if (nav.userAgentData?.mobile) return false;
  return !/Android|iPhone|iPad|iPod|Mobile/i.test(nav.userAgent ?? '');
}
