// The whiteboard canvas: Excalidraw bound to a WhiteboardClient. Loaded lazily (see
// WhiteboardPanel) so that the room opens without Excalidraw's ~2 MB.
import './assetPath';
import { CaptureUpdateAction, Excalidraw } from '@excalidraw/excalidraw';
import '@excalidraw/excalidraw/index.css';
import type { ExcalidrawImperativeAPI } from '@excalidraw/excalidraw/types';
import { useEffect, useRef, useState } from 'react';
import type { WhiteboardClient } from './client';
import type { WbElement } from './protocol';

export interface ExcalidrawBoardProps {
  client: WhiteboardClient;
  lang: string;
  /** A participant's display name, for remote pointers. */
  nameOf: (participantId: string) => string;
  /** Whether the board may be changed (false: view only, e.g. before it is loaded). */
  editable: boolean;
}

type SceneElements = Parameters<ExcalidrawImperativeAPI['updateScene']>[0]['elements'];
type Collaborators = NonNullable<Parameters<ExcalidrawImperativeAPI['updateScene']>[0]['collaborators']>;

const COLORS = ['#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5', '#0c8599', '#c2255c', '#5c940d'];
function colorOf(id: string) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  const c = COLORS[Math.abs(h) % COLORS.length];
  return { background: c, stroke: c };
}

export default function ExcalidrawBoard({ client, lang, nameOf, editable }: ExcalidrawBoardProps) {
  const [api, setApi] = useState<ExcalidrawImperativeAPI | null>(null);
  const nameRef = useRef(nameOf);
  nameRef.current = nameOf;

  // Remote scene changes → Excalidraw (never recorded in the local undo history).
  useEffect(() => {
    if (!api) return;
    const apply = (els: WbElement[]) => {
      api.updateScene({ elements: els as unknown as SceneElements, captureUpdate: CaptureUpdateAction.NEVER });
    };
    apply(client.elements());
    const offScene = client.on('scene', apply);
    // After a clear, undo would bring erased elements back as new edits (§8.2).
    const offCleared = client.on('cleared', () => api.history.clear());
    const pointers = new Map<string, { x: number; y: number; tool: 'pointer' | 'laser'; button: 'up' | 'down'; at: number }>();
    const push = () => {
      const m = new Map() as Collaborators;
      for (const [id, p] of pointers) {
        (m as Map<string, unknown>).set(id, {
          pointer: { x: p.x, y: p.y, tool: p.tool },
          button: p.button,
          username: nameRef.current(id),
          color: colorOf(id),
          id,
        });
      }
      api.updateScene({ collaborators: m });
    };
    const offPointer = client.on('pointer', (p) => {
      pointers.set(p.from, p);
      push();
    });
    // Pointers of people who stopped moving fade after 5 s.
    const timer = setInterval(() => {
      const now = Date.now();
      let gone = false;
      for (const [id, p] of pointers)
        if (now - p.at > 5000) {
          pointers.delete(id);
          gone = true;
        }
      if (gone) push();
    }, 1000);
    // A read-only view of the scene Excalidraw draws, for diagnostics and the browser
    // tests (a copy: nothing can change the board through it).
    const w = window as unknown as { __jstBoard?: unknown };
    w.__jstBoard = { scene: () => JSON.parse(JSON.stringify(api.getSceneElements())) as unknown };
    return () => {
      delete w.__jstBoard;
      offScene();
      offCleared();
      offPointer();
      clearInterval(timer);
    };
  }, [api, client]);

  return (
    <Excalidraw
      excalidrawAPI={setApi}
      isCollaborating
      langCode={lang === 'en' ? 'en' : 'zh-CN'}
      viewModeEnabled={!editable}
      initialData={{ elements: client.elements() as unknown as SceneElements, appState: { viewBackgroundColor: '#ffffff' } }}
      UIOptions={{
        canvasActions: { loadScene: false, saveToActiveFile: false, export: false, toggleTheme: false },
        tools: { image: false },
      }}
      onChange={(elements, appState) => {
        const editing = appState.editingTextElement ?? appState.newElement ?? appState.resizingElement ?? null;
        client.editingId = editing ? editing.id : null;
        client.localChange(elements as unknown as readonly WbElement[]);
      }}
      onPointerUpdate={({ pointer, button }) => client.pointer(pointer.x, pointer.y, pointer.tool, button)}
    />
  );
}
