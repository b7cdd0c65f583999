// The meeting room: composes the header, the banners and toasts (Notices), the stage
// drawn from the server's pane assignment (Stage), the participant list with the host's
// controls, the chat, the whiteboard and the toolbar. It holds what they share: the
// session, the meeting's state, and which panels are open.
import { Drawer } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingParticipant } from '../gql/schema';
import { layoutOf } from '../rtc/layout';
import type { EndReason } from '../rtc/session';
import { ChatPanel } from './ChatPanel';
import { useControls } from './controls';
import { InviteDialog, PollingDialog } from './Dialogs';
import { Header } from './Header';
import { useMeetingState, useNarrow, useRtcSession, useWhiteboard, type JoinPayload } from './hooks';
import { Banners, useNotices } from './Notices';
import { RosterPanel } from './RosterPanel';
import { sharerOf, Stage, useStageModel } from './Stage';
import { Toolbar } from './Toolbar';
import { useChat } from './useChat';
import { RemoteAudio } from './VideoStage';

const WhiteboardPanel = lazy(() => import('../whiteboard/WhiteboardPanel'));

export interface RoomProps {
  join: JoinPayload;
  micOn: boolean;
  cameraOn: boolean;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  signedIn: boolean;
  /** The password typed to join (empty when none was typed), shown in the meeting info. */
  password: string;
  isAdmin: boolean;
  renewToken: () => Promise<string | null>;
  onEnded: (e: { reason: EndReason; message?: string }) => void;
}

