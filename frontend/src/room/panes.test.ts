import { expect, test } from 'vitest';
import { fallbackAssignment, modeFor, stageModel } from './panes';

test('the server assignment on the 1+7 geometry', () => {
  const m = stageModel('ONE_PLUS_SEVEN', [
    { pane: 0, participantId: 'B', source: 'screen', polled: false },
    { pane: 1, participantId: 'B', source: 'camera', polled: false },
    { pane: 2, participantId: 'A', source: 'camera', polled: true },
    { pane: 3, participantId: null, source: '', polled: true },
  ]);
  expect(m.layout.cols).toBe(4);
  expect(m.panes).toHaveLength(8);
  expect(m.panes.slice(0, 4).map((p) => [p.index, p.participantId, p.source, p.polled, p.role])).toEqual([
    [0, 'B', 'screen', false, 'big'],
    [1, 'B', 'camera', false, 'small'],
    [2, 'A', 'camera', true, 'small'],
    [3, null, '', true, 'small'],
  ]);
  expect(m.panes[7]).toMatchObject({ participantId: null, source: '', col: 3, row: 3 });
});

test('compact geometry keeps the assignment and leaves out empty small panes', () => {
  const m = stageModel('GRID_2X2', [{ pane: 3, participantId: 'X', source: 'camera', polled: false }], true);
  expect(m.panes.map((p) => [p.index, p.participantId])).toEqual([[0, null], [1, null], [2, null], [3, 'X']]); // 2x2 panes are all big
  const s = stageModel('ONE_PLUS_SEVEN', [{ pane: 0, participantId: 'A', source: 'camera', polled: false }, { pane: 4, participantId: 'B', source: 'camera', polled: false }], true);
  expect(s.panes.map((p) => [p.index, p.colSpan])).toEqual([[0, 4], [4, 4]]);
});

test('modes by count', () => {
  expect([1, 2, 4, 5, 8, 9, 22, 23].map(modeFor)).toEqual([
    'SINGLE',
    'GRID_2X2',
    'GRID_2X2',
    'ONE_PLUS_SEVEN',
    'ONE_PLUS_SEVEN',
    'ONE_PLUS_TWENTY_ONE',
    'ONE_PLUS_TWENTY_ONE',
    'TWO_PLUS_TWENTY_ONE',
  ]);
});

test('stand-in before the first state: screen, others, self', () => {
  const a = fallbackAssignment('ME', ['A', 'B'], 'A');
  expect(a.mode).toBe('GRID_2X2');
  expect(a.panes.map((p) => [p.participantId, p.source])).toEqual([
    ['A', 'screen'],
    ['A', 'camera'],
    ['B', 'camera'],
    ['ME', 'camera'],
  ]);
  expect(fallbackAssignment('ME', [], null)).toEqual({ mode: 'SINGLE', panes: [{ pane: 0, participantId: 'ME', source: 'camera', polled: false }] });
});

test('the whiteboard shown to everyone is a pane of its own, also on a phone', () => {
  const m = stageModel('ONE_PLUS_SEVEN', [
    { pane: 0, participantId: null, source: 'whiteboard', polled: false },
    { pane: 1, participantId: 'A', source: 'camera', polled: false },
  ]);
  expect(m.panes.slice(0, 3).map((p) => [p.index, p.participantId, p.source, p.role])).toEqual([
    [0, null, 'whiteboard', 'big'],
    [1, 'A', 'camera', 'small'],
    [2, null, '', 'small'],
  ]);
  // A pin holds the big pane: the board is in a small pane, which a phone keeps.
  const c = stageModel('ONE_PLUS_SEVEN', [
    { pane: 0, participantId: 'A', source: 'camera', polled: false },
    { pane: 1, participantId: null, source: 'whiteboard', polled: false },
  ], true);
  expect(c.panes.map((p) => [p.index, p.source])).toEqual([[0, 'camera'], [1, 'whiteboard']]);
});
