// What the stage shows: the server's pane assignment (or, before the first state, one
// made up from the tracks that came), each pane's video, the pins, and the whiteboard
// when it is shown to everyone. VideoStage draws it.
import { useCallback, useMemo, type ReactNode } from 'react';
import type { MeetingParticipant, MeetingState } from '../gql/schema';
import type { LocalState, RemoteTrack, RtcSession } from '../rtc/session';
import { fallbackAssignment, stageModel, type StageModel } from './panes';
import { VideoStage } from './VideoStage';

/** The stage's panes: the server's assignment, or before the first state one from the tracks (sharer's screen first). */
export function useStageModel(meeting: MeetingState | null, tracks: RemoteTrack[], selfId: string | null, sharer: string | null, narrow: boolean): StageModel {
  return useMemo(() => {
    if (meeting) return stageModel(meeting.mode, meeting.panes, narrow);
    const others: string[] = [];
    for (const x of tracks) if (!others.includes(x.participantId)) others.push(x.participantId);
    const a = fallbackAssignment(selfId, others, sharer);
    return stageModel(a.mode, a.panes, narrow);
  }, [meeting, tracks, selfId, sharer, narrow]);
}

/** Who shares a screen: from the state, or before it from the tracks (or this person). */
export function sharerOf(meeting: MeetingState | null, tracks: RemoteTrack[], local: LocalState | null, selfId: string | null): string | null {
  if (meeting) return meeting.participants.find((p) => p.screen)?.id ?? null;
  return tracks.find((x) => x.source === 'screen')?.participantId ?? (local?.sharing ? selfId : null);
}

export interface StageProps {
  model: StageModel;
  narrow: boolean;
  session: RtcSession;
  meeting: MeetingState | null;
  tracks: RemoteTrack[];
  local: LocalState;
  selfId: string | null;
  participants: Map<string, MeetingParticipant>;
  nameOf: (id: string) => string;
  /** The whiteboard, when it is in a pane. */
  board: ReactNode;
}

export function Stage({ model, narrow, session, meeting, tracks, local, selfId, participants, nameOf, board }: StageProps) {
  const videoOf = useCallback(
    (pid: string, source: 'camera' | 'screen') => {
      const x = tracks.find((r) => r.participantId === pid && r.kind === 'video' && r.source === source);
      return { track: x?.track ?? null, trackId: x?.trackId };
    },
    [tracks],
  );
  const pinnedPanes = useMemo(() => new Map((meeting?.pins ?? []).map((p) => [p.pane, p.participantId])), [meeting?.pins]);
  return (
    <VideoStage
      model={model}
      compact={narrow}
      session={session}
      selfId={selfId}
      participants={participants}
      activeSpeakerId={meeting?.activeSpeakerId ?? null}
      pinnedPanes={pinnedPanes}
      videoOf={videoOf}
      nameOf={nameOf}
      selfState={{ micMuted: local.micMuted, hostMuted: local.hostMuted, cameraOn: local.cameraOn }}
      board={board}
    />
  );
}
