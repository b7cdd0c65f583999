// The join → meeting-room hand-off. The join page calls joinMeeting, then navigates
// to /meeting/:number with a JoinHandoff in the router state (and keeps a copy here
// for code that cannot read the router). The room (src/room/) reads it with
// useJoinHandoff(number): the token opens the /rtc socket (docs/rtc-protocol.md).
//
// The token is single-use and lives 60 s (expiresAt). After a reload, or when it
// was used or expired, the room calls joinMeeting again with `number`, `password`
// and `displayName` from the hand-off (rejoinVariables), or sends the person to
// /join/:number when there is no hand-off at all (opened by link).
import { useLocation } from 'react-router';
import type { RoomJoinMeetingMutation } from '../gql/graphql';

/** What joinMeeting answered: token, expiresAt, role, displayName, meetingId, number, name, runId, runStartedAt, iceServers, options. */
export type JoinPayload = RoomJoinMeetingMutation['joinMeeting'];

/** Devices and states chosen in the preview. Null IDs mean the browser's default. */
export interface DeviceChoice {
  audioInputId: string | null;
  videoInputId: string | null;
  /** Enter with the microphone on (the meeting's muteOnEntry may still mute). */
  micOn: boolean;
  /** Enter with the camera on. */
  camOn: boolean;
}

/** Everything the room needs to enter, and to enter again. */
export interface JoinHandoff {
  join: JoinPayload;
  /** The password that was typed (empty when none was needed), for rejoining. */
  password: string;
  /** Whether the person joined as a guest (not signed in). */
  guest: boolean;
  devices: DeviceChoice;
  /** When joinMeeting answered (epoch ms). */
  joinedAt: number;
}

/** Router state of /meeting/:number. */
export interface MeetingRouteState {
  join?: JoinHandoff;
}

let latest: JoinHandoff | null = null;

/** Keeps the hand-off for the room (the join page calls it before navigating). */
export function setJoinHandoff(h: JoinHandoff): void {
  latest = h;
}

/** The last hand-off for this meeting number, if any. */
export function peekJoinHandoff(number: string): JoinHandoff | null {
  return latest && latest.join.number === number ? latest : null;
}

/** Whether the hand-off's token can still be redeemed at /rtc (unused and not expired). */
export function tokenFresh(h: JoinHandoff, now = Date.now()): boolean {
  return Date.parse(h.join.expiresAt) - now > 2000;
}

/** Variables for joinMeeting to enter again (after a reload or a used token). */
export function rejoinVariables(h: JoinHandoff): { number: string; password: string | null; displayName: string | null } {
  return { number: h.join.number, password: h.password || null, displayName: h.guest ? h.join.displayName : null };
}

/** The hand-off for /meeting/:number: the router state first, else the kept copy. */
export function useJoinHandoff(number: string): JoinHandoff | null {
  const state = useLocation().state as MeetingRouteState | null;
  if (state?.join && state.join.join.number === number) return state.join;
  return peekJoinHandoff(number);
}
