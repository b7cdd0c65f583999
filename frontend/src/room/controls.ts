// The host's and the participant's meeting controls (GraphQL mutations), with errors
// shown in the user's language. The changes themselves arrive through meetingState.
import { App } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, type AnyVariables, type TypedDocumentNode } from 'urql';
import { useErrorText } from '../api/useErrorText';
import type { LayoutMode, ParticipantRole, PollingInput } from '../gql/graphql';
import {
  RoomCallAbsentDocument,
  RoomEndMeetingDocument,
  RoomHangupDocument,
  RoomInviteDocument,
  RoomLockDocument,
  RoomLowerAllHandsDocument,
  RoomLowerHandDocument,
  RoomMuteAllDocument,
  RoomMuteDocument,
  RoomPinDocument,
  RoomSetLayoutDocument,
  RoomSetMuteOnEntryDocument,
  RoomSetAllowSelfUnmuteDocument,
  RoomSetPollingDocument,
  RoomSetRoleDocument,
  RoomSetWhiteboardDocument,
  RoomUnlockDocument,
  RoomUnmuteDocument,
  RoomUnpinDocument,
} from './api';

export interface Controls {
  mute(participantId: string): Promise<boolean>;
  unmute(participantId: string): Promise<boolean>;
  muteAll(allowSelfUnmute: boolean): Promise<boolean>;
  /** The meeting-wide switch 允许参会者自行解除静音; it covers host mutes made before. */
  setAllowSelfUnmute(on: boolean): Promise<boolean>;
  lock(on: boolean): Promise<boolean>;
  setMuteOnEntry(on: boolean): Promise<boolean>;
  setLayout(mode: LayoutMode): Promise<boolean>;
  pin(pane: number, participantId: string): Promise<boolean>;
  unpin(pane: number): Promise<boolean>;
  setPolling(input: PollingInput): Promise<boolean>;
  /** Shows the whiteboard to everyone in the main pane, or stops (host, admins and presenters). */
  setWhiteboard(on: boolean): Promise<boolean>;
  hangup(participantId: string): Promise<boolean>;
  setRole(participantId: string, role: ParticipantRole): Promise<boolean>;
  invite(to: { memberIds: string[]; groupIds: string[]; emails: string[] }): Promise<boolean>;
  callAbsent(): Promise<{ called: number; skipped: number } | null>;
  endMeeting(): Promise<boolean>;
  /** Lowers a participant's raised hand (the host answered them). */
  lowerHand(participantId: string): Promise<boolean>;
  lowerAllHands(): Promise<boolean>;
}

/** The controls of one meeting. */
export function useControls(meetingId: string): Controls {
  const client = useClient();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const { t } = useTranslation(undefined, { keyPrefix: 'room' });
  return useMemo(() => {
    async function run<D, V extends AnyVariables>(doc: TypedDocumentNode<D, V>, vars: V): Promise<D | null> {
      const r = await client.mutation(doc, vars).toPromise();
      if (r.error) {
        const codes = r.error.graphQLErrors.map((e) => e.extensions?.code);
        const field = r.error.graphQLErrors.map((e) => e.extensions?.field)[0];
        let text: string;
        if (codes.includes('FORBIDDEN')) text = t('errors.forbidden');
        else if (codes.includes('BAD_USER_INPUT') && field === 'intervalSeconds') text = t('errors.pollingInterval');
        else if (codes.includes('BAD_USER_INPUT') && field === 'panes') text = t('errors.pollingPanes');
        else text = errorText(r.error, { showServerMessage: true });
        void message.error(text);
        return null;
      }
      return r.data ?? null;
    }
    const ok = <D,>(d: D | null) => d !== null;
    return {
      mute: async (participantId) => ok(await run(RoomMuteDocument, { meetingId, participantId })),
      unmute: async (participantId) => ok(await run(RoomUnmuteDocument, { meetingId, participantId })),
      muteAll: async (allowSelfUnmute) => ok(await run(RoomMuteAllDocument, { meetingId, allowSelfUnmute })),
      setAllowSelfUnmute: async (on) => ok(await run(RoomSetAllowSelfUnmuteDocument, { meetingId, on })),
      lock: async (on) => ok(on ? await run(RoomLockDocument, { meetingId }) : await run(RoomUnlockDocument, { meetingId })),
      setMuteOnEntry: async (on) => ok(await run(RoomSetMuteOnEntryDocument, { meetingId, on })),
      setLayout: async (mode) => ok(await run(RoomSetLayoutDocument, { meetingId, mode })),
      pin: async (pane, participantId) => ok(await run(RoomPinDocument, { meetingId, pane, participantId })),
      unpin: async (pane) => ok(await run(RoomUnpinDocument, { meetingId, pane })),
      setPolling: async (input) => ok(await run(RoomSetPollingDocument, { meetingId, input })),
      setWhiteboard: async (on) => ok(await run(RoomSetWhiteboardDocument, { meetingId, on })),
      hangup: async (participantId) => ok(await run(RoomHangupDocument, { meetingId, participantId })),
      setRole: async (participantId, role) => ok(await run(RoomSetRoleDocument, { meetingId, participantId, role })),
      invite: async (to) => ok(await run(RoomInviteDocument, { id: meetingId, ...to })),
      callAbsent: async () => {
        const d = await run(RoomCallAbsentDocument, { meetingId });
        return d ? { called: d.callAbsentInvitees.called.length, skipped: d.callAbsentInvitees.skipped.length } : null;
      },
      endMeeting: async () => ok(await run(RoomEndMeetingDocument, { id: meetingId })),
      lowerHand: async (participantId) => ok(await run(RoomLowerHandDocument, { meetingId, participantId })),
      lowerAllHands: async () => ok(await run(RoomLowerAllHandsDocument, { meetingId })),
    };
  }, [client, meetingId, message, errorText, t]);
}
