import { expect, test } from 'vitest';
import { canShareScreen } from './device';

const desktopUA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const iphoneUA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const androidUA = 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const gdm = { getDisplayMedia: () => Promise.resolve() };

test('a desktop browser with getDisplayMedia shares', () => {
  expect(canShareScreen({ userAgent: desktopUA, mediaDevices: gdm })).toBe(true);
});

test('no getDisplayMedia, no sharing', () => {
  expect(canShareScreen({ userAgent: desktopUA, mediaDevices: {} })).toBe(false);
  expect(canShareScreen({ userAgent: desktopUA })).toBe(false);
  expect(canShareScreen(undefined)).toBe(false);
});

test('phones do not share, even where the method exists', () => {
  expect(canShareScreen({ userAgent: iphoneUA, mediaDevices: gdm })).toBe(false);
  expect(canShareScreen({ userAgent: androidUA, mediaDevices: gdm })).toBe(false);
  expect(canShareScreen({ userAgent: desktopUA, userAgentData: { mobile: true }, mediaDevices: gdm })).toBe(false);
});
