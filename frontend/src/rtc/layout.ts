// The pane geometry of the meeting layouts. The data (every mode's grid and panes)
// is generated from the server's internal/layout (layout.gen.ts); this file holds
// what the browser computes from it. The server decides what each pane shows
// (MeetingState.panes); the browser draws these rectangles with CSS grid.
import type { LayoutMode } from '../gql/schema';
import { LAYOUTS, type Cell, type LayoutGeometry, type PaneGeometry } from './layout.gen';

export { LAYOUT_MODES } from './layout.gen';
export type { Cell, LayoutGeometry, PaneGeometry, Role } from './layout.gen';

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
