// What the participant must know, raised from events: toasts and questions (useNotices:
// the session's notices and errors, raised and lowered hands, the whiteboard's errors,
// activity and showing) and the banners above the stage (Banners: connecting,
// reconnecting, muted by the host, sound blocked by the browser).
import { AudioMutedOutlined, SoundOutlined } from '@ant-design/icons';
import { Alert, App, Button } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingParticipant, MeetingState } from '../gql/schema';
import type { ConnState, RtcSession } from '../rtc/session';
import type { WhiteboardClient } from '../whiteboard/client';
import { HandIcon } from './HandIcon';

export interface NoticesInput {
  session: RtcSession | null;
  wb: WhiteboardClient;
  meeting: MeetingState | null;
  participants: Map<string, MeetingParticipant>;
  me: MeetingParticipant | undefined;
  selfId: string | null;
  moderator: boolean;
  nameOf: (id: string) => string;
  /** The person sees the whiteboard (open beside the stage, or on it). */
  boardSeen: boolean;
}

export interface Notices {
  /** Someone else used the whiteboard while this person did not see it (the toolbar marks the button). */
  boardActive: boolean;
  /** Tells of a chat message the server refused. */
  chatError: (e: { code: string; message: string }) => void;
  /** The person lowers their own hand: no "the host lowered your hand" for it. */
  selfLoweredHand: () => void;
  /** The person shows or hides the whiteboard for everyone (done: it worked): no toast for their own change. */
  selfShowsBoard: (done: Promise<boolean>) => void;
}

/** Raises the room's toasts and questions from the session, the whiteboard and the meeting's state. */
export function useNotices({ session, wb, meeting, participants, me, selfId, moderator, nameOf, boardSeen }: NoticesInput): Notices {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  const { message, modal } = App.useApp();

  const chatError = useCallback(
    (e: { code: string; message: string }) => {
      if (e.code === 'rate_limited') void message.warning(t('chat.rateLimited'));
      else void message.error(t('chat.refused', { message: e.message }));
    },
    [message, t],
  );

  // Raised hands: the hosts hear of each one; a participant hears when the host lowered theirs.
  const handsRef = useRef<Set<string> | null>(null);
  const selfLowered = useRef(false);
  useEffect(() => {
    if (!meeting) return;
    const up = new Set(meeting.participants.filter((p) => p.handRaised).map((p) => p.id));
    const before = handsRef.current;
    handsRef.current = up;
    if (!before) return; // the first state: hands raised before I came are in the list
    if (moderator) for (const id of up) if (!before.has(id) && id !== selfId) void message.info({ content: t('hand.raisedBy', { name: nameOf(id) }), key: `hand-${id}` });
    if (selfId && before.has(selfId) && !up.has(selfId) && participants.has(selfId)) {
      if (!selfLowered.current) void message.info(t('hand.loweredByHost'));
      selfLowered.current = false;
    }
  }, [meeting, moderator, selfId, participants, message, t, nameOf]);
  const selfLoweredHand = useCallback(() => {
    selfLowered.current = true;
  }, []);

  // The host asks to unmute (notice unmuteRequested); the question goes away once the
  // roster no longer holds the request (unmuted, or muted again).
  const askRef = useRef<{ destroy: () => void } | null>(null);
  useEffect(() => {
    if (askRef.current && me && !me.unmuteRequested) {
      askRef.current.destroy();
      askRef.current = null;
    }
  }, [me?.unmuteRequested, me]);
  useEffect(() => () => askRef.current?.destroy(), []);

  // Notices and errors from the media session.
  useEffect(() => {
    if (!session) return;
    const offs = [
      session.on('notice', (n) => {
        if (n.kind === 'reconnectWindow' && n.participantId) void message.warning(t('notice.reconnectWindow', { name: nameOf(n.participantId) }));
        else if (n.kind === 'reconnected' && n.participantId) void message.success(t('notice.reconnected', { name: nameOf(n.participantId) }));
        else if (n.kind === 'locked') void message.info(t('notice.locked'));
        else if (n.kind === 'unlocked') void message.info(t('notice.unlocked'));
        else if (n.kind === 'unmuteRequested' && !askRef.current) {
          askRef.current = modal.confirm({
            title: t('notice.unmuteRequested'),
            okText: t('notice.unmuteNow'),
            cancelText: t('notice.stayMuted'),
            onOk: () => session.setMicMuted(false),
            afterClose: () => {
              askRef.current = null;
            },
          });
        }
      }),
      session.on('error', (e) => {
        if (e.code === 'media:microphone') void message.error(t('media.microphone'));
        else if (e.code === 'media:camera') void message.error(t('media.camera'));
        else if (e.code === 'media:screen') void message.error(t('media.screen'));
        else if (e.code === 'unmute_refused') void message.warning(t('notice.unmuteRefused'));
      }),
    ];
    return () => offs.forEach((f) => f());
  }, [session, message, modal, t, nameOf]);
  useEffect(
    () =>
      wb.on('error', (e) => {
        if (e.code === 'too_large') void message.warning(t('media.tooLarge'));
        else if (e.code === 'forbidden') void message.error(t('errors.forbidden'));
      }),
    [wb, message, t],
  );
  useEffect(() => wb.on('cleared', () => void message.info(t('whiteboard.cleared'))), [wb, message, t]);

  // Someone else draws or points on the board while mine is closed: say so, once per
  // person, and mark the whiteboard button until I open it.
  const [boardActive, setBoardActive] = useState(false);
  const boardTold = useRef(new Set<string>());
  useEffect(() => {
    if (boardSeen) {
      boardTold.current.clear();
      setBoardActive(false);
      return;
    }
    return wb.on('activity', ({ from }) => {
      if (from === selfId || boardTold.current.has(from)) return;
      boardTold.current.add(from);
      setBoardActive(true);
      void message.info(t('whiteboard.othersUsing', { name: nameOf(from) }));
    });
  }, [wb, boardSeen, selfId, message, t, nameOf]);

  // The board shown to everyone comes and goes: the others are told; who changed it is not.
  const boardByMe = useRef(false);
  const selfShowsBoard = useCallback((done: Promise<boolean>) => {
    boardByMe.current = true;
    void done.then((ok) => {
      if (!ok) boardByMe.current = false;
    });
  }, []);
  const boardShown = meeting?.whiteboard;
  const boardShownBefore = useRef<boolean | undefined>(undefined);
  useEffect(() => {
    if (boardShown === undefined) return;
    const before = boardShownBefore.current;
    boardShownBefore.current = boardShown;
    if (before === undefined || before === boardShown) return;
    if (boardByMe.current) boardByMe.current = false;
    else void message.info(boardShown ? t('whiteboard.shownToAll') : t('whiteboard.hiddenForAll'));
  }, [boardShown, message, t]);

  return { boardActive, chatError, selfLoweredHand, selfShowsBoard };
}

