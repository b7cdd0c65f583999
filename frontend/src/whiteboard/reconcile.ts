// Excalidraw's reconciliation rule, as the server applies it (media/whiteboard
// Element.Newer): a higher version wins; an equal version with a lower versionNonce
// wins; anything else is stale. Pure.
import type { WbElement } from './protocol';

/** What the rule compares. */
export type Versioned = Pick<WbElement, 'version' | 'versionNonce'>;

/** Whether e replaces cur. */
export function newer(e: Versioned, cur: Versioned | undefined): boolean {
  if (!cur) return true;
  return e.version > cur.version || (e.version === cur.version && e.versionNonce < cur.versionNonce);
}

/**
 * Merges incoming elements into the board (a map by id, changed in place) and
 * returns the ids that changed. The element being edited locally (editingId) keeps
 * the local copy, as Excalidraw does, so a remote echo never yanks it mid-stroke.
 */
export function mergeInto(board: Map<string, WbElement>, incoming: readonly WbElement[], editingId?: string | null): string[] {
  const changed: string[] = [];
  for (const e of incoming) {
    if (editingId && e.id === editingId && board.has(e.id)) continue;
    if (newer(e, board.get(e.id))) {
      board.set(e.id, e);
      changed.push(e.id);
    }
  }
  return changed;
}

/** Elements in z-order: by fractional index (plain code-unit order, as base-62 keys sort), then id. */
export function ordered(els: Iterable<WbElement>): WbElement[] {
  return [...els].sort((a, b) => {
    const ia = a.index ?? '';
    const ib = b.index ?? '';
    if (ia !== ib) return ia < ib ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