export default function Room(props: RoomProps) {
  const { join, signedIn, isAdmin, onEnded } = props;
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const rtc = useRtcSession(join, {
    micOn: props.micOn,
    cameraOn: props.cameraOn,
    audioDeviceId: props.audioDeviceId,
    videoDeviceId: props.videoDeviceId,
    renewToken: props.renewToken,
  });
  const session = rtc?.session ?? null;
  const live = useMeetingState(session);
  const wb = useWhiteboard(session);
  const controls = useControls(join.meetingId);
  const narrow = useNarrow();
  const [rosterOpen, setRosterOpen] = useState(!narrow);
  // A phone shows the stage first; the list opens on demand.
  useEffect(() => {
    if (narrow) setRosterOpen(false);
  }, [narrow]);
  const [boardOpen, setBoardOpen] = useState(false);
  const [chatOpen, setChatOpen] = useState(false);
  const [pollingOpen, setPollingOpen] = useState(false);
  const [inviteOpen, setInviteOpen] = useState(false);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const [sinkId, setSinkId] = useState<string | null>(null);
  const moderator = join.role === 'HOST' || isAdmin;
  const selfId = rtc?.participantId ?? null;
  const meeting = live.meeting;

  const participants = useMemo(() => new Map<string, MeetingParticipant>((meeting?.participants ?? []).map((p) => [p.id, p])), [meeting?.participants]);
  const me = selfId ? participants.get(selfId) : undefined;
  const nameRef = useRef(new Map<string, string>());
  for (const [id, p] of participants) nameRef.current.set(id, p.name);
  const nameOf = useCallback(
    (id: string) => nameRef.current.get(id) ?? (id === selfId ? join.displayName : t('pane.unknown')),
    [selfId, join.displayName, t],
  );

  // The board shown to everyone is in a pane of the stage (the server's assignment); it
  // then leaves one's side panel.
  const boardOnStage = !!meeting?.panes.some((p) => p.source === 'whiteboard');
  const boardSeen = boardOpen || boardOnStage;
  useEffect(() => {
    if (boardOnStage) setBoardOpen(false);
  }, [boardOnStage]);

  const notices = useNotices({ session, wb, meeting, participants, me, selfId, moderator, nameOf, boardSeen });
  const chat = useChat(session, selfId, chatOpen, notices.chatError);
  const setHand = (raised: boolean) => {
    if (!raised) notices.selfLoweredHand();
    session?.raiseHand(raised);
  };
  // Showing the board to everyone: the host, admins and signed-in presenters may.
  const mayShowBoard = signedIn && (moderator || me?.role === 'PRESENTER');
  const { selfShowsBoard } = notices;
  const showBoard = useCallback((on: boolean) => selfShowsBoard(controls.setWhiteboard(on)), [controls, selfShowsBoard]);

  // The session ends (bye removed / meetingEnded after their notice, left, …): tell the page.
  useEffect(() => {
    if (rtc?.ended) onEnded(rtc.ended);
  }, [rtc?.ended, onEnded]);

  const tracks = rtc?.tracks ?? [];
  const sharer = sharerOf(meeting, tracks, rtc?.local ?? null, selfId);
  const model = useStageModel(meeting, tracks, selfId, sharer, narrow);
  const audio = useMemo(() => tracks.filter((x) => x.kind === 'audio' && x.track).map((x) => ({ trackId: x.trackId, track: x.track! })), [tracks]);

  // A read-only handle for diagnostics and the browser tests (stats, not controls).
  useEffect(() => {
    if (!session) return;
    const w = window as unknown as { __jstRoom?: unknown };
    w.__jstRoom = {
      participantId: () => session.participantId,
      inboundStats: () => session.inboundStats(),
      outboundStats: () => session.outboundStats(),
      whiteboardElements: () => wb.elements().filter((e) => !e.isDeleted).length,
      simulateDrop: () => session.simulateDrop(),
      sent: () => session.sentCounts,
      liveSeq: () => session.meetingView.seq,
    };
    return () => {
      delete w.__jstRoom;
    };
  }, [session, wb]);

  if (!rtc || !session) return null;
  const { local, state } = rtc;
  const paneCount = layoutOf(meeting?.mode ?? model.layout.mode).panes.length;

  const roster = (
    <RosterPanel meeting={meeting} selfId={selfId} moderator={moderator && signedIn} controls={controls} paneCount={paneCount} onInvite={() => setInviteOpen(true)} />
  );

  const chatPanel = <ChatPanel chat={chat} selfId={selfId} moderator={moderator} participants={meeting?.participants ?? []} />;

  return (
    <div className={`room${narrow ? ' narrow' : ''}${boardOpen && !boardOnStage ? ' with-board' : ''}`} data-testid="room" data-state={state} data-participant-id={selfId ?? ''}>
      <Header join={join} password={props.password} signedIn={signedIn} meeting={meeting} me={me} />

      <Banners
        state={state}
        narrow={narrow}
        hostMuted={local.hostMuted}
        allowSelfUnmute={meeting?.allowSelfUnmute}
        me={me}
        onRaiseHand={() => setHand(true)}
        audioBlocked={audioBlocked}
        onAudioEnabled={() => setAudioBlocked(false)}
      />

      <main className="room-main">
        {boardOpen && !boardOnStage && (
          <Suspense fallback={null}>
            <WhiteboardPanel client={wb} moderator={moderator} nameOf={nameOf} onShow={mayShowBoard ? showBoard : undefined} />
          </Suspense>
        )}
        <div className="room-stage">
          <Stage
            model={model}
            narrow={narrow}
            session={session}
            meeting={meeting}
            tracks={tracks}
            local={local}
            selfId={selfId}
            participants={participants}
            nameOf={nameOf}
            board={
              boardOnStage && (
                <Suspense fallback={null}>
                  <WhiteboardPanel client={wb} moderator={moderator} nameOf={nameOf} shown onShow={mayShowBoard ? showBoard : undefined} />
                </Suspense>
              )
            }
          />
        </div>
        {!narrow && rosterOpen && roster}
        {!narrow && chatOpen && chatPanel}
      </main>

      {narrow && (
        <Drawer open={rosterOpen} onClose={() => setRosterOpen(false)} placement="bottom" height="75%" title={t('toolbar.participants')} styles={{ body: { padding: 0 } }}>
          {roster}
        </Drawer>
      )}
      {narrow && (
        <Drawer open={chatOpen} onClose={() => setChatOpen(false)} placement="bottom" height="75%" title={t('chat.title')} styles={{ body: { padding: 0 } }}>
          {chatPanel}
        </Drawer>
      )}

      <Toolbar
        session={session}
        local={local}
        narrow={narrow}
        meeting={meeting}
        me={me}
        selfId={selfId}
        moderator={moderator}
        signedIn={signedIn}
        controls={controls}
        nameOf={nameOf}
        sharer={sharer}
        sinkId={sinkId}
        onSinkId={setSinkId}
        board={{ open: boardOpen, onStage: boardOnStage, seen: boardSeen, active: notices.boardActive, onToggle: () => setBoardOpen((o) => !o) }}
        chat={{ open: chatOpen, unread: chat.unread, onToggle: () => setChatOpen((o) => !o) }}
        roster={{ open: rosterOpen, onToggle: () => setRosterOpen((o) => !o) }}
        onPolling={() => setPollingOpen(true)}
        onHand={setHand}
        onEnded={onEnded}
      />

      <RemoteAudio tracks={audio} sinkId={sinkId} onBlocked={setAudioBlocked} />
      {meeting && moderator && <PollingDialog open={pollingOpen} onClose={() => setPollingOpen(false)} meeting={meeting} controls={controls} paneCount={paneCount} />}
      {moderator && <InviteDialog open={inviteOpen} onClose={() => setInviteOpen(false)} controls={controls} />}
    </div>
  );
}