export interface BannersProps {
  state: ConnState;
  narrow: boolean;
  hostMuted: boolean;
  /** The host lets participants unmute themselves. */
  allowSelfUnmute: boolean | undefined;
  me: MeetingParticipant | undefined;
  onRaiseHand: () => void;
  /** The browser refused to play sound until the person clicks. */
  audioBlocked: boolean;
  onAudioEnabled: () => void;
}

/** The banners above the stage: connecting, reconnecting, muted by the host, sound blocked. */
export function Banners({ state, narrow, hostMuted, allowSelfUnmute, me, onRaiseHand, audioBlocked, onAudioEnabled }: BannersProps) {
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  return (
    <>
      {state === 'reconnecting' && (
        <Alert className="room-banner" type="warning" showIcon role="alert" data-testid="reconnecting" message={t('state.reconnecting')} description={narrow ? undefined : t('state.reconnectingHint')} />
      )}
      {state === 'connecting' && <Alert className="room-banner" type="info" showIcon message={t('state.connecting')} />}
      {hostMuted && (
        <Alert
          className="room-banner"
          type="warning"
          showIcon
          icon={<AudioMutedOutlined />}
          role="alert"
          data-testid="muted-by-host"
          message={narrow ? t(allowSelfUnmute ? 'notice.mutedByHostSelfUnmuteShort' : 'notice.mutedByHostShort') : t('notice.mutedByHost')}
          description={narrow ? undefined : allowSelfUnmute ? t('notice.mutedByHostSelfUnmute') : t('notice.mutedByHostHint')}
          action={
            !allowSelfUnmute &&
            me && (
              <Button size="small" icon={<HandIcon />} disabled={me.handRaised} onClick={onRaiseHand} data-testid="banner-raise-hand">
                {me.handRaised ? t('hand.raised') : t('hand.raiseToSpeak')}
              </Button>
            )
          }
        />
      )}
      {audioBlocked && (
        <Alert
          className="room-banner"
          type="info"
          showIcon
          icon={<SoundOutlined />}
          message={t('notice.audioBlocked')}
          action={
            <Button
              size="small"
              onClick={() => {
                document.querySelectorAll<HTMLAudioElement>('audio[data-remote-audio]').forEach((a) => void a.play().catch(() => {}));
                onAudioEnabled();
              }}
            >
              {t('notice.enableAudio')}
            </Button>
          }
        />
      )}
    </>
  );
}
