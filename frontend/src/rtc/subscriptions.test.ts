// Subscriptions on its own: what goes out as subscribe messages, and when.
import { afterEach, expect, test, vi } from 'vitest';
import type { TrackPreference } from './protocol';
import { Subscriptions } from './subscriptions';

afterEach(() => {
  vi.useRealTimers();
});

function setup(videos: string[]) {
  vi.useFakeTimers();
  const sent: TrackPreference[][] = [];
  let connected = true;
  const subs = new Subscriptions(
    () => videos,
    () =>
      connected
        ? (tracks) => {
            sent.push(tracks);
            return true;
          }
        : null,
  );
  return { subs, sent, setConnected: (c: boolean) => (connected = c) };
}

test('a burst of sizes makes one message after 150 ms, with the last sizes; the same again makes none', async () => {
  const { subs, sent } = setup(['TR_a', 'TR_b']);
  subs.setShown('TR_a', { width: 100, height: 60 });
  subs.setShown('TR_a', { width: 600, height: 340 });
  await vi.advanceTimersByTimeAsync(149);
  expect(sent).toEqual([]);
  await vi.advanceTimersByTimeAsync(1);
  expect(sent).toEqual([
    [
      { trackId: 'TR_a', enabled: true, width: 600, height: 340 },
      { trackId: 'TR_b', enabled: false },
    ],
  ]);
  subs.setShown('TR_a', { width: 610, height: 345 }); // under 10 %, same tier
  await vi.advanceTimersByTimeAsync(200);
  expect(sent).toHaveLength(1);
  subs.setShown('TR_a', null);
  await vi.advanceTimersByTimeAsync(200);
  expect(sent.at(-1)).toEqual([{ trackId: 'TR_a', enabled: false }]);
});

test('nothing goes out while not connected; the next schedule sends what changed', async () => {
  const { subs, sent, setConnected } = setup(['TR_a']);
  setConnected(false);
  subs.setShown('TR_a', { width: 320, height: 180 });
  await vi.advanceTimersByTimeAsync(200);
  expect(sent).toEqual([]);
  setConnected(true);
  subs.schedule();
  await vi.advanceTimersByTimeAsync(200);
  expect(sent).toEqual([[{ trackId: 'TR_a', enabled: true, width: 320, height: 180 }]]);
});

test('a new socket gets the preferences again; a forgotten track is not remembered as shown', async () => {
  const videos = ['TR_a'];
  const { subs, sent } = setup(videos);
  subs.setShown('TR_a', { width: 320, height: 180 });
  await vi.advanceTimersByTimeAsync(200);
  subs.resetSent();
  subs.schedule();
  await vi.advanceTimersByTimeAsync(200);
  expect(sent).toHaveLength(2);
  expect(sent[1]).toEqual(sent[0]);
  subs.forget('TR_a');
  subs.schedule();
  await vi.advanceTimersByTimeAsync(200);
  expect(sent.at(-1)).toEqual([{ trackId: 'TR_a', enabled: false }]);
});

test('stop cancels a pending send', async () => {
  const { subs, sent } = setup(['TR_a']);
  subs.setShown('TR_a', { width: 320, height: 180 });
  subs.stop();
  await vi.advanceTimersByTimeAsync(500);
  expect(sent).toEqual([]);
});
