// The room's GraphQL operations (names start with Room so they never clash with the
// rest of the app): joining and the host's controls. The live state itself comes over
// /rtc (src/rtc/meetingState.ts). Types are generated from these documents (src/gql).
import { graphql } from '../gql';

export const RoomJoinMeetingDocument = graphql(`
  mutation RoomJoinMeeting($number: String!, $password: String, $displayName: String) {
    joinMeeting(number: $number, password: $password, displayName: $displayName) {
      token
      expiresAt
      role
      displayName
      meetingId
      number
      name
      runId
      runStartedAt
      iceServers {
        urls
        username
        credential
      }
      options {
        muteOnEntry
        live
        record
        guestsMayStart
      }
    }
  }
`);

export const RoomMuteDocument = graphql(`
  mutation RoomMute($meetingId: ID!, $participantId: ID!) {
    muteParticipant(meetingId: $meetingId, participantId: $participantId) {
      seq
    }
  }
`);

export const RoomUnmuteDocument = graphql(`
  mutation RoomUnmute($meetingId: ID!, $participantId: ID!) {
    unmuteParticipant(meetingId: $meetingId, participantId: $participantId) {
      seq
    }
  }
`);

export const RoomMuteAllDocument = graphql(`
  mutation RoomMuteAll($meetingId: ID!, $allowSelfUnmute: Boolean!) {
    muteAll(meetingId: $meetingId, allowSelfUnmute: $allowSelfUnmute) {
      seq
    }
  }
`);

export const RoomSetAllowSelfUnmuteDocument = graphql(`
  mutation RoomSetAllowSelfUnmute($meetingId: ID!, $on: Boolean!) {
    setAllowSelfUnmute(meetingId: $meetingId, on: $on) {
      seq
    }
  }
`);

export const RoomLockDocument = graphql(`
  mutation RoomLock($meetingId: ID!) {
    lockMeeting(meetingId: $meetingId) {
      seq
    }
  }
`);

export const RoomUnlockDocument = graphql(`
  mutation RoomUnlock($meetingId: ID!) {
    unlockMeeting(meetingId: $meetingId) {
      seq
    }
  }
`);

export const RoomSetLayoutDocument = graphql(`
  mutation RoomSetLayout($meetingId: ID!, $mode: LayoutMode!) {
    setLayout(meetingId: $meetingId, mode: $mode) {
      seq
    }
  }
`);

export const RoomPinDocument = graphql(`
  mutation RoomPin($meetingId: ID!, $pane: Int!, $participantId: ID!) {
    pinParticipant(meetingId: $meetingId, pane: $pane, participantId: $participantId) {
      seq
    }
  }
`);

export const RoomUnpinDocument = graphql(`
  mutation RoomUnpin($meetingId: ID!, $pane: Int!) {
    unpinParticipant(meetingId: $meetingId, pane: $pane) {
      seq
    }
  }
`);

export const RoomSetPollingDocument = graphql(`
  mutation RoomSetPolling($meetingId: ID!, $input: PollingInput!) {
    setPolling(meetingId: $meetingId, input: $input) {
      seq
    }
  }
`);

export const RoomSetMuteOnEntryDocument = graphql(`
  mutation RoomSetMuteOnEntry($meetingId: ID!, $on: Boolean!) {
    setMuteOnEntry(meetingId: $meetingId, on: $on) {
      seq
    }
  }
`);

export const RoomSetWhiteboardDocument = graphql(`
  mutation RoomSetWhiteboard($meetingId: ID!, $on: Boolean!) {
    setWhiteboard(meetingId: $meetingId, on: $on) {
      seq
    }
  }
`);

export const RoomHangupDocument = graphql(`
  mutation RoomHangup($meetingId: ID!, $participantId: ID!) {
    hangupParticipant(meetingId: $meetingId, participantId: $participantId) {
      seq
    }
  }
`);

export const RoomSetRoleDocument = graphql(`
  mutation RoomSetRole($meetingId: ID!, $participantId: ID!, $role: ParticipantRole!) {
    setParticipantRole(meetingId: $meetingId, participantId: $participantId, role: $role) {
      seq
    }
  }
`);

export const RoomInviteDocument = graphql(`
  mutation RoomInvite($id: ID!, $memberIds: [ID!], $groupIds: [ID!], $emails: [String!]) {
    inviteToMeeting(id: $id, memberIds: $memberIds, groupIds: $groupIds, emails: $emails) {
      id
    }
  }
`);

export const RoomCallAbsentDocument = graphql(`
  mutation RoomCallAbsent($meetingId: ID!) {
    callAbsentInvitees(meetingId: $meetingId) {
      called {
        id
        name
      }
      skipped {
        id
        name
      }
    }
  }
`);

export const RoomEndMeetingDocument = graphql(`
  mutation RoomEndMeeting($id: ID!) {
    endMeeting(id: $id) {
      id
    }
  }
`);

export const RoomMeetingInfoDocument = graphql(`
  query RoomMeetingInfo($id: ID!) {
    meeting(id: $id) {
      id
      password
      joinUrl
    }
  }
`);

export const RoomLowerHandDocument = graphql(`
  mutation RoomLowerHand($meetingId: ID!, $participantId: ID!) {
    lowerHand(meetingId: $meetingId, participantId: $participantId) {
      seq
    }
  }
`);

export const RoomLowerAllHandsDocument = graphql(`
  mutation RoomLowerAllHands($meetingId: ID!) {
    lowerAllHands(meetingId: $meetingId) {
      seq
    }
  }
`);
