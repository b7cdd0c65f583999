// What each pane of the stage shows: the server's assignment (MeetingState.panes) on
// the layout's geometry, or, in the moment before the first live state arrives, a
// local stand-in built from the tracks received. Pure; see panes.test.ts.
import type { LayoutMode, LayoutPane } from '../gql/schema';
import { compactLayout, layoutOf, type LayoutGeometry, type PaneGeometry } from '../rtc/layout';

export interface PaneView extends PaneGeometry {
  participantId: string | null;
  /** What the pane shows: a participant's camera or screen, the whiteboard shown to everyone, or nothing (''). */
  source: 'camera' | 'screen' | 'whiteboard' | '';
  polled: boolean;
}

export interface StageModel {
  layout: LayoutGeometry;
  panes: PaneView[];
}

/** The stage for mode and the server's panes (panes the server did not list are empty). */
export function stageModel(mode: LayoutMode, assigned: readonly Pick<LayoutPane, 'pane' | 'participantId' | 'source' | 'polled'>[], compact = false): StageModel {
  const byIndex = new Map(assigned.map((p) => [p.pane, p]));
  const board = (i: number) => byIndex.get(i)?.source === 'whiteboard';
  // Phones leave out panes that show nothing (but keep the big ones).
  const layout = compact ? compactLayout(mode, (g) => g.role === 'big' || !!byIndex.get(g.index)?.participantId || board(g.index)) : layoutOf(mode);
  const panes = layout.panes.map((g): PaneView => {
    const a = byIndex.get(g.index);
    if (board(g.index)) return { ...g, participantId: null, source: 'whiteboard', polled: false };
    const source = a?.source === 'camera' || a?.source === 'screen' ? a.source : '';
    return { ...g, participantId: a?.participantId || null, source: a?.participantId ? source || 'camera' : '', polled: !!a?.polled };
  });
  return { layout, panes };
}

/** The smallest layout that holds n panes. */
export function modeFor(n: number): LayoutMode {
  if (n <= 1) return 'SINGLE';
  if (n <= 4) return 'GRID_2X2';
  if (n <= 8) return 'ONE_PLUS_SEVEN';
  if (n <= 22) return 'ONE_PLUS_TWENTY_ONE';
  return 'TWO_PLUS_TWENTY_ONE';
}

/**
 * A stand-in assignment while no live state has arrived yet (it follows joined within
 * milliseconds): the first screen share, then the other participants in the order
 * their tracks arrived, then oneself — the server's filling order without roles and
 * speakers.
 */
export function fallbackAssignment(selfId: string | null, others: readonly string[], sharer: string | null): { mode: LayoutMode; panes: LayoutPane[] } {
  const list: { id: string; source: 'camera' | 'screen' }[] = [];
  if (sharer) list.push({ id: sharer, source: 'screen' });
  for (const id of others) list.push({ id, source: 'camera' });
  if (selfId) list.push({ id: selfId, source: 'camera' });
  const mode = modeFor(list.length);
  const n = layoutOf(mode).panes.length;
  return { mode, panes: list.slice(0, n).map((x, i) => ({ pane: i, participantId: x.id, source: x.source, polled: false })) };
}
