// The pane geometry of the meeting layouts, the same data as the server's
// internal/layout (layouts as grids of equal cells). The server decides what each
// pane shows (MeetingState.panes); the browser draws these rectangles with CSS grid.
import type { LayoutMode } from '../gql/schema';

/** A rectangle of whole grid cells, 0-based from the top left. */
export interface Cell {
  col: number;
  row: number;
  colSpan: number;
  rowSpan: number;
}

/** One pane of a layout. */
export interface PaneGeometry extends Cell {
  index: number;
  role: 'big' | 'small';
}

/** A layout: a grid of cols x rows cells and its panes, big first, each in reading order. */
export interface LayoutGeometry {
  mode: LayoutMode;
  cols: number;
  rows: number;
  panes: PaneGeometry[];
}

function tiles(col: number, row: number, w: number, h: number, nc: number, nr: number): Cell[] {
  const out: Cell[] = [];
  for (let r = 0; r < nr; r++) for (let c = 0; c < nc; c++) out.push({ col: col + c * w, row: row + r * h, colSpan: w, rowSpan: h });
  return out;
}

function build(mode: LayoutMode, cols: number, rows: number, big: Cell[], small: Cell[]): LayoutGeometry {
  const panes: PaneGeometry[] = [];
  for (const c of big) panes.push({ ...c, index: panes.length, role: 'big' });
  for (const c of small) panes.push({ ...c, index: panes.length, role: 'small' });
  return { mode, cols, rows, panes };
}

const LAYOUTS: Record<LayoutMode, LayoutGeometry> = {
  SINGLE: build('SINGLE', 1, 1, [{ col: 0, row: 0, colSpan: 1, rowSpan: 1 }], []),
  GRID_2X2: build('GRID_2X2', 2, 2, tiles(0, 0, 1, 1, 2, 2), []),
  // Big: cols 0-2, rows 0-2. Small: the right column, then the bottom row.
  ONE_PLUS_SEVEN: build('ONE_PLUS_SEVEN', 4, 4, [{ col: 0, row: 0, colSpan: 3, rowSpan: 3 }], [...tiles(3, 0, 1, 1, 1, 3), ...tiles(0, 3, 1, 1, 4, 1)]),
  // Big: cols 0-1, rows 0-1. Small: 3x2 to its right, then 5x3 below.
  ONE_PLUS_TWENTY_ONE: build('ONE_PLUS_TWENTY_ONE', 5, 5, [{ col: 0, row: 0, colSpan: 2, rowSpan: 2 }], [...tiles(2, 0, 1, 1, 3, 2), ...tiles(0, 2, 1, 1, 5, 3)]),
  // Two big panes of 7x3 cells side by side; 7x3 small panes of 2x1 cells below.
  TWO_PLUS_TWENTY_ONE: build('TWO_PLUS_TWENTY_ONE', 14, 6, tiles(0, 0, 7, 3, 2, 1), tiles(0, 3, 2, 1, 7, 3)),
};

/** Every layout mode, in the server's order. */
export const LAYOUT_MODES: LayoutMode[] = ['SINGLE', 'GRID_2X2', 'ONE_PLUS_SEVEN', 'ONE_PLUS_TWENTY_ONE', 'TWO_PLUS_TWENTY_ONE'];

/** The geometry of mode (a copy). */
export function layoutOf(mode: LayoutMode): LayoutGeometry {
  const l = LAYOUTS[mode];
  return { ...l, panes: l.panes.map((p) => ({ ...p })) };
}

/** CSS grid placement of a pane: grid-column / grid-row values. */
export function gridArea(p: Cell): { gridColumn: string; gridRow: string } {
  return { gridColumn: `${p.col + 1} / span ${p.colSpan}`, gridRow: `${p.row + 1} / span ${p.rowSpan}` };
}

/**
 * A layout for small screens (phones in portrait): the big panes stacked full width,
 * then the small panes two per row. Pane indexes and assignment stay the server's;
 * only the rectangles change, as a phone cannot show 21 panes legibly. `keep`
 * chooses the small panes to draw (default: all), e.g. only those showing someone.
 */
export function compactLayout(mode: LayoutMode, keep: (p: PaneGeometry) => boolean = () => true): LayoutGeometry {
  const l = layoutOf(mode);
  const big = l.panes.filter((p) => p.role === 'big');
  const small = l.panes.filter((p) => p.role === 'small' && keep(p));
  const panes: PaneGeometry[] = [];
  if (mode === 'GRID_2X2') {
    const shown = big.filter(keep);
    shown.forEach((p, i) => panes.push({ ...p, col: (i % 2) * 2, row: Math.floor(i / 2) * 2, colSpan: 2, rowSpan: 2 }));
    return { mode, cols: 4, rows: Math.max(2, Math.ceil(shown.length / 2) * 2), panes };
  }
  let row = 0;
  for (const p of big) {
    panes.push({ ...p, col: 0, row, colSpan: 4, rowSpan: 4 });
    row += 4;
  }
  small.forEach((p, i) => {
    // An odd last pane takes the whole row.
    const last = i === small.length - 1 && small.length % 2 === 1;
    panes.push({ ...p, col: last ? 0 : (i % 2) * 2, row: row + Math.floor(i / 2) * 2, colSpan: last ? 4 : 2, rowSpan: 2 });
  });
  const rows = row + Math.ceil(small.length / 2) * 2;
  return { mode, cols: 4, rows: Math.max(rows, 1), panes };
}
