import { describe, expect, test } from 'vitest';
import { compactLayout, gridArea, LAYOUT_MODES, layoutOf } from './layout';

function covers(cols: number, rows: number, panes: { col: number; row: number; colSpan: number; rowSpan: number }[]) {
  const grid = Array.from({ length: rows }, () => Array(cols).fill(0));
  for (const p of panes) for (let r = p.row; r < p.row + p.rowSpan; r++) for (let c = p.col; c < p.col + p.colSpan; c++) grid[r][c]++;
  return grid.every((row) => row.every((n) => n === 1));
}

describe('layouts match internal/layout', () => {
  test.each([
    ['SINGLE', 1, 1, 1, 0],
    ['GRID_2X2', 2, 2, 4, 0],
    ['ONE_PLUS_SEVEN', 4, 4, 1, 7],
    ['ONE_PLUS_TWENTY_ONE', 5, 5, 1, 21],
    ['TWO_PLUS_TWENTY_ONE', 14, 6, 2, 21],
  ] as const)('%s', (mode, cols, rows, big, small) => {
    const l = layoutOf(mode);
    expect([l.cols, l.rows]).toEqual([cols, rows]);
    expect(l.panes.filter((p) => p.role === 'big')).toHaveLength(big);
    expect(l.panes.filter((p) => p.role === 'small')).toHaveLength(small);
    expect(l.panes.map((p) => p.index)).toEqual(l.panes.map((_, i) => i));
    expect(covers(cols, rows, l.panes)).toBe(true);
  });

  test('1+7: big 3x3, then the right column, then the bottom row', () => {
    const l = layoutOf('ONE_PLUS_SEVEN');
    expect(l.panes[0]).toMatchObject({ col: 0, row: 0, colSpan: 3, rowSpan: 3 });
    expect(l.panes.slice(1).map((p) => [p.col, p.row])).toEqual([
      [3, 0],
      [3, 1],
      [3, 2],
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  test('2+21: two 7x3 big panes, 2x1 small ones', () => {
    const l = layoutOf('TWO_PLUS_TWENTY_ONE');
    expect(l.panes[1]).toMatchObject({ col: 7, row: 0, colSpan: 7, rowSpan: 3 });
    expect(l.panes[2]).toMatchObject({ col: 0, row: 3, colSpan: 2, rowSpan: 1 });
    expect(l.panes[22]).toMatchObject({ col: 12, row: 5 });
  });

  test('grid areas', () => {
    expect(gridArea(layoutOf('ONE_PLUS_SEVEN').panes[0])).toEqual({ gridColumn: '1 / span 3', gridRow: '1 / span 3' });
  });

  test.each(LAYOUT_MODES)('compact %s keeps every pane once, without overlap', (mode) => {
    const l = compactLayout(mode);
    expect(l.panes.map((p) => p.index).sort((a, b) => a - b)).toEqual(layoutOf(mode).panes.map((p) => p.index));
    const some = compactLayout(mode, (p) => p.index % 3 === 0);
    for (const p of some.panes) expect(p.role === 'big' || p.index % 3 === 0 || mode === 'GRID_2X2').toBe(true);
    const cells = new Set<string>();
    for (const p of l.panes)
      for (let r = p.row; r < p.row + p.rowSpan; r++)
        for (let c = p.col; c < p.col + p.colSpan; c++) {
          const k = `${c},${r}`;
          expect(cells.has(k)).toBe(false);
          cells.add(k);
        }
  });
});
