// The booking form's values and the mutation input built from them. Pure, tested.
import type { Invitees } from '../../components/DirectoryPicker';
import type { MeetingQuery } from '../../gql/graphql';
import type { BookMeetingInput } from '../../gql/schema';
import { fromRecurrence, toInput, type RecurrenceState } from '../../lib/recurrence';
import { dayjs, toLocalDate, type Dayjs } from '../../lib/time';

export const DURATIONS = [15, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480, 720, 1440];

export interface BookingValues {
  start: Dayjs | null;
  durationMinutes: number;
  timeZone: string;
  name: string;
  password: string;
  /** null: the server's default (see useParticipantsDefault). */
  participants: number | null;
  recurrence: RecurrenceState;
  muteOnEntry: boolean;
  live: boolean;
  record: boolean;
  guestsMayStart: boolean;
  description: string;
  invitees: Invitees;
  presenterId: string | null;
  roomId: string | null;
}

/** The next half hour from now, for a new booking. */
export function nextSlot(now: Dayjs = dayjs()): Dayjs {
  const m = now.minute();
  return now.add(m < 30 ? 30 - m : 60 - m, 'minute').second(0).millisecond(0);
}

/** Builds the mutation input from the form (every field explicit, so edits replace). */
export function toBookingInput(f: BookingValues, lang: string): BookMeetingInput {
  return {
    start: f.start!.second(0).millisecond(0).toISOString(),
    durationMinutes: f.durationMinutes,
    timeZone: f.timeZone,
    name: f.name.trim(),
    password: f.password,
    participants: f.participants ?? null,
    recurrence: toInput(f.recurrence),
    options: { muteOnEntry: f.muteOnEntry, live: f.live, record: f.record, guestsMayStart: f.guestsMayStart },
    description: f.description.trim(),
    presenterId: f.presenterId || null,
    memberIds: f.invitees.members.map((m) => m.id),
    groupIds: f.invitees.groupIds,
    emails: f.invitees.emails,
    roomId: f.roomId || null,
    lang,
  };
}

/** Form values of an existing meeting (optionally from one occurrence on). */
export function valuesOf(m: MeetingQuery['meeting'], from?: Dayjs): BookingValues {
  const start = from ?? dayjs(m.start);
  const local = toLocalDate(start.tz(m.timeZone));
  return {
    start,
    durationMinutes: m.durationMinutes,
    timeZone: m.timeZone,
    name: m.name,
    password: m.password,
    participants: m.participants,
    recurrence: fromRecurrence(m.recurrence, local),
    muteOnEntry: m.options.muteOnEntry,
    live: m.options.live,
    record: m.options.record,
    guestsMayStart: m.options.guestsMayStart,
    description: m.description,
    invitees: { members: m.invitees.members.map((x) => ({ id: x.id, name: x.name, email: x.email })), groupIds: m.invitees.groupIds, emails: m.invitees.emails },
    presenterId: m.presenterId,
    roomId: m.room?.id ?? null,
  };
}

