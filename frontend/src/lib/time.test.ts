import { describe, expect, test } from 'vitest';
import { downloadQuery, localZone } from './time';

describe('downloadQuery', () => {
  test('names the language and the browser zone for the server', () => {
    const q = new URLSearchParams(downloadQuery('en'));
    expect(q.get('lang')).toBe('en');
    expect(q.get('tz')).toBe(localZone());
    expect(new URLSearchParams(downloadQuery('zh-CN')).get('lang')).toBe('zh-CN');
    expect(new URLSearchParams(downloadQuery('fr')).get('lang')).toBe('zh-CN');
  });
});
